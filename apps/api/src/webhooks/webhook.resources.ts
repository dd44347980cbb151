import type { WebhookCall } from '@hangar/database';
import { link } from '@hangar/domain';
import type { SigningSecretView, WebhookCallView, WebhookDefinitionView, WebhookHealth } from '@hangar/events';

/** Contentful's WebhookDefinition; secret header values and the basic-auth password are never part of it. */
export function webhookDefinitionResource(definition: WebhookDefinitionView) {
  return {
    sys: {
      type: 'WebhookDefinition' as const,
      id: definition.id,
      version: definition.version,
      space: link('Space', definition.spaceId),
      createdAt: definition.createdAt.toISOString(),
      createdBy: link('User', definition.createdById),
      updatedAt: definition.updatedAt.toISOString(),
      updatedBy: link('User', definition.updatedById),
    },
    name: definition.name,
    url: definition.url,
    topics: definition.topics,
    filters: definition.filters,
    headers: definition.headers,
    httpBasicUsername: definition.httpBasicUsername,
    active: definition.active,
    ...(definition.transformation === undefined ? {} : { transformation: definition.transformation }),
  };
}

/** The SDK's WebhookSigningSecretProps: the last characters only, as Contentful shows them. */
export function signingSecretResource(secret: SigningSecretView) {
  return {
    sys: {
      type: 'WebhookSigningSecret' as const,
      space: link('Space', secret.spaceId),
      createdAt: secret.createdAt.toISOString(),
      createdBy: link('User', secret.createdById),
      updatedAt: secret.updatedAt.toISOString(),
      updatedBy: link('User', secret.updatedById),
    },
    redactedValue: secret.redactedValue,
  };
}

/**
 * The SDK's WebhookCallOverviewProps. `statusCode` and `responseAt` are null
 * for a call that got no answer (refused address, timeout): `errors` says why.
 */
export function webhookCallOverviewResource(call: WebhookCall) {
  return {
    sys: {
      type: 'WebhookCallOverview' as const,
      id: call.id,
      space: link('Space', call.spaceId),
      createdAt: call.requestAt.toISOString(),
      createdBy: link('WebhookDefinition', call.webhookId),
    },
    url: call.url,
    statusCode: call.statusCode,
    errors: Array.isArray(call.errors) ? call.errors : [],
    eventType: call.eventType,
    requestAt: call.requestAt.toISOString(),
    responseAt: call.responseAt?.toISOString() ?? null,
  };
}

/** The SDK's WebhookCallDetailsProps: the overview with the request as sent and the response as received. */
export function webhookCallDetailsResource(call: WebhookCallView) {
  const overview = webhookCallOverviewResource(call);
  return {
    ...overview,
    sys: { ...overview.sys, type: 'WebhookCallDetails' as const },
    request: { url: call.url, method: call.method, headers: call.requestHeaders, body: call.requestBody },
    response: { url: call.url, statusCode: call.statusCode, headers: call.responseHeaders, body: call.responseBody ?? '' },
  };
}

/** The SDK's WebhookHealthProps. */
export function webhookHealthResource(spaceId: string, webhookId: string, health: WebhookHealth) {
  return {
    sys: {
      type: 'Webhook' as const,
      id: webhookId,
      space: link('Space', spaceId),
      createdBy: link('WebhookDefinition', webhookId),
    },
    calls: { total: health.total, healthy: health.healthy },
  };
}
