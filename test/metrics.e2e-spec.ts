import type { INestApplicationContext } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { PrismaService } from '@hangar/database';
import { newId } from '@hangar/domain';
import { uploadObjectKey } from '@hangar/ingest';
import { QueueName } from '@hangar/queue';
import { StorageService } from '@hangar/storage';
import { WorkerMetricsServer } from '../apps/worker/src/metrics/worker-metrics.server';
import { OrphanSweepJob } from '../apps/worker/src/storage/orphan-sweep.job';
import { UploadPurgeJob } from '../apps/worker/src/uploads/upload-purge.job';
import { type RunningApi, startApi } from './support/api-harness';
import { type AssetClient, createAsset, deliveryPathOf, fileField, processLocale, uploadBytes, waitForProcessing } from './support/assets';
import { expectContentfulError } from './support/contentful-shape';
import { JSON_TYPE, newSpace, newUser, type TestUser } from './support/factories';
import { FORM_TYPE, formBody } from './support/form-data';
import { makeImage } from './support/images';
import { waitFor } from './support/processes';
import { type RemoteServer, startRemoteServer } from './support/remote-server';
import { hourlyRounds } from './support/rounds';
import { startWorker } from './support/worker-harness';

const METRICS_TOKEN = 'metrics-token-for-the-tests-0123456789';
const BEARER = { Authorization: `Bearer ${METRICS_TOKEN}` };
// A bucket and queues of its own: the sweep below may remove what no row owns, and this file's jobs are its own.
const ENV = {
  METRICS_TOKEN,
  S3_BUCKET: 'hangar-metrics-test',
  QUEUE_PREFIX: `${process.env.TEST_QUEUE_PREFIX ?? 'hangar-test'}-metrics`,
  PURGE_INTERVAL_SECONDS: '3600',
  ORPHAN_SWEEP_INTERVAL_SECONDS: '3600',
  ORPHAN_GRACE_SECONDS: '0',
  REMOTE_FETCH_ALLOW_HOSTS: 'localhost',
};
const nextRound = hourlyRounds();

/** One scrape, as `name{labels}` → value (labels as Prometheus writes them, in its order). */
type Scrape = Map<string, number>;

function parseScrape(text: string): Scrape {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    samples.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return samples;
}

/** A sample's name with its labels as prom-client writes them (in the order the metric declares them). */
const sample = (name: string, labels: Record<string, string> = {}) => {
  const pairs = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  return pairs.length === 0 ? name : `${name}{${pairs.join(',')}}`;
};

/**
 * /metrics (issue 15, item 5): the numbers move by exactly what the test
 * did — its requests by route template and status, its upload bytes by door,
 * its processing jobs, renditions, purge and sweep rounds — on the api's
 * /metrics and the worker's own (WORKER_METRICS_PORT), each app with its own
 * registry; both ask for METRICS_TOKEN.
 */
describe('Prometheus metrics', () => {
  let api: RunningApi;
  let worker: INestApplicationContext;
  let workerUrl: string;
  let remote: RemoteServer;
  let user: TestUser;
  let c: AssetClient;
  const remoteBytes = randomBytes(3000);

  beforeAll(async () => {
    remote = await startRemoteServer((request, response) => {
      if (request.url !== '/remote.bin') return void response.writeHead(404).end();
      response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': remoteBytes.length }).end(remoteBytes);
    });
    api = await startApi(ENV);
    worker = await startWorker({ ...ENV, WORKER_METRICS_PORT: '0' });
    workerUrl = worker.get(WorkerMetricsServer).url ?? '';
    user = await newUser(api.baseUrl);
    c = { baseUrl: api.baseUrl, auth: user.auth, spaceId: await newSpace(api.baseUrl, user) };
  });
  afterAll(async () => {
    await worker.close();
    await api.close();
    await remote.close();
  });

  async function scrape(baseUrl: string): Promise<Scrape> {
    const response = await request(baseUrl).get('/metrics').set(BEARER).expect(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return parseScrape(response.text);
  }
  const moved = (before: Scrape, after: Scrape, key: string) => (after.get(key) ?? 0) - (before.get(key) ?? 0);

  it('asks for METRICS_TOKEN on the api and on the worker, with a Contentful-shaped 401', async () => {
    for (const auth of [
      {},
      { Authorization: 'Bearer wrong-token-wrong-token-00' },
      { Authorization: `Basic ${btoa(`x:${METRICS_TOKEN}`)}` },
    ]) {
      const refused = await request(api.baseUrl).get('/metrics').set(auth);
      expectContentfulError(refused, 401, 'AccessTokenInvalid');
      expect(refused.headers['www-authenticate']).toMatch(/^Bearer/);
      const fromWorker = await request(workerUrl).get('/metrics').set(auth);
      expect(fromWorker.status).toBe(401);
      expect(fromWorker.body).toMatchObject({ sys: { type: 'Error', id: 'AccessTokenInvalid' } });
    }
    expect((await request(workerUrl).get('/elsewhere').set(BEARER)).status).toBe(404);
    // Prometheus' default process metrics are there, in each app's own registry.
    for (const scraped of [await scrape(api.baseUrl), await scrape(workerUrl)]) {
      expect(scraped.get('process_cpu_user_seconds_total')).toEqual(expect.any(Number));
      expect([...scraped.keys()].some((key) => key.startsWith('nodejs_heap_size_total_bytes'))).toBe(true);
    }
  });

  it('counts requests by route template, method and status, with their durations', async () => {
    const route = '/spaces/:spaceId/environments/:environmentId/assets';
    const ok = { method: 'GET', route, status: '200' };
    const notFound = { method: 'GET', route: 'unmatched', status: '404' };
    const before = await scrape(api.baseUrl);
    for (let i = 0; i < 3; i += 1)
      await request(api.baseUrl).get(`/spaces/${c.spaceId}/environments/master/assets`).set(user.auth).expect(200);
    await request(api.baseUrl).get(`/spaces/${c.spaceId}/nothing-here-${newId()}`).set(user.auth).expect(404);
    const after = await scrape(api.baseUrl);
    expect(moved(before, after, sample('hangar_http_requests_total', ok))).toBe(3);
    expect(moved(before, after, sample('hangar_http_request_duration_seconds_count', ok))).toBe(3);
    expect(moved(before, after, sample('hangar_http_request_duration_seconds_bucket', { le: '+Inf', ...ok }))).toBe(3);
    expect(moved(before, after, sample('hangar_http_requests_total', notFound))).toBe(1);
    // No series names a path's ids: the unmatched path is not a label.
    expect([...after.keys()].some((key) => key.includes(c.spaceId))).toBe(false);
  });

  it('does not share its registry with another app in the same process', async () => {
    const second = await startApi(ENV);
    try {
      await request(api.baseUrl).get('/health').expect(200);
      const first = await scrape(api.baseUrl);
      const fresh = await scrape(second.baseUrl);
      const health = sample('hangar_http_requests_total', { method: 'GET', route: '/health', status: '200' });
      expect(first.get(health)).toBeGreaterThanOrEqual(1);
      expect(fresh.get(health)).toBeUndefined();
    } finally {
      await second.close();
    }
  });

  it('counts upload bytes and durations by door', async () => {
    const door = (name: string) => sample('hangar_upload_bytes_total', { door: name });
    const done = (name: string) => sample('hangar_upload_duration_seconds_count', { door: name, result: 'completed' });
    const uploads = `/spaces/${c.spaceId}/environments/master/uploads`;
    const before = await scrape(api.baseUrl);

    await request(api.baseUrl)
      .post(uploads)
      .set(user.auth)
      .set('Content-Type', 'application/octet-stream')
      .send(randomBytes(1000))
      .expect(201);
    const form = formBody([
      { name: 'a', fileName: 'a.bin', contentType: 'application/octet-stream', data: randomBytes(300) },
      { name: 'b', fileName: 'b.bin', contentType: 'application/octet-stream', data: randomBytes(500) },
    ]);
    await request(api.baseUrl).post(uploads).set(user.auth).set('Content-Type', FORM_TYPE).send(form).expect(201);
    const base64 = randomBytes(700);
    await request(api.baseUrl)
      .post(uploads)
      .set(user.auth)
      .set('Content-Type', JSON_TYPE)
      .send(JSON.stringify({ name: 'c.bin', type: 'application/octet-stream', data: base64.toString('base64') }))
      .expect(201);
    const tus = `/spaces/${c.spaceId}/environments/master/tus`;
    const created = await request(api.baseUrl)
      .post(tus)
      .set(user.auth)
      .set({ 'Tus-Resumable': '1.0.0', 'Upload-Length': '2000' })
      .expect(201);
    const location = new URL(created.headers.location as string, api.baseUrl).pathname;
    for (const offset of [0, 1200]) {
      await request(api.baseUrl)
        .patch(location)
        .set(user.auth)
        .set({ 'Tus-Resumable': '1.0.0', 'Upload-Offset': String(offset), 'Content-Type': 'application/offset+octet-stream' })
        .send(randomBytes(offset === 0 ? 1200 : 800))
        .expect(204);
    }
    // A refused body (empty: 400) is timed as failed.
    await request(api.baseUrl)
      .post(uploads)
      .set(user.auth)
      .set('Content-Type', 'application/octet-stream')
      .send(Buffer.alloc(0))
      .expect(400);

    const after = await scrape(api.baseUrl);
    expect(moved(before, after, door('octet-stream'))).toBe(1000);
    expect(moved(before, after, done('octet-stream'))).toBe(1);
    expect(moved(before, after, sample('hangar_upload_duration_seconds_count', { door: 'octet-stream', result: 'failed' }))).toBe(1);
    expect(moved(before, after, door('multipart'))).toBe(800);
    expect(moved(before, after, done('multipart'))).toBe(2);
    expect(moved(before, after, door('base64'))).toBe(700);
    expect(moved(before, after, done('base64'))).toBe(1);
    expect(moved(before, after, door('tus'))).toBe(2000);
    expect(moved(before, after, done('tus'))).toBe(2);
  });

  it('counts processing jobs by result and a remote import under its door, on the worker', async () => {
    const job = (result: string) =>
      sample('hangar_job_duration_seconds_count', { queue: QueueName.AssetProcessing, job: 'process-asset-file', result });
    const before = await scrape(workerUrl);
    const remoteFile = (path: string) => ({
      'en-US': { contentType: 'application/octet-stream', fileName: 'remote.bin', upload: remote.url(path, 'localhost') },
    });
    const local = await createAsset(c, { file: { 'en-US': fileField(await uploadBytes(c, await makeImage(8, 8))) } }).expect(201);
    const imported = await createAsset(c, { file: remoteFile('/remote.bin') }).expect(201);
    // A remote 404 is a permanent failure: the job fails once, not retried.
    const missing = await createAsset(c, { file: remoteFile('/missing.bin') }).expect(201);
    for (const asset of [local, imported, missing]) await processLocale(c, asset.body.sys.id as string, 'en-US', 1).expect(204);
    for (const asset of [local, imported]) {
      const { body } = await waitForProcessing(c, asset.body.sys.id as string, 'en-US');
      expect(body.fields.file?.['en-US']?.url).toEqual(expect.any(String));
    }
    const failed = await waitForProcessing(c, missing.body.sys.id as string, 'en-US');
    expect(failed.body.sys.fileProcessing?.['en-US']?.status).toBe('failed');
    // A job's duration is observed once it returns, a moment after its result is visible.
    await waitFor(
      async () => {
        const now = await scrape(workerUrl);
        return moved(before, now, job('completed')) >= 2 && moved(before, now, job('failed')) >= 1;
      },
      10_000,
      'two processing jobs completed and one failed',
    );
    const after = await scrape(workerUrl);
    expect(moved(before, after, job('completed'))).toBe(2);
    expect(moved(before, after, job('failed'))).toBe(1);
    expect(moved(before, after, sample('hangar_upload_bytes_total', { door: 'remote' }))).toBe(remoteBytes.length);
    expect(moved(before, after, sample('hangar_upload_duration_seconds_count', { door: 'remote', result: 'completed' }))).toBe(1);
  });

  it('counts renditions as computed, then cached', async () => {
    const asset = await createAsset(c, { file: { 'en-US': fileField(await uploadBytes(c, await makeImage(40, 30))) } }).expect(201);
    await processLocale(c, asset.body.sys.id as string, 'en-US', 1).expect(204);
    const { body } = await waitForProcessing(c, asset.body.sys.id as string, 'en-US');
    const path = `${deliveryPathOf(body.fields.file?.['en-US']?.url)}?w=20&fm=png`;
    const before = await scrape(api.baseUrl);
    const first = await request(api.baseUrl).get(path).expect(200);
    const second = await request(api.baseUrl).get(path).expect(200);
    expect([first.headers['x-hangar-rendition'], second.headers['x-hangar-rendition']]).toEqual(['computed', 'cached']);
    const after = await scrape(api.baseUrl);
    expect(moved(before, after, sample('hangar_rendition_responses_total', { outcome: 'computed' }))).toBe(1);
    expect(moved(before, after, sample('hangar_rendition_responses_total', { outcome: 'cached' }))).toBe(1);
    expect(moved(before, after, sample('hangar_rendition_responses_total', { outcome: 'shared' }))).toBe(0);
  });

  it('counts purge and sweep rounds and what they removed, on the worker', async () => {
    const prisma = worker.get(PrismaService);
    const storage = worker.get(StorageService);
    const expired = newId();
    const key = uploadObjectKey(c.spaceId, 'master', expired);
    await prisma.upload.create({
      data: {
        id: expired,
        spaceId: c.spaceId,
        environmentId: 'master',
        createdById: user.id,
        objectKey: key,
        status: 'ready',
        size: 1,
        sha256: 'x',
        expiresAt: new Date(Date.now() - 60_000),
      },
    });
    await storage.putObject(key, Buffer.from('x'));
    const stray = `uploads/${c.spaceId}/master/stray-${newId()}`;
    await storage.putObject(stray, Buffer.from('no row owns this'));

    const before = await scrape(workerUrl);
    const purge = await worker.get(UploadPurgeJob).runRound(nextRound());
    expect(purge).toMatchObject({ ran: true });
    expect(purge.purged).toBeGreaterThanOrEqual(1);
    let swept = 0;
    let sweeps = 0;
    for (
      let round = await worker.get(OrphanSweepJob).runRound(nextRound());
      ;
      round = await worker.get(OrphanSweepJob).runRound(nextRound())
    ) {
      sweeps += 1;
      swept += round.deleted;
      if (round.wrapped || sweeps >= 50) break;
    }
    expect(await storage.sizeOf(stray)).toBeUndefined();
    const after = await scrape(workerUrl);
    expect(moved(before, after, 'hangar_upload_purge_rounds_total')).toBe(1);
    expect(moved(before, after, 'hangar_uploads_purged_total')).toBe(purge.purged);
    expect(moved(before, after, 'hangar_orphan_sweep_rounds_total')).toBe(sweeps);
    expect(swept).toBeGreaterThanOrEqual(1);
    expect(moved(before, after, sample('hangar_orphans_removed_total', { kind: 'object' }))).toBe(swept);
  });

  it('reads queue depths and the outbox backlog when scraped', async () => {
    const scraped = await scrape(api.baseUrl);
    for (const queue of Object.values(QueueName)) {
      for (const state of ['waiting', 'active', 'delayed', 'failed', 'completed']) {
        expect([queue, state, scraped.get(sample('hangar_queue_jobs', { queue, state }))]).toEqual([queue, state, expect.any(Number)]);
      }
    }
    // Processing above went through this file's own queues: its completed jobs are there (BullMQ keeps some).
    const completed = scraped.get(sample('hangar_queue_jobs', { queue: QueueName.AssetProcessing, state: 'completed' })) ?? 0;
    expect(completed).toBeGreaterThanOrEqual(1);
    // The backlog is the outbox's undispatched rows, as PostgreSQL counts them when it holds still across the scrape.
    const prisma = api.app.get(PrismaService);
    const count = () => prisma.outboxMessage.count({ where: { dispatchedAt: null } });
    await waitFor(
      async () => {
        const before = await count();
        const backlog = (await scrape(api.baseUrl)).get('hangar_outbox_backlog');
        return before === (await count()) && backlog === before;
      },
      10_000,
      'the outbox backlog as PostgreSQL counts it',
    );
  });
});
