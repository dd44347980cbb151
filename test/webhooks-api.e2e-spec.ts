import { type ClientAPI, createClient, type PlainClientAPI, type Space } from 'contentful-management';
import request from 'supertest';
import { PrismaService } from '@hangar/database';
import { newId } from '@hangar/domain';
import { WebhookSigningSecretsService } from '@hangar/events';
import { type RunningApi, startApi } from './support/api-harness';
import { expectContentfulError } from './support/contentful-shape';
import { addMember, JSON_TYPE, newSpace, newUser, type TestUser, uniqueName } from './support/factories';

const SECRET_HEADER_VALUE = `s3cret-${newId(12)}`;
const PASSWORD = `pw-${newId(12)}`;
/** 64 characters of the signing secret alphabet; its last four are what may be shown. */
const SIGNING_SECRET = `${newId(40)}+/=_-${newId(19)}`;

describe('webhook definitions, signing secret and call log (Contentful API)', () => {
  let api: RunningApi;
  let owner: TestUser;
  let viewer: TestUser;
  let stranger: TestUser;
  let client: ClientAPI;
  let spaceId: string;
  let otherSpaceId: string;
  let plain: PlainClientAPI;
  const prisma = () => api.app.get(PrismaService);

  beforeAll(async () => {
    api = await startApi();
    owner = await newUser(api.baseUrl);
    viewer = await newUser(api.baseUrl);
    stranger = await newUser(api.baseUrl);
    spaceId = await newSpace(api.baseUrl, owner);
    otherSpaceId = await newSpace(api.baseUrl, stranger);
    await addMember(api.baseUrl, spaceId, viewer.id, 'viewer');
    // The SDK warns that its legacy client is deprecated; Contentful's own integration tests use it.
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    client = createClient({ accessToken: owner.token, host: api.host, insecure: true }, { type: 'legacy' });
    plain = createClient({ accessToken: owner.token, host: api.host, insecure: true }, { type: 'plain', defaults: { spaceId } });
  });
  afterAll(async () => {
    await api.close();
  });

  const raw = (user: TestUser = owner) => ({
    get: (path: string) => request(api.baseUrl).get(path).set(user.auth),
    delete: (path: string) => request(api.baseUrl).delete(path).set(user.auth),
    post: (path: string, body: unknown) =>
      request(api.baseUrl).post(path).set(user.auth).set('Content-Type', JSON_TYPE).send(JSON.stringify(body)),
    put: (path: string, body: unknown, version?: number) => {
      const call = request(api.baseUrl).put(path).set(user.auth).set('Content-Type', JSON_TYPE);
      if (version !== undefined) call.set('X-Contentful-Version', String(version));
      return call.send(JSON.stringify(body));
    },
  });
  const definitions = (space = spaceId) => `/spaces/${space}/webhook_definitions`;

  /**
   * contentful-management.js's own webhook integration tests, ported: their calls and assertions as written, with
   * setup changed to a Hangar api and a fresh space, topics `Asset.publish` instead of `Entry.publish` (Hangar has
   * no entries; it refuses topics it can never send) and a unique id for the test that chooses one (Hangar's
   * definition ids are unique across spaces). The retry-policy tests are skipped there too (an ended EAP).
   * Source: contentful/contentful-management.js test/integration/webhook-integration.test.ts
   * @ 1ddf32b558b37f84d77333de2502e3bffedecd46.
   */
  describe('Webhook API (contentful-management.js integration tests)', () => {
    let space: Space;

    beforeAll(async () => {
      space = await client.createSpace({ name: uniqueName('CMA JS Webhook') }, '');
    });
    afterAll(async () => {
      if (space) {
        await space.delete();
      }
    });

    test('Gets webhooks', async () => {
      const response = await space.getWebhooks();
      expect(response.sys).toBeTruthy();
      expect(response.items).toBeTruthy();
    });

    test('Creates, updates, and deletes webhook', async () => {
      const webhook = await space.createWebhook({
        name: 'testname',
        url: 'https://example.com',
        topics: ['Asset.publish'],
      });

      expect(webhook.name).toBe('testname');
      expect(webhook.url).toBeTruthy();

      webhook.name = 'updatedname';
      const updatedWebhook = await webhook.update();

      expect(updatedWebhook.name).toBe('updatedname');

      await updatedWebhook.delete();
    });

    test('Creates and deletes disabled webhook', async () => {
      const webhook = await space.createWebhook({
        name: 'testname',
        url: 'https://example.com',
        topics: ['Asset.publish'],
        active: false,
      });

      expect(webhook.active).toBe(false);
      expect(webhook.url).toBeTruthy();

      webhook.active = true;
      const updatedWebhook = await webhook.update();

      expect(updatedWebhook.active).toBe(true);

      await updatedWebhook.delete();
    });

    test('Creates, gets, checks calls, and deletes webhook with ID', async () => {
      const id = uniqueName('webhook-id');
      const webhook = await space.createWebhookWithId(id, {
        name: 'testwebhook',
        url: 'https://example.com',
        topics: ['Asset.publish'],
      });

      expect(webhook.sys.id).toBe(id);

      const calls = await webhook.getCalls();
      expect(calls.items).toBeTruthy();

      const health = await webhook.getHealth();
      expect(health.calls).toBeTruthy();

      await webhook.delete();
    });
  });

  describe('through the legacy client', () => {
    test('creates, lists, gets, updates and deletes a definition; secrets are kept and never shown', async () => {
      const space = await client.getSpace(spaceId);
      const created = await space.createWebhook({
        name: 'indexer',
        url: 'https://indexer.example.com/hook',
        topics: ['Asset.publish', 'Asset.processed', 'Upload.*'],
        headers: [
          { key: 'X-Plain', value: 'visible' },
          { key: 'X-Token', value: SECRET_HEADER_VALUE, secret: true },
        ],
        httpBasicUsername: 'hangar',
        httpBasicPassword: PASSWORD,
        filters: [{ equals: [{ doc: 'sys.environment.sys.id' }, 'master'] }],
      });
      expect(created.sys).toMatchObject({ type: 'WebhookDefinition', version: 1, space: { sys: { id: spaceId } } });
      expect(created.sys.createdBy).toEqual({ sys: { type: 'Link', linkType: 'User', id: owner.id } });
      expect(created.headers).toEqual([
        { key: 'X-Plain', value: 'visible' },
        { key: 'X-Token', secret: true },
      ]);
      expect(created).toMatchObject({ httpBasicUsername: 'hangar', active: true });
      expect(created.httpBasicPassword).toBeUndefined();
      expect(created.filters).toEqual([{ equals: [{ doc: 'sys.environment.sys.id' }, 'master'] }]);
      const id = created.sys.id;

      const listed = await space.getWebhooks();
      expect(listed.items.map((item) => item.sys.id)).toContain(id);
      const fetched = await space.getWebhook(id);
      expect(fetched.topics).toEqual(['Asset.publish', 'Asset.processed', 'Upload.*']);

      // The SDK sends the definition back as it got it: the secret header without its value, no password.
      fetched.name = 'indexer 2';
      fetched.topics = ['Asset.*'];
      const updated = await fetched.update();
      expect(updated.sys.version).toBe(2);
      expect(updated).toMatchObject({ name: 'indexer 2', topics: ['Asset.*'], httpBasicUsername: 'hangar' });
      const stored = await prisma().webhookDefinition.findUniqueOrThrow({ where: { id } });
      expect(stored.headers).toEqual([
        { key: 'X-Plain', value: 'visible' },
        { key: 'X-Token', value: SECRET_HEADER_VALUE, secret: true },
      ]);
      expect(stored.httpBasicPassword).toBe(PASSWORD);

      for (const path of [definitions(), `${definitions()}/${id}`]) {
        const text = (await raw().get(path).expect(200)).text;
        expect(text).toContain('X-Token');
        expect(text).not.toContain(SECRET_HEADER_VALUE);
        expect(text).not.toContain(PASSWORD);
        expect(text).not.toContain('httpBasicPassword');
      }

      await updated.delete();
      await expect(space.getWebhook(id)).rejects.toMatchObject({ name: 'NotFound' });
      expect(await prisma().webhookDefinition.count({ where: { id } })).toBe(0);
    });
  });

  describe('through the plain client', () => {
    test('creates, lists, gets, updates and deletes a definition', async () => {
      const created = await plain.webhook.create(
        {},
        { name: 'cdn purge', url: 'http://cdn.example.com/purge', topics: ['*.delete'], transformation: { method: 'PUT' } },
      );
      expect(created).toMatchObject({ name: 'cdn purge', topics: ['*.delete'], headers: [], transformation: { method: 'PUT' } });
      const id = created.sys.id;

      const page = await plain.webhook.getMany({ query: { limit: 1000 } });
      expect(page.items.find((item) => item.sys.id === id)?.name).toBe('cdn purge');
      expect(await plain.webhook.get({ webhookDefinitionId: id })).toEqual(created);

      const updated = await plain.webhook.update(
        { webhookDefinitionId: id },
        { ...created, headers: [{ key: 'X-Secret', value: SECRET_HEADER_VALUE, secret: true }], active: false },
      );
      expect(updated).toMatchObject({ sys: { version: 2 }, active: false, headers: [{ key: 'X-Secret', secret: true }] });

      await plain.webhook.delete({ webhookDefinitionId: id });
      await expect(plain.webhook.get({ webhookDefinitionId: id })).rejects.toMatchObject({ name: 'NotFound' });
    });
  });

  describe('writes', () => {
    const body = { name: 'w', url: 'https://w.example/hook', topics: ['Asset.publish'] };

    test('PUT creates with the chosen id (201), then updates at the current version only (200, else 409)', async () => {
      const id = uniqueName('put-hook');
      const created = await raw().put(`${definitions()}/${id}`, body).expect(201);
      expect(created.body).toMatchObject({ sys: { id, version: 1 }, name: 'w' });
      expectContentfulError(await raw().put(`${definitions()}/${id}`, { name: 'x' }, 7), 409, 'VersionMismatch');
      expectContentfulError(await raw().put(`${definitions()}/${id}`, { name: 'x' }), 409, 'VersionMismatch');
      const updated = await raw().put(`${definitions()}/${id}`, { name: 'x' }, 1).expect(200);
      // What the body leaves out keeps its value.
      expect(updated.body).toMatchObject({ sys: { version: 2 }, name: 'x', url: body.url, topics: body.topics });
      expectContentfulError(await raw().put(`${definitions()}/${uniqueName('none')}`, body, 1), 404, 'NotFound');
      await raw().delete(`${definitions()}/${id}`).expect(204);
      expectContentfulError(await raw().delete(`${definitions()}/${id}`), 404, 'NotFound');
    });

    test('a secret header sent without a value keeps the stored one; a new header without a value is a 422', async () => {
      const created = await raw()
        .post(definitions(), { ...body, headers: [{ key: 'X-Key', value: SECRET_HEADER_VALUE, secret: true }] })
        .expect(201);
      const path = `${definitions()}/${created.body.sys.id as string}`;
      await raw()
        .put(
          path,
          {
            headers: [
              { key: 'x-key', secret: true },
              { key: 'X-New', value: 'n' },
            ],
          },
          1,
        )
        .expect(200);
      const stored = await prisma().webhookDefinition.findUniqueOrThrow({ where: { id: created.body.sys.id as string } });
      expect(stored.headers).toEqual([
        { key: 'x-key', value: SECRET_HEADER_VALUE, secret: true },
        { key: 'X-New', value: 'n' },
      ]);
      const refused = await raw().put(path, { headers: [{ key: 'X-Other', secret: true }] }, 2);
      expectContentfulError(refused, 422, 'ValidationFailed');
      expect(refused.body.details.errors).toEqual([expect.objectContaining({ name: 'required', path: ['headers', 0, 'value'] })]);
    });

    test('removing the user name removes the password; a password alone is a 422', async () => {
      const created = await raw()
        .post(definitions(), { ...body, httpBasicUsername: 'u', httpBasicPassword: PASSWORD })
        .expect(201);
      const id = created.body.sys.id as string;
      await raw().put(`${definitions()}/${id}`, { httpBasicUsername: null }, 1).expect(200);
      expect(await prisma().webhookDefinition.findUniqueOrThrow({ where: { id } })).toMatchObject({
        httpBasicUsername: null,
        httpBasicPassword: null,
      });
      const refused = await raw().put(`${definitions()}/${id}`, { httpBasicPassword: PASSWORD }, 2);
      expectContentfulError(refused, 422, 'ValidationFailed');
      expect(refused.body.details.errors[0].path).toEqual(['httpBasicUsername']);
    });

    test.each([
      ['no name', { url: body.url, topics: body.topics }, ['name'], 'required'],
      ['no url', { name: 'n', topics: body.topics }, ['url'], 'required'],
      ['no topics', { name: 'n', url: body.url }, ['topics'], 'required'],
      ['an ftp url', { ...body, url: 'ftp://example.com/x' }, ['url'], 'regexp'],
      ['credentials in the url', { ...body, url: 'https://u:p@example.com/' }, ['url'], 'regexp'],
      ['an empty topic list', { ...body, topics: [] }, ['topics'], 'size'],
      ['a topic Hangar never sends', { ...body, topics: ['Asset.publish', 'Entry.publish'] }, ['topics', 1], 'in'],
      ['a Host header', { ...body, headers: [{ key: 'Host', value: 'internal' }] }, ['headers', 0, 'key'], 'prohibited'],
      ['an X-Contentful header', { ...body, headers: [{ key: 'X-Contentful-Topic', value: 'x' }] }, ['headers', 0, 'key'], 'prohibited'],
      ['a header that injects a line', { ...body, headers: [{ key: 'X-A', value: 'a\r\nHost: b' }] }, ['headers', 0, 'value'], 'regexp'],
      ['a secret header without a value', { ...body, headers: [{ key: 'X-A', secret: true }] }, ['headers', 0, 'value'], 'required'],
      ['a filter on a field', { ...body, filters: [{ equals: [{ doc: 'fields.title' }, 'x'] }] }, ['filters', 0, 'equals', 0, 'doc'], 'in'],
      ['a transformation method Contentful has not', { ...body, transformation: { method: 'TRACE' } }, ['transformation', 'method'], 'in'],
    ])('%s is a 422 naming the field', async (_name, input, path, name) => {
      const response = await raw().post(definitions(), input);
      expectContentfulError(response, 422, 'ValidationFailed');
      expect(response.body.details.errors).toContainEqual(expect.objectContaining({ name, path }));
    });
  });

  describe('who may', () => {
    let id: string;
    beforeAll(async () => {
      id = (
        await raw()
          .post(definitions(), { name: 'mine', url: 'https://m.example', topics: ['*.*'] })
          .expect(201)
      ).body.sys.id as string;
    });

    test('a viewer reads definitions and may not write them or touch the signing secret', async () => {
      await raw(viewer).get(definitions()).expect(200);
      expect((await raw(viewer).get(`${definitions()}/${id}`).expect(200)).body.sys.id).toBe(id);
      expectContentfulError(
        await raw(viewer).post(definitions(), { name: 'v', url: 'https://v.example', topics: ['*.*'] }),
        403,
        'AccessDenied',
      );
      expectContentfulError(await raw(viewer).put(`${definitions()}/${id}`, { name: 'v' }, 1), 403, 'AccessDenied');
      expectContentfulError(await raw(viewer).delete(`${definitions()}/${id}`), 403, 'AccessDenied');
      const secretPath = `/spaces/${spaceId}/webhook_settings/signing_secret`;
      expectContentfulError(await raw(viewer).get(secretPath), 403, 'AccessDenied');
      expectContentfulError(await raw(viewer).put(secretPath, { value: SIGNING_SECRET }), 403, 'AccessDenied');
      expectContentfulError(await raw(viewer).delete(secretPath), 403, 'AccessDenied');
      expect((await raw().get(`${definitions()}/${id}`).expect(200)).body.name).toBe('mine');
    });

    test("another space's definitions are a 404 from here; its ids cannot be taken over", async () => {
      const theirs = await raw(stranger)
        .post(definitions(otherSpaceId), { name: 'theirs', url: 'https://t.example', topics: ['*.*'] })
        .expect(201);
      const theirId = theirs.body.sys.id as string;
      expectContentfulError(await raw().get(`${definitions()}/${theirId}`), 404, 'NotFound');
      expectContentfulError(await raw().delete(`${definitions()}/${theirId}`), 404, 'NotFound');
      expectContentfulError(await raw().put(`${definitions()}/${theirId}`, { name: 'hijack' }, 1), 409, 'Conflict');
      expectContentfulError(
        await raw().put(`${definitions()}/${theirId}`, { name: 'h', url: 'https://h.example', topics: ['*.*'] }),
        409,
        'Conflict',
      );
      expectContentfulError(await raw().get(`/spaces/${spaceId}/webhooks/${theirId}/calls`), 404, 'NotFound');
      expectContentfulError(await raw().get(`${definitions(otherSpaceId)}/${theirId}`), 404, 'NotFound');
      expectContentfulError(await raw().get(definitions(otherSpaceId)), 404, 'NotFound');
      const mine = (await raw().get(definitions()).expect(200)).body as { items: { sys: { id: string } }[] };
      expect(mine.items.map((item) => item.sys.id)).not.toContain(theirId);
      expect(await prisma().webhookDefinition.findUniqueOrThrow({ where: { id: theirId } })).toMatchObject({
        spaceId: otherSpaceId,
        name: 'theirs',
      });
    });
  });

  describe('signing secret', () => {
    test('round-trips through the SDK and is never returned in clear', async () => {
      const space = await client.getSpace(spaceId);
      const set = await space.upsertWebhookSigningSecret({ value: SIGNING_SECRET });
      expect(set.redactedValue).toBe(SIGNING_SECRET.slice(-4));
      expect(set.sys).toMatchObject({ type: 'WebhookSigningSecret', space: { sys: { id: spaceId } } });
      expect((await space.getWebhookSigningSecret()).redactedValue).toBe(SIGNING_SECRET.slice(-4));
      expect(await api.app.get(WebhookSigningSecretsService).signingSecretOf(spaceId)).toBe(SIGNING_SECRET);
      const text = (await raw().get(`/spaces/${spaceId}/webhook_settings/signing_secret`).expect(200)).text;
      expect(text).not.toContain(SIGNING_SECRET.slice(0, 20));

      const replacement = 'f'.repeat(64);
      expect((await plain.webhook.upsertSigningSecret({}, { value: replacement })).redactedValue).toBe('ffff');
      expect((await plain.webhook.getSigningSecret({})).redactedValue).toBe('ffff');
      expect(await api.app.get(WebhookSigningSecretsService).signingSecretOf(spaceId)).toBe(replacement);

      await plain.webhook.deleteSigningSecret({});
      await expect(plain.webhook.getSigningSecret({})).rejects.toMatchObject({ name: 'NotFound' });
      expect(await api.app.get(WebhookSigningSecretsService).signingSecretOf(spaceId)).toBeUndefined();
      await space.deleteWebhookSigningSecret();
    });

    test.each([
      ['63 characters', 'a'.repeat(63)],
      ['65 characters', 'a'.repeat(65)],
      ['a character outside the alphabet', `${'a'.repeat(63)}!`],
      ['a number', 12],
    ])('%s is a 422 at value', async (_name, value) => {
      const response = await raw().put(`/spaces/${spaceId}/webhook_settings/signing_secret`, { value });
      expectContentfulError(response, 422, 'ValidationFailed');
      expect(response.body.details.errors[0].path).toEqual(['value']);
      expect(await api.app.get(WebhookSigningSecretsService).signingSecretOf(spaceId)).toBeUndefined();
    });
  });

  describe('call log', () => {
    let webhookId: string;
    let otherWebhookId: string;
    const base = Date.parse('2026-01-01T00:00:00.000Z');
    const at = (seconds: number) => new Date(base + seconds * 1000);

    /** A delivery of `webhookId` with its calls, as the delivery worker writes them. */
    async function insertCalls(
      webhook: string,
      calls: { id?: string; attempt: number; at: Date; statusCode: number | null; headers?: Record<string, string>; errors?: string[] }[],
    ): Promise<string[]> {
      const deliveryId = newId();
      await prisma().webhookDelivery.create({
        data: { id: deliveryId, webhookId: webhook, spaceId, eventId: BigInt(Date.now()), topic: 'ContentManagement.Asset.publish' },
      });
      const rows = calls.map((call) => ({
        id: call.id ?? newId(),
        deliveryId,
        webhookId: webhook,
        spaceId,
        attempt: call.attempt,
        url: 'https://receiver.example/hook',
        requestHeaders: call.headers ?? { 'X-Contentful-Topic': 'ContentManagement.Asset.publish' },
        requestBody: `{"attempt":${call.attempt}}`,
        statusCode: call.statusCode,
        responseHeaders: call.statusCode === null ? undefined : { 'content-type': 'text/plain' },
        responseBody: call.statusCode === null ? null : `answer ${call.attempt}`,
        errors: call.errors ?? [],
        eventType: 'publish',
        requestAt: call.at,
        responseAt: call.statusCode === null ? null : new Date(call.at.getTime() + 50),
      }));
      await prisma().webhookCall.createMany({ data: rows });
      return rows.map((row) => row.id);
    }

    beforeAll(async () => {
      const make = async (name: string) =>
        (
          await raw()
            .post(definitions(), {
              name,
              url: 'https://receiver.example/hook',
              topics: ['*.*'],
              headers: [
                { key: 'X-Token', value: SECRET_HEADER_VALUE, secret: true },
                { key: 'X-Plain', value: 'visible' },
              ],
            })
            .expect(201)
        ).body.sys.id as string;
      webhookId = await make('logged');
      otherWebhookId = await make('other');
    });

    test('lists calls newest first and shows one with its request (secrets redacted) and response', async () => {
      const [first, second, third] = await insertCalls(webhookId, [
        { attempt: 1, at: at(1), statusCode: null, errors: ['TimeoutError'] },
        { attempt: 2, at: at(31), statusCode: 503 },
        {
          attempt: 3,
          at: at(61),
          statusCode: 200,
          headers: {
            'X-Contentful-Topic': 'ContentManagement.Asset.publish',
            'X-Token': SECRET_HEADER_VALUE,
            'X-Plain': 'visible',
            Authorization: `Basic ${Buffer.from(`u:${PASSWORD}`).toString('base64')}`,
          },
        },
      ]);
      await insertCalls(otherWebhookId, [{ attempt: 1, at: at(90), statusCode: 200 }]);

      const webhook = await (await client.getSpace(spaceId)).getWebhook(webhookId);
      const calls = await webhook.getCalls();
      expect(calls.total).toBe(3);
      expect(calls.items.map((call) => call.sys.id)).toEqual([third, second, first]);
      expect(calls.items[2]).toEqual({
        sys: {
          type: 'WebhookCallOverview',
          id: first,
          space: { sys: { type: 'Link', linkType: 'Space', id: spaceId } },
          createdAt: at(1).toISOString(),
          createdBy: { sys: { type: 'Link', linkType: 'WebhookDefinition', id: webhookId } },
        },
        url: 'https://receiver.example/hook',
        statusCode: null,
        errors: ['TimeoutError'],
        eventType: 'publish',
        requestAt: at(1).toISOString(),
        responseAt: null,
      });
      expect(calls.items[1]).toMatchObject({ statusCode: 503, responseAt: new Date(at(31).getTime() + 50).toISOString() });

      const details = await webhook.getCall(third ?? '');
      expect(details.sys).toMatchObject({ type: 'WebhookCallDetails', id: third });
      expect(details.request).toEqual({
        url: 'https://receiver.example/hook',
        method: 'POST',
        headers: {
          'X-Contentful-Topic': 'ContentManagement.Asset.publish',
          'X-Token': '[redacted]',
          'X-Plain': 'visible',
          Authorization: '[redacted]',
        },
        body: '{"attempt":3}',
      });
      expect(details.response).toEqual({
        url: 'https://receiver.example/hook',
        statusCode: 200,
        headers: { 'content-type': 'text/plain' },
        body: 'answer 3',
      });
      const text = (
        await raw()
          .get(`/spaces/${spaceId}/webhooks/${webhookId}/calls/${third ?? ''}`)
          .expect(200)
      ).text;
      expect(text).not.toContain(SECRET_HEADER_VALUE);
      expect(text).not.toContain(Buffer.from(`u:${PASSWORD}`).toString('base64'));

      const paged = await plain.webhook.getManyCallDetails({ webhookDefinitionId: webhookId, query: { skip: 1, limit: 1 } });
      expect(paged).toMatchObject({ total: 3, skip: 1, limit: 1 });
      expect(paged.items.map((call) => call.sys.id)).toEqual([second]);

      expect(await webhook.getHealth()).toEqual({
        sys: {
          type: 'Webhook',
          id: webhookId,
          space: { sys: { type: 'Link', linkType: 'Space', id: spaceId } },
          createdBy: { sys: { type: 'Link', linkType: 'WebhookDefinition', id: webhookId } },
        },
        calls: { total: 3, healthy: 1 },
      });

      // A call of another webhook is not this one's, even by its id; a viewer reads the log too.
      expectContentfulError(await raw().get(`/spaces/${spaceId}/webhooks/${otherWebhookId}/calls/${third ?? ''}`), 404, 'NotFound');
      expect((await raw(viewer).get(`/spaces/${spaceId}/webhooks/${webhookId}/calls`).expect(200)).body.total).toBe(3);
    });

    test('health counts the latest 500 calls only', async () => {
      const id = (
        await raw()
          .post(definitions(), { name: 'busy', url: 'https://b.example', topics: ['*.*'] })
          .expect(201)
      ).body.sys.id as string;
      // The five oldest succeeded; the 500 after them failed.
      await insertCalls(
        id,
        Array.from({ length: 505 }, (_, index) => ({ attempt: index + 1, at: at(index), statusCode: index < 5 ? 200 : 500 })),
      );
      const health = await plain.webhook.getHealthStatus({ webhookDefinitionId: id });
      expect(health.calls).toEqual({ total: 500, healthy: 0 });
      const calls = await plain.webhook.getManyCallDetails({ webhookDefinitionId: id });
      expect(calls.total).toBe(505);
      expect(calls.items).toHaveLength(100);
    });
  });
});
