import type { INestApplicationContext } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import request from 'supertest';
import { PrismaService } from '@hangar/database';
import { StorageService } from '@hangar/storage';
import { UploadPurgeJob } from '../apps/worker/src/uploads/upload-purge.job';
import { type RunningApi, startApi } from './support/api-harness';
import { type AssetClient, createAsset, deliveryPathOf, fileField, processLocale, waitForProcessing } from './support/assets';
import { expectContentfulError } from './support/contentful-shape';
import { newSpace, newUser, type TestUser } from './support/factories';
import { freePort, spawnApp, waitFor } from './support/processes';
import { startRoundRobinProxy } from './support/round-robin-proxy';
import { hourlyRounds } from './support/rounds';
import { testProcessEnv } from './support/test-env';
import { idOf, MiB, tusUpload } from './support/tus';
import { uploadLeftovers } from './support/upload-inspection';
import { startWorker } from './support/worker-harness';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const digest = (algorithm: 'sha1' | 'sha256', bytes: Buffer) => createHash(algorithm).update(bytes).digest('base64');
const TUS = { 'Tus-Resumable': '1.0.0' };
const PATCH_TYPE = { 'Content-Type': 'application/offset+octet-stream' };
const PUBLIC_BASE_URL = 'http://media.test:3000';

/**
 * tus 1.0 resumable uploads, driven by the real tus-js-client (4.3.1, Node)
 * and by raw requests for each status the protocol defines. A finished tus
 * upload is an Upload like any other: linked with `uploadFrom`, processed,
 * delivered with its size and SHA-256.
 */
describe('tus resumable uploads', () => {
  let api: RunningApi;
  let worker: INestApplicationContext;
  let user: TestUser;
  let spaceId: string;
  let c: AssetClient;

  beforeAll(async () => {
    api = await startApi({ PUBLIC_BASE_URL, UPLOAD_MAX_BYTES: String(64 * MiB) });
    worker = await startWorker({ PUBLIC_BASE_URL, UPLOAD_MAX_BYTES: String(64 * MiB) });
    user = await newUser(api.baseUrl);
    spaceId = await newSpace(api.baseUrl, user);
    c = { baseUrl: api.baseUrl, auth: user.auth, spaceId };
  });
  afterAll(async () => {
    await worker.close();
    await api.close();
  });

  const endpointOf = (baseUrl: string, space = spaceId) => `${baseUrl}/spaces/${space}/environments/master/tus`;
  const path = (space = spaceId) => `/spaces/${space}/environments/master/tus`;
  const prisma = () => api.app.get(PrismaService);
  const storage = () => api.app.get(StorageService);

  async function incompleteMultipart(key: string): Promise<number> {
    return (await storage().listIncompleteMultipart(key)).uploads.filter((upload) => upload.key === key).length;
  }

  async function create(length: number, headers: Record<string, string> = {}): Promise<string> {
    const created = await request(api.baseUrl)
      .post(path())
      .set(user.auth)
      .set(TUS)
      .set('Upload-Length', String(length))
      .set(headers)
      .expect(201);
    return created.headers.location as string;
  }

  function patch(location: string, offset: number, bytes: Buffer, headers: Record<string, string> = {}) {
    return request(api.baseUrl)
      .patch(location)
      .set(user.auth)
      .set(TUS)
      .set(PATCH_TYPE)
      .set('Upload-Offset', String(offset))
      .set(headers)
      .send(bytes);
  }

  const head = (location: string) => request(api.baseUrl).head(location).set(user.auth).set(TUS);

  /** The Upload resource says what the body was; linked with uploadFrom and processed, the url serves exactly it. */
  async function expectDeliveredAsUpload(uploadId: string, body: Buffer): Promise<void> {
    const upload = await request(api.baseUrl).get(`/spaces/${spaceId}/environments/master/uploads/${uploadId}`).set(user.auth).expect(200);
    expect(upload.body.details).toMatchObject({ size: body.length, sha256: sha256(body) });
    const asset = await createAsset(c, { file: { 'en-US': fileField(uploadId, 'body.bin', 'application/octet-stream') } }).expect(201);
    await processLocale(c, asset.body.sys.id as string, 'en-US', 1).expect(204);
    const processed = await waitForProcessing(c, asset.body.sys.id as string, 'en-US', 60_000);
    const file = processed.body.fields.file?.['en-US'];
    expect(file?.details?.size).toBe(body.length);
    const delivered = await request(api.baseUrl)
      .get(deliveryPathOf(file?.url))
      .buffer(true)
      .parse((response, callback) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => callback(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(sha256(delivered.body as Buffer)).toBe(sha256(body));
  }

  it('takes 40 MiB from tus-js-client in 5 MiB chunks: an Upload that uploadFrom links, processed with its size and SHA-256', async () => {
    const body = randomBytes(40 * MiB);
    const patches: number[] = [];
    const result = await tusUpload(endpointOf(api.baseUrl), user.auth, body, {
      onChunkComplete: (chunk) => patches.push(chunk),
    });
    expect(patches).toEqual(Array.from({ length: 8 }, () => 5 * MiB));
    expect(result.uploadId).toBe(idOf(result.url));
    expect(new URL(result.url).pathname).toBe(`${path()}/${result.uploadId}`);
    const finished = await head(new URL(result.url).pathname).expect(200);
    expect(finished.headers['upload-offset']).toBe(String(body.length));
    expect(finished.headers['upload-length']).toBe(String(body.length));
    expect(finished.headers['cache-control']).toBe('no-store');
    // tus-js-client's metadata names the file: the Upload keeps it, as the Upload API's other doors do.
    const upload = await request(api.baseUrl).get(`/spaces/${spaceId}/environments/master/uploads/${result.uploadId}`).set(user.auth);
    expect(upload.body.details).toEqual({
      size: body.length,
      sha256: sha256(body),
      fileName: 'body.bin',
      contentType: 'application/octet-stream',
    });
    await expectDeliveredAsUpload(result.uploadId, body);
  });

  it('refuses a chunk whose Upload-Checksum does not match (460) and keeps the offset; sha1 and sha256 verify', async () => {
    const body = randomBytes(8 * MiB);
    const first = body.subarray(0, 5 * MiB);
    const rest = body.subarray(5 * MiB);
    const location = await create(body.length);
    const bad = await patch(location, 0, first, { 'Upload-Checksum': `sha1 ${digest('sha1', Buffer.from('other bytes'))}` });
    expect(bad.status).toBe(460);
    expect((await head(location).expect(200)).headers['upload-offset']).toBe('0');
    const unknown = await patch(location, 0, first, { 'Upload-Checksum': `md5 ${createHash('md5').update(first).digest('base64')}` });
    expect(unknown.status).toBe(400);
    expect((await head(location).expect(200)).headers['upload-offset']).toBe('0');
    const malformed = await patch(location, 0, first, { 'Upload-Checksum': 'sha256 not-base64!' });
    expect(malformed.status).toBe(400);

    const good = await patch(location, 0, first, { 'Upload-Checksum': `sha1 ${digest('sha1', first)}` }).expect(204);
    expect(good.headers['upload-offset']).toBe(String(5 * MiB));
    const badLast = await patch(location, 5 * MiB, rest, { 'Upload-Checksum': `sha256 ${digest('sha256', first)}` });
    expect(badLast.status).toBe(460);
    expect((await head(location).expect(200)).headers['upload-offset']).toBe(String(5 * MiB));
    const last = await patch(location, 5 * MiB, rest, { 'Upload-Checksum': `sha256 ${digest('sha256', rest)}` }).expect(204);
    expect(last.headers['x-hangar-upload-id']).toBe(idOf(location));
    const upload = await request(api.baseUrl)
      .get(`/spaces/${spaceId}/environments/master/uploads/${idOf(location)}`)
      .set(user.auth)
      .expect(200);
    expect(upload.body.details).toEqual({ size: body.length, sha256: sha256(body) });
  });

  it('terminates an unfinished upload (DELETE 204, then 404) and leaves no row, object or multipart upload', async () => {
    const space = await newSpace(api.baseUrl, user);
    const created = await request(api.baseUrl)
      .post(path(space))
      .set(user.auth)
      .set(TUS)
      .set('Upload-Length', String(12 * MiB))
      .expect(201);
    const location = created.headers.location as string;
    const send = (offset: number, bytes: Buffer) =>
      request(api.baseUrl).patch(location).set(user.auth).set(TUS).set(PATCH_TYPE).set('Upload-Offset', String(offset)).send(bytes);
    // A 6 MiB PATCH (announced by its Content-Length) goes to storage as one part while it arrives; the next 1 MiB waits as the tail.
    await send(0, randomBytes(6 * MiB)).expect(204);
    expect(await prisma().upload.findUniqueOrThrow({ where: { id: idOf(location) } })).toMatchObject({ partCount: 1, tailBytes: 0 });
    await send(6 * MiB, randomBytes(MiB)).expect(204);
    const row = await prisma().upload.findUniqueOrThrow({ where: { id: idOf(location) } });
    expect(row).toMatchObject({ partCount: 1, tailBytes: MiB, receivedBytes: BigInt(7 * MiB) });
    expect(row.multipartUploadId).not.toBeNull();
    await request(api.baseUrl).delete(location).set(user.auth).set(TUS).expect(204);
    await request(api.baseUrl).head(location).set(user.auth).set(TUS).expect(404);
    await request(api.baseUrl)
      .patch(location)
      .set(user.auth)
      .set(TUS)
      .set(PATCH_TYPE)
      .set('Upload-Offset', String(7 * MiB))
      .send(Buffer.from('late'))
      .expect(404);
    expect(await uploadLeftovers(api.app, space)).toEqual({ rows: 0, objects: [] });
    expect(await incompleteMultipart(row.objectKey)).toBe(0);
  });

  it('combines parallel partial uploads (tus-js-client parallelUploads) into one Upload with the SHA-256 of the whole body', async () => {
    const body = randomBytes(40 * MiB);
    const result = await tusUpload(endpointOf(api.baseUrl), user.auth, body, { parallelUploads: 3 });
    const final = await prisma().upload.findUniqueOrThrow({ where: { id: result.uploadId } });
    expect(final.tusConcat).toMatch(/^final;/);
    const finalHead = await head(new URL(result.url).pathname).expect(200);
    expect(finalHead.headers['upload-concat']).toBe(final.tusConcat);
    expect(finalHead.headers['upload-offset']).toBe(String(body.length));
    await expectDeliveredAsUpload(result.uploadId, body);
    await request(api.baseUrl)
      .patch(new URL(result.url).pathname)
      .set(user.auth)
      .set(TUS)
      .set(PATCH_TYPE)
      .set('Upload-Offset', String(body.length))
      .send(Buffer.alloc(0))
      .expect(403);

    // Partial uploads too small to be parts of their own (under 5 MiB) are joined through the ingestion core instead.
    const small = randomBytes(3 * MiB + 7);
    const joined = await tusUpload(endpointOf(api.baseUrl), user.auth, small, { parallelUploads: 2 });
    await expectDeliveredAsUpload(joined.uploadId, small);
  });

  it('answers each tus status: 412, 415, 409, 413, 404, and OPTIONS with the extensions and checksum algorithms', async () => {
    const options = await request(api.baseUrl).options(path()).set(user.auth).expect(204);
    expect(options.headers['tus-version']).toBe('1.0.0');
    expect(options.headers['tus-extension']?.split(',')).toEqual(
      expect.arrayContaining([
        'creation',
        'creation-with-upload',
        'creation-defer-length',
        'termination',
        'expiration',
        'checksum',
        'concatenation',
      ]),
    );
    expect(options.headers['tus-checksum-algorithm']).toBe('sha1,sha256');
    expect(options.headers['tus-max-size']).toBe(String(64 * MiB));

    const mismatch = await request(api.baseUrl).post(path()).set(user.auth).set('Tus-Resumable', '0.2.2').set('Upload-Length', '10');
    expect(mismatch.status).toBe(412);
    expect(mismatch.headers['tus-version']).toBe('1.0.0');
    const missing = await request(api.baseUrl).post(path()).set(user.auth).set('Upload-Length', '10');
    expect(missing.status).toBe(412);

    const tooLarge = await request(api.baseUrl)
      .post(path())
      .set(user.auth)
      .set(TUS)
      .set('Upload-Length', String(64 * MiB + 1));
    expect(tooLarge.status).toBe(413);

    const location = await create(100);
    const wrongType = await request(api.baseUrl)
      .patch(location)
      .set(user.auth)
      .set(TUS)
      .set('Content-Type', 'application/octet-stream')
      .set('Upload-Offset', '0')
      .send(Buffer.alloc(10));
    expect(wrongType.status).toBe(415);
    const conflict = await patch(location, 7, Buffer.alloc(10));
    expect(conflict.status).toBe(409);
    const over = await patch(location, 0, Buffer.alloc(101));
    expect(over.status).toBe(413);
    expect((await head(location).expect(200)).headers['upload-offset']).toBe('0');
    const unknown = await head(`${path()}/no-such-upload`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers['tus-resumable']).toBe('1.0.0');

    // The Upload API's guards: no token is a Contentful 401, another user's space its 404.
    expectContentfulError(await request(api.baseUrl).post(path()).set(TUS).set('Upload-Length', '10'), 401, 'AccessTokenInvalid');
    const stranger = await newUser(api.baseUrl);
    expectContentfulError(await request(api.baseUrl).post(path()).set(stranger.auth).set(TUS).set('Upload-Length', '10'), 404, 'NotFound');
  });

  it('lets a browser client (Uppy) through CORS: tus request headers allowed, tus answer headers exposed', async () => {
    const preflight = await request(api.baseUrl)
      .options(`${path()}/some-upload`)
      .set('Origin', 'https://app.example.com')
      .set('Access-Control-Request-Method', 'PATCH')
      .set('Access-Control-Request-Headers', 'authorization,tus-resumable,upload-offset,upload-checksum,content-type')
      .expect(204);
    for (const header of ['Tus-Resumable', 'Upload-Offset', 'Upload-Checksum', 'Upload-Length', 'Upload-Metadata', 'Upload-Concat']) {
      expect(preflight.headers['access-control-allow-headers']).toContain(header);
    }
    expect(preflight.headers['tus-version']).toBeUndefined();
    const created = await request(api.baseUrl)
      .post(path())
      .set(user.auth)
      .set(TUS)
      .set('Origin', 'https://app.example.com')
      .set('Upload-Length', '10')
      .expect(201);
    expect(created.headers['access-control-allow-origin']).toBe('*');
    for (const header of ['Location', 'Upload-Offset', 'Upload-Expires', 'Tus-Resumable', 'X-Hangar-Upload-Id']) {
      expect(created.headers['access-control-expose-headers']).toContain(header);
    }
  });

  it('creates with the first bytes (creation-with-upload), and with a deferred length declared by the last PATCH', async () => {
    const body = randomBytes(7 * MiB + 3);
    const created = await request(api.baseUrl)
      .post(path())
      .set(user.auth)
      .set(TUS)
      .set(PATCH_TYPE)
      .set('Upload-Length', String(body.length))
      .set('Upload-Metadata', `filename ${Buffer.from('naïve.bin').toString('base64')},private`)
      .send(body.subarray(0, 2 * MiB))
      .expect(201);
    expect(created.headers['upload-offset']).toBe(String(2 * MiB));
    expect(created.headers['upload-expires']).toEqual(expect.any(String));
    expect(new Date(created.headers['upload-expires'] as string).getTime()).toBeGreaterThan(Date.now());
    const location = created.headers.location as string;
    expect(created.headers['x-hangar-upload-id']).toBe(idOf(location));
    const metadata = (await head(location).expect(200)).headers['upload-metadata'] as string;
    expect(metadata.split(',').sort()).toEqual([`filename ${Buffer.from('naïve.bin').toString('base64')}`, 'private']);
    await patch(location, 2 * MiB, body.subarray(2 * MiB)).expect(204);
    await expectDeliveredAsUpload(idOf(location), body);

    const deferred = await request(api.baseUrl).post(path()).set(user.auth).set(TUS).set('Upload-Defer-Length', '1').expect(201);
    const later = deferred.headers.location as string;
    expect((await head(later).expect(200)).headers['upload-defer-length']).toBe('1');
    const whole = randomBytes(6 * MiB);
    await patch(later, 0, whole.subarray(0, 5 * MiB)).expect(204);
    await patch(later, 5 * MiB, whole.subarray(5 * MiB), { 'Upload-Length': String(whole.length) }).expect(204);
    const upload = await request(api.baseUrl)
      .get(`/spaces/${spaceId}/environments/master/uploads/${idOf(later)}`)
      .set(user.auth)
      .expect(200);
    expect(upload.body.details).toEqual({ size: whole.length, sha256: sha256(whole) });
  });

  it('answers Expect: 100-continue on a PATCH only once the body is wanted', async () => {
    const location = await create(1000);
    const { port } = new URL(api.baseUrl);
    const answer = await new Promise<{ status: number; continued: boolean; offset: unknown }>((resolve, reject) => {
      let continued = false;
      const req = httpRequest({
        host: '127.0.0.1',
        port,
        method: 'PATCH',
        path: location,
        headers: { ...user.auth, ...TUS, ...PATCH_TYPE, 'Upload-Offset': '0', 'Content-Length': '1000', Expect: '100-continue' },
      });
      req.on('continue', () => {
        continued = true;
        req.end(Buffer.alloc(1000, 1));
      });
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, continued, offset: res.headers['upload-offset'] }));
      });
      req.on('error', reject);
    });
    expect(answer).toEqual({ status: 204, continued: true, offset: '1000' });
  });

  it('lets a client that reconnects take its upload over from its own stalled PATCH, keeping the bytes that arrived', async () => {
    const location = await create(10 * MiB);
    const { port } = new URL(api.baseUrl);
    const stalled = connect(Number(port), '127.0.0.1');
    await once(stalled, 'connect');
    const headers = { ...user.auth, ...TUS, ...PATCH_TYPE, 'Upload-Offset': '0', 'Content-Length': String(5 * MiB), Host: 'x' };
    stalled.write(
      `PATCH ${location} HTTP/1.1\r\n${Object.entries(headers)
        .map(([name, value]) => `${name}: ${value}\r\n`)
        .join('')}\r\n`,
    );
    const sent = randomBytes(3 * MiB);
    await new Promise<void>((resolve) => stalled.write(sent, () => resolve()));
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Same process, so the HEAD asks the stalled PATCH to let go: its body ends where it stands, what arrived is kept.
    const started = Date.now();
    const resumed = await head(location).expect(200);
    expect(resumed.headers['upload-offset']).toBe(String(3 * MiB));
    expect(Date.now() - started).toBeLessThan(8_000);
    stalled.destroy();
    const rest = randomBytes(7 * MiB);
    await patch(location, 3 * MiB, rest).expect(204);
    const upload = await request(api.baseUrl)
      .get(`/spaces/${spaceId}/environments/master/uploads/${idOf(location)}`)
      .set(user.auth)
      .expect(200);
    expect(upload.body.details).toEqual({ size: 10 * MiB, sha256: sha256(Buffer.concat([sent, rest])) });
  });

  it('ends a PATCH that stalls after UPLOAD_IDLE_TIMEOUT_SECONDS keeping what arrived, one that never starts too', async () => {
    const impatient = await startApi({ UPLOAD_IDLE_TIMEOUT_SECONDS: '1' });
    try {
      const created = await request(impatient.baseUrl)
        .post(path())
        .set(user.auth)
        .set(TUS)
        .set('Upload-Length', String(10 * MiB))
        .expect(201);
      const location = created.headers.location as string;
      /** A PATCH announcing 5 MiB that sends `bytes` and then nothing: the answer it gets. */
      const stalledPatch = async (offset: number, bytes: Buffer) => {
        const socket = connect(Number(new URL(impatient.baseUrl).port), '127.0.0.1');
        await once(socket, 'connect');
        const headers = {
          ...user.auth,
          ...TUS,
          ...PATCH_TYPE,
          'Upload-Offset': String(offset),
          'Content-Length': String(5 * MiB),
          Host: 'x',
        };
        socket.write(
          `PATCH ${location} HTTP/1.1\r\n${Object.entries(headers)
            .map(([name, value]) => `${name}: ${value}\r\n`)
            .join('')}\r\n`,
        );
        if (bytes.length > 0) socket.write(bytes);
        let answer = '';
        socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
        await new Promise((resolve) => socket.once('close', resolve).setTimeout(10_000, () => socket.destroy()));
        return answer;
      };
      const sent = randomBytes(MiB);
      expect(await stalledPatch(0, sent)).toMatch(/^HTTP\/1\.1 204[^]*upload-offset: 1048576/i);
      expect(await stalledPatch(MiB, Buffer.alloc(0))).toMatch(/^HTTP\/1\.1 204[^]*upload-offset: 1048576/i);
      const rest = randomBytes(9 * MiB);
      await request(impatient.baseUrl)
        .patch(location)
        .set(user.auth)
        .set(TUS)
        .set(PATCH_TYPE)
        .set('Upload-Offset', String(MiB))
        .send(rest)
        .expect(204);
      const upload = await request(api.baseUrl)
        .get(`/spaces/${spaceId}/environments/master/uploads/${idOf(location)}`)
        .set(user.auth)
        .expect(200);
      expect(upload.body.details).toEqual({ size: 10 * MiB, sha256: sha256(Buffer.concat([sent, rest])) });
    } finally {
      await impatient.close();
    }
  });

  it('expires an unfinished upload (Upload-Expires; then 410) and the purge leaves nothing of it, multipart upload included', async () => {
    const shortLived = await startApi({ UPLOAD_TTL_SECONDS: '2' });
    // Rounds an hour apart: the test runs the one it needs, after the 410 has been seen.
    const purger = await startWorker({ UPLOAD_TTL_SECONDS: '2', PURGE_INTERVAL_SECONDS: '3600' });
    try {
      const space = await newSpace(shortLived.baseUrl, user);
      const created = await request(shortLived.baseUrl)
        .post(path(space))
        .set(user.auth)
        .set(TUS)
        .set(PATCH_TYPE)
        .set('Upload-Length', String(20 * MiB))
        .send(randomBytes(6 * MiB))
        .expect(201);
      const location = created.headers.location as string;
      const expires = new Date(created.headers['upload-expires'] as string).getTime();
      expect(expires).toBeLessThanOrEqual(Date.now() + 3_000);
      const { objectKey } = await prisma().upload.findUniqueOrThrow({ where: { id: idOf(location) } });
      expect(await incompleteMultipart(objectKey)).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, expires - Date.now()) + 1_100));
      await request(shortLived.baseUrl).head(location).set(user.auth).set(TUS).expect(410);
      // Another worker of this test run (same queue prefix) may purge it first: wait for whichever does.
      await purger.get(UploadPurgeJob).runRound(hourlyRounds()());
      await waitFor(async () => (await uploadLeftovers(api.app, space)).rows === 0, 10_000, 'the purge');
      expect(await uploadLeftovers(api.app, space)).toEqual({ rows: 0, objects: [] });
      expect(await incompleteMultipart(objectKey)).toBe(0);
    } finally {
      await purger.close();
      await shortLived.close();
    }
  });

  describe('with api processes of the build', () => {
    it('lets two replicas take alternate requests of one upload (state in PostgreSQL, lock in Redis)', async () => {
      const replicaPort = await freePort();
      const replica = spawnApp('api', testProcessEnv({ PORT: String(replicaPort), UPLOAD_MAX_BYTES: String(64 * MiB) }));
      const replicaUrl = `http://127.0.0.1:${replicaPort}`;
      try {
        await waitFor(
          () =>
            fetch(`${replicaUrl}/health/ready`).then(
              (r) => r.ok,
              () => false,
            ),
          30_000,
          'api replica',
        );
        const balancer = await startRoundRobinProxy([api.baseUrl, replicaUrl]);
        try {
          const body = randomBytes(23 * MiB + 17);
          const result = await tusUpload(endpointOf(balancer.baseUrl), user.auth, body);
          await expectDeliveredAsUpload(result.uploadId, body);
        } finally {
          await balancer.close();
        }
      } finally {
        replica.child.kill('SIGTERM');
        await replica.exited;
      }
    });

    it('resumes an upload whose api was SIGKILLed mid-PATCH, to the same SHA-256, leaving one Upload', async () => {
      const port = await freePort();
      const env = testProcessEnv({ PORT: String(port), UPLOAD_MAX_BYTES: String(64 * MiB) });
      const url = `http://127.0.0.1:${port}`;
      const ready = () =>
        waitFor(
          () =>
            fetch(`${url}/health/ready`).then(
              (r) => r.ok,
              () => false,
            ),
          30_000,
          'api process',
        );
      let running = spawnApp('api', env);
      await ready();
      const space = await newSpace(api.baseUrl, user);
      const body = randomBytes(40 * MiB);
      let killedAt: number | undefined;
      const resumedAt: number[] = [];
      try {
        const result = await tusUpload(endpointOf(url, space), user.auth, body, {
          retryDelays: [500, 1000, 2000, 2000, 4000, 4000, 8000, 8000],
          onAfterResponse: (req, res) => {
            if (req.getMethod() === 'HEAD') resumedAt.push(Number(res.getHeader('Upload-Offset')));
          },
          onProgress: (sent) => {
            if (killedAt === undefined && sent > 17 * MiB) {
              killedAt = sent;
              running.child.kill('SIGKILL');
              void running.exited.then(() => {
                running = spawnApp('api', env);
              });
            }
          },
        });
        expect(killedAt).toBeGreaterThan(17 * MiB);
        // The client asked where to go on, and went on from the chunks the killed api had stored, not from the start.
        expect(resumedAt).toHaveLength(1);
        expect(resumedAt[0]).toBeGreaterThanOrEqual(15 * MiB);
        expect((resumedAt[0] ?? 1) % (5 * MiB)).toBe(0);
        expect(await prisma().upload.count({ where: { spaceId: space } })).toBe(1);
        const upload = await prisma().upload.findUniqueOrThrow({ where: { id: result.uploadId } });
        expect({ status: upload.status, size: Number(upload.size), sha256: upload.sha256 }).toEqual({
          status: 'ready',
          size: body.length,
          sha256: sha256(body),
        });
      } finally {
        running.child.kill('SIGTERM');
        await running.exited;
      }
    });
  });
});
