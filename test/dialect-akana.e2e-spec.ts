import type { INestApplicationContext } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import request from 'supertest';
import yazl from 'yazl';
import { PrismaService } from '@hangar/database';
import { StorageService } from '@hangar/storage';
import { type RunningApi, startApi } from './support/api-harness';
import { expectContentfulError } from './support/contentful-shape';
import { curl } from './support/curl';
import { addMember, JSON_TYPE, newSpace, newUser, type TestUser } from './support/factories';
import { formBody, FORM_TYPE } from './support/form-data';
import { makeImage } from './support/images';
import { startWorker } from './support/worker-harness';
import { buildZip, renameEntry } from './support/zip';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const MAX_BYTES = 4 * 1024 * 1024;
/** The seed's sample request headers, the CSRF token included (Hangar needs none, and ignores it). */
const SEED_HEADERS = [
  '-H',
  'Accept: */*',
  '-H',
  'Content-Type: application/x-www-form-urlencoded',
  '-H',
  'X-Csrf-Token_acmepaymentscorp: TokenID%3D8ed70a13-8469-11e8-b37a-b155e4eabeb8%2CexpirationTime%3D153',
];

/** A small ZIP archive, as Postman uploads one to create a documentation folder. */
async function zipOf(entries: Record<string, string>): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, text] of Object.entries(entries)) zip.addBuffer(Buffer.from(text), name);
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('Akana content API dialect', () => {
  let api: RunningApi;
  let owner: TestUser;
  let spaceId: string;
  let token: string;
  let prisma: PrismaService;
  let storage: StorageService;
  let worker: INestApplicationContext;

  beforeAll(async () => {
    api = await startApi({ UPLOAD_MAX_BYTES: String(MAX_BYTES) });
    // ZIP uploads are expanded by the worker, and Akana answers once they are.
    worker = await startWorker({ UPLOAD_MAX_BYTES: String(MAX_BYTES) });
    owner = await newUser(api.baseUrl);
    spaceId = await newSpace(api.baseUrl, owner);
    const issued = await request(api.baseUrl)
      .post('/users/me/access_tokens')
      .set(owner.auth)
      .set('Content-Type', JSON_TYPE)
      .send({ name: 'akana', scopes: ['content_management_manage'], space: { sys: { type: 'Link', linkType: 'Space', id: spaceId } } })
      .expect(201);
    token = (issued.body as { token: string }).token;
    prisma = api.app.get(PrismaService);
    storage = api.app.get(StorageService);
  });
  afterAll(async () => {
    await worker.close();
    await api.close();
  });

  const auth = () => ['-H', `Authorization: Bearer ${token}`];
  const read = (path: string) => curl([`${api.baseUrl}/content/${path}`, ...auth()]);
  /** Akana's success: 200, no content, text/html. */
  const expectNoContent = (answer: { status: number; body: Buffer; headers: Record<string, string> }) => {
    expect(answer.status).toBe(200);
    expect(answer.body.length).toBe(0);
    expect(answer.headers['content-type']).toMatch(/^text\/html/);
  };

  it('request #1: creates the folder with its empty table of contents (?body= and body=%7B%7D as the seed sends them)', async () => {
    const path = 'api/api18969.acmepaymentscorp/documents/assets/toc.apiversion20693.acmepaymentscorp.json';
    const answer = await curl([
      '-X',
      'POST',
      `${api.baseUrl}/content/${path}?body=%7B%7D`,
      ...SEED_HEADERS,
      ...auth(),
      '--data-raw',
      'body=%7B%7D',
    ]);
    expectNoContent(answer);
    const stored = await read(path);
    expect(stored.status).toBe(200);
    expect(stored.body.toString()).toBe('{}');
    expect(stored.headers['content-type']).toBe('application/json');
    const folder = await request(api.baseUrl)
      .get(`/spaces/${spaceId}/folders/api/api18969.acmepaymentscorp/documents/assets`)
      .set(owner.auth);
    expect(folder.status).toBe(200);
    expect((folder.body as { items: { name: string }[] }).items.map((item) => item.name)).toEqual([
      'toc.apiversion20693.acmepaymentscorp.json',
    ]);
  });

  it('request #2: a legal agreement from ?body= alone (+ is a space)', async () => {
    const path = 'api/0af593d7-6a4f-47ed-a058-4e1f77b26dab.acmepaymentscorp/legal/eula.txt';
    const answer = await curl(['-X', 'POST', `${api.baseUrl}/content/${path}?body=End+user+license+agreement`, ...SEED_HEADERS, ...auth()]);
    expectNoContent(answer);
    const stored = await read(path);
    expect(stored.body.toString()).toBe('End user license agreement');
    expect(stored.headers['content-type']).toBe('text/plain; charset=utf-8');
  });

  it('request #3: publishes by updating the TOC with the seed’s URL-encoded body, a new version of it', async () => {
    const path =
      'api/1254cc85-f5a7-4dfc-aa98-c0a2ec258dae.acmepaymentscorp/legal/toc.ff46365a-ebac-4fd3-9cbd-f1ac20262f80.acmepaymentscorp.json';
    const seedBody =
      'body=%7B%22toc%22%3A%5B%22api_legal_agreement_acmepaymentscorp.txt%22%2C%22api_legal_agreement_acmepaymentscorp2.txt%22%5D%2C%22sequence%22%3A%5B%22api_legal_agreement_acmepaymentscorp.txt%22%2C%22api_legal_agreement_acmepaymentscorp2.txt%22%2C%22toc.ff46365a-ebac-4fd3-9cbd-f1ac20262f80.acmepaymentscorp.json%22%5D%2C%22displayNames%22%3A%7B%7D%7D';
    expectNoContent(await curl(['-X', 'POST', `${api.baseUrl}/content/${path}`, ...SEED_HEADERS, ...auth(), '--data-raw', 'body=%7B%7D']));
    expectNoContent(await curl(['-X', 'POST', `${api.baseUrl}/content/${path}`, ...SEED_HEADERS, ...auth(), '--data-raw', seedBody]));
    const stored = await read(path);
    expect(JSON.parse(stored.body.toString())).toEqual({
      toc: ['api_legal_agreement_acmepaymentscorp.txt', 'api_legal_agreement_acmepaymentscorp2.txt'],
      sequence: [
        'api_legal_agreement_acmepaymentscorp.txt',
        'api_legal_agreement_acmepaymentscorp2.txt',
        'toc.ff46365a-ebac-4fd3-9cbd-f1ac20262f80.acmepaymentscorp.json',
      ],
      displayNames: {},
    });
    const versions = await request(api.baseUrl).get(`/spaces/${spaceId}/file_versions/${path}`).set(owner.auth).expect(200);
    expect((versions.body as { total: number }).total).toBe(2);
  });

  it('request #4: folder=true creates the folder (explicit) with its default {} table of contents', async () => {
    expectNoContent(
      await curl(['-X', 'POST', `${api.baseUrl}/content/documentation`, ...SEED_HEADERS, ...auth(), '--data-raw', 'folder=true']),
    );
    expect((await read('documentation/toc.json')).body.toString()).toBe('{}');
    const folder = await request(api.baseUrl).get(`/spaces/${spaceId}/folders/documentation`).set(owner.auth).expect(200);
    expect((folder.body as { items: { name: string }[] }).items.map((item) => item.name)).toEqual(['toc.json']);
    const row = await prisma.fileFolder.findUnique({ where: { spaceId_path: { spaceId, path: 'documentation' } } });
    expect(row?.explicit).toBe(true);
    // `folder` may follow `body`: the bytes still land as the folder's TOC.
    expectNoContent(
      await curl([
        '-X',
        'POST',
        `${api.baseUrl}/content/help`,
        ...SEED_HEADERS,
        ...auth(),
        '--data-raw',
        'body=%7B%22toc%22%3A%5B%5D%7D&folder=true',
      ]),
    );
    expect((await read('help/toc.json')).body.toString()).toBe('{"toc":[]}');
  });

  it('request #4 with the uploaded ZIP (Postman): the archive is expanded under the path before the 200', async () => {
    const entries = { 'index.html': '<h1>help</h1>', 'toc.json': '{}', 'images/a.txt': 'a picture, in words' };
    const archive = await zipOf(entries);
    const answer = await curl(
      [
        '-X',
        'POST',
        `${api.baseUrl}/content/documentation/help`,
        ...auth(),
        '-F',
        'folder=true',
        '-F',
        'file=@{dir}/help.zip;type=application/zip',
      ],
      { 'help.zip': archive },
    );
    expectNoContent(answer);
    for (const [name, text] of Object.entries(entries)) {
      const stored = await read(`documentation/help/${name}`);
      expect([name, stored.status, sha256(stored.body)]).toEqual([name, 200, sha256(Buffer.from(text))]);
    }
    // The archive itself is not kept as a file.
    expect(await prisma.file.count({ where: { spaceId, path: { startsWith: 'documentation/help' } } })).toBe(3);
  });

  it('refuses a ZIP whose entry would escape its folder (422 with the reason) and writes nothing', async () => {
    // yazl refuses unsafe names: the escape is patched into both headers, as a hostile tool would write it.
    const archive = renameEntry(
      await buildZip([
        { name: 'fine.txt', bytes: Buffer.from('fine') },
        { name: 'xxxxxxxxxxxxxxxx.txt', bytes: Buffer.from('escape') },
      ]),
      'xxxxxxxxxxxxxxxx.txt',
      '../../../../evil.txt',
    );
    const answer = await request(api.baseUrl)
      .post('/content/zipped')
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', FORM_TYPE)
      .send(formBody([{ name: 'file', fileName: 'evil.zip', contentType: 'application/zip', data: archive }]));
    expectContentfulError(answer, 422, 'ValidationFailed');
    expect((answer.body as { details: { errors: { name: string }[] } }).details.errors[0]?.name).toBe('unsafe-path');
    expect(await prisma.file.count({ where: { spaceId, path: { startsWith: 'zipped' } } })).toBe(0);
  });

  it('writes one multipart file at the path, with type as the hint', async () => {
    const png = await makeImage(5, 5, 'png');
    expectNoContent(
      await curl(['-X', 'POST', `${api.baseUrl}/content/images/logo.png`, ...auth(), '-F', 'file=@{dir}/logo.png'], { 'logo.png': png }),
    );
    const stored = await read('images/logo.png');
    expect(sha256(stored.body)).toBe(sha256(png));
    expect(stored.headers['content-type']).toBe('image/png');
    expectNoContent(
      await curl(['-X', 'POST', `${api.baseUrl}/content/pages/a.json`, ...auth(), '-F', 'type=json', '-F', 'file=@{dir}/a'], {
        a: '{"a":1}',
      }),
    );
    expect((await read('pages/a.json')).headers['content-type']).toBe('application/json');
  });

  it('streams a large binary body= into the file (not the JSON body limit), byte for byte', async () => {
    const bytes = randomBytes(3 * 1024 * 1024);
    const encoded = `type=application%2Foctet-stream&body=${encodeURIComponent(bytes.toString('latin1')).replace(
      /%C3%([0-9A-F]{2})|%C2%([0-9A-F]{2})/g,
      (m, a: string, b: string) => (a !== undefined ? `%${(parseInt(a, 16) + 0x40).toString(16).toUpperCase()}` : `%${b}`),
    )}`;
    // (encodeURIComponent writes UTF-8; the regex turns each 2-byte sequence back into the one byte it stands for.)
    const answer = await curl(
      ['-X', 'POST', `${api.baseUrl}/content/blobs/random.bin`, ...SEED_HEADERS, ...auth(), '--data-binary', '@{dir}/form'],
      { form: encoded },
    );
    expectNoContent(answer);
    const meta = await request(api.baseUrl).get(`/spaces/${spaceId}/file_metadata/blobs/random.bin`).set(owner.auth).expect(200);
    expect((meta.body as { sha256: string; size: number }).sha256).toBe(sha256(bytes));
    expect((meta.body as { size: number }).size).toBe(bytes.length);
  });

  it('refuses an empty file, a body over the cap, a second file part and unknown types, leaving nothing', async () => {
    const post = (path: string) => request(api.baseUrl).post(`/content/${path}`).set('Authorization', `Bearer ${token}`);
    expectContentfulError(
      await post('empty.txt').set('Content-Type', 'application/x-www-form-urlencoded').send('type=txt'),
      400,
      'BadRequest',
    );
    const tooLarge = await post('big.bin')
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send(`body=${'a'.repeat(MAX_BYTES + 1)}`);
    expectContentfulError(tooLarge, 413, 'RequestEntityTooLarge');
    const two = await post('two.txt')
      .set('Content-Type', FORM_TYPE)
      .send(
        formBody([
          { name: 'file', fileName: 'a.txt', data: 'a' },
          { name: 'file', fileName: 'b.txt', data: 'b' },
        ]),
      );
    expectContentfulError(two, 400, 'BadRequest');
    expectContentfulError(
      await post('t.txt').set('Content-Type', 'application/x-www-form-urlencoded').send('body=x&type=%%%'),
      400,
      'BadRequest',
    );
    expectContentfulError(await post('j.txt').set('Content-Type', 'application/json').send('{}'), 415, 'UnsupportedMediaType');
    for (const path of ['empty.txt', 'big.bin', 'two.txt', 't.txt', 'j.txt']) {
      expect(await prisma.file.count({ where: { spaceId, path } })).toBe(0);
    }
    const keys = await storage.listKeys(`files/${spaceId}/`);
    const owned = await prisma.fileVersion.findMany({ where: { file: { spaceId } }, select: { objectKey: true } });
    // Versions of the same bytes share one stored object (a blob).
    expect(keys.sort()).toEqual([...new Set(owned.map((row) => row.objectKey))].sort());
  });

  it('finds the space of an unbound token in X-Hangar-Space (else 400); a viewer reads but cannot write', async () => {
    expectNoContent(
      await curl([
        '-X',
        'POST',
        `${api.baseUrl}/content/notes/h.txt?body=hello`,
        '-H',
        `Authorization: Bearer ${owner.token}`,
        '-H',
        `X-Hangar-Space: ${spaceId}`,
      ]),
    );
    expect((await read('notes/h.txt')).body.toString()).toBe('hello');
    const noSpace = await request(api.baseUrl).get('/content/notes/h.txt').set(owner.auth);
    expectContentfulError(noSpace, 400, 'BadRequest');
    const viewer = await newUser(api.baseUrl);
    await addMember(api.baseUrl, spaceId, viewer.id, 'viewer');
    const asViewer = { ...viewer.auth, 'X-Hangar-Space': spaceId };
    const readable = await request(api.baseUrl).get('/content/notes/h.txt').set(asViewer).buffer(true);
    expect(readable.status).toBe(200);
    expectContentfulError(await request(api.baseUrl).post('/content/notes/v.txt?body=x').set(asViewer), 403, 'AccessDenied');
    expectContentfulError(
      await request(api.baseUrl).get('/content/notes/missing.txt').set('Authorization', `Bearer ${token}`),
      404,
      'NotFound',
    );
    expectContentfulError(await request(api.baseUrl).get('/content/notes/h.txt'), 401, 'AccessTokenInvalid');
  });
});
