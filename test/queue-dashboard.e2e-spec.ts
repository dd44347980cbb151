import request from 'supertest';
import { JobName, QueueName, QueueService } from '@hangar/queue';
import { type RunningApi, startApi } from './support/api-harness';
import { expectContentfulError } from './support/contentful-shape';
import { adminAuth, newUser, type TestUser } from './support/factories';
import { TEST_ADMIN_TOKEN } from './support/test-env';

const basic = (user: string, password: string) => ({ Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });
// Queues of its own: this file pauses one and leaves a job waiting in another.
const ENV = { QUEUE_PREFIX: `${process.env.TEST_QUEUE_PREFIX ?? 'hangar-test'}-dashboard` };

/**
 * The queue dashboard (issue 15, item 5): Bull Board at /admin/queues, for
 * administrators only — their token as Bearer, or as the password of the
 * Basic credentials a browser asks for when a 401 says so — over every queue
 * Hangar has.
 */
describe('queue dashboard', () => {
  let api: RunningApi;
  let user: TestUser;
  const queues = () => api.app.get(QueueService);

  beforeAll(async () => {
    api = await startApi(ENV);
    user = await newUser(api.baseUrl);
  });
  afterAll(async () => {
    await queues().queue(QueueName.StorageCleanup).obliterate({ force: true });
    await api.close();
  });

  it('answers 401 with WWW-Authenticate: Basic without an administrator token, and 403 to other users', async () => {
    for (const auth of [{}, basic('admin', 'not-a-token'), { Authorization: 'Bearer not-a-token' }]) {
      for (const path of ['/admin/queues', '/admin/queues/api/queues']) {
        const refused = await request(api.baseUrl).get(path).set(auth);
        expectContentfulError(refused, 401, 'AccessTokenInvalid');
        expect(refused.headers['www-authenticate']).toBe('Basic realm="Hangar queues", charset="UTF-8"');
      }
    }
    for (const auth of [user.auth, basic('someone', user.token)]) {
      expectContentfulError(await request(api.baseUrl).get('/admin/queues').set(auth), 403, 'AccessDenied');
      expectContentfulError(await request(api.baseUrl).put('/admin/queues/api/queues/pause').set(auth), 403, 'AccessDenied');
    }
  });

  it('serves the page and its files to the administrator token as Basic credentials (any user name)', async () => {
    const auth = basic('anyone', TEST_ADMIN_TOKEN);
    const page = await request(api.baseUrl).get('/admin/queues').set(auth).expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['x-powered-by']).toBeUndefined();
    expect(page.text).toContain('Hangar queues');
    // The page names its files relative to its base, which must be the dashboard's path.
    expect(/<base href="([^"]+)"/.exec(page.text)?.[1]).toBe('/admin/queues/');
    const files = [...page.text.matchAll(/(?:src|href)="(static\/[^"]+)"/g)].map((match) => `/admin/queues/${match[1] ?? ''}`);
    expect(files.length).toBeGreaterThan(1);
    for (const file of files) await request(api.baseUrl).get(file).set(auth).expect(200);
    expectContentfulError(await request(api.baseUrl).get('/admin/queues/no/such/page').set(auth), 404, 'NotFound');
  });

  it("lists every queue of Hangar's by name through its API, with what waits in it", async () => {
    await queues().add(JobName.RemoveStoredObjects, `dashboard-${Date.now()}`, {
      spaceId: 'no-such-space',
      prefixes: [],
      removalId: 'dashboard-test',
    });
    const listed = await request(api.baseUrl).get('/admin/queues/api/queues').set(adminAuth).expect(200);
    const names = (listed.body as { queues: { name: string; counts: Record<string, number> }[] }).queues.map((queue) => queue.name);
    expect([...names].sort()).toEqual(Object.values(QueueName).sort());
    const cleanup = (listed.body as { queues: { name: string; counts: Record<string, number> }[] }).queues.find(
      (queue) => queue.name === QueueName.StorageCleanup,
    );
    expect(cleanup?.counts.waiting).toBe(await queues().queue(QueueName.StorageCleanup).getWaitingCount());
    expect(cleanup?.counts.waiting).toBeGreaterThanOrEqual(1);
  });

  it("refuses an action another site's page sends with the browser's credentials", async () => {
    const queue = queues().queue(QueueName.Webhooks);
    const auth = basic('admin', TEST_ADMIN_TOKEN);
    for (const origin of ['http://evil.example', 'null']) {
      const path = `/admin/queues/api/queues/${QueueName.Webhooks}/pause`;
      expectContentfulError(await request(api.baseUrl).put(path).set(auth).set('Origin', origin), 403, 'AccessDenied');
    }
    expect(await queue.isPaused()).toBe(false);
    // Its own page's origin is fine (and reading is never refused for it).
    const own = new URL(api.baseUrl).origin;
    await request(api.baseUrl).put(`/admin/queues/api/queues/${QueueName.Webhooks}/pause`).set(auth).set('Origin', own).expect(200);
    expect(await queue.isPaused()).toBe(true);
    await request(api.baseUrl).put(`/admin/queues/api/queues/${QueueName.Webhooks}/resume`).set(auth).set('Origin', own).expect(200);
    await request(api.baseUrl).get('/admin/queues/api/queues').set(auth).set('Origin', 'http://evil.example').expect(200);
  });

  it("acts on Hangar's queues: pause and resume, as BullMQ then reports", async () => {
    const queue = queues().queue(QueueName.FileExpansion);
    await request(api.baseUrl).put(`/admin/queues/api/queues/${QueueName.FileExpansion}/pause`).set(adminAuth).expect(200);
    expect(await queue.isPaused()).toBe(true);
    await request(api.baseUrl).put(`/admin/queues/api/queues/${QueueName.FileExpansion}/resume`).set(adminAuth).expect(200);
    expect(await queue.isPaused()).toBe(false);
  });
});
