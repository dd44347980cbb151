import { Injectable } from '@nestjs/common';
import type { Prisma } from '@hangar/database';
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
}
