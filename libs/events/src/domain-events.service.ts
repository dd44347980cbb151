import { Injectable } from '@nestjs/common';
import { Prisma } from '@hangar/database';
import { entityTypeOf, type EventTopic } from './event-topics';

/** One change, described for whoever listens (webhooks, pushed status). */
export interface DomainEventInput {
  readonly topic: EventTopic;
  readonly spaceId: string;
  readonly environmentId: string;
  readonly entityId: string;
  /** The user who made the change; undefined for the system (processing, expiry). */
  readonly actorId?: string | undefined;
  /** The entity right after the change, as the API shows it (plain JSON data). */
  readonly payload: object;
}

/**
 * Stages domain events in the transaction of the change they describe, so
 * there is no change without its event and no event without its change.
 * Nothing here delivers them: consumers read the table in id order.
 */
@Injectable()
export class DomainEventsService {
  async stage(tx: Prisma.TransactionClient, ...events: DomainEventInput[]): Promise<void> {
    if (events.length === 0) return;
    await tx.domainEvent.createMany({
      data: events.map((event) => ({
        topic: event.topic,
        spaceId: event.spaceId,
        environmentId: event.environmentId,
        entityType: entityTypeOf(event.topic),
        entityId: event.entityId,
        actorId: event.actorId ?? null,
        payload: event.payload,
      })),
    });
  }

  /**
   * The `INSERT` that stages `event` once per row of the common table `from`, for a statement that writes a change
   * and its event together (see `stageWithChange`; a caller with more than one change writes its own `WITH`).
   */
  insertFrom(from: string, event: DomainEventInput): Prisma.Sql {
    return Prisma.sql`
      INSERT INTO "DomainEvent" ("topic", "spaceId", "environmentId", "entityType", "entityId", "actorId", "payload")
      SELECT ${event.topic}, ${event.spaceId}, ${event.environmentId}, ${entityTypeOf(event.topic)}, ${event.entityId},
             ${event.actorId ?? null}, ${JSON.stringify(event.payload)}::jsonb
      FROM ${Prisma.raw(`"${from}"`)}`;
  }

  /**
   * Applies `change` — one `UPDATE … RETURNING …` — and stages `event` only if
   * it changed a row, in one statement: the same guarantee as a transaction,
   * without its round trips, for hot paths (an upload's completion). Returns
   * the rows the change returned (none when it touched none).
   */
  async stageWithChange<Row>(db: Prisma.TransactionClient, change: Prisma.Sql, event: DomainEventInput): Promise<Row[]> {
    return db.$queryRaw<Row[]>`WITH "change" AS (${change}), "staged" AS (${this.insertFrom('change', event)}) SELECT * FROM "change"`;
  }
}
