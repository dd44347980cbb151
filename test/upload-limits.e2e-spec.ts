import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import request from 'supertest';
import { environmentTarget } from '@hangar/domain';
import { PartSpool, UploadSessionService, UploadSlots } from '@hangar/ingest';
import { StorageService } from '@hangar/storage';
import { PrismaService } from '@hangar/database';
import { type RunningApi, startApi } from './support/api-harness';
import { expectContentfulError } from './support/contentful-shape';
import { JSON_TYPE, newSpace, newUser, type TestUser } from './support/factories';
import { freePort, spawnApp, waitFor } from './support/processes';
import type { RawResponse } from './support/raw-http';
import { testConfig, testProcessEnv } from './support/test-env';
import { uploadLeftovers } from './support/upload-inspection';

const OCTET = 'application/octet-stream';
const KiB = 1024;
const MiB = 1024 * KiB;

/** An upload written by hand: headers, then only the body bytes the test asks for, when it asks. */
class OpenUpload {
  readonly response: Promise<RawResponse | undefined>;
  readonly closed: Promise<void>;
  private readonly socket: Socket;

  constructor(baseUrl: string, path: string, auth: { Authorization: string }, declaredLength: number) {
    const url = new URL(path, baseUrl);
    this.socket = connect({ host: url.hostname, port: Number(url.port) });
    this.socket.on('error', () => undefined);
    this.socket.write(
      `POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: ${auth.Authorization}\r\n` +
        `Content-Type: ${OCTET}\r\nContent-Length: ${declaredLength}\r\n\r\n`,
    );
    this.closed = new Promise((resolve) => this.socket.once('close', () => resolve()));
    this.response = new Promise((resolve) => {
      let received = Buffer.alloc(0);
      this.socket.on('data', (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]);
        const parsed = parseResponse(received);
        if (parsed) resolve(parsed);
      });
      this.socket.once('close', () => resolve(undefined));
    });
  }

  /** Writes `bytes` body bytes; resolves once the kernel has them. */
  async send(bytes: number): Promise<void> {
    const block = Buffer.alloc(64 * KiB, 0x61);
    for (let sent = 0; sent < bytes; sent += block.length) {
      const piece = block.subarray(0, Math.min(block.length, bytes - sent));
      await new Promise<void>((resolve, reject) => this.socket.write(piece, (error) => (error ? reject(error) : resolve())));
    }
  }

  abort(): void {
    this.socket.destroy();
  }
}

function parseResponse(received: Buffer): RawResponse | undefined {
  const headEnd = received.indexOf('\r\n\r\n');
  if (headEnd < 0) return undefined;
  const [statusLine = '', ...lines] = received.subarray(0, headEnd).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const body = received.subarray(headEnd + 4);
  const length = Number(headers['content-length']);
  if (body.length < length) return undefined;
  return { status: Number(statusLine.split(' ')[1]), headers, body: JSON.parse(body.subarray(0, length).toString('utf8')) as unknown };
}

async function mintToken(baseUrl: string, user: TestUser): Promise<{ Authorization: string }> {
  const minted = await request(baseUrl)
    .post('/users/me/access_tokens')
    .set(user.auth)
    .set('Content-Type', JSON_TYPE)
    .send({ name: 'second', scopes: ['content_management_manage'] })
    .expect(201);
  return { Authorization: `Bearer ${(minted.body as { token: string }).token}` };
}

describe('Upload limits: concurrent uploads per user', () => {
  const LIMIT = 2;
  let api: RunningApi;
  let slots: UploadSlots;

  beforeAll(async () => {
    // A long idle timeout: the stalled uploads of these tests must stay stalled until the test ends them.
    api = await startApi({ UPLOAD_CONCURRENCY_PER_USER: String(LIMIT), UPLOAD_IDLE_TIMEOUT_SECONDS: '120' });
    slots = api.app.get(UploadSlots);
  });
  afterAll(async () => {
    await api.close();
  });

  const held = (user: TestUser, count: number) => waitFor(async () => (await slots.inUse(user.id)) === count, 10_000, `${count} slots`);

  it('refuses a user’s upload past the cap, whichever token it comes with, with 429 before reading its body; another user is unaffected; a slot frees when an upload finishes or is aborted', async () => {
    const user = await newUser(api.baseUrl);
    const otherToken = await mintToken(api.baseUrl, user);
    const spaceId = await newSpace(api.baseUrl, user);
    const path = `/spaces/${spaceId}/uploads`;

    const finishing = new OpenUpload(api.baseUrl, path, user.auth, 300 * KiB);
    const aborting = new OpenUpload(api.baseUrl, path, otherToken, 300 * KiB);
    await Promise.all([finishing.send(100 * KiB), aborting.send(100 * KiB)]);
    await held(user, LIMIT);

    // Headers only: the answer must come before any body byte is sent.
    for (const auth of [user.auth, otherToken]) {
      const extra = new OpenUpload(api.baseUrl, path, auth, 300 * KiB);
      const refused = await extra.response;
      expect(refused).toBeDefined();
      if (!refused) return;
      expectContentfulError(refused, 429, 'RateLimitExceeded');
      expect(refused.body).toEqual(expect.objectContaining({ details: { limit: LIMIT, scope: 'concurrentUploadsPerUser', reset: 1 } }));
      expect(refused.headers).toMatchObject({ 'retry-after': '1', 'x-contentful-ratelimit-reset': '1' });
      extra.abort();
    }
    expect(await slots.inUse(user.id)).toBe(LIMIT);

    // A body the server fetches itself (a remote import) is bounded by the worker instead, and takes no slot.
    const sessions = api.app.get(UploadSessionService);
    const body = (sender: 'client' | 'server') => ({
      door: 'octet-stream' as const,
      chunks: Readable.from([Buffer.from('x')]),
      declaredLength: 1,
      clientGone: () => false,
      sender,
    });
    await expect(sessions.ingest(environmentTarget(spaceId, undefined), user.id, body('client'))).rejects.toMatchObject({
      errorId: 'RateLimitExceeded',
    });
    const imported = await sessions.ingest(environmentTarget(spaceId, undefined), user.id, body('server'));
    await request(api.baseUrl).delete(`${path}/${imported.id}`).set(user.auth).expect(204);

    const other = await newUser(api.baseUrl);
    const otherSpace = await newSpace(api.baseUrl, other);
    await request(api.baseUrl)
      .post(`/spaces/${otherSpace}/uploads`)
      .set(other.auth)
      .set('Content-Type', OCTET)
      .send(Buffer.alloc(1000))
      .expect(201);

    await finishing.send(200 * KiB);
    expect((await finishing.response)?.status).toBe(201);
    await held(user, LIMIT - 1);
    await request(api.baseUrl).post(path).set(otherToken).set('Content-Type', OCTET).send(Buffer.alloc(1000)).expect(201);

    aborting.abort();
    await held(user, 0);
    // The aborted one left nothing; the two finished ones are there.
    await waitFor(async () => (await uploadLeftovers(api.app, spaceId)).rows === 2, 10_000, 'the aborted upload to be discarded');
    expect((await uploadLeftovers(api.app, spaceId)).objects).toHaveLength(2);
  });

  it('shares the cap between replicas, and a replica that dies holding slots frees them when their leases lapse, its spooled parts removed by the next process', async () => {
    const spoolDir = await mkdtemp(join(tmpdir(), 'hangar-spool-e2e-'));
    const port = await freePort();
    // Leases last the idle timeout: 2 s here.
    const replica = spawnApp(
      'api',
      testProcessEnv({
        PORT: String(port),
        UPLOAD_CONCURRENCY_PER_USER: String(LIMIT),
        UPLOAD_IDLE_TIMEOUT_SECONDS: '2',
        UPLOAD_SPOOL_DIR: spoolDir,
      }),
    );
    try {
      const replicaUrl = `http://127.0.0.1:${port}`;
      await waitFor(
        () =>
          fetch(`${replicaUrl}/health/ready`).then(
            (r) => r.ok,
            () => false,
          ),
        30_000,
        'the replica',
      );
      const user = await newUser(api.baseUrl);
      const spaceId = await newSpace(api.baseUrl, user);
      const path = `/spaces/${spaceId}/uploads`;

      // One upload on each replica, the second still sending (so the dying replica's part is on its disk).
      const onReplica = new OpenUpload(replicaUrl, path, user.auth, 8 * MiB);
      await onReplica.send(1 * MiB);
      const onApi = new OpenUpload(api.baseUrl, path, user.auth, 300 * KiB);
      await onApi.send(10 * KiB);
      await held(user, LIMIT);
      const refused = await new OpenUpload(replicaUrl, path, user.auth, 300 * KiB).response;
      expect(refused?.status).toBe(429);
      await waitFor(async () => (await spooledFiles(spoolDir)).length === 1, 10_000, 'the replica to spool the part');

      replica.child.kill('SIGKILL');
      await replica.exited;
      onReplica.abort();
      await held(user, 1);

      // The next process on the host removes what the dead one left on disk.
      const next = new PartSpool(testConfig({ UPLOAD_SPOOL_DIR: spoolDir }), api.app.get(StorageService));
      await next.onModuleInit();
      expect(await readdir(spoolDir)).toEqual([next.directory.split('/').pop()]);
      await next.onModuleDestroy();

      onApi.abort();
      await held(user, 0);
    } finally {
      replica.child.kill('SIGKILL');
      await rm(spoolDir, { recursive: true, force: true });
    }
  });
});

async function spooledFiles(root: string): Promise<string[]> {
  const files: string[] = [];
  for (const directory of await readdir(root)) files.push(...(await readdir(join(root, directory))));
  return files;
}

describe('Upload limits: idle bodies', () => {
  let api: RunningApi;
  let user: TestUser;
  let spaceId: string;

  beforeAll(async () => {
    api = await startApi({ UPLOAD_IDLE_TIMEOUT_SECONDS: '3' });
    user = await newUser(api.baseUrl);
    spaceId = await newSpace(api.baseUrl, user);
  });
  afterAll(async () => {
    await api.close();
  });

  it('ends a body that sends nothing for the idle timeout with 408 RequestTimeout, leaving no row, object, multipart upload or spooled part', async () => {
    const storage = api.app.get(StorageService);
    const upload = new OpenUpload(api.baseUrl, `/spaces/${spaceId}/uploads`, user.auth, 16 * MiB);
    // Past two 5 MiB parts: a multipart upload is under way, and the third part is being spooled.
    await upload.send(11 * MiB);
    const prisma = api.app.get(PrismaService);
    const incompleteUploadsOf = async (key: string) =>
      (await storage.listIncompleteMultipart(key)).uploads.filter((upload) => upload.key === key).map((upload) => upload.uploadId);
    const recorded = () => prisma.upload.findFirst({ where: { spaceId } });
    await waitFor(async () => (await recorded())?.multipartUploadId != null, 10_000, 'the multipart upload to start');
    const session = await recorded();
    if (!session?.multipartUploadId) throw new Error('no multipart upload');
    const { objectKey, multipartUploadId } = session;
    expect(await incompleteUploadsOf(objectKey)).toEqual([multipartUploadId]);

    const answer = await upload.response;
    expect(answer).toBeDefined();
    if (!answer) return;
    expectContentfulError(answer, 408, 'RequestTimeout');
    expect(answer.body).toEqual(expect.objectContaining({ details: { idleTimeoutSeconds: 3 } }));
    await upload.closed;

    expect(await uploadLeftovers(api.app, spaceId)).toEqual({ rows: 0, objects: [] });
    expect(await incompleteUploadsOf(objectKey)).toEqual([]);
    expect(await readdir(api.app.get(PartSpool).directory)).toEqual([]);
  });

  it('lets a slow body through as long as it keeps moving, however long it takes in all', async () => {
    const upload = new OpenUpload(api.baseUrl, `/spaces/${spaceId}/uploads`, user.auth, 10 * 100 * KiB);
    for (let i = 0; i < 10; i += 1) {
      await upload.send(100 * KiB);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    expect((await upload.response)?.status).toBe(201);
  });
});
