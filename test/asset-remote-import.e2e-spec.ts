import type { INestApplicationContext } from '@nestjs/common';
import { createClient } from 'contentful-management';
import { createHash, randomBytes } from 'node:crypto';
import request from 'supertest';
import { ASSETS_PREFIX } from '@hangar/assets';
import { PrismaService } from '@hangar/database';
import { uploadObjectPrefix } from '@hangar/ingest';
import { StorageService } from '@hangar/storage';
import { type RunningApi, startApi } from './support/api-harness';
import {
  type AssetClient,
  type AssetJson,
  createAsset,
  deliveryPathOf,
  getAsset,
  processLocale,
  uploadBytes,
  waitForProcessing,
} from './support/assets';
import { expectContentfulError } from './support/contentful-shape';
import { JSON_TYPE, newSpace, newUser, type TestUser } from './support/factories';
import { makeImage } from './support/images';
import { waitFor } from './support/processes';
import { type RemoteServer, startRemoteServer, writeInPieces } from './support/remote-server';
import { testConfig } from './support/test-env';
import { uploadLeftovers } from './support/upload-inspection';
import { startWorker } from './support/worker-harness';

const MiB = 1024 * 1024;
/** More than one 5 MiB part, so a body over the cap has begun a multipart upload when it fails. */
const MAX_BYTES = 6 * MiB;
const DEADLINE_SECONDS = 2;
const PUBLIC_BASE_URL = 'http://media.test:3000';
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const env = {
  REMOTE_FETCH_ALLOW_HOSTS: 'localhost',
  UPLOAD_MAX_BYTES: String(MAX_BYTES),
  REMOTE_FETCH_TIMEOUT_SECONDS: String(DEADLINE_SECONDS),
  PUBLIC_BASE_URL,
};
const notPublic = 'only public addresses can be fetched unless the host is listed in REMOTE_FETCH_ALLOW_HOSTS.';

/**
 * Contentful's `fields.file[locale].upload`: an asset whose file is a URL is
 * accepted at create and update; the process call makes the worker import
 * the URL into an upload session (libs/ingest through libs/outbound) and
 * continue as for a linked upload. The remote host is a real HTTP server on
 * 127.0.0.1, reachable only as `localhost` (REMOTE_FETCH_ALLOW_HOSTS). A
 * refused or failed fetch is a processing failure with its reason on the
 * asset, and leaves no upload row, object or multipart upload behind.
 */
describe('assets with a remote upload URL', () => {
  const tooBig = randomBytes(MAX_BYTES + 1);
  let png: Buffer;
  let remote: RemoteServer;
  let api: RunningApi;
  let worker: INestApplicationContext;
  let user: TestUser;
  let flakyCalls = 0;

  beforeAll(async () => {
    png = await makeImage(40, 30);
    remote = await startRemoteServer((incoming, response) => {
      switch (incoming.url ?? '') {
        case '/a.png':
          return void response.writeHead(200, { 'content-type': 'image/png', 'content-length': png.length }).end(png);
        case '/unlabelled':
          return void response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(png);
        case '/to-loopback':
          return void response.writeHead(302, { location: remote.url('/a.png') }).end();
        case '/too-big-announced':
          return void response.writeHead(200, { 'content-length': tooBig.length }).end(tooBig);
        case '/too-big-chunked':
          response.writeHead(200, { 'content-type': 'application/octet-stream' });
          return writeInPieces(response, tooBig, () => response.end());
        case '/flaky':
          // Down on the first request, fine on the next: a failure worth retrying.
          flakyCalls += 1;
          if (flakyCalls === 1) return void response.writeHead(503).end();
          return void response.writeHead(200, { 'content-type': 'image/png' }).end(png);
        case '/drips': {
          // A byte every 100 ms: never idle long enough for the idle timeout, never done.
          response.writeHead(200, { 'content-type': 'image/png' });
          const timer = setInterval(() => response.write('x'), 100);
          return void response.on('close', () => clearInterval(timer));
        }
        default:
          return void response.writeHead(404).end();
      }
    });
    api = await startApi(env);
    worker = await startWorker(env);
    user = await newUser(api.baseUrl);
  });

  afterAll(async () => {
    await worker?.close();
    await remote?.close();
    await api?.close();
  });

  const storage = () => api.app.get(StorageService);
  const prisma = () => api.app.get(PrismaService);
  const newClient = async (): Promise<AssetClient> => ({
    baseUrl: api.baseUrl,
    auth: user.auth,
    spaceId: await newSpace(api.baseUrl, user),
  });
  const remoteFile = (upload: string, fileName = 'a.png', contentType = 'image/png') => ({ contentType, fileName, upload });

  /** Creates an asset whose en-US file is `url`, asks for processing, and waits for the outcome. */
  async function processRemote(c: AssetClient, url: string, file: Partial<ReturnType<typeof remoteFile>> = {}) {
    const created = await createAsset(c, { file: { 'en-US': { ...remoteFile(url), ...file } } });
    expect(created.status).toBe(201);
    const id = (created.body as AssetJson).sys.id;
    await processLocale(c, id, 'en-US', 1).expect(204);
    const { body } = await waitForProcessing(c, id, 'en-US', 45_000);
    const row = await prisma().assetFile.findUniqueOrThrow({
      where: { spaceId_environmentId_assetId_locale: { spaceId: c.spaceId, environmentId: 'master', assetId: id, locale: 'en-US' } },
    });
    return { id, body, row };
  }

  /** What the space has left: upload rows and objects, incomplete multipart uploads, asset objects. */
  async function leftovers(spaceId: string) {
    const [uploads, multipart, assetObjects] = await Promise.all([
      uploadLeftovers(api.app, spaceId),
      storage().listIncompleteMultipart(uploadObjectPrefix(spaceId)),
      storage().listKeys(`${ASSETS_PREFIX}${spaceId}/`),
    ]);
    return { ...uploads, multipart: multipart.uploads.map((upload) => upload.key), assetObjects };
  }

  describe('accepted at create and update', () => {
    it('stores `upload` as given, and shows it until the file is processed', async () => {
      const c = await newClient();
      const url = remote.url('/a.png', 'localhost');
      const created = await createAsset(c, { title: { 'en-US': 'Remote' }, file: { 'en-US': remoteFile(url) } });
      expect(created.status).toBe(201);
      expect(created.body.fields.file).toEqual({ 'en-US': remoteFile(url) });

      const id = (created.body as AssetJson).sys.id;
      const other = remote.url('/unlabelled', 'localhost');
      const replaced = await request(api.baseUrl)
        .put(`/spaces/${c.spaceId}/environments/master/assets/${id}`)
        .set(user.auth)
        .set('Content-Type', JSON_TYPE)
        .set('X-Contentful-Version', '1')
        .send({ fields: { file: { 'en-US': remoteFile(other, 'b.png') } } })
        .expect(200);
      expect(replaced.body.fields.file).toEqual({ 'en-US': remoteFile(other, 'b.png') });
      expect((await getAsset(c, id).expect(200)).body.fields.file).toEqual({ 'en-US': remoteFile(other, 'b.png') });
      // Nothing is fetched before the process call.
      expect(remote.paths()).not.toContain('/unlabelled');
    });

    it.each([
      ['ftp://example.com/a.png', 'upload must be an http:// or https:// URL, not ftp:.'],
      ['not a url', 'upload must be a URL without spaces or control characters.'],
      ['example.com/a.png', 'upload must be an absolute http:// or https:// URL.'],
    ])('refuses %j with 422 at fields.file.<locale>.upload', async (upload, details) => {
      const response = await createAsset(await newClient(), { file: { 'en-US': remoteFile(upload) } });
      expectContentfulError(response, 422, 'ValidationFailed');
      expect(response.body.details.errors).toEqual([{ name: 'invalid', path: ['fields', 'file', 'en-US', 'upload'], details }]);
    });

    it('refuses `upload` and `uploadFrom` together', async () => {
      const response = await createAsset(await newClient(), {
        file: {
          'en-US': { ...remoteFile('https://example.com/a.png'), uploadFrom: { sys: { type: 'Link', linkType: 'Upload', id: 'x' } } },
        },
      });
      expectContentfulError(response, 422, 'ValidationFailed');
      expect(response.body.details.errors).toEqual([
        { name: 'invalid', path: ['fields', 'file', 'en-US', 'upload'], details: expect.stringContaining('not both') },
      ]);
    });
  });

  describe('processing', () => {
    it('imports the URL, then processes it as a linked upload: url, details, the same bytes; the import is not kept', async () => {
      const c = await newClient();
      const before = remote.paths().length;
      const { id, body, row } = await processRemote(c, remote.url('/a.png', 'localhost'), { fileName: 'harbour.png' });

      const file = body.fields.file?.['en-US'];
      expect(file).toEqual({
        contentType: 'image/png',
        fileName: 'harbour.png',
        url: expect.stringMatching(new RegExp(`^http://media\\.test:3000/files/${c.spaceId}/${id}/[A-Za-z0-9]+/harbour\\.png$`)),
        details: { size: png.length, image: { width: 40, height: 30 } },
        hangar: { placeholder: { thumbhash: expect.any(String) }, dominantColor: expect.stringMatching(/^#[0-9a-f]{6}$/), hasGps: false },
      });
      expect(body.sys.fileProcessing?.['en-US']).toMatchObject({ status: 'ready' });
      expect(body.sys.version).toBe(2);
      expect(row).toMatchObject({ status: 'ready', sha256: sha256(png), size: BigInt(png.length), width: 40, height: 30, attempts: 1 });
      expect(remote.paths().slice(before)).toEqual(['/a.png']);

      const delivered = await request(api.baseUrl)
        .get(deliveryPathOf(file?.url))
        .buffer(true)
        .parse((response, done) => {
          const parts: Buffer[] = [];
          response.on('data', (part: Buffer) => parts.push(part));
          response.on('end', () => done(null, Buffer.concat(parts)));
        })
        .expect(200);
      expect(delivered.headers['content-type']).toBe('image/png');
      expect(sha256(delivered.body as Buffer)).toBe(sha256(png));

      // The Upload the worker imported into is deleted once the file is made (nothing links it); the file keeps its
      // bytes, stored once where the import wrote them (a blob), not copied.
      await waitFor(async () => (await leftovers(c.spaceId)).rows === 0, 10_000, 'the imported upload to be deleted');
      expect(row.objectKey).toBe(row.blobKey);
      expect(await leftovers(c.spaceId)).toEqual({ rows: 0, objects: [row.objectKey], multipart: [], assetObjects: [] });
    });

    it('takes the type from the bytes, not from the remote Content-Type or the declared one', async () => {
      const c = await newClient();
      const { body } = await processRemote(c, remote.url('/unlabelled', 'localhost'), { contentType: 'image/jpeg', fileName: 'a.jpg' });
      expect(body.fields.file?.['en-US']).toMatchObject({ contentType: 'image/png', details: { image: { width: 40, height: 30 } } });
    });

    it('a rerun after an import reuses the imported Upload: no second fetch, no second Upload', async () => {
      // An api whose jobs wait in a queue of their own until this test starts a worker for it.
      const queueEnv = { ...env, QUEUE_PREFIX: `${testConfig().redis.queuePrefix}-reuse-${Date.now()}` };
      const waitingApi = await startApi(queueEnv);
      try {
        const c = { baseUrl: waitingApi.baseUrl, auth: user.auth, spaceId: await newSpace(api.baseUrl, user) };
        const created = await createAsset(c, { file: { 'en-US': remoteFile(remote.url('/a.png', 'localhost')) } }).expect(201);
        const id = (created.body as AssetJson).sys.id;
        await processLocale(c, id, 'en-US', 1).expect(204);
        // What an attempt that imported the file and then failed leaves: a live Upload recorded on the request.
        const imported = await uploadBytes(c, png);
        const key = { spaceId: c.spaceId, environmentId: 'master', assetId: id, locale: 'en-US' };
        await prisma().assetFile.update({ where: { spaceId_environmentId_assetId_locale: key }, data: { uploadId: imported } });

        const before = remote.paths().length;
        const lateWorker = await startWorker(queueEnv);
        try {
          const { body } = await waitForProcessing(c, id, 'en-US');
          expect(body.fields.file?.['en-US']).toMatchObject({ details: { size: png.length, image: { width: 40, height: 30 } } });
        } finally {
          await lateWorker.close();
        }
        expect(remote.paths().slice(before)).toEqual([]);
        const row = await prisma().assetFile.findUniqueOrThrow({ where: { spaceId_environmentId_assetId_locale: key } });
        expect(row).toMatchObject({ status: 'ready', uploadId: imported, sha256: sha256(png) });
        // The reused import is released like a fresh one.
        await waitFor(async () => (await leftovers(c.spaceId)).rows === 0, 10_000, 'the imported upload to be deleted');
      } finally {
        await waitingApi.close();
      }
    });

    it('retries a failure that may pass (503), and then succeeds', async () => {
      const c = await newClient();
      const { body, row } = await processRemote(c, remote.url('/flaky', 'localhost'));
      expect(body.fields.file?.['en-US']?.url).toEqual(expect.any(String));
      expect(flakyCalls).toBe(2);
      expect(row).toMatchObject({ status: 'ready', attempts: 2, sha256: sha256(png) });
    });
  });

  describe('refused or failed: a processing failure with its reason, and nothing left behind', () => {
    /** What the case is, its URL, the reason recorded, and the requests the remote server saw (none for a refused address). */
    const cases: [string, (port: number) => string, (port: number) => string, string[]][] = [
      ['loopback by address', (port) => `http://127.0.0.1:${port}/a.png`, () => `127.0.0.1 is a loopback address; ${notPublic}`, []],
      [
        'loopback as a decimal number',
        (port) => `http://2130706433:${port}/a.png`,
        () => `127.0.0.1 is a loopback address; ${notPublic}`,
        [],
      ],
      [
        'loopback as IPv4-mapped IPv6',
        (port) => `http://[::ffff:127.0.0.1]:${port}/a.png`,
        () => `::ffff:7f00:1 is an IPv4-mapped IPv6 address; ${notPublic}`,
        [],
      ],
      [
        'a redirect from the allowed name to loopback',
        (port) => `http://localhost:${port}/to-loopback`,
        (port) => `After 1 redirect, to http://127.0.0.1:${port}/a.png: 127.0.0.1 is a loopback address; ${notPublic}`,
        ['/to-loopback'],
      ],
      [
        'the cloud metadata address',
        () => 'http://169.254.169.254/latest',
        () => `169.254.169.254 is a link-local address; ${notPublic}`,
        [],
      ],
      [
        'a body announced over UPLOAD_MAX_BYTES',
        (port) => `http://localhost:${port}/too-big-announced`,
        (port) => `localhost:${port} announced ${MAX_BYTES + 1} bytes, more than the limit of ${MAX_BYTES} bytes.`,
        ['/too-big-announced'],
      ],
      [
        'a body over UPLOAD_MAX_BYTES without Content-Length (a multipart upload had begun)',
        (port) => `http://localhost:${port}/too-big-chunked`,
        (port) => `localhost:${port} sent more than the limit of ${MAX_BYTES} bytes.`,
        ['/too-big-chunked'],
      ],
      [
        'a missing file (404)',
        (port) => `http://localhost:${port}/missing.png`,
        (port) => `localhost:${port} answered 404 Not Found.`,
        ['/missing.png'],
      ],
    ];

    it.each(cases)('%s: failed for good on the first attempt', async (_name, urlOf, reasonOf, requested) => {
      const c = await newClient();
      const url = urlOf(remote.port);
      const before = remote.paths().length;
      const { body, row } = await processRemote(c, url);
      expect(body.sys.fileProcessing?.['en-US']).toMatchObject({ status: 'failed', reason: reasonOf(remote.port) });
      // The file is still the URL it was: nothing was made of it.
      expect(body.fields.file?.['en-US']).toEqual(remoteFile(url));
      expect(row).toMatchObject({ status: 'failed', attempts: 1, failureReason: reasonOf(remote.port) });
      expect(remote.paths().slice(before)).toEqual(requested);
      expect(await leftovers(c.spaceId)).toEqual({ rows: 0, objects: [], multipart: [], assetObjects: [] });
    });

    it(`a body still arriving after REMOTE_FETCH_TIMEOUT_SECONDS: cut there, retried, then recorded`, async () => {
      const c = await newClient();
      const started = remote.paths().length;
      const { body, row } = await processRemote(c, remote.url('/drips', 'localhost'));
      const reason = `localhost:${remote.port} did not send the whole file within ${DEADLINE_SECONDS} s.`;
      expect(body.sys.fileProcessing?.['en-US']).toMatchObject({ status: 'failed', reason });
      expect(row).toMatchObject({ status: 'failed', attempts: 5, failureReason: reason });
      expect(remote.paths().slice(started)).toEqual(Array(5).fill('/drips'));
      expect(await leftovers(c.spaceId)).toEqual({ rows: 0, objects: [], multipart: [], assetObjects: [] });
    });
  });

  it('the official contentful-management SDK: create with `upload`, processForAllLocales', async () => {
    const spaceId = await newSpace(api.baseUrl, user);
    const client = createClient(
      { accessToken: user.token, host: api.host, hostUpload: api.host, insecure: true },
      { type: 'plain', defaults: { spaceId, environmentId: 'master' } },
    );
    const url = remote.url('/a.png', 'localhost');
    const created = await client.asset.create(
      {},
      { fields: { title: { 'en-US': 'Remote' }, file: { 'en-US': { contentType: 'image/png', fileName: 'remote.png', upload: url } } } },
    );
    expect(created.fields.file['en-US']).toMatchObject({ upload: url });
    const processed = await client.asset.processForAllLocales({}, created);
    expect(processed.fields.file['en-US']).toEqual({
      contentType: 'image/png',
      fileName: 'remote.png',
      url: expect.stringMatching(/^http:\/\/media\.test:3000\/files\//),
      details: { size: png.length, image: { width: 40, height: 30 } },
      hangar: { placeholder: { thumbhash: expect.any(String) }, dominantColor: expect.stringMatching(/^#[0-9a-f]{6}$/), hasGps: false },
    });
  });
});
