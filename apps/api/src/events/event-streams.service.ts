import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { Response } from 'express';
import { APP_CONFIG, type AppConfig } from '@hangar/config';
import { HangarError } from '@hangar/domain';
import { DomainEventReader, type EventFilter, type EventPosition } from '@hangar/events';
import { EnvironmentFeed, FEED_PAGE } from './environment-feed';
import { EventStream } from './event-stream';
import { RECONNECT_MS } from './sse-message';

/** Seconds a client refused for want of a free stream is asked to wait. */
const BUSY_RETRY_SECONDS = 5;

/** 503: this process has as many streams open as EVENT_STREAM_MAX_CONNECTIONS allows. */
export class EventStreamsBusyError extends HangarError {
  constructor() {
    super('ServiceUnavailable', 'Too many event streams are open on this server; try again shortly.', {
      reason: 'event-streams-busy',
      reset: BUSY_RETRY_SECONDS,
    });
  }
}

/**
 * Pushed status: each client's stream of an environment's domain events
 * (Server-Sent Events), read only through `DomainEventReader.readSettled`.
 *
 * A stream first reads on its own from where it starts (after its
 * `Last-Event-ID`, or the head: only what comes next), page by page, waiting
 * for the client to take each; once it is up to date it joins its
 * environment's shared feed, so a hundred browsers watching one environment
 * cost one query per poll interval, not a hundred. Every replica reads the
 * same table, so a client may reconnect to any of them with its last id.
 */
@Injectable()
export class EventStreamsService implements OnModuleDestroy {
  private readonly logger = new Logger(EventStreamsService.name);
  private readonly settings: AppConfig['eventStreams'];
  private readonly feeds = new Map<string, EnvironmentFeed>();
  private readonly streams = new Map<EventStream, { response: Response; feedKey: string }>();
  /** Streams admitted but still finding their start (counted against the cap). */
  private starting = 0;
  private heartbeat: NodeJS.Timeout | undefined;
  /** Set on shutdown: no stream opens and no feed starts after it. */
  private stopping = false;
  /** Queries of streams reading on their own (before they join a feed), for tests and measurements. */
  private catchUpQueries = 0;
  /** Queries of feeds that have stopped, so `queries` counts every one. */
  private stoppedFeedQueries = 0;

  constructor(
    private readonly reader: DomainEventReader,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.settings = config.eventStreams;
  }

  /** What is running now: open streams, feeds polling, and whether the heartbeat timer is set. */
  activity(): { streams: number; starting: number; feeds: number; heartbeat: boolean; queries: number } {
    let feedQueries = this.stoppedFeedQueries;
    for (const feed of this.feeds.values()) feedQueries += feed.reads;
    return {
      streams: this.streams.size,
      starting: this.starting,
      feeds: this.feeds.size,
      heartbeat: this.heartbeat !== undefined,
      queries: feedQueries + this.catchUpQueries,
    };
  }

  /**
   * Opens a stream on `response` of the events of `spaceId`/`environmentId` after event `lastEventId` (when given;
   * an id of no event is a 400), else after every event settled now. Refusals are thrown before anything is written.
   */
  async open(
    spaceId: string,
    environmentId: string,
    lastEventId: bigint | undefined,
    response: Response,
    headOnly: boolean,
  ): Promise<void> {
    if (this.stopping || this.streams.size + this.starting >= this.settings.maxConnections) throw new EventStreamsBusyError();
    this.starting += 1;
    let start: EventPosition | undefined;
    try {
      this.catchUpQueries += 1;
      start = lastEventId === undefined ? await this.reader.head() : await this.reader.positionOf(lastEventId);
    } finally {
      this.starting -= 1;
    }
    if (start === undefined) {
      throw new HangarError('BadRequest', 'Last-Event-ID names no event: reconnect without it to receive what happens from now on.', {
        header: 'Last-Event-ID',
      });
    }
    response.status(200);
    response.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    // no-transform: a compressing proxy would hold events back until its buffer fills. X-Accel-Buffering: nginx's.
    response.setHeader('Cache-Control', 'no-cache, no-transform');
    response.setHeader('X-Accel-Buffering', 'no');
    if (headOnly || response.destroyed || this.stopping) {
      response.end();
      return;
    }
    response.flushHeaders();
    response.socket?.setNoDelay(true);
    const stream = new EventStream(response, start, this.settings.bufferBytes);
    const feedKey = JSON.stringify([spaceId, environmentId]);
    this.streams.set(stream, { response, feedKey });
    response.once('close', () => this.closed(stream));
    this.startHeartbeat();
    response.write(`retry: ${RECONNECT_MS}\n\n`);
    void this.catchUp(stream, { spaceId, environmentId }, feedKey);
  }

  onModuleDestroy(): void {
    this.stopping = true;
    // Clients reconnect (to another replica) with their Last-Event-ID; ending the responses lets the server close.
    for (const { response } of this.streams.values()) response.end();
    for (const feed of this.feeds.values()) feed.stop();
    this.stopHeartbeat();
  }

  /** Reads on the stream's own until it can join the environment's feed (starting one if there is none). */
  private async catchUp(stream: EventStream, filter: EventFilter, feedKey: string): Promise<void> {
    try {
      for (;;) {
        if (stream.closed) return;
        if (this.feeds.get(feedKey)?.join(stream)) return;
        this.catchUpQueries += 1;
        const events = await this.reader.readSettled(stream.position, filter, FEED_PAGE);
        for (const event of events) if (!stream.send(event)) return;
        if (events.length < FEED_PAGE) {
          if (stream.closed || this.stopping) return;
          const feed = this.feeds.get(feedKey) ?? this.startFeed(feedKey, filter, stream);
          if (feed.join(stream)) return;
        } else if (!(await stream.drained(this.settings.pingSeconds * 2000))) {
          return;
        }
      }
    } catch (error) {
      // Its client reconnects with its Last-Event-ID and resumes where it was.
      this.logger.warn({ msg: 'event stream failed', ...filter, error: error instanceof Error ? error.message : String(error) });
      stream.cut('failed to read events');
    }
  }

  private startFeed(feedKey: string, filter: EventFilter, first: EventStream): EnvironmentFeed {
    const feed = new EnvironmentFeed(this.reader, filter, this.settings.pollMs, first.position, () => {
      this.stoppedFeedQueries += feed.reads;
      if (this.feeds.get(feedKey) === feed) this.feeds.delete(feedKey);
    });
    this.feeds.set(feedKey, feed);
    return feed;
  }

  private closed(stream: EventStream): void {
    const entry = this.streams.get(stream);
    if (!entry) return;
    this.streams.delete(stream);
    if (stream.cutBecause !== undefined) this.logger.log({ msg: 'event stream cut', reason: stream.cutBecause });
    this.feeds.get(entry.feedKey)?.leave(stream);
    if (this.streams.size === 0) this.stopHeartbeat();
  }

  private startHeartbeat(): void {
    if (this.heartbeat !== undefined) return;
    this.heartbeat = setInterval(() => {
      for (const stream of this.streams.keys()) stream.comment('keep-alive');
    }, this.settings.pingSeconds * 1000).unref();
  }

  private stopHeartbeat(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }
}
