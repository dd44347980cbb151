import { Inject, Injectable, Logger } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import { APP_CONFIG, type AppConfig } from '@hangar/config';
import { type Prisma, PrismaService, type WebhookDefinition } from '@hangar/database';
import { newId } from '@hangar/domain';
import { type OutboundMethod, OutboundClient, OutboundRequestError, type OutboundResponse } from '@hangar/outbound';
import { PermanentJobError } from '@hangar/queue';
import type { EventTopic } from './event-topics';
import { renderTransformationBody } from './webhook-body';
import { REDACTED_HEADER_VALUE as REDACTED } from './webhook-calls.service';
import { signWebhookRequest } from './webhook-signing';

/** Contentful's management media type: a webhook body's type unless a transformation says otherwise. */
const MANAGEMENT_TYPE = 'application/vnd.contentful.management.v1+json';
/** How much of a receiver's answer the call log keeps. */
const LOGGED_RESPONSE_BYTES = 4096;
/** Statuses that may pass if asked again later (Contentful retries 429 and 5xx). */
const RETRY_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

/** A stored header of a definition: a secret one's value is sent but never shown. */
interface StoredHeader {
  readonly key: string;
  readonly value?: string;
  readonly secret?: boolean;
}

/** A failure worth another attempt (timeouts, refused connections, 429, 5xx): BullMQ retries the job. */
export class RetryableDeliveryError extends Error {
  override readonly name = 'RetryableDeliveryError';
}

interface Attempt {
  readonly url: string;
  readonly method: OutboundMethod;
  readonly headers: Record<string, string>;
  /** What the call log keeps of the headers: secret values and credentials replaced. */
  readonly loggedHeaders: Record<string, string>;
  readonly body: string;
}

interface Outcome {
  readonly statusCode: number | null;
  readonly responseHeaders: Record<string, string> | null;
  readonly responseBody: string | null;
  readonly errors: { readonly id: string; readonly message: string }[];
  readonly retryable: boolean;
  readonly succeeded: boolean;
}

/**
 * Delivers one event to one webhook, one attempt per call: builds the
 * request (Contentful's headers, the definition's own, basic auth, the
 * transformation), signs it when the space has a signing secret, sends it
 * through the guarded outbound client (the same SSRF rules as remote import,
 * with its allow-list) and writes the attempt to the call log. A 2xx ends the
 * delivery; a timeout, connection failure, 429 or 5xx is retried by the job's
 * policy; anything else (another status, a refused address) fails it for
 * good. Every attempt carries the delivery's id as `X-Contentful-Idempotency-
 * Key`, so a receiver can tell a retry — or a repeat after a worker died
 * between sending and recording — from a new event.
 */
@Injectable()
export class WebhookDeliveryService {
  private readonly logger = new Logger(WebhookDeliveryService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly prisma: PrismaService,
    private readonly outbound: OutboundClient,
  ) {}

  async deliver(deliveryId: string, attempt: number): Promise<void> {
    const delivery = await this.prisma.webhookDelivery.findUnique({ where: { id: deliveryId }, include: { webhook: true } });
    // Gone with its webhook, or already ended (a repeated job): nothing to do.
    if (!delivery || delivery.status !== 'pending') return;
    if (!delivery.webhook.active) throw new PermanentJobError('The webhook was deactivated before the event could be delivered.');
    const event = await this.prisma.domainEvent.findUnique({
      where: { id: delivery.eventId },
      select: { topic: true, payload: true, actorId: true },
    });
    if (!event) throw new PermanentJobError(`Event ${delivery.eventId} no longer exists.`);
    const secret = await this.prisma.webhookSigningSecret.findUnique({ where: { spaceId: delivery.spaceId } });
    const request = this.requestFor(delivery.webhook, delivery.id, event.topic as EventTopic, event.payload, event.actorId, secret?.value);
    const requestAt = new Date();
    const outcome = await this.send(request);
    await this.prisma.$transaction(async (tx) => {
      const call = {
        webhookId: delivery.webhookId,
        spaceId: delivery.spaceId,
        url: request.url,
        method: request.method,
        requestHeaders: request.loggedHeaders,
        requestBody: request.body,
        statusCode: outcome.statusCode,
        responseHeaders: outcome.responseHeaders ?? undefined,
        responseBody: outcome.responseBody,
        errors: outcome.errors,
        eventType: event.topic,
        requestAt,
        responseAt: new Date(),
      };
      // A worker that died after sending re-runs the same attempt: its record is replaced, not doubled.
      await tx.webhookCall.upsert({
        where: { deliveryId_attempt: { deliveryId, attempt } },
        create: { id: newId(), deliveryId, attempt, ...call },
        update: call,
      });
      await tx.webhookDelivery.update({
        where: { id: deliveryId },
        data: outcome.succeeded ? { attempts: attempt, status: 'succeeded', finishedAt: new Date() } : { attempts: attempt },
      });
    });
    if (outcome.succeeded) return;
    const reason = outcome.errors[0]?.message ?? `The webhook answered ${outcome.statusCode ?? 'nothing'}.`;
    if (outcome.retryable) throw new RetryableDeliveryError(reason);
    throw new PermanentJobError(reason);
  }

  /** Marks a delivery failed once no attempt is left (its calls say why). */
  async recordFailure(deliveryId: string, reason: string): Promise<void> {
    const { count } = await this.prisma.webhookDelivery.updateMany({
      where: { id: deliveryId, status: 'pending' },
      data: { status: 'failed', finishedAt: new Date() },
    });
    if (count > 0) this.logger.warn({ msg: 'webhook delivery failed', deliveryId, reason });
  }

  private requestFor(
    webhook: WebhookDefinition,
    deliveryId: string,
    topic: EventTopic,
    payload: Prisma.JsonValue,
    actorId: string | null,
    secret: string | undefined,
  ): Attempt {
    const transformation = (webhook.transformation ?? {}) as {
      method?: OutboundMethod | null;
      contentType?: string | null;
      body?: Prisma.JsonValue;
    };
    const body =
      transformation.body === undefined || transformation.body === null
        ? JSON.stringify(payload)
        : JSON.stringify(renderTransformationBody(transformation.body, { topic, payload, actorId }));
    const contentHeaders: Record<string, string> = {
      'content-type': transformation.contentType ?? MANAGEMENT_TYPE,
      'x-contentful-topic': topic,
      'x-contentful-webhook-name': webhook.name,
      'x-contentful-idempotency-key': deliveryId,
    };
    const url = new URL(webhook.url);
    const method = transformation.method ?? 'POST';
    const signed =
      secret === undefined
        ? {}
        : signWebhookRequest(secret, { method, path: `${url.pathname}${url.search}`, headers: contentHeaders, body }, Date.now());
    const custom: Record<string, string> = {};
    const loggedCustom: Record<string, string> = {};
    for (const header of (webhook.headers ?? []) as unknown as StoredHeader[]) {
      const name = header.key.toLowerCase();
      custom[name] = header.value ?? '';
      loggedCustom[name] = header.secret ? REDACTED : (header.value ?? '');
    }
    const auth: Record<string, string> = {};
    if (webhook.httpBasicUsername) {
      auth.authorization = `Basic ${Buffer.from(`${webhook.httpBasicUsername}:${webhook.httpBasicPassword ?? ''}`).toString('base64')}`;
    }
    // Contentful's own headers and the signature come last: a definition's header cannot replace them.
    const headers = { ...custom, ...auth, ...contentHeaders, ...signed };
    const loggedHeaders = { ...loggedCustom, ...(auth.authorization ? { authorization: REDACTED } : {}), ...contentHeaders, ...signed };
    return { url: webhook.url, method, headers, loggedHeaders, body };
  }

  private async send(request: Attempt): Promise<Outcome> {
    let response: OutboundResponse;
    try {
      response = await this.outbound.request(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        // The answer is read only in part (LOGGED_RESPONSE_BYTES), so no cap is needed on its size.
        maxBytes: Number.MAX_SAFE_INTEGER,
        signal: AbortSignal.timeout(this.config.webhooks.timeoutSeconds * 1000),
      });
    } catch (error) {
      return failure(error, this.config.webhooks.timeoutSeconds);
    }
    const responseBody = await firstBytes(response, LOGGED_RESPONSE_BYTES);
    const succeeded = response.status >= 200 && response.status < 300;
    return {
      statusCode: response.status,
      responseHeaders: flatHeaders(response.headers),
      responseBody,
      errors: succeeded
        ? []
        : [{ id: 'status', message: `The webhook answered ${response.status} ${STATUS_CODES[response.status] ?? ''}`.trim() }],
      retryable: RETRY_STATUSES.has(response.status),
      succeeded,
    };
  }
}

/** What a request that got no response tells the call log, and whether to try again. */
function failure(error: unknown, timeoutSeconds: number): Outcome {
  const none = { statusCode: null, responseHeaders: null, responseBody: null, succeeded: false };
  if (error instanceof OutboundRequestError) {
    // The guard refused the URL or its address (SSRF rules): that will not change by waiting.
    return { ...none, errors: [{ id: error.failure, message: error.message }], retryable: !error.refused && error.failure !== 'too-large' };
  }
  if ((error as Error).name === 'TimeoutError' || (error as Error).name === 'AbortError') {
    return { ...none, errors: [{ id: 'timeout', message: `The webhook did not answer within ${timeoutSeconds} s.` }], retryable: true };
  }
  return { ...none, errors: [{ id: 'connection', message: (error as Error).message }], retryable: true };
}

/** The first `limit` bytes of a response body as text (the rest is not read: the connection is released). */
async function firstBytes(response: OutboundResponse, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of response.body) {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= limit) break;
    }
  } catch {
    // A body cut off after the status still counts as the answer: its status decides.
  } finally {
    response.discard();
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}

function flatHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers))
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  return flat;
}
