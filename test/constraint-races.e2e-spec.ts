import { Client } from 'pg';
import request from 'supertest';
import { type RunningApi, startApi } from './support/api-harness';
import { type AssetClient, createAsset, fileField, processLocale, uploadBytes } from './support/assets';
import { expectContentfulError } from './support/contentful-shape';
import { JSON_TYPE, newSpace, newUser, type TestUser } from './support/factories';
import { waitFor } from './support/processes';
import { TEST_DATABASE_URL } from './support/test-env';

/**
 * Runs `call` while a transaction of the test's own holds the row locks its
 * `statement` took: the api waits on them, the test commits, and the api sees
 * a change made after its own checks — a race, made to happen every time.
 */
async function interleave<T>(statement: [sql: string, values: unknown[]], call: () => PromiseLike<T>): Promise<T> {
  const client = new Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query('BEGIN');
    expect((await client.query(...statement)).rowCount).toBe(1);
    const answer = Promise.resolve(call());
    await waitFor(
      async () => {
        const { rows } = await client.query<{ waiting: number }>(
          'SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid))',
        );
        return (rows[0]?.waiting ?? 0) > 0;
      },
      10_000,
      'the api to wait on the test transaction',
    );
    await client.query('COMMIT');
    return await answer;
  } finally {
    await client.end();
  }
}

/** Issue 9, item 4: constraint violations from races are 4xx answers, never 500s, and leave no half state. */
describe('races the database settles', () => {
  let api: RunningApi;
  let user: TestUser;
  let c: AssetClient;
  let spaceId: string;
  let database: Client;

  beforeAll(async () => {
    api = await startApi();
    user = await newUser(api.baseUrl);
    spaceId = await newSpace(api.baseUrl, user);
    c = { baseUrl: api.baseUrl, auth: user.auth, spaceId };
    database = new Client({ connectionString: TEST_DATABASE_URL });
    await database.connect();
  });
  afterAll(async () => {
    await database.end();
    await api.close();
  });

  const postLocale = (code: string, environmentId = 'master') =>
    request(api.baseUrl)
      .post(`/spaces/${spaceId}/environments/${environmentId}/locales`)
      .set(user.auth)
      .set('Content-Type', JSON_TYPE)
      .send({ name: `Locale ${code}`, code });

  const assetFileRows = async (assetId: string) =>
    (await database.query('SELECT 1 FROM "AssetFile" WHERE "spaceId" = $1 AND "assetId" = $2', [spaceId, assetId])).rowCount;

  async function assetWithFile(): Promise<string> {
    const created = await createAsset(c, { file: { 'en-US': fileField(await uploadBytes(c, Buffer.from('bytes'))) } }).expect(201);
    return created.body.sys.id as string;
  }

  describe('creating the same locale code', () => {
    it('8 at once: exactly one 201, the others the 422 a later duplicate gets', async () => {
      for (const code of ['fr-FR', 'fr-BE', 'fr-CH', 'fr-LU']) {
        const answers = await Promise.all(Array.from({ length: 8 }, () => postLocale(code)));
        expect(answers.map((answer) => answer.status).sort()).toEqual([201, 422, 422, 422, 422, 422, 422, 422]);
        for (const answer of answers.filter(({ status }) => status === 422)) {
          expectContentfulError(answer, 422, 'ValidationFailed');
          expect(answer.body.details.errors).toEqual([
            { name: 'taken', path: ['code'], details: `Locale code ${code} is already in use.` },
          ]);
        }
      }
    });

    it('committed after the api checked it: 422 ValidationFailed (taken), as in sequence', async () => {
      const response = await interleave(
        [
          `INSERT INTO "Locale" (id, "spaceId", "environmentId", code, name, "updatedAt") VALUES ($1, $2, 'master', 'it-IT', 'Italian', now())`,
          [`race-${Date.now()}`, spaceId],
        ],
        () => postLocale('it-IT'),
      );
      expectContentfulError(response, 422, 'ValidationFailed');
      expect(response.body.details.errors).toEqual([expect.objectContaining({ name: 'taken', path: ['code'] })]);
      expectContentfulError(await postLocale('it-IT'), 422, 'ValidationFailed');
    });
  });

  it('an environment created by someone else after the api looked: 409 Conflict (a unique key, mapped once for every route)', async () => {
    const response = await interleave(
      [`INSERT INTO "Environment" ("spaceId", id, name, "updatedAt") VALUES ($1, 'claimed', 'first', now())`, [spaceId]],
      () =>
        request(api.baseUrl)
          .put(`/spaces/${spaceId}/environments/claimed`)
          .set(user.auth)
          .set('Content-Type', JSON_TYPE)
          .send({ name: 'second' }),
    );
    expectContentfulError(response, 409, 'Conflict');
  });

  it('a locale created in an environment deleted meanwhile: 404 NotFound (foreign key, mapped once for every route)', async () => {
    await request(api.baseUrl)
      .put(`/spaces/${spaceId}/environments/doomed`)
      .set(user.auth)
      .set('Content-Type', JSON_TYPE)
      .send({ name: 'doomed' })
      .expect(201);
    const response = await interleave([`DELETE FROM "Environment" WHERE "spaceId" = $1 AND id = 'doomed'`, [spaceId]], () =>
      postLocale('nl-NL', 'doomed'),
    );
    expectContentfulError(response, 404, 'NotFound');
  });

  describe('a process call and a change of the same asset', () => {
    it('deleted after the call read it: 404 NotFound, and no file request is left behind', async () => {
      const assetId = await assetWithFile();
      const response = await interleave(['DELETE FROM "Asset" WHERE "spaceId" = $1 AND id = $2', [spaceId, assetId]], () =>
        processLocale(c, assetId, 'en-US', 1),
      );
      expectContentfulError(response, 404, 'NotFound');
      expect(await assetFileRows(assetId)).toBe(0);
    });

    it('saved after the call read it: 409 VersionMismatch, not a request for a file the asset no longer has', async () => {
      const assetId = await assetWithFile();
      const response = await interleave(
        ['UPDATE "Asset" SET version = version + 1 WHERE "spaceId" = $1 AND id = $2', [spaceId, assetId]],
        () => processLocale(c, assetId, 'en-US', 1),
      );
      expectContentfulError(response, 409, 'VersionMismatch');
      expect(response.body.details).toEqual({ currentVersion: 2 });
      expect(await assetFileRows(assetId)).toBe(0);
    });

    it('DELETE and process sent together, many times: each a clean answer, and the asset gone with its file requests', async () => {
      const statuses = new Set<string>();
      for (let attempt = 0; attempt < 12; attempt += 1) {
        const assetId = await assetWithFile();
        const [deleted, processed] = await Promise.all([
          request(api.baseUrl).delete(`/spaces/${spaceId}/environments/master/assets/${assetId}`).set(user.auth),
          processLocale(c, assetId, 'en-US', 1),
        ]);
        statuses.add(`delete ${deleted.status}`).add(`process ${processed.status}`);
        expect(deleted.status).toBe(204);
        if (processed.status !== 204) expectContentfulError(processed, 404, 'NotFound');
        expect(await assetFileRows(assetId)).toBe(0);
        expectContentfulError(
          await request(api.baseUrl).get(`/spaces/${spaceId}/environments/master/assets/${assetId}`).set(user.auth),
          404,
          'NotFound',
        );
      }
      expect([...statuses].filter((status) => status.endsWith('500'))).toEqual([]);
    });
  });
});
