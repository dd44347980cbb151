import type { INestApplicationContext } from '@nestjs/common';
import { createHash } from 'node:crypto';
import request, { type Response } from 'supertest';
import { PrismaService } from '@hangar/database';
import { StorageService } from '@hangar/storage';
import { type RunningApi, startApi } from './support/api-harness';
import { type AssetClient, createAsset, deliveryPathOf, fileField, processLocale, uploadBytes, waitForProcessing } from './support/assets';
import { expectContentfulError } from './support/contentful-shape';
import { newSpace, newUser } from './support/factories';
import { makeImage } from './support/images';
import { startWorker } from './support/worker-harness';

const DOWNLOAD = 'application/octet-stream';
const PLAIN_TEXT = 'text/plain; charset=utf-8';
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/**
 * What a stored file goes back out as (issue 9, items 1, 6 and 11): the type
 * comes from the bytes and an allow-list of passive types, never from what
 * was declared alone; anything else is a download; stored values that could
 * not be a header are answered safely; names cannot reorder a download dialog;
 * If-None-Match compares weakly.
 */
describe('delivery headers', () => {
  let api: RunningApi;
  let worker: INestApplicationContext;
  let c: AssetClient;

  beforeAll(async () => {
    api = await startApi();
    worker = await startWorker();
    const user = await newUser(api.baseUrl);
    c = { baseUrl: api.baseUrl, auth: user.auth, spaceId: await newSpace(api.baseUrl, user) };
  });
  afterAll(async () => {
    await worker.close();
    await api.close();
  });

  const prisma = () => api.app.get(PrismaService);
  const pathOf = deliveryPathOf;

  /** Uploads `bytes`, creates an asset declaring `contentType`, processes it; the asset as it is then. */
  async function processed(bytes: Buffer, fileName: string, contentType: string) {
    const created = await createAsset(c, { file: { 'en-US': fileField(await uploadBytes(c, bytes), fileName, contentType) } }).expect(201);
    const id = created.body.sys.id as string;
    await processLocale(c, id, 'en-US', 1).expect(204);
    const { body } = await waitForProcessing(c, id, 'en-US');
    return { id, body, file: body.fields.file?.['en-US'], status: body.sys.fileProcessing?.['en-US'] };
  }

  /** GET and HEAD of a delivery path: both must say the same about the file. */
  async function delivered(path: string): Promise<{ get: Response; head: Response }> {
    const get = await request(api.baseUrl).get(path).buffer(true);
    const head = await request(api.baseUrl).head(path);
    return { get, head };
  }

  function expectDelivery(responses: { get: Response; head: Response }, contentType: string, disposition: 'inline' | 'attachment') {
    for (const response of [responses.get, responses.head]) {
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe(contentType);
      expect(response.headers['content-disposition']).toMatch(new RegExp(`^${disposition}; filename="`));
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['set-cookie']).toBeUndefined();
    }
  }

  describe('types the client declares', () => {
    it.each(['html', 'htm', 'js', 'text/html,foo'])('refuses %j at create (not a media type)', async (contentType) => {
      const response = await createAsset(c, {
        file: { 'en-US': fileField(await uploadBytes(c, Buffer.from('<b>x</b>')), 'a.txt', contentType) },
      });
      expectContentfulError(response, 422, 'ValidationFailed');
    });

    it.each(['text/html', 'application/xhtml+xml', 'text/javascript', 'TEXT/HTML; charset=utf-8'])(
      'takes %j at create and refuses to process it',
      async (contentType) => {
        const { file, status } = await processed(Buffer.from('hello'), 'a.txt', contentType);
        expect(status).toMatchObject({ status: 'failed', reason: expect.stringMatching(/not processed/) });
        expect(file?.url).toBeUndefined();
      },
    );

    // Each is an active type a browser would run or render as a page, or bytes that are markup: a download.
    it.each<[string, string, string]>([
      ['application/x-javascript', 'alert(document.domain)', 'app.txt'],
      ['text/x-javascript', 'alert(document.domain)', 'app.txt'],
      ['image/svg+xml', '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.domain)</script></svg>', 'x.svg'],
      ['text/xml', '<x:script xmlns:x="http://www.w3.org/1999/xhtml">alert(1)</x:script>', 'a.xml'],
      ['text/plain', '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', 'a.txt'],
      ['application/json', '  <svg onload="alert(1)"/>', 'a.json'],
      ['text/plain', '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>', 'a.txt'],
      ['text/css', 'body { background: url(//evil.test/x) }', 'a.css'],
      ['application/octet-stream', 'just some text', 'a.txt'],
      ['video/mp4', 'not a video at all', 'a.mp4'],
    ])('delivers %j over %j as a download', async (contentType, content, fileName) => {
      const { file } = await processed(Buffer.from(content), fileName, contentType);
      const responses = await delivered(pathOf(file?.url ?? ''));
      expectDelivery(responses, DOWNLOAD, 'attachment');
      expect(responses.get.body).toEqual(Buffer.from(content));
    });

    it.each<[string, () => Promise<Buffer>, string, string, string]>([
      // The bytes decide; the asset keeps the type as processing always gave it (the detected one).
      ['a PNG declared as text/plain', () => makeImage(4, 4), 'text/plain', 'image/png', 'image/png'],
      ['a PNG declared as image/svg+xml', () => makeImage(4, 4), 'image/svg+xml', 'image/png', 'image/png'],
      [
        'a JPEG declared as application/x-javascript',
        () => makeImage(4, 4, 'jpeg'),
        'application/x-javascript',
        'image/jpeg',
        'image/jpeg',
      ],
      [
        'a PDF declared as a download',
        () => Promise.resolve(Buffer.from('%PDF-1.4\n%test\n')),
        DOWNLOAD,
        'application/pdf',
        'application/pdf',
      ],
      ['text declared as text/plain', () => Promise.resolve(Buffer.from('hello <b>')), 'text/plain', PLAIN_TEXT, 'text/plain'],
      ['JavaScript declared as text/plain', () => Promise.resolve(Buffer.from('alert(1)')), 'text/plain', PLAIN_TEXT, 'text/plain'],
      ['JSON declared as JSON', () => Promise.resolve(Buffer.from('{"a":1}')), 'application/json', 'application/json', 'application/json'],
    ])('delivers %s inline as its passive type', async (_what, bytes, declared, contentType, assetType) => {
      const { file } = await processed(await bytes(), 'file.bin', declared);
      expect(file?.contentType).toBe(assetType);
      expectDelivery(await delivered(pathOf(file?.url ?? '')), contentType, 'inline');
    });
  });

  describe('rows stored before today’s rules', () => {
    let id: string;
    let path: string;
    beforeAll(async () => {
      const result = await processed(Buffer.from('hello'), 'old.txt', 'text/plain');
      id = result.id;
      path = pathOf(result.file?.url ?? '');
    });

    it.each([
      'text/plain\u0007',
      'bild/pñg',
      'image/png\r\nSet-Cookie: a=b',
      'html',
      'text/html',
      'application/javascript',
      'image/svg+xml',
      '',
      null,
    ])('serve a stored type %j as a download, never a 500', async (contentType) => {
      await prisma().assetFile.updateMany({ where: { assetId: id }, data: { contentType } });
      expectDelivery(await delivered(path), DOWNLOAD, 'attachment');
    });

    it('strip bidirectional controls from a stored name in Content-Disposition', async () => {
      const fileName = 'invoice\u202Efdp\u2066.exe';
      await prisma().assetFile.updateMany({ where: { assetId: id }, data: { fileName, contentType: 'text/plain' } });
      const renamed = path.replace(/[^/]+$/, encodeURIComponent(fileName));
      const responses = await delivered(renamed);
      expectDelivery(responses, PLAIN_TEXT, 'inline');
      expect(responses.get.headers['content-disposition']).toBe(`inline; filename="invoicefdp.exe"; filename*=UTF-8''invoicefdp.exe`);
    });
  });

  it('leaves directional marks out of Content-Disposition, and refuses overrides at create', async () => {
    const { file } = await processed(Buffer.from('שלום'), 'שלום\u200F.txt', 'text/plain');
    expect(file?.fileName).toBe('שלום\u200F.txt');
    const response = await request(api.baseUrl)
      .get(pathOf(file?.url ?? ''))
      .expect(200);
    expect(response.headers['content-disposition']).toBe(`inline; filename="____.txt"; filename*=UTF-8''${encodeURIComponent('שלום')}.txt`);
    const refused = await createAsset(c, {
      file: { 'en-US': fileField(await uploadBytes(c, Buffer.from('x')), 'invoice\u202Efdp.exe', 'text/plain') },
    });
    expectContentfulError(refused, 422, 'ValidationFailed');
    expect(refused.body.details.errors).toEqual([expect.objectContaining({ path: ['fields', 'file', 'en-US', 'fileName'] })]);
  });

  describe('If-None-Match', () => {
    let path: string;
    let etag: string;
    beforeAll(async () => {
      const bytes = await makeImage(6, 6);
      etag = `"${sha256(bytes)}"`;
      path = pathOf((await processed(bytes, 'cached.png', 'image/png')).file?.url ?? '');
    });

    it.each([
      ['the strong tag', () => etag],
      ['the weak tag', () => `W/${etag}`],
      ['a list holding the weak tag', () => `"other", W/${etag}`],
      ['a list holding the tag', () => `W/"other",${etag} , "third"`],
      ['*', () => '*'],
    ])('answers 304 to %s, on GET and HEAD', async (_what, header) => {
      for (const method of ['get', 'head'] as const) {
        const response = await request(api.baseUrl)[method](path).set('If-None-Match', header()).expect(304);
        expect(response.headers.etag).toBe(etag);
        expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
        expect(response.headers['content-type']).toBeUndefined();
        expect(response.text ?? '').toBe('');
      }
    });

    it.each([
      ['another tag', () => '"other"'],
      ['a list of other tags', () => 'W/"other", "another"'],
      ['the tag in upper case', () => etag.toUpperCase()],
      ['a prefix of the tag', () => `${etag.slice(0, -2)}"`],
      ['the tag with trailing garbage (not a list: ignored)', () => `${etag}x`],
    ])('answers 200 to %s', async (_what, header) => {
      const response = await request(api.baseUrl).get(path).set('If-None-Match', header()).expect(200);
      expect(response.headers['content-type']).toBe('image/png');
    });
  });

  it('answers 404 without the file’s caching headers when its bytes are gone', async () => {
    const { id, file } = await processed(await makeImage(4, 4), 'gone.png', 'image/png');
    const row = await prisma().assetFile.findFirstOrThrow({ where: { assetId: id } });
    await worker.get(StorageService).remove(row.objectKey);
    const response = await request(api.baseUrl).get(pathOf(file?.url ?? ''));
    expectContentfulError(response, 404, 'NotFound');
    expect(response.headers['cache-control']).toBeUndefined();
    expect(response.headers['content-disposition']).toBeUndefined();
    expect(response.headers.etag).toBeUndefined();
  });
});
