import { createHash } from 'node:crypto';
import request from 'supertest';
import { APP_CONFIG, type AppConfig } from '@hangar/config';
import { PrismaService } from '@hangar/database';
import { StorageService } from '@hangar/storage';
import { type RunningApi, startApi } from './support/api-harness';
import { objectExists } from './support/bucket';
import { expectContentfulError } from './support/contentful-shape';
import { curl } from './support/curl';
import { addMember, JSON_TYPE, newSpace, newUser, type TestUser } from './support/factories';
import { formBody, FORM_TYPE } from './support/form-data';
import { makeImage } from './support/images';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const SIGNING_KEY = `cap:${'c'.repeat(40)}`;

interface CapillaryAnswer {
  code: number;
  status: string;
  message: string;
  file: {
    name: string;
    namespace: string;
    version: number;
    acl: string;
    fileSize: string;
    file_handle: string;
    content_type: string;
    s3_token: string;
    latest_version: number;
    last_modified: string;
    s3_url: string;
  };
  secureFilePath: string;
}

/** A token bound to `spaceId`, as a Capillary deployment would hand out. */
async function boundToken(baseUrl: string, user: TestUser, spaceId: string): Promise<string> {
  const response = await request(baseUrl)
    .post('/users/me/access_tokens')
    .set(user.auth)
    .set('Content-Type', JSON_TYPE)
    .send({ name: 'capillary', scopes: ['content_management_manage'], space: { sys: { type: 'Link', linkType: 'Space', id: spaceId } } })
    .expect(201);
  return (response.body as { token: string }).token;
}

/** Checks every field of Capillary's documented upload answer against what we know independently. */
function expectCapillaryFile(
  answer: CapillaryAnswer,
  expected: { name: string; namespace: string; version: number; size: number; contentType: string; bucket: string },
): void {
  expect(Object.keys(answer).sort()).toEqual(['code', 'file', 'message', 'secureFilePath', 'status']);
  expect(answer.code).toBe(200);
  expect(answer.status).toBe('true');
  expect(answer.message).toBe('Successfully uploaded file');
  expect(Object.keys(answer.file).sort()).toEqual(
    [
      'name',
      'namespace',
      'version',
      'acl',
      'fileSize',
      'file_handle',
      'content_type',
      's3_token',
      'latest_version',
      'last_modified',
      's3_url',
    ].sort(),
  );
  expect(answer.file.name).toBe(expected.name);
  expect(answer.file.namespace).toBe(expected.namespace);
  expect(answer.file.version).toBe(expected.version);
  expect(answer.file.latest_version).toBe(expected.version);
  expect(answer.file.acl).toBe('PRIVATE');
  // Numbers as strings, exactly as the seed shows: "fileSize": "51".
  expect(answer.file.fileSize).toBe(String(expected.size));
  expect(answer.file.content_type).toBe(expected.contentType);
  expect(answer.file.file_handle).toMatch(/^\S+$/);
  expect(answer.file.last_modified).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  expect(Math.abs(Date.parse(`${answer.file.last_modified.replace(' ', 'T')}Z`) - Date.now())).toBeLessThan(60_000);
  expect(answer.file.s3_url).toBe(`s3://${expected.bucket}/${answer.file.s3_token}`);
  expect(typeof answer.secureFilePath).toBe('string');
}

describe('Capillary file service dialect', () => {
  let api: RunningApi;
  let owner: TestUser;
  let spaceId: string;
  let token: string;
  let storage: StorageService;
  let prisma: PrismaService;
  let png: Buffer;

  beforeAll(async () => {
    api = await startApi({ FILE_URL_SIGNING_KEYS: SIGNING_KEY, UPLOAD_MAX_BYTES: String(4 * 1024 * 1024) });
    owner = await newUser(api.baseUrl);
    spaceId = await newSpace(api.baseUrl, owner);
    token = await boundToken(api.baseUrl, owner, spaceId);
    storage = api.app.get(StorageService);
    prisma = api.app.get(PrismaService);
    png = await makeImage(8, 6, 'png');
  });
  afterAll(async () => {
    await api.close();
  });

  /** A URL the api made, at the test api (PUBLIC_BASE_URL names the deployment's host; the signature covers the path and query). */
  const local = (url: string) => {
    const parsed = new URL(url);
    return `${api.baseUrl}${parsed.pathname}${parsed.search}`;
  };
  const fileUrl = (namespace: string, name: string) => `${api.baseUrl}/api_gateway/file-service/${namespace}/${name}`;

  it('runs the seed’s example as written (HTTP Basic, -F file=@…): version 1, then version 2 of the same name', async () => {
    const first = await curl(
      ['-X', 'POST', fileUrl('rewards', 'test.png'), '-u', `capillary:${token}`, '-F', 'file=@{dir}/IMG_20220730_180352311.png'],
      {
        'IMG_20220730_180352311.png': png,
      },
    );
    expect(first.status).toBe(200);
    const one = first.json<CapillaryAnswer>();
    expectCapillaryFile(one, {
      name: 'test.png',
      namespace: 'rewards',
      version: 1,
      size: png.length,
      contentType: 'image/png',
      bucket: storage.bucket,
    });

    const second = await makeImage(9, 7, 'png');
    const again = await curl(['-X', 'POST', fileUrl('rewards', 'test.png'), '-u', `any-user:${token}`, '-F', 'file=@{dir}/other.png'], {
      'other.png': second,
    });
    expect(again.status).toBe(200);
    const two = again.json<CapillaryAnswer>();
    expectCapillaryFile(two, {
      name: 'test.png',
      namespace: 'rewards',
      version: 2,
      size: second.length,
      contentType: 'image/png',
      bucket: storage.bucket,
    });
    expect(two.file.file_handle).toBe(one.file.file_handle);
    expect(two.file.s3_token).not.toBe(one.file.s3_token);

    // The secure path fetches exactly the bytes of its version, without any credentials; the object is where s3_token says.
    const fetched = await curl([local(two.secureFilePath)]);
    expect(fetched.status).toBe(200);
    expect(sha256(fetched.body)).toBe(sha256(second));
    expect(await objectExists(storage, one.file.s3_token)).toBe(true);
    const firstVersion = await curl([local(one.secureFilePath)]);
    expect(sha256(firstVersion.body)).toBe(sha256(png));
    // It expires: FILE_URL_DEFAULT_SECONDS (the seed's X-Amz-Expires=3600).
    const exp = Number(new URL(two.secureFilePath).searchParams.get('exp'));
    expect(exp - Math.floor(Date.now() / 1000)).toBeGreaterThan(3590);
    expect(exp - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(3600);
    // PRIVATE: the plain URL of the file is not served.
    const plain = local(two.secureFilePath).split('?')[0] ?? '';
    expect((await curl([plain])).status).toBe(404);
    // A changed byte of the signed URL is refused.
    const tampered = local(two.secureFilePath).replace(/sig=(.)/, (_, c: string) => `sig=${c === 'A' ? 'B' : 'A'}`);
    expect((await curl([tampered])).status).toBe(403);
  });

  it('makes a placeholder when no file is given (the seed’s note), in the file’s place and size "0"', async () => {
    const answer = await curl(['-X', 'POST', fileUrl('rewards', 'placeholder.png'), '-u', `x:${token}`]);
    expect(answer.status).toBe(200);
    const body = answer.json<CapillaryAnswer>();
    expect(body.file.fileSize).toBe('0');
    expect(body.file.version).toBe(1);
    expect(body.file.name).toBe('placeholder.png');
    const fetched = await curl([local(body.secureFilePath)]);
    expect(fetched.status).toBe(200);
    expect(fetched.body.length).toBe(0);
    // A later upload of the file fills it: version 2.
    const filled = await curl(['-X', 'POST', fileUrl('rewards', 'placeholder.png'), '-u', `x:${token}`, '-F', 'file=@{dir}/a.png'], {
      'a.png': png,
    });
    expect(filled.json<CapillaryAnswer>().file).toEqual(expect.objectContaining({ version: 2, fileSize: String(png.length) }));
  });

  it('takes Bearer too, and for an unbound token the space from X-Hangar-Space (else a clear 400)', async () => {
    const bearer = await curl(['-X', 'POST', fileUrl('docs', 'b.png'), '-H', `Authorization: Bearer ${token}`, '-F', 'file=@{dir}/b.png'], {
      'b.png': png,
    });
    expect(bearer.status).toBe(200);
    const viaHeader = await curl(
      ['-X', 'POST', fileUrl('docs', 'h.png'), '-u', `x:${owner.token}`, '-H', `X-Hangar-Space: ${spaceId}`, '-F', 'file=@{dir}/h.png'],
      { 'h.png': png },
    );
    expect(viaHeader.status).toBe(200);
    const stored = await request(api.baseUrl).get(`/spaces/${spaceId}/file_metadata/docs/h.png`).set(owner.auth).expect(200);
    expect((stored.body as { sha256: string }).sha256).toBe(sha256(png));

    const noSpace = await request(api.baseUrl)
      .post('/api_gateway/file-service/docs/n.png')
      .auth('x', owner.token)
      .set('Content-Type', FORM_TYPE)
      .send(formBody([{ name: 'file', fileName: 'n.png', data: png }]));
    expectContentfulError(noSpace, 400, 'BadRequest');
    expect((noSpace.body as { message: string }).message).toMatch(/X-Hangar-Space/);
  });

  it('answers a bound token naming another space, a stranger, a viewer and bad credentials as the Files API does', async () => {
    const otherSpace = await newSpace(api.baseUrl, owner);
    const send = (auth: [string, string], headers: Record<string, string> = {}) =>
      request(api.baseUrl)
        .post('/api_gateway/file-service/x/y.png')
        .auth(...auth)
        .set(headers)
        .set('Content-Type', FORM_TYPE)
        .send(formBody([{ name: 'file', fileName: 'y.png', data: png }]));
    expectContentfulError(await send(['x', token], { 'X-Hangar-Space': otherSpace }), 404, 'NotFound');
    const stranger = await newUser(api.baseUrl);
    expectContentfulError(await send(['x', stranger.token], { 'X-Hangar-Space': spaceId }), 404, 'NotFound');
    const viewer = await newUser(api.baseUrl);
    await addMember(api.baseUrl, spaceId, viewer.id, 'viewer');
    expectContentfulError(await send(['x', viewer.token], { 'X-Hangar-Space': spaceId }), 403, 'AccessDenied');
    expectContentfulError(await send(['x', 'CFPAT-wrong']), 401, 'AccessTokenInvalid');
    expectContentfulError(await send([token, '']), 401, 'AccessTokenInvalid');
    expect(await prisma.file.count({ where: { spaceId, path: 'x/y.png' } })).toBe(0);
  });

  it('refuses a second file part and leaves nothing of the first', async () => {
    const answer = await request(api.baseUrl)
      .post('/api_gateway/file-service/two/files.png')
      .auth('x', token)
      .set('Content-Type', FORM_TYPE)
      .send(
        formBody([
          { name: 'file', fileName: 'a.png', data: png },
          { name: 'file', fileName: 'b.png', data: png },
        ]),
      );
    expectContentfulError(answer, 400, 'BadRequest');
    expect(await prisma.file.count({ where: { spaceId, path: 'two/files.png' } })).toBe(0);
    const keys = await storage.listKeys(`files/${spaceId}/`);
    const owned = await prisma.fileVersion.findMany({ where: { file: { spaceId } }, select: { objectKey: true } });
    // Versions of the same bytes share one stored object (a blob).
    expect(keys.sort()).toEqual([...new Set(owned.map((row) => row.objectKey))].sort());
  });

  it('refuses paths that would escape the namespace, and bodies it does not speak', async () => {
    const dots = await request(api.baseUrl).post('/api_gateway/file-service/rewards/..%2Fx.png').auth('x', token);
    expectContentfulError(dots, 400, 'BadRequest');
    const json = await request(api.baseUrl)
      .post('/api_gateway/file-service/rewards/j.png')
      .auth('x', token)
      .set('Content-Type', 'application/json')
      .send('{}');
    expectContentfulError(json, 415, 'UnsupportedMediaType');
  });
});

describe('Capillary secureFilePath as a MinIO presigned URL (FILE_URL_MODE=presigned)', () => {
  let api: RunningApi;

  beforeAll(async () => {
    api = await startApi({ FILE_URL_MODE: 'presigned', FILE_URL_SIGNING_KEYS: '' });
  });
  afterAll(async () => {
    await api.close();
  });

  it('answers with a presigned GET that storage serves directly, with the safe type, until it expires', async () => {
    const owner = await newUser(api.baseUrl);
    const spaceId = await newSpace(api.baseUrl, owner);
    const token = await boundToken(api.baseUrl, owner, spaceId);
    const bytes = Buffer.from('<html><script>alert(1)</script></html>');
    const answer = await curl(
      [
        '-X',
        'POST',
        `${api.baseUrl}/api_gateway/file-service/rewards/page.html`,
        '-u',
        `x:${token}`,
        '-F',
        'file=@{dir}/page.html;type=text/html',
      ],
      { 'page.html': bytes },
    );
    expect(answer.status).toBe(200);
    const body = answer.json<CapillaryAnswer>();
    const url = new URL(body.secureFilePath);
    expect(url.host).toBe(api.app.get<AppConfig>(APP_CONFIG).storage.endpoint.host);
    expect(url.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('3600');
    expect(url.pathname).toBe(`/${api.app.get(StorageService).bucket}/${body.file.s3_token}`);
    // Straight from MinIO, bypassing the api: the bytes, as a download (HTML is never served as a page).
    const fetched = await curl([body.secureFilePath]);
    expect(fetched.status).toBe(200);
    expect(sha256(fetched.body)).toBe(sha256(bytes));
    expect(fetched.headers['content-type']).toBe('application/octet-stream');
    expect(fetched.headers['content-disposition']).toMatch(/^attachment/);
    // Any changed byte of the signature is refused by storage.
    const sig = url.searchParams.get('X-Amz-Signature') ?? '';
    url.searchParams.set('X-Amz-Signature', `${sig[0] === 'a' ? 'b' : 'a'}${sig.slice(1)}`);
    expect((await curl([url.href])).status).toBe(403);
  });

  it('makes the Files API’s file_urls presigned too, expiring when asked', async () => {
    const owner = await newUser(api.baseUrl);
    const spaceId = await newSpace(api.baseUrl, owner);
    const bytes = Buffer.from('hello presigned');
    await request(api.baseUrl)
      .put(`/spaces/${spaceId}/files/notes/a.txt?contentType=text/plain`)
      .set(owner.auth)
      .set('Content-Type', 'application/octet-stream')
      .send(bytes)
      .expect(201);
    const signed = await request(api.baseUrl).get(`/spaces/${spaceId}/file_urls/notes/a.txt?expiresIn=3`).set(owner.auth).expect(200);
    const url = (signed.body as { url: string }).url;
    expect(new URL(url).searchParams.get('X-Amz-Expires')).toBe('3');
    const signedAt = Date.now();
    const fetched = await curl([url]);
    expect(fetched.status).toBe(200);
    expect(fetched.body.equals(bytes)).toBe(true);
    expect(fetched.headers['content-type']).toBe('text/plain; charset=utf-8');
    // Once its 3 s are over (X-Amz-Date is in whole seconds, so 2–3 s after signing): refused by storage itself.
    const deadline = Date.now() + 10_000;
    let status = 200;
    while (status === 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      status = (await curl([url])).status;
    }
    expect(status).toBe(403);
    expect(Date.now() - signedAt).toBeGreaterThanOrEqual(1900);
  });
});
