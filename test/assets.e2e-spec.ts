import type { INestApplicationContext } from '@nestjs/common';
import { createHash } from 'node:crypto';
import request from 'supertest';
import { PrismaService } from '@hangar/database';
import { StorageService } from '@hangar/storage';
import { type RunningApi, startApi } from './support/api-harness';
import {
  type AssetClient,
  createAsset,
  deliveryPathOf,
  fileField,
  getAsset,
  processLocale,
  uploadBytes,
  uploadLink,
  waitForProcessing,
} from './support/assets';
import { expectContentfulError } from './support/contentful-shape';
import { addLocale, JSON_TYPE, newSpace, newUser, type TestUser } from './support/factories';
import { makeImage, pngClaiming } from './support/images';
import { startWorker } from './support/worker-harness';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('Asset API and processing', () => {
  let api: RunningApi;
  let worker: INestApplicationContext;
  let user: TestUser;
  let c: AssetClient;

  beforeAll(async () => {
    api = await startApi({ PUBLIC_BASE_URL: 'http://media.test:3000' });
    worker = await startWorker({ PUBLIC_BASE_URL: 'http://media.test:3000' });
    user = await newUser(api.baseUrl);
    const spaceId = await newSpace(api.baseUrl, user);
    await addLocale(api.baseUrl, user, spaceId, { name: 'German', code: 'de-DE' });
    c = { baseUrl: api.baseUrl, auth: user.auth, spaceId };
  });
  afterAll(async () => {
    await worker.close();
    await api.close();
  });

  /** The path part of a protocol-relative delivery url, to fetch it from the test server. */
  const deliveryPath = deliveryPathOf;

  describe('create, read, replace', () => {
    it('creates with POST (201, generated id) and reads it back', async () => {
      const uploadId = await uploadBytes(c, await makeImage(10, 10));
      const created = await createAsset(c, { title: { 'en-US': 'Cat' }, file: { 'en-US': fileField(uploadId, 'cat.png') } });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        sys: {
          type: 'Asset',
          id: expect.stringMatching(/^[A-Za-z0-9]{22}$/),
          version: 1,
          space: { sys: { type: 'Link', linkType: 'Space', id: c.spaceId } },
          environment: { sys: { type: 'Link', linkType: 'Environment', id: 'master' } },
          createdBy: { sys: { type: 'Link', linkType: 'User', id: user.id } },
          updatedBy: { sys: { type: 'Link', linkType: 'User', id: user.id } },
          publishedCounter: 0,
        },
        fields: {
          title: { 'en-US': 'Cat' },
          file: { 'en-US': { contentType: 'image/png', fileName: 'cat.png', uploadFrom: uploadLink(uploadId) } },
        },
      });
      expect(created.body.sys.publishedVersion).toBeUndefined();
      const fetched = await getAsset(c, created.body.sys.id).expect(200);
      expect(fetched.body).toEqual(created.body);
      // The master shortcut path serves the same asset.
      await request(api.baseUrl).get(`/spaces/${c.spaceId}/assets/${created.body.sys.id}`).set(user.auth).expect(200);
    });

    it('creates with PUT and a chosen id, then replaces the whole body only at the current version', async () => {
      const id = `chosen-${Date.now()}`;
      const path = `/spaces/${c.spaceId}/environments/master/assets/${id}`;
      const created = await request(api.baseUrl)
        .put(path)
        .set(user.auth)
        .set('Content-Type', JSON_TYPE)
        .send({ fields: { title: { 'en-US': 'One' }, description: { 'en-US': 'first' } } });
      expect(created.status).toBe(201);
      expect(created.body.sys).toMatchObject({ id, version: 1 });

      const replace = (version?: string) => {
        const call = request(api.baseUrl).put(path).set(user.auth).set('Content-Type', JSON_TYPE);
        return (version === undefined ? call : call.set('X-Contentful-Version', version)).send({ fields: { title: { 'en-US': 'Two' } } });
      };
      expectContentfulError(await replace(), 409, 'VersionMismatch');
      expectContentfulError(await replace('5'), 409, 'VersionMismatch');
      expectContentfulError(await replace('one'), 400, 'BadRequest');
      const replaced = await replace('1').expect(200);
      expect(replaced.body.sys.version).toBe(2);
      expect(replaced.body.fields).toEqual({ title: { 'en-US': 'Two' } });

      const badId = await request(api.baseUrl)
        .put(`/spaces/${c.spaceId}/environments/master/assets/bad%20id`)
        .set(user.auth)
        .set('Content-Type', JSON_TYPE)
        .send({ fields: {} });
      expectContentfulError(badId, 400, 'BadRequest');
      expectContentfulError(await getAsset(c, 'missing-asset'), 404, 'NotFound');
    });
  });

  describe('validation', () => {
    it('reports every problem as 422 ValidationFailed with Contentful paths', async () => {
      const otherSpace = await newSpace(api.baseUrl, user);
      const foreignUpload = await uploadBytes({ ...c, spaceId: otherSpace }, Buffer.from('x'));
      const response = await createAsset(c, {
        title: { 'xx-XX': 'nope' },
        file: {
          'en-US': { contentType: 'image/png', fileName: 'a.png' },
          'de-DE': { contentType: 'image/png', fileName: 'a.png', upload: 'ftp://example.com/a.png' },
        },
      });
      expectContentfulError(response, 422, 'ValidationFailed');
      expect(response.body.details.errors).toEqual(
        expect.arrayContaining([
          { name: 'unknown', path: ['fields', 'title', 'xx-XX'], details: expect.any(String) },
          { name: 'required', path: ['fields', 'file', 'en-US', 'uploadFrom'], details: expect.any(String) },
          { name: 'invalid', path: ['fields', 'file', 'de-DE', 'upload'], details: expect.any(String) },
        ]),
      );
      const missing = await createAsset(c, { file: { 'en-US': fileField('doesNotExist0000000000'), 'de-DE': fileField(foreignUpload) } });
      expectContentfulError(missing, 422, 'ValidationFailed');
      expect(missing.body.details.errors).toEqual([
        { name: 'notResolvable', path: ['fields', 'file', 'en-US', 'uploadFrom'], details: expect.any(String) },
        { name: 'notResolvable', path: ['fields', 'file', 'de-DE', 'uploadFrom'], details: expect.any(String) },
      ]);
      const badName = await createAsset(c, { file: { 'en-US': { ...fileField(foreignUpload), fileName: '../etc/passwd' } } });
      expectContentfulError(badName, 422, 'ValidationFailed');
    });

    it('refuses an upload of another environment and an expired one', async () => {
      await request(api.baseUrl)
        .put(`/spaces/${c.spaceId}/environments/other`)
        .set(user.auth)
        .set('Content-Type', JSON_TYPE)
        .send({ name: 'other' })
        .expect(201);
      const elsewhere = await uploadBytes({ ...c, environmentId: 'other' }, Buffer.from('x'));
      const shortLived = await startApi({ UPLOAD_TTL_SECONDS: '1' });
      try {
        const expiring = await uploadBytes({ ...c, baseUrl: shortLived.baseUrl }, Buffer.from('y'));
        await new Promise((r) => setTimeout(r, 1100));
        const response = await createAsset(c, { file: { 'en-US': fileField(elsewhere), 'de-DE': fileField(expiring) } });
        expectContentfulError(response, 422, 'ValidationFailed');
        expect((response.body.details.errors as { path: string[] }[]).map((error) => error.path.join('.'))).toEqual([
          'fields.file.en-US.uploadFrom',
          'fields.file.de-DE.uploadFrom',
        ]);
      } finally {
        await shortLived.close();
      }
    });
  });

  describe('processing', () => {
    it('processes a PNG: url within 1 s, real type, size, dimensions, uploadFrom gone', async () => {
      const png = await makeImage(64, 48);
      const uploadId = await uploadBytes(c, png);
      // Declared as a generic binary: the worker finds the real type in the content.
      const created = await createAsset(c, { file: { 'en-US': fileField(uploadId, 'photo.png', 'application/octet-stream') } }).expect(201);
      await processLocale(c, created.body.sys.id, 'en-US', 1).expect(204);
      const { body, waitedMs } = await waitForProcessing(c, created.body.sys.id, 'en-US');
      expect(waitedMs).toBeLessThan(1_000);
      expect(body.sys.version).toBe(2);
      expect(body.sys.fileProcessing).toEqual({ 'en-US': { status: 'ready', updatedAt: expect.any(String) } });
      const file = body.fields.file?.['en-US'];
      expect(file).toEqual({
        contentType: 'image/png',
        fileName: 'photo.png',
        url: expect.stringMatching(
          new RegExp(`^http://media\\.test:3000/files/${c.spaceId}/${created.body.sys.id}/[A-Za-z0-9]{22}/photo\\.png$`),
        ),
        details: { size: png.length, image: { width: 64, height: 48 } },
        hangar: { placeholder: { thumbhash: expect.any(String) }, dominantColor: expect.stringMatching(/^#[0-9a-f]{6}$/), hasGps: false },
      });
      const delivered = await request(api.baseUrl)
        .get(deliveryPath(file?.url ?? ''))
        .buffer(true)
        .expect(200);
      expect(sha256(delivered.body as Buffer)).toBe(sha256(png));
    });

    it('lets one upload back several assets and locales', async () => {
      const uploadId = await uploadBytes(c, await makeImage(20, 10, 'jpeg'));
      const first = await createAsset(c, {
        file: { 'en-US': fileField(uploadId, 'a.jpg', 'image/jpeg'), 'de-DE': fileField(uploadId, 'b.jpg', 'image/jpeg') },
      }).expect(201);
      const second = await createAsset(c, { file: { 'en-US': fileField(uploadId, 'c.jpg', 'image/jpeg') } }).expect(201);
      await processLocale(c, first.body.sys.id, 'en-US', 1).expect(204);
      await processLocale(c, first.body.sys.id, 'de-DE', 1).expect(204);
      await processLocale(c, second.body.sys.id, 'en-US', 1).expect(204);
      const a = await waitForProcessing(c, first.body.sys.id, 'en-US');
      const b = await waitForProcessing(c, first.body.sys.id, 'de-DE');
      const d = await waitForProcessing(c, second.body.sys.id, 'en-US');
      const urls = [a.body.fields.file?.['en-US']?.url, b.body.fields.file?.['de-DE']?.url, d.body.fields.file?.['en-US']?.url];
      expect(new Set(urls).size).toBe(3);
      expect(urls.every((url) => typeof url === 'string')).toBe(true);
      expect(b.body.fields.file?.['de-DE']?.details?.image).toEqual({ width: 20, height: 10 });
    });

    it.each([
      ['HTML', Buffer.from('<!DOCTYPE html><script>alert(1)</script>'), 'page.html', 'text/html', /not processed/],
      ['JavaScript', Buffer.from('alert(1)'), 'app.js', 'text/javascript', /not processed/],
      [
        'a corrupt PNG',
        Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.from('garbage garbage garbage')]),
        'broken.png',
        'image/png',
        /could not be read|dimensions/,
      ],
      ['a decompression bomb', pngClaiming(100_000, 100_000), 'bomb.png', 'image/png', /pixel/],
    ])('records the failure of %s on the asset, with a reason, and the worker carries on', async (_what, bytes, fileName, type, reason) => {
      const uploadId = await uploadBytes(c, bytes);
      const created = await createAsset(c, { file: { 'en-US': fileField(uploadId, fileName, type) } }).expect(201);
      await processLocale(c, created.body.sys.id, 'en-US', 1).expect(204);
      const { body } = await waitForProcessing(c, created.body.sys.id, 'en-US');
      expect(body.sys.fileProcessing?.['en-US']).toEqual({
        status: 'failed',
        reason: expect.stringMatching(reason),
        updatedAt: expect.any(String),
      });
      expect(body.fields.file?.['en-US']?.url).toBeUndefined();
      const storage = worker.get(StorageService);
      expect(await storage.listKeys(`assets/${c.spaceId}/master/${created.body.sys.id}/`)).toEqual([]);
      // The worker still processes the next one.
      const next = await createAsset(c, { file: { 'en-US': fileField(await uploadBytes(c, await makeImage(5, 5)), 'ok.png') } }).expect(
        201,
      );
      await processLocale(c, next.body.sys.id, 'en-US', 1).expect(204);
      expect((await waitForProcessing(c, next.body.sys.id, 'en-US')).body.fields.file?.['en-US']?.url).toEqual(expect.any(String));
    });

    it('records a failure when the upload expired before processing', async () => {
      const shortLived = await startApi({ UPLOAD_TTL_SECONDS: '2' });
      try {
        const uploadId = await uploadBytes({ ...c, baseUrl: shortLived.baseUrl }, await makeImage(4, 4));
        const created = await createAsset(c, { file: { 'en-US': fileField(uploadId) } }).expect(201);
        await new Promise((r) => setTimeout(r, 2100));
        await processLocale(c, created.body.sys.id, 'en-US', 1).expect(204);
        const { body } = await waitForProcessing(c, created.body.sys.id, 'en-US');
        expect(body.sys.fileProcessing?.['en-US']).toMatchObject({ status: 'failed', reason: expect.stringMatching(/expired/) });
      } finally {
        await shortLived.close();
      }
    });

    it('answers a repeated process call whose request has completed as done (204), with no second job', async () => {
      const created = await createAsset(c, { file: { 'en-US': fileField(await uploadBytes(c, await makeImage(6, 6))) } }).expect(201);
      const id = created.body.sys.id as string;
      await processLocale(c, id, 'en-US', 1).expect(204);
      const done = await waitForProcessing(c, id, 'en-US');
      expect(done.body.sys.version).toBe(2);
      // The retry of a call whose answer was lost: the asset is one version on only by this request's own result.
      await processLocale(c, id, 'en-US', 1).expect(204);
      const after = await getAsset(c, id).expect(200);
      expect(after.body).toMatchObject({
        sys: { version: 2 },
        fields: { file: { 'en-US': { url: done.body.fields.file?.['en-US']?.url } } },
      });
      const files = await api.app.get(PrismaService).assetFile.findMany({ where: { assetId: id } });
      expect(files.map(({ status, attempts, requestedVersion }) => ({ status, attempts, requestedVersion }))).toEqual([
        { status: 'ready', attempts: 1, requestedVersion: 1 },
      ]);
      // Once anything else moved the asset on, version 1 is stale again.
      await request(api.baseUrl)
        .put(`/spaces/${c.spaceId}/environments/master/assets/${id}`)
        .set(user.auth)
        .set('Content-Type', JSON_TYPE)
        .set('X-Contentful-Version', '2')
        .send({ fields: { title: { 'en-US': 'renamed' }, file: after.body.fields.file as unknown } })
        .expect(200);
      expectContentfulError(await processLocale(c, id, 'en-US', 1), 409, 'VersionMismatch');
    });

    it('answers 409 to a process call at a stale version and 422 for a locale without a file', async () => {
      const created = await createAsset(c, { file: { 'en-US': fileField(await uploadBytes(c, await makeImage(4, 4))) } }).expect(201);
      expectContentfulError(await processLocale(c, created.body.sys.id, 'en-US', 9), 409, 'VersionMismatch');
      expectContentfulError(await processLocale(c, created.body.sys.id, 'de-DE', 1), 422, 'ValidationFailed');
    });
  });

  describe('delivery', () => {
    let url: string;
    let bytes: Buffer;
    beforeAll(async () => {
      bytes = await makeImage(300, 200, 'jpeg', true);
      const created = await createAsset(c, {
        file: { 'en-US': fileField(await uploadBytes(c, bytes), 'noise "x".jpg', 'image/jpeg') },
      }).expect(201);
      await processLocale(c, created.body.sys.id, 'en-US', 1).expect(204);
      url = deliveryPath((await waitForProcessing(c, created.body.sys.id, 'en-US')).body.fields.file?.['en-US']?.url ?? '');
    });

    it('streams the file with caching and safety headers, without a token', async () => {
      const response = await request(api.baseUrl).get(url).buffer(true).expect(200);
      expect(Buffer.compare(response.body as Buffer, bytes)).toBe(0);
      expect(response.headers).toMatchObject({
        'content-type': 'image/jpeg',
        'content-length': String(bytes.length),
        etag: `"${sha256(bytes)}"`,
        'cache-control': 'public, max-age=31536000, immutable',
        'x-content-type-options': 'nosniff',
        'accept-ranges': 'bytes',
      });
      expect(response.headers['content-security-policy']).toContain('sandbox');
      expect(Date.parse(response.headers['last-modified'] ?? '')).not.toBeNaN();
      expect(response.headers['content-disposition']).toBe(`inline; filename="noise _x_.jpg"; filename*=UTF-8''noise%20%22x%22.jpg`);
    });

    it('answers HEAD, Range (206 and 416) and If-None-Match (304)', async () => {
      const head = await request(api.baseUrl).head(url).expect(200);
      expect(head.headers['content-length']).toBe(String(bytes.length));
      const partial = await request(api.baseUrl).get(url).set('Range', 'bytes=10-19').buffer(true).expect(206);
      expect(partial.headers['content-range']).toBe(`bytes 10-19/${bytes.length}`);
      expect(Buffer.compare(partial.body as Buffer, bytes.subarray(10, 20))).toBe(0);
      const suffix = await request(api.baseUrl).get(url).set('Range', 'bytes=-5').buffer(true).expect(206);
      expect(Buffer.compare(suffix.body as Buffer, bytes.subarray(bytes.length - 5))).toBe(0);
      const beyond = await request(api.baseUrl).get(url).set('Range', `bytes=${bytes.length}-`).expect(416);
      expect(beyond.headers['content-range']).toBe(`bytes */${bytes.length}`);
      const cached = await request(api.baseUrl)
        .get(url)
        .set('If-None-Match', `"${sha256(bytes)}"`)
        .expect(304);
      expect(cached.text).toBe('');
    });

    it('answers 404 for a wrong token, asset or file name', async () => {
      const parts = url.split('/');
      const wrongToken = [...parts.slice(0, -2), 'A'.repeat(22), parts.at(-1)].join('/');
      expectContentfulError(await request(api.baseUrl).get(wrongToken), 404, 'NotFound');
      expectContentfulError(await request(api.baseUrl).get(`${parts.slice(0, -1).join('/')}/other.jpg`), 404, 'NotFound');
    });

    it('serves SVG as a download, so that it cannot run script anywhere', async () => {
      const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.domain)</script></svg>');
      const created = await createAsset(c, { file: { 'en-US': fileField(await uploadBytes(c, svg), 'x.svg', 'image/svg+xml') } }).expect(
        201,
      );
      await processLocale(c, created.body.sys.id, 'en-US', 1).expect(204);
      const processed = await waitForProcessing(c, created.body.sys.id, 'en-US');
      const response = await request(api.baseUrl)
        .get(deliveryPath(processed.body.fields.file?.['en-US']?.url ?? ''))
        .expect(200);
      expect(response.headers['content-type']).toBe('application/octet-stream');
      expect(response.headers['content-disposition']).toBe(`attachment; filename="x.svg"; filename*=UTF-8''x.svg`);
      expect(response.headers['content-security-policy']).toMatch(/default-src 'none'.*sandbox/);
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      // The asset keeps the type as declared: only what goes out on the wire changes.
      expect(processed.body.fields.file?.['en-US']?.contentType).toBe('image/svg+xml');
    });
  });

  describe('lifecycle', () => {
    it('publishes, unpublishes, archives and unarchives with Contentful version bookkeeping', async () => {
      const created = await createAsset(c, {
        title: { 'en-US': 'Life' },
        file: { 'en-US': fileField(await uploadBytes(c, await makeImage(8, 8))) },
      }).expect(201);
      const id = created.body.sys.id as string;
      const path = `/spaces/${c.spaceId}/environments/master/assets/${id}`;
      const at = (method: 'put' | 'delete', suffix: string, version: number) =>
        request(api.baseUrl)[method](`${path}${suffix}`).set(user.auth).set('X-Contentful-Version', String(version));

      const early = await at('put', '/published', 1);
      expectContentfulError(early, 422, 'ValidationFailed');
      expect(early.body.details.errors).toEqual([
        { name: 'required', path: ['fields', 'file', 'en-US', 'url'], details: expect.any(String) },
      ]);

      await processLocale(c, id, 'en-US', 1).expect(204);
      const processed = (await waitForProcessing(c, id, 'en-US')).body;
      expect(processed.sys.version).toBe(2);
      expectContentfulError(await at('put', '/published', 1), 409, 'VersionMismatch');

      const published = await at('put', '/published', 2).expect(200);
      expect(published.body.sys).toMatchObject({
        version: 3,
        publishedVersion: 2,
        publishedCounter: 1,
        publishedBy: { sys: { id: user.id } },
      });
      expect(published.body.sys.publishedAt).toEqual(published.body.sys.firstPublishedAt);
      expectContentfulError(await request(api.baseUrl).delete(path).set(user.auth).set('X-Contentful-Version', '3'), 400, 'BadRequest');
      expectContentfulError(await at('put', '/archived', 3), 400, 'BadRequest');

      const unpublished = await at('delete', '/published', 3).expect(200);
      expect(unpublished.body.sys).toMatchObject({ version: 4, publishedCounter: 1 });
      expect(unpublished.body.sys.publishedVersion).toBeUndefined();
      expect(unpublished.body.sys.firstPublishedAt).toEqual(published.body.sys.firstPublishedAt);

      const archived = await at('put', '/archived', 4).expect(200);
      expect(archived.body.sys).toMatchObject({ version: 5, archivedVersion: 4, archivedBy: { sys: { id: user.id } } });
      expectContentfulError(await at('put', '/published', 5), 400, 'BadRequest');
      const edit = await request(api.baseUrl)
        .put(path)
        .set(user.auth)
        .set('X-Contentful-Version', '5')
        .set('Content-Type', JSON_TYPE)
        .send({ fields: {} });
      expectContentfulError(edit, 400, 'BadRequest');

      const unarchived = await at('delete', '/archived', 5).expect(200);
      expect(unarchived.body.sys.version).toBe(6);
      expect(unarchived.body.sys.archivedVersion).toBeUndefined();
      const republished = await at('put', '/published', 6).expect(200);
      expect(republished.body.sys).toMatchObject({ publishedCounter: 2, publishedVersion: 6 });
      await at('delete', '/published', 7).expect(200);

      const fileUrl = deliveryPath(processed.fields.file?.['en-US']?.url ?? '');
      await request(api.baseUrl).delete(path).set(user.auth).set('X-Contentful-Version', '8').expect(204);
      expectContentfulError(await getAsset(c, id), 404, 'NotFound');
      expectContentfulError(await request(api.baseUrl).get(fileUrl), 404, 'NotFound');
      expect(await worker.get(StorageService).listKeys(`assets/${c.spaceId}/master/${id}/`)).toEqual([]);
    });
  });

  describe('collection', () => {
    let ids: string[];
    beforeAll(async () => {
      const space = await newSpace(api.baseUrl, user);
      c = { ...c, spaceId: space };
      const png = await uploadBytes(c, await makeImage(4, 4));
      const pdf = await uploadBytes(c, Buffer.from('%PDF-1.4\n%test\n'));
      ids = [];
      for (const [title, upload, type, name] of [
        ['Zebra photo', png, 'image/png', 'z.png'],
        ['Apple photo', png, 'image/png', 'a.png'],
        ['Manual', pdf, 'application/pdf', 'm.pdf'],
      ] as const) {
        ids.push(
          (await createAsset(c, { title: { 'en-US': title }, file: { 'en-US': fileField(upload, name, type) } }).expect(201)).body.sys
            .id as string,
        );
      }
    });

    const list = (query: string) => request(api.baseUrl).get(`/spaces/${c.spaceId}/environments/master/assets?${query}`).set(user.auth);
    const titles = (body: { items: { fields: { title: Record<string, string> } }[] }) =>
      body.items.map((item) => item.fields.title['en-US']);

    it('pages, orders and filters', async () => {
      const all = await list('').expect(200);
      expect(all.body).toMatchObject({ sys: { type: 'Array' }, total: 3, skip: 0, limit: 100 });
      expect(titles(all.body)).toEqual(['Manual', 'Apple photo', 'Zebra photo']);
      expect(titles((await list('order=fields.title').expect(200)).body)).toEqual(['Apple photo', 'Manual', 'Zebra photo']);
      const page = await list('order=sys.createdAt&skip=1&limit=1').expect(200);
      expect(page.body).toMatchObject({ total: 3, skip: 1, limit: 1 });
      expect(titles(page.body)).toEqual(['Apple photo']);
      expect(titles((await list(`sys.id[in]=${ids[0]},${ids[2]}&order=sys.createdAt`).expect(200)).body)).toEqual([
        'Zebra photo',
        'Manual',
      ]);
      expect(titles((await list('fields.title[match]=PHOTO&order=-fields.title').expect(200)).body)).toEqual([
        'Zebra photo',
        'Apple photo',
      ]);
      expect(titles((await list('fields.file.contentType=application/pdf').expect(200)).body)).toEqual(['Manual']);
      expect(titles((await list('mimetype_group=image&order=fields.title').expect(200)).body)).toEqual(['Apple photo', 'Zebra photo']);
      expect(titles((await list('mimetype_group=pdfdocument').expect(200)).body)).toEqual(['Manual']);
    });

    it.each(['limit=0', 'limit=1001', 'skip=-1', 'order=sys.nope', 'fields.title[regex]=x', 'mimetype_group=weird'])(
      'answers 400 InvalidQuery to %s',
      async (query) => {
        expectContentfulError(await list(query), 400, 'InvalidQuery');
      },
    );
  });
});
