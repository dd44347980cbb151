import { Logger } from '@nestjs/common';
import type { DomainEventReader, EventFilter, EventPosition, StoredEvent } from '@hangar/events';
import { isAfter, positionOf } from './event-position';
import type { EventStream } from './event-stream';

/** Events read per query; a full page is followed by the next at once. */
export const FEED_PAGE = 200;
/** The newest events a feed keeps, so a stream that caught up a moment ago joins without a query of its own. */
const RECENT_EVENTS = 500;

/**
 * The one poller of an environment in this process: every `pollMs` it reads
 * the environment's newly settled events once and hands each to every stream
 * that has joined, however many there are. It starts with its first stream
 * and stops (no timer, no query pending) when its last one leaves.
 *
 * A stream joins once it has read, on its own, up to an event the feed still
 * remembers (or beyond the feed): from then on the feed's events continue it
 * with no gap, and what it already has is skipped (EventStream.send).
 */
export class EnvironmentFeed {
  private readonly logger = new Logger(EnvironmentFeed.name);
  private readonly streams = new Set<EventStream>();
  /** The last position read. */
  private cursor: EventPosition;
  /** Events after `rememberedFrom` up to `cursor`, oldest first. */
  private readonly recent: StoredEvent[] = [];
  private rememberedFrom: EventPosition;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Whether the last poll failed: a database that is away is logged once, not once per poll. */
  private failing = false;
  /** Queries this feed has made (for tests and measurements). */
  reads = 0;

  constructor(
    private readonly reader: DomainEventReader,
    private readonly filter: EventFilter,
    private readonly pollMs: number,
    start: EventPosition,
    private readonly onIdle: () => void,
  ) {
    this.cursor = start;
    this.rememberedFrom = start;
    this.schedule(pollMs);
  }

  get size(): number {
    return this.streams.size;
  }

  /**
   * Joins `stream` if the feed can continue it without a gap — its position is
   * one the feed remembers or has not reached — after sending it the
   * remembered events it lacks. False: it must read further on its own first.
   */
  join(stream: EventStream): boolean {
    if (this.stopped || isAfter(this.rememberedFrom, stream.position)) return false;
    for (const event of this.recent) if (!stream.send(event)) return true; // closed: nothing to join
    this.streams.add(stream);
    return true;
  }

  /** Stops polling at once, whoever is still joined (shutdown). */
  stop(): void {
    this.streams.clear();
    this.stopIfIdle();
  }

  leave(stream: EventStream): void {
    this.streams.delete(stream);
    this.stopIfIdle();
  }

  /** Stops for good (the service forgets it) when no stream is left. */
  private stopIfIdle(): boolean {
    if (this.streams.size > 0) return false;
    if (!this.stopped) {
      this.stopped = true;
      clearTimeout(this.timer);
      this.timer = undefined;
      this.onIdle();
    }
    return true;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.poll(), delayMs).unref();
  }

  private async poll(): Promise<void> {
    this.timer = undefined;
    // A stream that closed while it joined was never added: nobody is left to leave.
    if (this.stopIfIdle()) return;
    let full = false;
    try {
      this.reads += 1;
      const events = await this.reader.readSettled(this.cursor, this.filter, FEED_PAGE);
      for (const event of events) {
        this.cursor = positionOf(event);
        this.recent.push(event);
        for (const stream of this.streams) stream.send(event);
      }
      const forgotten = this.recent.splice(0, Math.max(0, this.recent.length - RECENT_EVENTS));
      const lastForgotten = forgotten.at(-1);
      if (lastForgotten) this.rememberedFrom = positionOf(lastForgotten);
      full = events.length === FEED_PAGE;
      if (this.failing) this.logger.log({ msg: 'event feed reads again', ...this.filter });
      this.failing = false;
    } catch (error) {
      // The database is away (or slow): streams stay open, and the next poll goes on from the same position.
      if (!this.failing) {
        this.logger.warn({ msg: 'event feed poll failed', ...this.filter, error: error instanceof Error ? error.message : String(error) });
      }
      this.failing = true;
    }
    this.schedule(full ? 0 : this.pollMs);
  }
}
