import type { INestApplicationContext } from '@nestjs/common';
import { verifyRequest } from '@contentful/node-apps-toolkit';
import request from 'supertest';
import { PrismaService } from '@hangar/database';
import { newId } from '@hangar/domain';
import { type RunningApi, startApi } from './support/api-harness';
import { type AssetClient, type AssetJson, createAsset } from './support/assets';
import { JSON_TYPE, newSpace, newUser } from './support/factories';
import { waitFor } from './support/processes';
import { type RemoteServer, type SeenRequest, startRemoteServer } from './support/remote-server';
import { startWorker } from './support/worker-harness';

/**
 * Webhook delivery (issue 14 item 2): a receiver this test runs gets the
 * events of the space, signed as Contentful signs (checked with Contentful's
 * own `verifyRequest`), once each, retried on 5xx with one idempotency key,
 * refused by the SSRF guard where it must be, every attempt in the call log.
 */
const SECRET = 'Hangar-webhook-signing-secret-0123456789abcdefghijklmnopqrstuvwx';
// This file's worker alone fans events out (test-env turns it off elsewhere), onto queues of its own.
const env = {
  REMOTE_FETCH_ALLOW_HOSTS: 'localhost',
  WEBHOOK_RETRY_SECONDS: '1',
  WEBHOOK_FANOUT_INTERVAL_MS: '50',
  QUEUE_PREFIX: `${process.env.TEST_QUEUE_PREFIX ?? 'hangar-test'}-webhooks`,
};

describe('webhook delivery', () => {
  let api: RunningApi;
  let worker: INestApplicationContext;
  let user: Awaited<ReturnType<typeof newUser>>;
  let receiver: RemoteServer;
  /** Statuses the receiver answers per path, in turn (then 200). */
  const script = new Map<string, number[]>();
  const prisma = () => api.app.get(PrismaService);

  beforeAll(async () => {
    receiver = await startRemoteServer((request, response) => {
      const path = (request.url ?? '').split('?')[0] ?? '';
      const status = script.get(path)?.shift() ?? 200;
      response.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'thanks' : 'try later');
    });
    api = await startApi(env);
    worker = await startWorker(env);
    user = await newUser(api.baseUrl);
  });
  afterAll(async () => {
    await worker.close();
    await api.close();
    await receiver.close();
  });

  /** A space with a signing secret and one webhook to `url` on `topics`, both made through the API. */
  async function spaceWithWebhook(url: string, topics: string[], extra: { filters?: object[]; headers?: object[] } = {}) {
    const spaceId = await newSpace(api.baseUrl, user);
    await request(api.baseUrl)
      .put(`/spaces/${spaceId}/webhook_settings/signing_secret`)
      .set(user.auth)
      .set('Content-Type', JSON_TYPE)
      .send({ value: SECRET })
      .expect(200);
    const created = await request(api.baseUrl)
      .post(`/spaces/${spaceId}/webhook_definitions`)
      .set(user.auth)
      .set('Content-Type', JSON_TYPE)
      .send({ name: 'test receiver', url, topics, ...(extra.filters ? { filters: extra.filters } : {}), headers: extra.headers ?? [] })
      .expect(201);
    const c: AssetClient = { baseUrl: api.baseUrl, auth: user.auth, spaceId };
    return { spaceId, webhookId: (created.body as { sys: { id: string } }).sys.id, c };
  }

  const requestsTo = (path: string): SeenRequest[] => receiver.requests.filter((request) => request.path.split('?')[0] === path);

  /** The request as Contentful's verifier takes it. */
  const verifiable = (request: SeenRequest) => ({
    method: 'POST' as const,
    path: request.path,
    headers: Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)])),
    body: request.body.toString('utf8'),
  });

  test('one signed delivery per event, with Contentful’s headers and the entity as body', async () => {
    const path = `/hooks/${newId()}`;
    const { c, webhookId } = await spaceWithWebhook(receiver.url(`${path}?tenant=a%20b&x=1`, 'localhost'), ['Asset.create'], {
      headers: [
        { key: 'X-Team', value: 'media' },
        { key: 'X-Api-Key', value: 'hunter2', secret: true },
      ],
    });
    const created = await createAsset(c, { title: { 'en-US': 'Hafen' } }).expect(201);
    const asset = created.body as AssetJson;
    await waitFor(() => requestsTo(path).length >= 1, 10_000, 'the delivery');
    const [request] = requestsTo(path);
    if (!request) throw new Error('no request');
    expect(request.method).toBe('POST');
    expect(request.headers).toMatchObject({
      'content-type': 'application/vnd.contentful.management.v1+json',
      'x-contentful-topic': 'ContentManagement.Asset.create',
      'x-contentful-webhook-name': 'test receiver',
      'x-team': 'media',
      'x-api-key': 'hunter2',
    });
    const body = JSON.parse(request.body.toString('utf8')) as AssetJson;
    expect(body.sys.id).toBe(asset.sys.id);
    expect(body.fields.title).toEqual({ 'en-US': 'Hafen' });
    expect(verifyRequest(SECRET, verifiable(request), 60)).toBe(true);

    // Exactly one: later fan-outs (every 50 ms) add nothing.
    const idempotencyKey = request.headers['x-contentful-idempotency-key'];
    await waitFor(async () => (await prisma().webhookCall.count({ where: { webhookId } })) === 1, 10_000, 'the call log');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(requestsTo(path)).toHaveLength(1);
    const [call] = await prisma().webhookCall.findMany({ where: { webhookId } });
    expect(call).toMatchObject({ statusCode: 200, attempt: 1, responseBody: 'thanks', eventType: 'ContentManagement.Asset.create' });
    // The secret header's value is sent, never logged.
    expect(call?.requestHeaders).toMatchObject({
      'x-api-key': '[redacted]',
      'x-team': 'media',
      'x-contentful-idempotency-key': idempotencyKey,
    });
    expect(JSON.stringify(call)).not.toContain('hunter2');
    expect(await prisma().webhookDelivery.findFirst({ where: { webhookId } })).toMatchObject({ status: 'succeeded', attempts: 1 });
  });

  test('a receiver failing twice, then answering, sees three attempts with one idempotency key; the log shows them', async () => {
    const path = `/hooks/${newId()}`;
    script.set(path, [503, 500]);
    const { c, webhookId } = await spaceWithWebhook(receiver.url(path, 'localhost'), ['Asset.*']);
    await createAsset(c, { title: { 'en-US': 'retried' } }).expect(201);
    await waitFor(() => requestsTo(path).length >= 3, 20_000, 'three attempts');
    const attempts = requestsTo(path);
    expect(new Set(attempts.map((request) => request.headers['x-contentful-idempotency-key'])).size).toBe(1);
    await waitFor(
      async () => (await prisma().webhookDelivery.findFirst({ where: { webhookId } }))?.status === 'succeeded',
      10_000,
      'the delivery to succeed',
    );
    const calls = await prisma().webhookCall.findMany({ where: { webhookId }, orderBy: { attempt: 'asc' } });
    expect(calls.map((call) => [call.attempt, call.statusCode])).toEqual([
      [1, 503],
      [2, 500],
      [3, 200],
    ]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(requestsTo(path)).toHaveLength(3);
  });

  test('a webhook to 127.0.0.1 without the allow-list is refused by the guard, and the refusal is logged', async () => {
    const path = `/hooks/${newId()}`;
    const { c, spaceId, webhookId } = await spaceWithWebhook(receiver.url(path, '127.0.0.1'), ['Asset.create']);
    await createAsset(c, { title: { 'en-US': 'refused' } }).expect(201);
    await waitFor(
      async () => (await prisma().webhookDelivery.findFirst({ where: { webhookId } }))?.status === 'failed',
      10_000,
      'the delivery to fail',
    );
    // The call log, through Contentful's route: the refusal, with no answer.
    const log = await request(api.baseUrl).get(`/spaces/${spaceId}/webhooks/${webhookId}/calls`).set(user.auth).expect(200);
    const items = (log.body as { items: { statusCode: number | null; errors: { id: string }[] }[] }).items;
    expect(items).toHaveLength(1);
    expect(items[0]?.errors).toEqual([expect.objectContaining({ id: 'address' })]);
    expect(requestsTo(path)).toHaveLength(0);
  });

  test('topics and filters choose what is delivered', async () => {
    const path = `/hooks/${newId()}`;
    const target = newId();
    const { c } = await spaceWithWebhook(receiver.url(path, 'localhost'), ['Asset.create'], {
      filters: [{ equals: [{ doc: 'sys.id' }, target] }],
    });
    await createAsset(c, { title: { 'en-US': 'other' } }).expect(201);
    // With its own id (PUT), the asset the filter names.
    await request(api.baseUrl)
      .put(`/spaces/${c.spaceId}/environments/master/assets/${target}`)
      .set(user.auth)
      .set('Content-Type', 'application/vnd.contentful.management.v1+json')
      .send({ fields: { title: { 'en-US': 'named' } } })
      .expect(201);
    await waitFor(() => requestsTo(path).length >= 1, 10_000, 'the filtered delivery');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const delivered = requestsTo(path).map((seen) => (JSON.parse(seen.body.toString('utf8')) as AssetJson).sys.id);
    expect(delivered).toEqual([target]);
  });
});
