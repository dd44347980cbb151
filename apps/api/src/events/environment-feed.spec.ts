import { Writable } from 'node:stream';
import { type DomainEventReader, EventTopic, type EventPosition, type StoredEvent } from '@hangar/events';
import { EnvironmentFeed, FEED_PAGE } from './environment-feed';
import { isAfter } from './event-position';
import { EventStream } from './event-stream';

const event = (id: number): StoredEvent => ({
  id: BigInt(id),
  txid: String(1000 + id),
  topic: EventTopic.AssetSave,
  spaceId: 'space',
  environmentId: 'master',
  entityType: 'Asset',
  entityId: `asset-${id}`,
  actorId: null,
  payload: {},
  createdAt: new Date(0),
});

/** The table as readSettled sees it: every event here is settled; counts its queries. */
class FakeReader {
  readonly events: StoredEvent[] = [];
  queries = 0;
  readSettled(after: EventPosition | undefined, _filter: unknown, limit: number): Promise<StoredEvent[]> {
    this.queries += 1;
    return Promise.resolve(this.events.filter((e) => after === undefined || isAfter({ txid: e.txid, id: e.id }, after)).slice(0, limit));
  }
}

function client(start: EventPosition) {
  const ids: number[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const match of chunk.toString().matchAll(/^id: (\d+)$/gm)) ids.push(Number(match[1]));
      done();
    },
  });
  return { stream: new EventStream(sink, start, 1 << 20), ids, sink };
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('EnvironmentFeed', () => {
  const start = { txid: '0', id: 0n };

  it('reads once per poll for all its streams, each of which gets every event once, in order', async () => {
    const reader = new FakeReader();
    let idle = 0;
    const feed = new EnvironmentFeed(reader as unknown as DomainEventReader, {}, 20, start, () => (idle += 1));
    const clients = Array.from({ length: 100 }, () => client(start));
    for (const c of clients) expect(feed.join(c.stream)).toBe(true);
    reader.events.push(event(1), event(2));
    await until(() => clients.every((c) => c.ids.length === 2), 'the first two events');
    reader.events.push(event(3));
    await until(() => clients.every((c) => c.ids.length === 3), 'the third event');
    for (const c of clients) expect(c.ids).toEqual([1, 2, 3]);
    // A hundred streams, yet the feed's queries are its own polls: a handful, not a hundred per poll.
    expect(reader.queries).toBe(feed.reads);
    expect(reader.queries).toBeLessThan(40);

    for (const c of clients) {
      c.sink.destroy();
      feed.leave(c.stream);
    }
    expect(idle).toBe(1);
    const after = reader.queries;
    await new Promise((r) => setTimeout(r, 100));
    expect(reader.queries).toBe(after);
  });

  it('reads a full page after a full page at once, and remembers only the newest events', async () => {
    const reader = new FakeReader();
    for (let id = 1; id <= FEED_PAGE * 3; id += 1) reader.events.push(event(id));
    const feed = new EnvironmentFeed(reader as unknown as DomainEventReader, {}, 1000, start, () => undefined);
    const first = client(start);
    feed.join(first.stream);
    // The first poll comes after one interval; the pages after it follow without waiting another.
    await until(() => first.ids.length === FEED_PAGE * 3, 'all pages');
    expect(first.ids).toEqual(reader.events.map((e) => Number(e.id)));

    // A stream that caught up to a remembered event joins and gets the rest from memory, no query of its own.
    const queries = reader.queries;
    const recent = client({ txid: String(1000 + FEED_PAGE * 3 - 10), id: BigInt(FEED_PAGE * 3 - 10) });
    expect(feed.join(recent.stream)).toBe(true);
    expect(recent.ids).toEqual(Array.from({ length: 10 }, (_, i) => FEED_PAGE * 3 - 9 + i));
    // One further behind than the feed remembers must read on its own first.
    expect(feed.join(client({ txid: '1001', id: 1n }).stream)).toBe(false);
    expect(reader.queries).toBe(queries);
    feed.stop();
  });

  it('stops by itself when the only stream closed before it could be added', async () => {
    const reader = new FakeReader();
    let idle = 0;
    new EnvironmentFeed(reader as unknown as DomainEventReader, {}, 10, start, () => (idle += 1));
    await until(() => idle === 1, 'the idle feed to stop');
    expect(reader.queries).toBe(0);
  });
});
