import { Injectable } from '@nestjs/common';
import { PrismaService, type WebhookCall } from '@hangar/database';
import { NotFoundError } from '@hangar/domain';
import { storedHeadersOf } from './webhook-definitions.service';

/**
 * How many of a webhook's latest calls its health counts: the calls
 * Contentful keeps in a webhook's log (500; older entries drop out there).
 */
export const WEBHOOK_HEALTH_WINDOW = 500;

/** What a logged header value shows instead of a secret (a secret header's value, basic credentials). */
export const REDACTED_HEADER_VALUE = '[redacted]';

export interface WebhookHealth {
  readonly total: number;
  readonly healthy: number;
}

/** A call as it may be shown: headers that carry a secret are redacted. */
export type WebhookCallView = WebhookCall & {
  readonly requestHeaders: Record<string, string>;
  readonly responseHeaders: Record<string, string>;
};

function headersOf(json: unknown): Record<string, string> {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return {};
  return Object.fromEntries(Object.entries(json).map(([key, value]) => [key, typeof value === 'string' ? value : String(value)]));
}

/**
 * Reads a webhook's call log (the delivery worker writes it): the calls,
 * newest first, one call with its request and response, and its health.
 * Every read first checks that the webhook is the space's.
 */
@Injectable()
export class WebhookCallsService {
  constructor(private readonly prisma: PrismaService) {}

  async list(spaceId: string, webhookId: string, page: { skip: number; limit: number }): Promise<{ items: WebhookCall[]; total: number }> {
    await this.definitionOf(spaceId, webhookId);
    const where = { spaceId, webhookId };
    const [items, total] = await Promise.all([
      this.prisma.webhookCall.findMany({ where, orderBy: [{ requestAt: 'desc' }, { id: 'desc' }], skip: page.skip, take: page.limit }),
      this.prisma.webhookCall.count({ where }),
    ]);
    return { items, total };
  }

  /**
   * One call with its request and response. The request's headers are shown
   * as sent except those carrying a secret: the definition's secret headers
   * (as it is now: a header made secret since is hidden in older calls too)
   * and Authorization (HTTP Basic credentials).
   */
  async get(spaceId: string, webhookId: string, callId: string): Promise<WebhookCallView> {
    const definition = await this.definitionOf(spaceId, webhookId);
    const call = await this.prisma.webhookCall.findFirst({ where: { id: callId, spaceId, webhookId } });
    if (!call) throw new NotFoundError('WebhookCallDetails', callId);
    const secret = new Set(['authorization', ...storedHeadersOf(definition).flatMap((h) => (h.secret ? [h.key.toLowerCase()] : []))]);
    const requestHeaders = Object.fromEntries(
      Object.entries(headersOf(call.requestHeaders)).map(([key, value]) => [
        key,
        secret.has(key.toLowerCase()) ? REDACTED_HEADER_VALUE : value,
      ]),
    );
    return { ...call, requestHeaders, responseHeaders: headersOf(call.responseHeaders) };
  }

  /** Of the webhook's latest calls ({@link WEBHOOK_HEALTH_WINDOW}), how many there are and how many got a 2xx answer. */
  async health(spaceId: string, webhookId: string): Promise<WebhookHealth> {
    await this.definitionOf(spaceId, webhookId);
    const rows = await this.prisma.$queryRaw<{ total: number; healthy: number }[]>`
      SELECT count(*)::int AS "total", (count(*) FILTER (WHERE "statusCode" BETWEEN 200 AND 299))::int AS "healthy"
      FROM (SELECT "statusCode" FROM "WebhookCall"
            WHERE "spaceId" = ${spaceId} AND "webhookId" = ${webhookId}
            ORDER BY "requestAt" DESC, "id" DESC LIMIT ${WEBHOOK_HEALTH_WINDOW}) AS "latest"`;
    return rows[0] ?? { total: 0, healthy: 0 };
  }

  private async definitionOf(spaceId: string, webhookId: string) {
    const definition = await this.prisma.webhookDefinition.findFirst({ where: { id: webhookId, spaceId }, select: { headers: true } });
    if (!definition) throw new NotFoundError('WebhookDefinition', webhookId);
    return definition;
  }
}
