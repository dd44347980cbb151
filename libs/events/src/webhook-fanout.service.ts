import { Injectable } from '@nestjs/common';
import { type Prisma, PrismaService } from '@hangar/database';
import { newId } from '@hangar/domain';
import { JobName, OutboxService, type StagedMessage } from '@hangar/queue';
import { DomainEventReader, type StoredEvent } from './domain-event-reader';
import { filtersMatch, type WebhookFilter } from './webhook-filters';
import { topicMatches } from './webhook-topics';

/** The fan-out's row in DomainEventCursor. */
const CURSOR = 'webhooks';

/**
 * Turns settled domain events into webhook deliveries. In one transaction:
 * the cursor row is locked (one fan-out at a time, whatever the number of
 * workers), the next settled events are read after it, a WebhookDelivery is
 * made for every active definition of the event's space whose topics and
 * filters match, each gets its delivery job in the outbox, and the cursor
 * moves past the events. So every event is fanned out exactly once: none is
 * lost (a crash rolls all of it back) and none is made twice.
 */
@Injectable()
export class WebhookFanoutService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly reader: DomainEventReader,
    private readonly outbox: OutboxService,
  ) {}

  /** Fans out up to `limit` events; how many were read (0: nothing new). */
  async fanOutOnce(limit = 200): Promise<number> {
    const { messages, read } = await this.prisma.$transaction(async (tx) => {
      const cursor = await this.lockedCursor(tx);
      const events = await this.reader.readSettled(cursor, {}, limit, tx);
      const last = events.at(-1);
      if (!last) return { messages: [], read: 0 };
      const deliveries = await this.deliveriesFor(tx, events);
      await tx.webhookDelivery.createMany({ data: deliveries, skipDuplicates: true });
      const staged: StagedMessage[] = [];
      for (const delivery of deliveries) staged.push(await this.outbox.stage(tx, JobName.DeliverWebhook, { deliveryId: delivery.id }));
      await tx.domainEventCursor.update({ where: { name: CURSOR }, data: { txid: last.txid, eventId: last.id } });
      return { messages: staged, read: events.length };
    });
    await this.outbox.dispatchNow(messages);
    return read;
  }

  /**
   * The cursor, locked until commit. A migration makes it (at the head of
   * the stream then); should the row be missing, it is made again at the
   * head of the stream now.
   */
  private async lockedCursor(tx: Prisma.TransactionClient): Promise<{ txid: string; id: bigint }> {
    const select = () => tx.$queryRaw<{ txid: string; eventId: bigint }[]>`
      SELECT "txid", "eventId" FROM "DomainEventCursor" WHERE "name" = ${CURSOR} FOR UPDATE`;
    let rows = await select();
    if (rows.length === 0) {
      const head = await this.reader.head(tx);
      await tx.$executeRaw`
        INSERT INTO "DomainEventCursor" ("name", "txid", "eventId", "updatedAt") VALUES (${CURSOR}, ${head.txid}, ${head.id}, now())
        ON CONFLICT ("name") DO NOTHING`;
      rows = await select();
    }
    const row = rows[0];
    if (!row) throw new Error('the webhook fan-out cursor could not be read');
    return { txid: row.txid, id: row.eventId };
  }

  private async deliveriesFor(tx: Prisma.TransactionClient, events: readonly StoredEvent[]) {
    const spaceIds = [...new Set(events.map((event) => event.spaceId))];
    const definitions = await tx.webhookDefinition.findMany({
      where: { spaceId: { in: spaceIds }, active: true },
      select: { id: true, spaceId: true, topics: true, filters: true },
    });
    return events.flatMap((event) =>
      definitions
        .filter(
          (definition) =>
            definition.spaceId === event.spaceId &&
            topicMatches(definition.topics, event.topic) &&
            filtersMatch(definition.filters as WebhookFilter[] | null, {
              'sys.id': event.entityId,
              'sys.environment.sys.id': event.environmentId,
            }),
        )
        .map((definition) => ({ id: newId(), webhookId: definition.id, spaceId: event.spaceId, eventId: event.id, topic: event.topic })),
    );
  }
}
