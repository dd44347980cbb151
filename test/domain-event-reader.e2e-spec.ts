import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { DomainEventReader, type EventPosition } from '@hangar/events';
import { type RunningApi, startApi } from './support/api-harness';
import { waitFor } from './support/processes';
import { TEST_DATABASE_URL } from './support/test-database';

/**
 * The reader webhooks and pushed status share must never step past an event
 * that commits late: ids are drawn at insert, commits happen in another order.
 * Two real PostgreSQL sessions hold transactions open to make exactly that
 * happen.
 */
describe('DomainEventReader: settled events in an order nothing can land behind', () => {
  let api: RunningApi;
  let reader: DomainEventReader;
  const sessions: pg.Client[] = [];

  beforeAll(async () => {
    api = await startApi();
    reader = api.app.get(DomainEventReader);
  });
  afterAll(async () => {
    await Promise.all(sessions.map((session) => session.end()));
    await api.close();
  });

  async function session(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    sessions.push(client);
    return client;
  }

  /** Inserts an event of `spaceId` in the session's open transaction; its id. */
  async function insert(client: pg.Client, spaceId: string, entityId: string): Promise<bigint> {
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO "DomainEvent" ("topic", "spaceId", "environmentId", "entityType", "entityId", "payload")
       VALUES ('Hangar.Upload.create', $1, 'master', 'Upload', $2, '{}') RETURNING "id"`,
      [spaceId, entityId],
    );
    return BigInt(rows[0]?.id ?? '0');
  }

  const entitiesAfter = async (spaceId: string, after?: EventPosition) =>
    (await reader.readSettled(after, { spaceId }, 100)).map((event) => event.entityId);

  /**
   * The entities after `after` once `count` have settled: another test file's transaction still running (parallel
   * Jest workers share the database) holds newer events back for as long as it runs, so a settled read is polled.
   */
  async function settledEntities(spaceId: string, count: number, after?: EventPosition): Promise<string[]> {
    await waitFor(async () => (await entitiesAfter(spaceId, after)).length >= count, 10_000, `${count} settled events`);
    return entitiesAfter(spaceId, after);
  }

  test('an event whose transaction began first but inserted last is read first, and not before it commits', async () => {
    const spaceId = `reader-${randomUUID()}`;
    const slow = await session();
    const quick = await session();
    await slow.query('BEGIN');
    // The slow transaction takes its transaction id now…
    await slow.query('SELECT pg_current_xact_id()');
    await quick.query('BEGIN');
    const quickId = await insert(quick, spaceId, 'quick');
    await quick.query('COMMIT');
    // …and inserts after the quick one committed: a larger event id, a smaller transaction id.
    const slowId = await insert(slow, spaceId, 'slow');
    expect(slowId).toBeGreaterThan(quickId);

    // While the slow transaction runs, the quick event is held back too: a reader taking it would pass the slow one.
    expect(await entitiesAfter(spaceId)).toEqual([]);
    await slow.query('COMMIT');
    await settledEntities(spaceId, 2);
    const events = await reader.readSettled(undefined, { spaceId }, 100);
    expect(events.map((event) => event.entityId)).toEqual(['slow', 'quick']);

    // Positions resume exactly: after the first, the second; after the second, nothing.
    const [first, second] = events;
    expect(await entitiesAfter(spaceId, first)).toEqual(['quick']);
    expect(await entitiesAfter(spaceId, second)).toEqual([]);
    expect(await reader.positionOf(slowId)).toEqual({ txid: first?.txid, id: slowId });
  });

  test('a rolled-back transaction leaves no event and holds nothing back once it has ended', async () => {
    const spaceId = `reader-${randomUUID()}`;
    const aborted = await session();
    const committed = await session();
    await aborted.query('BEGIN');
    await insert(aborted, spaceId, 'aborted');
    await committed.query('BEGIN');
    await insert(committed, spaceId, 'kept');
    await committed.query('COMMIT');
    expect(await entitiesAfter(spaceId)).toEqual([]);
    await aborted.query('ROLLBACK');
    expect(await settledEntities(spaceId, 1)).toEqual(['kept']);
  });

  /** Events planted with made-up transaction ids, removed after each test: the database is shared with other checkouts. */
  const planted: bigint[] = [];
  afterEach(async () => {
    if (planted.length === 0) return;
    const client = await session();
    await client.query('DELETE FROM "DomainEvent" WHERE "id" = ANY($1::bigint[])', [planted.splice(0).map(String)]);
  });

  /** Inserts a settled event of `spaceId` written, as far as readers can tell, by old transaction `txid`. */
  async function insertAsOf(txid: bigint, spaceId: string, entityId: string): Promise<bigint> {
    const client = await session();
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO "DomainEvent" ("topic", "spaceId", "environmentId", "entityType", "entityId", "payload", "txid")
       VALUES ('Hangar.Upload.create', $1, 'master', 'Upload', $2, '{}', $3::xid8) RETURNING "id"`,
      [spaceId, entityId, txid.toString()],
    );
    const id = BigInt(rows[0]?.id ?? '0');
    planted.push(id);
    return id;
  }

  test('transaction ids are ordered as numbers: 10 after 9, whatever their text says', async () => {
    const spaceId = `reader-${randomUUID()}`;
    // Inserted in this order so that id order would also put 10 first: only txid order may decide.
    const ten = await insertAsOf(10n, spaceId, 'txid 10');
    const nine = await insertAsOf(9n, spaceId, 'txid 9');
    const start = { txid: '8', id: 0n };
    expect((await reader.readSettled(start, { spaceId }, 1)).map((event) => event.entityId)).toEqual(['txid 9']);
    expect(await entitiesAfter(spaceId, { txid: '9', id: nine })).toEqual(['txid 10']);
    expect(await entitiesAfter(spaceId, { txid: '10', id: ten })).toEqual([]);
  });

  test('head is the numerically last settled event, not the last one as text', async () => {
    const client = await session();
    const { rows } = await client.query<{ now: string }>('SELECT pg_current_xact_id()::text AS "now"');
    const now = rows[0]?.now ?? '';
    // All nines, one digit shorter than today's transaction ids: older as a number, greater as text (99999 > 251392).
    const older = 10n ** BigInt(now.length - 1) - 1n;
    await insertAsOf(older, `reader-${randomUUID()}`, 'old, greater as text');
    await insert(client, `reader-${randomUUID()}`, 'now'); // a real event of today's transactions (autocommit)
    await waitFor(async () => BigInt((await reader.head()).txid) >= BigInt(now), 10_000, 'the head to reach today');
    expect((await reader.head()).txid).not.toBe(older.toString());
  });

  test('head is a position after every settled event', async () => {
    const spaceId = `reader-${randomUUID()}`;
    const writer = await session();
    await insert(writer, spaceId, 'before');
    await settledEntities(spaceId, 1);
    const head = await reader.head();
    expect(await entitiesAfter(spaceId, head)).toEqual([]);
    await insert(writer, spaceId, 'after');
    expect(await settledEntities(spaceId, 1, head)).toEqual(['after']);
  });
});
