import { Writable } from 'node:stream';
import { EventTopic, type StoredEvent } from '@hangar/events';
import { EventStream } from './event-stream';
import { sseMessage } from './sse-message';

const event = (id: number, txid: number, entityId = `asset-${id}`): StoredEvent => ({
  id: BigInt(id),
  txid: String(txid),
  topic: EventTopic.AssetSave,
  spaceId: 'space',
  environmentId: 'master',
  entityType: 'Asset',
  entityId,
  actorId: null,
  payload: { sys: { id: entityId }, padding: 'x'.repeat(200) },
  createdAt: new Date('2026-11-22T12:00:00.000Z'),
});

/** A client that reads everything at once, keeping what it got. */
function readingClient() {
  const received: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      received.push(chunk.toString());
      done();
    },
  });
  return { sink, text: () => received.join('') };
}

/** A client that never takes anything: every write stays buffered. */
const nonReadingClient = () => new Writable({ highWaterMark: 1024, write: () => undefined });

describe('EventStream', () => {
  it('writes one SSE message per event: id, full topic as the event type, and JSON data', () => {
    const { sink, text } = readingClient();
    const stream = new EventStream(sink, { txid: '0', id: 0n }, 1 << 20);
    stream.send(event(7, 100, 'asset-a'));
    expect(text()).toBe(
      'id: 7\nevent: ContentManagement.Asset.save\ndata: ' +
        JSON.stringify({
          topic: 'ContentManagement.Asset.save',
          sys: { id: '7', createdAt: '2026-11-22T12:00:00.000Z' },
          entity: { type: 'Asset', id: 'asset-a' },
          payload: { sys: { id: 'asset-a' }, padding: 'x'.repeat(200) },
        }) +
        '\n\n',
    );
    expect(sseMessage(event(8, 100))).toMatch(/^id: 8\nevent: ContentManagement\.Asset\.save\ndata: \{[^\n]*\}\n\n$/);
  });

  it('sends each event once, in (transaction, id) order: what is at or before its position is skipped', () => {
    const { sink, text } = readingClient();
    const stream = new EventStream(sink, { txid: '100', id: 5n }, 1 << 20);
    // id 3 of a later transaction comes after id 5 of an earlier one (its transaction committed later).
    for (const e of [event(4, 100), event(5, 100), event(6, 100), event(3, 101), event(6, 100), event(3, 101), event(9, 102)])
      stream.send(e);
    expect([...text().matchAll(/^id: (\d+)$/gm)].map((match) => match[1])).toEqual(['6', '3', '9']);
    expect(stream.position).toEqual({ txid: '102', id: 9n });
  });

  it('cuts a client that does not read once more than the limit is waiting, and sends nothing after', () => {
    const sink = nonReadingClient();
    const limit = 4096;
    const stream = new EventStream(sink, { txid: '0', id: 0n }, limit);
    const messageBytes = Buffer.byteLength(sseMessage(event(1, 1)));
    let sent = 0;
    for (let id = 1; id <= 100 && stream.send(event(id, 1)); id += 1) sent += 1;
    // The write that crossed the limit is the last one: the stream is destroyed, not buffered for.
    expect(sent).toBe(Math.floor(limit / messageBytes));
    expect(sink.destroyed).toBe(true);
    expect(stream.closed).toBe(true);
    expect(stream.cutBecause).toBe(`more than ${limit} bytes unread`);
    expect(stream.send(event(200, 1))).toBe(false);
    expect(stream.comment('keep-alive')).toBe(false);
  });

  it('a client that reads keeps its stream however much goes through it', () => {
    const { sink, text } = readingClient();
    const stream = new EventStream(sink, { txid: '0', id: 0n }, 4096);
    for (let id = 1; id <= 100; id += 1) expect(stream.send(event(id, 1))).toBe(true);
    expect(text().length).toBeGreaterThan(100 * 200);
    expect(stream.closed).toBe(false);
  });

  it('waits for a full buffer to drain, and cuts a client that takes nothing for the timeout', async () => {
    const sink = nonReadingClient();
    const stream = new EventStream(sink, { txid: '0', id: 0n }, 1 << 20);
    for (let id = 1; id <= 10; id += 1) stream.send(event(id, 1));
    expect(sink.writableNeedDrain).toBe(true);
    expect(await stream.drained(50)).toBe(false);
    expect(stream.cutBecause).toBe('nothing read for 50 ms');
    expect(sink.destroyed).toBe(true);
    expect(sink.listenerCount('drain')).toBe(0);
  });

  it('drained() resolves true once a slow client has taken its backlog', async () => {
    const pending: (() => void)[] = [];
    const sink = new Writable({ highWaterMark: 1024, write: (_chunk, _encoding, done) => void pending.push(done) });
    const stream = new EventStream(sink, { txid: '0', id: 0n }, 1 << 20);
    for (let id = 1; id <= 10; id += 1) stream.send(event(id, 1));
    const drained = stream.drained(5000);
    const release = setInterval(() => pending.shift()?.(), 1);
    try {
      expect(await drained).toBe(true);
    } finally {
      clearInterval(release);
    }
    expect(stream.closed).toBe(false);
    expect(sink.listenerCount('close')).toBe(0);
  });
});
