import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import request from 'supertest';
import { PrismaService } from '@hangar/database';
import { FilePath, FileUrlSigner, FILES_PREFIX } from '@hangar/files';
import { ObjectOwnershipRegistry, StorageService } from '@hangar/storage';
import { type RunningApi, startApi } from './support/api-harness';
import { objectExists } from './support/bucket';
import { expectContentfulError } from './support/contentful-shape';
import { addMember, JSON_TYPE, newSpace, newUser, type TestUser } from './support/factories';
import { makeImage } from './support/images';
import { hourlyRounds } from './support/rounds';
import { startWorker } from './support/worker-harness';
import { OrphanSweepJob } from '../apps/worker/src/storage/orphan-sweep.job';

// A bucket of its own, so the orphan sweep below judges only this file's objects.
const BUCKET = { S3_BUCKET: 'hangar-files-test', ORPHAN_SWEEP_INTERVAL_SECONDS: '3600' };
const nextRound = hourlyRounds();
const OLD_KEY = { id: 'old', secret: 'o'.repeat(40) };
const NEW_KEY = { id: 'new', secret: 'n'.repeat(40) };
const MAX_BYTES = 4 * 1024 * 1024;

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const OCTET = { 'Content-Type': 'application/octet-stream' };

/** A request whose path goes out exactly as written (supertest's URL parser would resolve `..` and `%2e%2e` first). */
async function rawRequest(
  baseUrl: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: Buffer,
): Promise<{ status: number; body: { sys?: { id?: string }; details?: { reason?: string } } }> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const length = { 'Content-Length': String(body?.length ?? 0) };
    const req = httpRequest({ host: hostname, port, method, path, headers: { ...headers, ...length } }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text === '' ? {} : (JSON.parse(text) as never) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('Files API', () => {
  let api: RunningApi;
  let user: TestUser;
  let spaceId: string;
  let prisma: PrismaService;
  let storage: StorageService;

  beforeAll(async () => {
    api = await startApi({
      ...BUCKET,
      FILE_URL_SIGNING_KEYS: `${NEW_KEY.id}:${NEW_KEY.secret},${OLD_KEY.id}:${OLD_KEY.secret}`,
      FILE_URL_MAX_SECONDS: '86400',
      UPLOAD_MAX_BYTES: String(MAX_BYTES),
    });
    user = await newUser(api.baseUrl);
    spaceId = await newSpace(api.baseUrl, user);
    prisma = api.app.get(PrismaService);
    storage = api.app.get(StorageService);
  });
  afterAll(async () => {
    await api.close();
  });

  const put = (path: string, bytes: Buffer, query = '') =>
    request(api.baseUrl).put(`/spaces/${spaceId}/files/${path}${query}`).set(user.auth).set(OCTET).send(bytes);
  const get = (path: string) => request(api.baseUrl).get(`/spaces/${spaceId}/${path}`).set(user.auth);
  /** The bytes of a response, whatever its type (supertest only buffers text types by itself). */
  const bytesOf = async (path: string) => {
    const response = await get(path)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    return response.body as Buffer;
  };
  const deliver = (path: string) => request(api.baseUrl).get(path.replace(/^https?:\/\/[^/]+/, ''));

  /** Rows and objects of the space's files, and upload sessions still held. */
  async function leftovers() {
    const [files, versions, folders, uploads, objects] = await Promise.all([
      prisma.file.count({ where: { spaceId } }),
      prisma.fileVersion.count({ where: { file: { spaceId } } }),
      prisma.fileFolder.count({ where: { spaceId } }),
      prisma.upload.count({ where: { spaceId } }),
      storage.listKeys(`${FILES_PREFIX}${spaceId}/`),
    ]);
    return { files, versions, folders, uploads, objects: objects.length };
  }

  describe('write, read, metadata', () => {
    it('writes a new file (201), reads its bytes and its resource', async () => {
      const bytes = Buffer.from('hello, files\n');
      const written = await put('notes/hello.txt', bytes, '?contentType=text/plain').expect(201);
      expect(written.body).toMatchObject({
        sys: { type: 'File', id: expect.any(String), version: 1, space: { sys: { id: spaceId } }, createdBy: { sys: { id: user.id } } },
        path: 'notes/hello.txt',
        folder: 'notes',
        name: 'hello.txt',
        acl: 'private',
        contentType: 'text/plain; charset=utf-8',
        size: bytes.length,
        sha256: sha256(bytes),
        url: null,
      });
      const read = await get('files/notes/hello.txt').expect(200);
      expect(read.text).toBe(bytes.toString());
      expect(read.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        etag: `"${sha256(bytes)}"`,
        'cache-control': 'private, no-cache',
      });
      const metadata = await get('file_metadata/notes/hello.txt').expect(200);
      expect(metadata.body).toEqual(written.body);
    });

    it('takes the type from the bytes: a PNG declared as text is a PNG, HTML declared as text is a download', async () => {
      const png = await makeImage(3, 3);
      expect((await put('img/p.txt', png, '?contentType=text/plain').expect(201)).body.contentType).toBe('image/png');
      const html = Buffer.from('<html><script>alert(1)</script></html>');
      expect((await put('img/page.txt', html, '?contentType=text/plain').expect(201)).body.contentType).toBe('application/octet-stream');
      const read = await get('files/img/page.txt').expect(200);
      expect(read.headers['content-type']).toBe('application/octet-stream');
      expect(read.headers['content-disposition']).toMatch(/^attachment; filename="page.txt"/);
    });

    it('refuses a body that is not octet-stream (415), an empty body, and a body over the cap (413), leaving nothing', async () => {
      const before = await leftovers();
      expectContentfulError(
        await request(api.baseUrl).put(`/spaces/${spaceId}/files/x/json.txt`).set(user.auth).set('Content-Type', JSON_TYPE).send('{}'),
        415,
        'UnsupportedMediaType',
      );
      expectContentfulError(await put('x/empty.txt', Buffer.alloc(0)), 400, 'BadRequest');
      expectContentfulError(await put('x/big.bin', Buffer.alloc(MAX_BYTES + 1)), 413, 'RequestEntityTooLarge');
      expect(await leftovers()).toEqual(before);
    });

    it('refuses a read-only member, and a missing file is 404', async () => {
      const viewer = await newUser(api.baseUrl);
      await addMember(api.baseUrl, spaceId, viewer.id, 'viewer');
      const refused = await request(api.baseUrl).put(`/spaces/${spaceId}/files/v.txt`).set(viewer.auth).set(OCTET).send(Buffer.from('v'));
      expectContentfulError(refused, 403, 'AccessDenied');
      await request(api.baseUrl).get(`/spaces/${spaceId}/file_metadata/notes/hello.txt`).set(viewer.auth).expect(200);
      expectContentfulError(await get('file_metadata/notes/missing.txt'), 404, 'NotFound');
      expectContentfulError(await get('files/notes/missing.txt'), 404, 'NotFound');
    });
  });

  describe('versions', () => {
    it('three writes of one name are versions 1–3, each readable with its own SHA-256', async () => {
      const bodies = [1, 2, 3].map((n) => Buffer.from(`version ${n} `.repeat(n * 10)));
      const statuses: number[] = [];
      for (const [index, body] of bodies.entries()) {
        const written = await put('v/three.txt', body);
        statuses.push(written.status);
        expect(written.body).toMatchObject({ sys: { version: index + 1 }, sha256: sha256(body), size: body.length });
      }
      expect(statuses).toEqual([201, 200, 200]);
      for (const [index, body] of bodies.entries()) {
        expect(sha256(await bytesOf(`files/v/three.txt?version=${index + 1}`))).toBe(sha256(body));
        const version = await get(`file_metadata/v/three.txt?version=${index + 1}`).expect(200);
        expect(version.body).toMatchObject({
          sys: { type: 'FileVersion', version: index + 1 },
          sha256: sha256(body),
          current: index === 2,
        });
      }
      expect((await bytesOf('files/v/three.txt')).toString()).toBe(bodies[2]?.toString());
      const list = await get('file_versions/v/three.txt?limit=2').expect(200);
      expect(list.body).toMatchObject({ sys: { type: 'Array' }, total: 3, skip: 0, limit: 2 });
      expect((list.body.items as { sys: { version: number } }[]).map((item) => item.sys.version)).toEqual([3, 2]);
    });

    it('numbers concurrent writes of one new name 1–8: one creates the file (201), the others add versions (200)', async () => {
      const bodies = Array.from({ length: 8 }, (_, n) => Buffer.from(`concurrent ${n}`));
      const responses = await Promise.all(bodies.map((body) => put('race/same.txt', body)));
      expect(responses.map((response) => response.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
      const versions = responses.map((response) => response.body.sys.version as number).sort((a, b) => a - b);
      expect(versions).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      for (const response of responses) {
        const stored = await bytesOf(`files/race/same.txt?version=${response.body.sys.version as number}`);
        expect(sha256(stored)).toBe(response.body.sha256);
      }
    });

    it('keeps an implicit folder that a write fills while its last file is deleted', async () => {
      for (let round = 0; round < 5; round += 1) {
        await put(`churn/${round}/old.txt`, Buffer.from('old')).expect(201);
        const [deleted, written] = await Promise.all([
          request(api.baseUrl).delete(`/spaces/${spaceId}/files/churn/${round}/old.txt`).set(user.auth),
          put(`churn/${round}/new.txt`, Buffer.from('new')),
        ]);
        expect([deleted.status, written.status]).toEqual([204, 201]);
        const listed = await get(`folders/churn/${round}`).expect(200);
        expect((listed.body.items as { path: string }[]).map((item) => item.path)).toEqual([`churn/${round}/new.txt`]);
      }
    });

    it('deletes one version (the current one: the newest left becomes current; numbers are not reused)', async () => {
      const key = async (n: number) =>
        (await prisma.fileVersion.findFirstOrThrow({ where: { file: { spaceId, path: 'v/three.txt' }, number: n } })).objectKey;
      const third = await key(3);
      await get('files/v/three.txt?version=3').expect(200);
      await request(api.baseUrl).delete(`/spaces/${spaceId}/files/v/three.txt?version=3`).set(user.auth).expect(204);
      expectContentfulError(await get('files/v/three.txt?version=3'), 404, 'NotFound');
      expect((await storage.listKeys(third)).includes(third)).toBe(false);
      expect((await get('file_metadata/v/three.txt').expect(200)).body.sys.version).toBe(2);
      expect((await put('v/three.txt', Buffer.from('four')).expect(200)).body.sys.version).toBe(4);
      expectContentfulError(await get('files/v/three.txt?version=x'), 400, 'InvalidQuery');
    });
  });

  describe('folders', () => {
    it('lists a folder: subfolders first, then files, by name, with paging', async () => {
      for (const name of ['b.txt', 'a.txt', 'sub/c.txt']) await put(`list/${name}`, Buffer.from(name)).expect(201);
      await request(api.baseUrl).put(`/spaces/${spaceId}/folders/list/empty`).set(user.auth).expect(201);
      await request(api.baseUrl).put(`/spaces/${spaceId}/folders/list/empty`).set(user.auth).expect(200);
      const all = await get('folders/list').expect(200);
      expect(all.body).toMatchObject({ sys: { type: 'Array' }, total: 4, skip: 0, limit: 100 });
      expect((all.body.items as { sys: { type: string }; path: string }[]).map((item) => `${item.sys.type} ${item.path}`)).toEqual([
        'Folder list/empty',
        'Folder list/sub',
        'File list/a.txt',
        'File list/b.txt',
      ]);
      expect(all.body.items[0]).toMatchObject({ explicit: true, name: 'empty', folder: 'list' });
      expect(all.body.items[1]).toMatchObject({ explicit: false });
      const page = await get('folders/list?skip=1&limit=2').expect(200);
      expect((page.body.items as { path: string }[]).map((item) => item.path)).toEqual(['list/sub', 'list/a.txt']);
      const root = await get('folders').expect(200);
      expect((root.body.items as { path: string }[]).map((item) => item.path)).toContain('list');
      expectContentfulError(await get('folders/no-such-folder'), 404, 'NotFound');
    });

    it('keeps files and folders from sharing a path, and deletes only empty folders', async () => {
      expectContentfulError(await put('list/empty', Buffer.from('x')), 409, 'Conflict');
      expectContentfulError(await put('list/a.txt/inner.txt', Buffer.from('x')), 409, 'Conflict');
      expectContentfulError(await request(api.baseUrl).put(`/spaces/${spaceId}/folders/list/a.txt`).set(user.auth), 409, 'Conflict');
      expectContentfulError(await request(api.baseUrl).delete(`/spaces/${spaceId}/folders/list`).set(user.auth), 409, 'Conflict');
      await request(api.baseUrl).delete(`/spaces/${spaceId}/folders/list/empty`).set(user.auth).expect(204);
      expectContentfulError(await request(api.baseUrl).delete(`/spaces/${spaceId}/folders/list/empty`).set(user.auth), 404, 'NotFound');
    });

    it('removes an implicit folder with its last file, and keeps an explicit one', async () => {
      await put('implicit/deep/only.txt', Buffer.from('x')).expect(201);
      await request(api.baseUrl).put(`/spaces/${spaceId}/folders/kept`).set(user.auth).expect(201);
      await put('kept/only.txt', Buffer.from('x')).expect(201);
      await request(api.baseUrl).delete(`/spaces/${spaceId}/files/implicit/deep/only.txt`).set(user.auth).expect(204);
      await request(api.baseUrl).delete(`/spaces/${spaceId}/files/kept/only.txt`).set(user.auth).expect(204);
      expectContentfulError(await get('folders/implicit'), 404, 'NotFound');
      expect((await get('folders/kept').expect(200)).body.total).toBe(0);
    });
  });

  describe('ACL and delivery', () => {
    const deliveryPath = (path: string) => `/file_delivery/${spaceId}/${path}`;

    it('serves a private file at no plain URL (404, as a missing one), and a public one as asset files are served', async () => {
      const bytes = Buffer.from('0123456789abcdef');
      await put('acl/file.txt', bytes, '?contentType=text/plain').expect(201);
      expectContentfulError(await deliver(deliveryPath('acl/file.txt')), 404, 'NotFound');
      expectContentfulError(await deliver(deliveryPath('acl/file.txt?version=1')), 404, 'NotFound');
      expectContentfulError(await deliver(deliveryPath('acl/file.txt?version=9')), 404, 'NotFound');

      const made = await request(api.baseUrl)
        .put(`/spaces/${spaceId}/file_acl/acl/file.txt`)
        .set(user.auth)
        .set('Content-Type', JSON_TYPE)
        .send({ acl: 'public' })
        .expect(200);
      expect(made.body).toMatchObject({ acl: 'public', url: expect.stringContaining(deliveryPath('acl/file.txt')) });

      const full = await deliver(made.body.url).expect(200);
      expect(full.text).toBe(bytes.toString());
      expect(full.headers).toMatchObject({
        'content-type': 'text/plain; charset=utf-8',
        'x-content-type-options': 'nosniff',
        'content-security-policy': expect.stringContaining('sandbox'),
        'accept-ranges': 'bytes',
        etag: `"${sha256(bytes)}"`,
        'cache-control': 'public, no-cache',
      });
      const partial = await deliver(made.body.url).set('Range', 'bytes=2-5').expect(206);
      expect(partial.text).toBe('2345');
      expect(partial.headers['content-range']).toBe(`bytes 2-5/${bytes.length}`);
      await deliver(made.body.url)
        .set('If-None-Match', `W/"${sha256(bytes)}"`)
        .expect(304);
      await deliver(made.body.url).set('Range', 'bytes=99-').expect(416);
      const pinned = await deliver(deliveryPath('acl/file.txt?version=1')).expect(200);
      expect(pinned.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      const head = await request(api.baseUrl).head(deliveryPath('acl/file.txt')).expect(200);
      expect(head.headers['content-length']).toBe(String(bytes.length));

      await request(api.baseUrl)
        .put(`/spaces/${spaceId}/file_acl/acl/file.txt`)
        .set(user.auth)
        .set('Content-Type', JSON_TYPE)
        .send({ acl: 'private' })
        .expect(200);
      expectContentfulError(await deliver(deliveryPath('acl/file.txt')), 404, 'NotFound');
    });

    it('issues signed URLs that work until exp, and refuse, saying why, once expired, changed or signed with an unknown key', async () => {
      const bytes = Buffer.from('a private file');
      await put('secret/report.txt', bytes, '?contentType=text/plain').expect(201);
      const issued = await get('file_urls/secret/report.txt?expiresIn=60').expect(200);
      expect(issued.body).toMatchObject({ sys: { type: 'SignedFileUrl' }, version: 1, url: expect.stringContaining('kid=new') });
      const good = await deliver(issued.body.url).expect(200);
      expect(good.text).toBe(bytes.toString());
      expect(good.headers['cache-control']).toMatch(/^private, max-age=(59|60)$/);

      const path = FilePath.parse('secret/report.txt');
      const now = Math.floor(Date.now() / 1000);
      const urlFor = (signer: FileUrlSigner, expiresAt: number) =>
        `/file_delivery/${spaceId}/secret/report.txt?${new URLSearchParams(signer.sign({ spaceId, path, version: 1, expiresAt })).toString()}`;
      const reasonOf = async (url: string, status = 403) => {
        const response = await deliver(url);
        expectContentfulError(response, status, status === 403 ? 'AccessDenied' : 'NotFound');
        return response.body.details?.reason as string | undefined;
      };

      // Expiry: one second in the past is refused; the boundary itself is pinned by the signer's unit test (an injected clock).
      const current = new FileUrlSigner([NEW_KEY]);
      expect(await reasonOf(urlFor(current, now - 1))).toBe('expired');
      await deliver(urlFor(current, now + 5)).expect(200);
      // Rotation: a URL the old key signed still works while the old key is listed; a key no longer listed is named as such.
      await deliver(urlFor(new FileUrlSigner([OLD_KEY]), now + 60)).expect(200);
      expect(await reasonOf(urlFor(new FileUrlSigner([{ id: 'gone', secret: 'g'.repeat(40) }]), now + 60))).toBe('unknown-key');
      expect(await reasonOf(urlFor(new FileUrlSigner([{ id: 'new', secret: 'x'.repeat(40) }]), now + 60))).toBe('invalid-signature');

      // Any byte changed: the path, a parameter's name or value, the signature — never the file.
      const url = (issued.body.url as string).replace(/^https?:\/\/[^/]+/, '');
      const start = url.indexOf(spaceId);
      for (let at = start; at < url.length; at += 1) {
        const changed = `${url.slice(0, at)}${url[at] === 'A' ? 'B' : 'A'}${url.slice(at + 1)}`;
        const response = await deliver(changed);
        expect([changed, response.status]).toEqual([changed, expect.any(Number)]);
        expect([changed, [403, 404, 400].includes(response.status)]).toEqual([changed, true]);
      }
      expect(await reasonOf(url.replace(/&sig=[^&]*/, ''))).toBe('malformed');
    });

    it('answers 503 naming FILE_URL_SIGNING_KEYS when a signed URL is asked of an api without keys', async () => {
      const keyless = await startApi(BUCKET);
      try {
        const response = await request(keyless.baseUrl).get(`/spaces/${spaceId}/file_urls/secret/report.txt`).set(user.auth);
        expectContentfulError(response, 503, 'ServiceUnavailable');
        expect(response.body.details).toEqual({ setting: 'FILE_URL_SIGNING_KEYS' });
      } finally {
        await keyless.close();
      }
    });

    it('bounds the lifetime a signed URL may ask for, and needs the file to exist', async () => {
      expectContentfulError(await get('file_urls/secret/report.txt?expiresIn=0'), 400, 'InvalidQuery');
      expectContentfulError(await get('file_urls/secret/report.txt?expiresIn=86401'), 400, 'InvalidQuery');
      expectContentfulError(await get('file_urls/secret/missing.txt'), 404, 'NotFound');
      expectContentfulError(await get('file_urls/secret/report.txt?version=7'), 404, 'NotFound');
    });
  });

  describe('paths', () => {
    const refusedPaths: [string, string, string][] = [
      ['a literal ..', '/files/a/../b.txt', 'dot-segment'],
      ['a literal .', '/files/a/./b.txt', 'dot-segment'],
      ['an encoded ..', '/files/a/%2e%2e/b.txt', 'dot-segment'],
      ['an encoded .. at the start', '/files/%2E%2E/%2E%2E/etc/passwd', 'dot-segment'],
      ['an encoded slash', '/files/a%2fb.txt', 'encoded-slash'],
      ['an encoded slash making ..', '/files/a%2f..%2fb.txt', 'encoded-slash'],
      ['a backslash', '/files/a%5c..%5cb.txt', 'backslash'],
      ['NUL', '/files/a%00b.txt', 'control-character'],
      ['a line feed', '/files/a%0Ab.txt', 'control-character'],
      ['a C1 control', '/files/a%C2%85b.txt', 'control-character'],
      ['a right-to-left override', '/files/invoice%E2%80%AEfdp.exe', 'bidi-control'],
      ['an empty segment', '/files/a//b.txt', 'empty-segment'],
      ['a segment over 255 bytes', `/files/${'é'.repeat(128)}.txt`, 'segment-too-long'],
      ['a path over 1024 bytes', `/files/${Array.from({ length: 9 }, () => 'x'.repeat(120)).join('/')}`, 'too-long'],
      ['33 levels', `/files/${Array.from({ length: 33 }, () => 'd').join('/')}`, 'too-deep'],
    ];

    it.each(refusedPaths)('refuses %s with 400 BadRequest (%s → %s)', async (_name, path, reason) => {
      const target = `/spaces/${spaceId}${encodeURI(path).replace(/%25/g, '%')}`;
      for (const method of ['PUT', 'GET']) {
        const response = await rawRequest(api.baseUrl, method, target, { ...user.auth, ...OCTET }, Buffer.from('x'));
        expect([method, response.status, response.body.sys?.id, response.body.details?.reason]).toEqual([
          method,
          400,
          'BadRequest',
          reason,
        ]);
      }
      const delivered = await rawRequest(api.baseUrl, 'GET', target.replace(`/spaces/${spaceId}/files/`, `/file_delivery/${spaceId}/`), {});
      expect([delivered.status, delivered.body.details?.reason]).toEqual([400, reason]);
    });

    it('treats NFC and NFD spellings of a name as one file', async () => {
      const composed = 'caf\u00e9/r\u00e9sum\u00e9.txt';
      const decomposed = composed.normalize('NFD');
      expect(decomposed).not.toBe(composed);
      const first = await put(encodeURI(composed), Buffer.from('one')).expect(201);
      const second = await put(encodeURI(decomposed), Buffer.from('two')).expect(200);
      expect(second.body).toMatchObject({ sys: { id: first.body.sys.id, version: 2 }, path: composed });
      expect((await bytesOf(`files/${encodeURI(decomposed)}?version=1`)).toString()).toBe('one');
    });
  });

  describe('ownership and leftovers', () => {
    it('registers file versions as the owner of files/ objects, and stages events with each change', async () => {
      const written = await put('owned/a.txt', Buffer.from('owned')).expect(201);
      const version = await prisma.fileVersion.findFirstOrThrow({ where: { fileId: written.body.sys.id } });
      expect(version.objectKey.startsWith(`${FILES_PREFIX}${spaceId}/`)).toBe(true);
      const registry = api.app.get(ObjectOwnershipRegistry);
      expect(registry.ownerOf(version.objectKey)?.kind).toBe('file-version');
      const stray = `${FILES_PREFIX}${spaceId}/stray`;
      expect([...(await registry.ownedKeys([version.objectKey, stray]))]).toEqual([version.objectKey]);
      await put('owned/a.txt', Buffer.from('owned 2')).expect(200);
      await request(api.baseUrl).delete(`/spaces/${spaceId}/files/owned/a.txt`).set(user.auth).expect(204);
      const events = await prisma.domainEvent.findMany({ where: { spaceId, entityId: written.body.sys.id }, orderBy: { id: 'asc' } });
      expect(events.map((event) => event.topic)).toEqual(['Hangar.File.create', 'Hangar.File.version_create', 'Hangar.File.delete']);
      expect(events.every((event) => event.entityType === 'File' && event.actorId === user.id)).toBe(true);
    });

    it("the worker's orphan sweep keeps every version's object and removes a files/ object no row owns", async () => {
      const written = await put('swept/kept.txt', Buffer.from('kept')).expect(201);
      const { objectKey } = await prisma.fileVersion.findFirstOrThrow({ where: { fileId: written.body.sys.id } });
      const stray = `${FILES_PREFIX}${spaceId}/stray-object`;
      await storage.putObject(stray, Buffer.from('nobody owns me'));
      // A queue prefix of its own: this worker is here for the sweep, not to take other suites' jobs and stop mid-way.
      const worker = await startWorker({
        ...BUCKET,
        ORPHAN_GRACE_SECONDS: '0',
        QUEUE_PREFIX: `${process.env.TEST_QUEUE_PREFIX ?? 'hangar-test'}-files-sweep`,
      });
      try {
        for (let round = 0; round < 50; round += 1) if ((await worker.get(OrphanSweepJob).runRound(nextRound())).wrapped) break;
      } finally {
        await worker.close();
      }
      expect(await objectExists(storage, objectKey)).toBe(true);
      expect(await objectExists(storage, stray)).toBe(false);
      expect((await bytesOf('files/swept/kept.txt')).toString()).toBe('kept');
    });

    it('leaves no rows and no objects once every file is deleted', async () => {
      const { items } = (await get('folders?limit=1000').expect(200)).body as { items: { sys: { type: string }; path: string }[] };
      const files = await prisma.file.findMany({ where: { spaceId }, select: { path: true } });
      for (const { path } of files) {
        await request(api.baseUrl)
          .delete(`/spaces/${spaceId}/files/${FilePath.parse(path).toUrlPath()}`)
          .set(user.auth)
          .expect(204);
      }
      for (const folder of items.filter((item) => item.sys.type === 'Folder')) {
        await request(api.baseUrl).delete(`/spaces/${spaceId}/folders/${folder.path}`).set(user.auth);
      }
      expect(await leftovers()).toEqual({ files: 0, versions: 0, folders: 0, uploads: 0, objects: 0 });
    });
  });
});
