import type { INestApplicationContext } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import request from 'supertest';
import { PrismaService } from '@hangar/database';
import { StorageService } from '@hangar/storage';
import { type RunningApi, startApi } from './support/api-harness';
import { type AssetClient, createAsset, deliveryPathOf, fileField, processLocale, waitForProcessing } from './support/assets';
import { objectBytes } from './support/bucket';
import { expectContentfulError } from './support/contentful-shape';
import { JSON_TYPE, newSpace, newUser, type TestUser } from './support/factories';
import { FORM_TYPE, formBody, formEnd, partHead } from './support/form-data';
import { makeImage } from './support/images';
import { waitFor } from './support/processes';
import { rawUpload } from './support/raw-http';
import { allUploadLeftovers } from './support/upload-inspection';
import { startWorker } from './support/worker-harness';

const MiB = 1024 * 1024;
const MAX_BYTES = 20 * MiB;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

interface UploadJson {
  sys: { type: 'Upload'; id: string };
  details: { size: number; sha256: string; fileName?: string; contentType?: string };
}

/**
 * The Upload API's other doors: multipart/form-data (every file part its own
 * upload, all or nothing per request) and base64 JSON, each ending in the same
 * ingestion core as the octet-stream door.
 */
describe('Upload API doors: multipart/form-data and base64 JSON', () => {
  let api: RunningApi;
  let user: TestUser;

  beforeAll(async () => {
    // One slot per user: a form with several files takes one for the whole request, not one per file.
    api = await startApi({
      UPLOAD_MAX_BYTES: String(MAX_BYTES),
      UPLOAD_CONCURRENCY_PER_USER: '1',
      UPLOAD_IDLE_TIMEOUT_SECONDS: '2',
      PUBLIC_BASE_URL: 'http://media.test:3000',
    });
    user = await newUser(api.baseUrl);
  });
  afterAll(async () => {
    await api.close();
  });

  // A string goes as it is: superagent would serialize a Buffer sent as JSON to {"type":"Buffer",…}.
  const post = (spaceId: string, type: string, body: Buffer | string) =>
    request(api.baseUrl).post(`/spaces/${spaceId}/uploads`).set(user.auth).set('Content-Type', type).send(body);
  /** The bytes an upload references (the same bytes sent twice in a space are stored once, at the first one's key). */
  const stored = async (spaceId: string, id: string) => {
    const { objectKey } = await api.app.get(PrismaService).upload.findFirstOrThrow({ where: { id, spaceId } });
    return objectBytes(api.app.get(StorageService), objectKey);
  };
  const nothingLeft = { rows: 0, objects: [], multipart: [] };

  describe('multipart/form-data', () => {
    it('stores one file part and answers 201 with its Upload resource, with the part name and type', async () => {
      const spaceId = await newSpace(api.baseUrl, user);
      const bytes = randomBytes(300_000);
      const response = await post(
        spaceId,
        FORM_TYPE,
        formBody([{ name: 'file', fileName: 'photo.jpg', contentType: 'image/jpeg', data: bytes }]),
      );
      expect(response.status).toBe(201);
      expect(response.headers['content-type']).toMatch(/^application\/vnd\.contentful\.management\.v1\+json/);
      const upload = response.body as UploadJson;
      expect(upload.sys.type).toBe('Upload');
      expect(upload.details).toEqual({ size: bytes.length, sha256: sha256(bytes), fileName: 'photo.jpg', contentType: 'image/jpeg' });
      expect((await stored(spaceId, upload.sys.id)).equals(bytes)).toBe(true);
      const fetched = await request(api.baseUrl).get(`/spaces/${spaceId}/uploads/${upload.sys.id}`).set(user.auth).expect(200);
      expect(fetched.body).toEqual(response.body);
    });

    it('stores three files as three uploads and answers with an Array in part order; text fields are ignored or describe the next file', async () => {
      const spaceId = await newSpace(api.baseUrl, user);
      const files = [randomBytes(1000), randomBytes(6 * MiB), randomBytes(10)];
      const response = await request(api.baseUrl)
        .post(`/spaces/${spaceId}/environments/master/uploads`)
        .set(user.auth)
        .set('Content-Type', FORM_TYPE)
        .send(
          formBody([
            { name: 'title', data: 'ignored' },
            { name: 'files', fileName: 'a.txt', contentType: 'text/plain', data: files[0] as Buffer },
            { name: 'fileName', data: 'renamed.bin' },
            { name: 'contentType', data: 'application/x-custom' },
            { name: 'files', fileName: 'b.bin', contentType: 'application/octet-stream', data: files[1] as Buffer },
            { name: '_charset_', data: 'UTF-8' },
            { name: 'files', fileName: 'c.png', contentType: 'image/png', data: files[2] as Buffer },
          ]),
        );
      expect(response.status).toBe(201);
      const body = response.body as { sys: { type: string }; total: number; skip: number; limit: number; items: UploadJson[] };
      expect(body).toMatchObject({ sys: { type: 'Array' }, total: 3, skip: 0, limit: 3 });
      expect(body.items.map((item) => item.details)).toEqual([
        { size: 1000, sha256: sha256(files[0] as Buffer), fileName: 'a.txt', contentType: 'text/plain' },
        { size: 6 * MiB, sha256: sha256(files[1] as Buffer), fileName: 'renamed.bin', contentType: 'application/x-custom' },
        { size: 10, sha256: sha256(files[2] as Buffer), fileName: 'c.png', contentType: 'image/png' },
      ]);
      for (const [index, item] of body.items.entries())
        expect((await stored(spaceId, item.sys.id)).equals(files[index] as Buffer)).toBe(true);
      expect((await allUploadLeftovers(api.app, spaceId)).rows).toBe(3);
    });

    it('keeps UTF-8 file names, raw or as filename*, and drops a path', async () => {
      const spaceId = await newSpace(api.baseUrl, user);
      const response = await post(
        spaceId,
        FORM_TYPE,
        formBody([
          { name: 'f', fileName: 'Grüße 日本 🎉.txt', contentType: 'text/plain', data: 'one' },
          { name: 'f', fileNameStar: "UTF-8''%E6%97%A5%E6%9C%AC%E8%AA%9E.png", contentType: 'image/png', data: 'two' },
          { name: 'f', fileName: 'C:\\Temp\\yourImage.png', contentType: 'image/png', data: 'three' },
        ]),
      ).expect(201);
      const names = (response.body as { items: UploadJson[] }).items.map((item) => item.details.fileName);
      expect(names).toEqual(['Grüße 日本 🎉.txt', '日本語.png', 'yourImage.png']);
    });

    it('skips an empty file input (no file chosen) and keeps a part without a name', async () => {
      const spaceId = await newSpace(api.baseUrl, user);
      const response = await post(
        spaceId,
        FORM_TYPE,
        formBody([
          { name: 'avatar', fileName: '', contentType: 'application/octet-stream', data: '' },
          { name: 'blob', contentType: 'application/octet-stream', data: 'bytes' },
        ]),
      ).expect(201);
      expect((response.body as UploadJson).details).toEqual({
        size: 5,
        sha256: sha256(Buffer.from('bytes')),
        contentType: 'application/octet-stream',
      });
    });

    it('refuses a 1,000-part body at the files limit with 413, removing the files it had stored', async () => {
      const spaceId = await newSpace(api.baseUrl, user);
      const parts = Array.from({ length: 1000 }, (_, index) => ({
        name: 'f',
        fileName: `${index}.txt`,
        contentType: 'text/plain',
        data: `${index}`,
      }));
      const response = await post(spaceId, FORM_TYPE, formBody(parts));
      expectContentfulError(response, 413, 'RequestEntityTooLarge');
      expect(response.body.details).toEqual({ limit: 'files', max: 100 });
      expect(await allUploadLeftovers(api.app, spaceId)).toEqual(nothingLeft);

      const fields = Array.from({ length: 1000 }, (_, index) => ({ name: `field${index}`, data: 'x' }));
      const manyFields = await post(spaceId, FORM_TYPE, formBody([{ name: 'f', fileName: 'a.txt', data: 'a' }, ...fields]));
      expectContentfulError(manyFields, 413, 'RequestEntityTooLarge');
      expect(manyFields.body.details).toEqual({ limit: 'fields', max: 100 });
      expect(await allUploadLeftovers(api.app, spaceId)).toEqual(nothingLeft);
    });

    it('refuses a part over UPLOAD_MAX_BYTES with 413 and leaves nothing, not even the file before it', async () => {
      const spaceId = await newSpace(api.baseUrl, user);
      const response = await post(
        spaceId,
        FORM_TYPE,
        formBody([
          { name: 'f', fileName: 'fits.bin', data: randomBytes(7 * MiB) },
          { name: 'f', fileName: 'too-big.bin', data: randomBytes(MAX_BYTES + 1) },
        ]),
      );
      expectContentfulError(response, 413, 'RequestEntityTooLarge');
      expect(await allUploadLeftovers(api.app, spaceId)).toEqual(nothingLeft);
    });

    it.each([
      ['no boundary', 'multipart/form-data', formBody([{ name: 'f', fileName: 'a', data: 'a' }])],
      ['a boundary the body does not use', 'multipart/form-data; boundary=x', Buffer.from('{}')],
      ['another boundary', 'multipart/form-data; boundary=other', formBody([{ name: 'f', fileName: 'a', data: 'a' }])],
      [
        'a body cut before its closing boundary',
        FORM_TYPE,
        Buffer.concat([partHead({ name: 'f', fileName: 'a.txt' }), Buffer.from('abc')]),
      ],
      [
        'the multer #1338 payload',
        'multipart/form-data; boundary=----FormBoundary',
        Buffer.from(
          '------FormBoundary\r\nContent-Disposition: form-data; name="image"; filename=""\r\nContent-Type: application/octet-stream\r\n\r\n\r\n------FormBoundar',
        ),
      ],
      ['only text fields', FORM_TYPE, formBody([{ name: 'title', data: 'x' }])],
      [
        'a describing field after the last file',
        FORM_TYPE,
        formBody([
          { name: 'f', fileName: 'a', data: 'a' },
          { name: 'fileName', data: 'b' },
        ]),
      ],
    ])('refuses %s with 400 and leaves nothing', async (_name, type, body) => {
      const spaceId = await newSpace(api.baseUrl, user);
      expectContentfulError(await post(spaceId, type, body), 400, 'BadRequest');
      expect(await allUploadLeftovers(api.app, spaceId)).toEqual(nothingLeft);
    });

    it('refuses file names and types an asset could not take, naming where they came from', async () => {
      const spaceId = await newSpace(api.baseUrl, user);
      const nul = await post(
        spaceId,
        FORM_TYPE,
        formBody([
          { name: 'fileName', data: 'a\u0000b' },
          { name: 'f', fileName: 'a', data: 'a' },
        ]),
      );
      expectContentfulError(nul, 400, 'BadRequest');
      expect(nul.body.details).toEqual({ path: ['fileName'] });
      const bidi = await post(spaceId, FORM_TYPE, formBody([{ name: 'f', fileName: 'invoice\u202Efdp.exe', data: 'a' }]));
      expectContentfulError(bidi, 422, 'ValidationFailed');
      expect(bidi.body.details.errors[0].path).toEqual(['f', 'filename']);
      const type = await post(
        spaceId,
        FORM_TYPE,
        formBody([
          { name: 'contentType', data: 'html' },
          { name: 'f', fileName: 'a', data: 'a' },
        ]),
      );
      expectContentfulError(type, 422, 'ValidationFailed');
      expect(type.body.details.errors[0].path).toEqual(['contentType']);
      expect(await allUploadLeftovers(api.app, spaceId)).toEqual(nothingLeft);
    });

    it('leaves nothing when the client goes away during the second file, after its multipart upload began', async () => {
      const spaceId = await newSpace(api.baseUrl, user);
      const prisma = api.app.get(PrismaService);
      const url = new URL(`/spaces/${spaceId}/uploads`, api.baseUrl);
      const req = httpRequest(url, {
        method: 'POST',
        agent: false,
        headers: { ...user.auth, 'Content-Type': FORM_TYPE, 'Transfer-Encoding': 'chunked' },
      });
      req.on('error', () => undefined);
      const write = (bytes: Buffer) => new Promise<void>((resolve) => (req.write(bytes) ? resolve() : req.once('drain', resolve)));
      await write(Buffer.concat([partHead({ name: 'f', fileName: 'first.bin' }), randomBytes(7 * MiB), Buffer.from('\r\n')]));
      await write(partHead({ name: 'f', fileName: 'second.bin' }));
      // Send the second file until its session has an S3 multipart upload of its own, then vanish. (The first file,
      // 7 MiB, has one too: the second is the session opened after it.)
      const secondStarted = async () => {
        const sessions = await prisma.upload.findMany({
          where: { spaceId },
          orderBy: { createdAt: 'asc' },
          select: { multipartUploadId: true },
        });
        return sessions[1]?.multipartUploadId != null;
      };
      try {
        for (let sent = 0; sent < 18 && !(await secondStarted()); sent += 1) await write(randomBytes(MiB));
        await waitFor(secondStarted, 10_000, 'the second file to begin its multipart upload');
        expect((await allUploadLeftovers(api.app, spaceId)).rows).toBe(2);
        // The first file is stored whole but not ready: an api killed now leaves two pending rows the purge removes.
        expect(await prisma.upload.count({ where: { spaceId, status: 'ready' } })).toBe(0);
      } finally {
        // Also when an expectation failed: an open form would hold the suite's one upload slot for the next test.
        req.destroy();
      }
      await waitFor(async () => (await allUploadLeftovers(api.app, spaceId)).rows === 0, 10_000, 'the request to be rolled back');
      expect(await allUploadLeftovers(api.app, spaceId)).toEqual(nothingLeft);
    });

    it('holds one upload slot for the whole form: another body meanwhile is 429, the form still completes', async () => {
      const spaceId = await newSpace(api.baseUrl, user);
      const url = new URL(`/spaces/${spaceId}/uploads`, api.baseUrl);
      const req = httpRequest(url, {
        method: 'POST',
        agent: false,
        headers: { ...user.auth, 'Content-Type': FORM_TYPE, 'Transfer-Encoding': 'chunked' },
      });
      const answered = new Promise<number>((resolve, reject) => {
        req.on('response', (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
      });
      const first = randomBytes(1000);
      req.write(Buffer.concat([partHead({ name: 'f', fileName: 'a.bin' }), first, Buffer.from('\r\n')]));
      const prisma = api.app.get(PrismaService);
      await waitFor(async () => (await prisma.upload.count({ where: { spaceId } })) === 1, 10_000, 'the first file to be stored');
      // UPLOAD_CONCURRENCY_PER_USER is 1 in this suite: the form holds it between its files too.
      const meanwhile = await post(spaceId, 'application/octet-stream', Buffer.from('other'));
      expectContentfulError(meanwhile, 429, 'RateLimitExceeded');
      req.end(Buffer.concat([partHead({ name: 'f', fileName: 'b.bin' }), Buffer.from('second'), Buffer.from('\r\n'), formEnd()]));
      expect(await answered).toBe(201);
      expect((await allUploadLeftovers(api.app, spaceId)).rows).toBe(2);
      await post(spaceId, 'application/octet-stream', Buffer.from('after')).expect(201);
    });

    it('ends a form that goes silent between two parts with 408 and leaves nothing', async () => {
      const spaceId = await newSpace(api.baseUrl, user);
      const response = await rawUpload({
        baseUrl: api.baseUrl,
        path: `/spaces/${spaceId}/uploads`,
        headers: { ...user.auth, 'Content-Type': FORM_TYPE },
        chunks: [formBody([{ name: 'f', fileName: 'a.txt', data: 'first' }]).subarray(0, -formEnd().length), formEnd()],
        delayMs: 3_000,
      });
      expect(response).toMatchObject({ status: 408, body: { sys: { type: 'Error', id: 'RequestTimeout' } } });
      expect(await allUploadLeftovers(api.app, spaceId)).toEqual(nothingLeft);
    });
  });

  describe('base64 JSON', () => {
    const json = (spaceId: string, body: unknown, type = 'application/json') =>
      post(spaceId, type, typeof body === 'string' ? body : JSON.stringify(body));

    it('stores the decoded data with its name and type (plain and Contentful JSON types), past the global JSON body limit', async () => {
      const spaceId = await newSpace(api.baseUrl, user);
      const bytes = randomBytes(3 * MiB); // 4 MiB of base64: over JSON_BODY_LIMIT_BYTES
      for (const type of ['application/json', JSON_TYPE]) {
        const response = await json(spaceId, { name: 'Item picture.png', type: 'image/png', data: bytes.toString('base64') }, type);
        expect(response.status).toBe(201);
        const upload = response.body as UploadJson;
        expect(upload.details).toEqual({
          size: bytes.length,
          sha256: sha256(bytes),
          fileName: 'Item picture.png',
          contentType: 'image/png',
        });
        expect((await stored(spaceId, upload.sys.id)).equals(bytes)).toBe(true);
      }
    });

    it('takes a data: URI, whose media type is the type when none is given', async () => {
      const spaceId = await newSpace(api.baseUrl, user);
      const bytes = randomBytes(1000);
      const response = await json(spaceId, { data: `data:image/gif;base64,${bytes.toString('base64')}`, name: 'a.gif' }).expect(201);
      expect((response.body as UploadJson).details).toEqual({
        size: 1000,
        sha256: sha256(bytes),
        fileName: 'a.gif',
        contentType: 'image/gif',
      });
    });

    it('refuses invalid base64 with 400 naming data, and leaves nothing', async () => {
      const spaceId = await newSpace(api.baseUrl, user);
      const response = await json(spaceId, { name: 'a.png', type: 'image/png', data: `${randomBytes(6 * MiB).toString('base64')}*` });
      expectContentfulError(response, 400, 'BadRequest');
      expect(response.body.details).toEqual({ path: ['data'] });
      expectContentfulError(await json(spaceId, '{"name":"a.png","data":"QUJD'), 400, 'BadRequest');
      expectContentfulError(await json(spaceId, { name: 'a.png' }), 400, 'BadRequest');
      expect(await allUploadLeftovers(api.app, spaceId)).toEqual(nothingLeft);
    });

    it('refuses NUL and lone surrogates in name and type with 400 naming the field', async () => {
      const spaceId = await newSpace(api.baseUrl, user);
      const nul = await json(spaceId, '{"data":"QUJD","name":"a\\u0000b"}');
      expectContentfulError(nul, 400, 'BadRequest');
      expect(nul.body.details).toEqual({ path: ['name'] });
      const surrogate = await json(spaceId, '{"type":"image/png\\ud800","data":"QUJD"}');
      expectContentfulError(surrogate, 400, 'BadRequest');
      expect(surrogate.body.details).toEqual({ path: ['type'] });
      expect(await allUploadLeftovers(api.app, spaceId)).toEqual(nothingLeft);
    });

    it('refuses a body over its cap with 413: by Content-Length before reading, or as it streams', async () => {
      const spaceId = await newSpace(api.baseUrl, user);
      const declared = await rawUpload({
        baseUrl: api.baseUrl,
        path: `/spaces/${spaceId}/uploads`,
        headers: { ...user.auth, 'Content-Type': 'application/json', 'Content-Length': String(40 * MiB) },
        chunks: [Buffer.from('{"data":"')],
      });
      expect(declared).toMatchObject({ status: 413, body: { sys: { id: 'RequestEntityTooLarge' } } });
      const data = randomBytes(MAX_BYTES + 3).toString('base64');
      const chunks = [
        Buffer.from('{"name":"big.bin","data":"'),
        ...Array.from({ length: Math.ceil(data.length / MiB) }, (_, i) => Buffer.from(data.slice(i * MiB, (i + 1) * MiB))),
        Buffer.from('"}'),
      ];
      const streamed = await rawUpload({
        baseUrl: api.baseUrl,
        path: `/spaces/${spaceId}/uploads`,
        headers: { ...user.auth, 'Content-Type': 'application/json' },
        chunks,
      });
      expect(streamed).toMatchObject({ status: 413, body: { sys: { id: 'RequestEntityTooLarge' } } });
      expect(await allUploadLeftovers(api.app, spaceId)).toEqual(nothingLeft);
    });

    it('still answers 415 for other media types, naming every door', async () => {
      const spaceId = await newSpace(api.baseUrl, user);
      const response = await post(spaceId, 'image/png', 'x');
      expectContentfulError(response, 415, 'UnsupportedMediaType');
      expect(response.body.details).toEqual({
        accepted: ['application/octet-stream', 'multipart/form-data', 'application/json', JSON_TYPE],
      });
    });
  });

  describe('through processing', () => {
    let worker: INestApplicationContext;
    beforeAll(async () => {
      worker = await startWorker({ PUBLIC_BASE_URL: 'http://media.test:3000' });
    });
    afterAll(async () => {
      await worker.close();
    });

    async function processAndFetch(spaceId: string, uploadId: string, fileName: string, contentType: string) {
      const c: AssetClient = { baseUrl: api.baseUrl, auth: user.auth, spaceId };
      const created = await createAsset(c, { file: { 'en-US': fileField(uploadId, fileName, contentType) } }).expect(201);
      await processLocale(c, created.body.sys.id, 'en-US', 1).expect(204);
      const { body } = await waitForProcessing(c, created.body.sys.id, 'en-US', 30_000);
      const file = body.fields.file?.['en-US'];
      const delivered = await request(api.baseUrl)
        .get(deliveryPathOf(file?.url))
        .buffer(true)
        .parse((res, done) => {
          const parts: Buffer[] = [];
          res.on('data', (chunk: Buffer) => parts.push(chunk));
          res.on('end', () => done(null, Buffer.concat(parts)));
        })
        .expect(200);
      return { file, delivered };
    }

    it('a form file and a base64 JSON file become assets with the right size, type and bytes', async () => {
      const spaceId = await newSpace(api.baseUrl, user);
      const png = await makeImage(12, 8);
      const viaForm = (
        await post(spaceId, FORM_TYPE, formBody([{ name: 'file', fileName: 'form.png', contentType: 'image/png', data: png }])).expect(201)
      ).body as UploadJson;
      const viaJson = (
        await post(
          spaceId,
          'application/json',
          JSON.stringify({ name: 'json.png', type: 'image/png', data: png.toString('base64') }),
        ).expect(201)
      ).body as UploadJson;
      for (const upload of [viaForm, viaJson]) {
        const { file, delivered } = await processAndFetch(
          spaceId,
          upload.sys.id,
          upload.details.fileName ?? '',
          upload.details.contentType ?? '',
        );
        expect(file?.details).toMatchObject({ size: png.length, image: { width: 12, height: 8 } });
        expect(file?.contentType).toBe('image/png');
        expect(delivered.headers['content-type']).toBe('image/png');
        expect((delivered.body as Buffer).equals(png)).toBe(true);
      }
    });
  });
});
