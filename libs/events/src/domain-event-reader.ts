import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService } from '@hangar/database';
import type { EventTopic } from './event-topics';

/** Where a reader stands in the stream of domain events: the last event it has handled. */
export interface EventPosition {
  /** The writing transaction's id (xid8) as decimal text. */
  readonly txid: string;
  readonly id: bigint;
}

/** A domain event as readers get it. */
export interface StoredEvent {
  readonly id: bigint;
  readonly txid: string;
  readonly topic: EventTopic;
  readonly spaceId: string;
  readonly environmentId: string;
  readonly entityType: string;
  readonly entityId: string;
  readonly actorId: string | null;
  readonly payload: Prisma.JsonValue;
  readonly createdAt: Date;
}

export interface EventFilter {
  readonly spaceId?: string | undefined;
  readonly environmentId?: string | undefined;
}

/**
 * Reads domain events in the one order in which none can be missed.
 *
 * An event's id is drawn when it is inserted, not when its transaction
 * commits, so a reader that follows ids would step past an event whose slow
 * transaction commits after a later one (the classic outbox gap). Events are
 * therefore read in (transaction id, id) order, and only from transactions
 * older than every transaction still running (`pg_snapshot_xmin`): each of
 * those has ended, so nothing can appear behind a position once it is passed.
 * The price is that an event waits for older transactions to end before any
 * reader sees it (milliseconds, unless something holds a transaction open).
 *
 * ORDER BY names the table's column: a bare "txid" would be the selected
 * `"txid"::text AS "txid"` (PostgreSQL prefers an output column's name), and
 * text order puts transaction 100000 before 99999.
 */
@Injectable()
export class DomainEventReader {
  constructor(private readonly prisma: PrismaService) {}

  /** Up to `limit` settled events after `after` (from the first event when undefined), in order. */
  async readSettled(
    after: EventPosition | undefined,
    filter: EventFilter,
    limit: number,
    db: Prisma.TransactionClient = this.prisma,
  ): Promise<StoredEvent[]> {
    const conditions = [Prisma.sql`"txid" < pg_snapshot_xmin(pg_current_snapshot())`];
    if (after) conditions.push(Prisma.sql`("txid", "id") > (${after.txid}::xid8, ${after.id})`);
    if (filter.spaceId !== undefined) conditions.push(Prisma.sql`"spaceId" = ${filter.spaceId}`);
    if (filter.environmentId !== undefined) conditions.push(Prisma.sql`"environmentId" = ${filter.environmentId}`);
    const rows = await db.$queryRaw<(Omit<StoredEvent, 'txid'> & { txid: string })[]>`
      SELECT "id", "txid"::text AS "txid", "topic", "spaceId", "environmentId", "entityType", "entityId", "actorId",
             "payload", "createdAt"
      FROM "DomainEvent"
      WHERE ${Prisma.join(conditions, ' AND ')}
      ORDER BY "DomainEvent"."txid", "DomainEvent"."id"
      LIMIT ${limit}`;
    return rows;
  }

  /** The position of event `id` (a client resuming after it), or undefined when there is no such event. */
  async positionOf(id: bigint): Promise<EventPosition | undefined> {
    const rows = await this.prisma.$queryRaw<{ txid: string }[]>`SELECT "txid"::text AS "txid" FROM "DomainEvent" WHERE "id" = ${id}`;
    const row = rows[0];
    return row ? { txid: row.txid, id } : undefined;
  }

  /** The position after every event settled now (a reader that starts from here sees only what comes next). */
  async head(db: Prisma.TransactionClient = this.prisma): Promise<EventPosition> {
    const rows = await db.$queryRaw<{ txid: string | null; id: bigint | null }[]>`
      SELECT "txid"::text AS "txid", "id" FROM "DomainEvent"
      WHERE "txid" < pg_snapshot_xmin(pg_current_snapshot())
      ORDER BY "DomainEvent"."txid" DESC, "DomainEvent"."id" DESC LIMIT 1`;
    const row = rows[0];
    return row?.txid && row.id !== null ? { txid: row.txid, id: row.id } : { txid: '0', id: 0n };
  }
}
