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
