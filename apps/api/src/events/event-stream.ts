import type { EventPosition, StoredEvent } from '@hangar/events';
import { isAfter, positionOf } from './event-position';
import { sseComment, sseMessage } from './sse-message';

/** What an event stream writes to: the HTTP response (a Node writable). */
export interface StreamSink {
  write(chunk: string): boolean;
  /** Bytes written but not yet taken by the client (the response's buffer and its socket's). */
  readonly writableLength: number;
  /** Whether a write has filled its buffer (`'drain'` comes once it is empty again). */
  readonly writableNeedDrain: boolean;
  readonly destroyed: boolean;
  /** Set once the server has ended the response (shutdown): nothing may be written after. */
  readonly writableEnded: boolean;
  destroy(): void;
  once(event: 'drain' | 'close', listener: () => void): unknown;
  off(event: 'drain' | 'close', listener: () => void): unknown;
}

/**
 * One client's stream of events. It sends each event at most once, in order
 * (an event at or before its position is skipped, so a stream fed from two
 * sources — its own catch-up reads, then the shared feed — never repeats
 * one), and it holds at most `maxBufferedBytes` the client has not taken: a
 * client that stops reading is cut off rather than buffered for without
 * limit (it reconnects with `Last-Event-ID` and misses nothing).
 */
export class EventStream {
  private cutReason: string | undefined;

  constructor(
    private readonly sink: StreamSink,
    /** The last event sent, or where the stream started. */
    private current: EventPosition,
    private readonly maxBufferedBytes: number,
  ) {}

  get position(): EventPosition {
    return this.current;
  }

  /** Why the stream was cut, if it was (it closes with its connection either way). */
  get cutBecause(): string | undefined {
    return this.cutReason;
  }

  get closed(): boolean {
    return this.sink.destroyed || this.sink.writableEnded;
  }

  /** Sends `event` unless the stream is already past it; false once the stream is closed. */
  send(event: StoredEvent): boolean {
    if (this.closed) return false;
    const position = positionOf(event);
    if (!isAfter(position, this.current)) return true;
    this.current = position;
    return this.write(sseMessage(event));
  }

  comment(text: string): boolean {
    return this.closed ? false : this.write(sseComment(text));
  }

  /**
   * Resolves true once the buffer is below its high-water mark again (at once if it is), false if the stream closes
   * first or nothing is taken for `timeoutMs` (then the stream is cut: a client that does not read is not waited for).
   */
  async drained(timeoutMs: number): Promise<boolean> {
    if (this.closed) return false;
    if (!this.sink.writableNeedDrain) return true;
    const taken = await new Promise<boolean>((resolve) => {
      const done = (value: boolean) => {
        clearTimeout(timer);
        this.sink.off('drain', onDrain);
        this.sink.off('close', onClose);
        resolve(value);
      };
      const onDrain = () => done(true);
      const onClose = () => done(false);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.sink.once('drain', onDrain);
      this.sink.once('close', onClose);
    });
    if (!taken) this.cut(`nothing read for ${timeoutMs} ms`);
    return taken && !this.closed;
  }

  cut(reason: string): void {
    if (this.closed) return;
    this.cutReason = reason;
    this.sink.destroy();
  }

  private write(chunk: string): boolean {
    this.sink.write(chunk);
    if (this.sink.writableLength > this.maxBufferedBytes) {
      this.cut(`more than ${this.maxBufferedBytes} bytes unread`);
      return false;
    }
    return true;
  }
}
