import { createHash } from 'node:crypto';
import request from 'supertest';
import { type RunningApi, startApi } from './support/api-harness';
import { expectContentfulError } from './support/contentful-shape';
import { curl } from './support/curl';
import { addMember, JSON_TYPE, newSpace, newUser, type TestUser } from './support/factories';
import { makeImage } from './support/images';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
/** The boundary of the seed's examples. */
const SEED_BOUNDARY = '----WebKitFormBoundary7MA4YWxkTrZu0gW';

interface ComapiContent {
  id: string;
  name: string;
  size: number;
  type: string;
  folder: string;
  url: string;
  _createdOn: string;
  _updatedOn: string;
  _createdBy: string;
  _updatedBy: string;
}

const CONTRACT = ['id', 'name', 'size', 'type', 'folder', 'url', '_createdOn', '_updatedOn', '_createdBy', '_updatedBy'];
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('Comapi content service dialect', () => {
  let api: RunningApi;
  let owner: TestUser;
  let spaceId: string;
  let png: Buffer;

  beforeAll(async () => {
    api = await startApi({ UPLOAD_MAX_BYTES: String(4 * 1024 * 1024) });
    owner = await newUser(api.baseUrl);
    spaceId = await newSpace(api.baseUrl, owner);
    png = await makeImage(12, 9, 'png');
  });
  afterAll(async () => {
    await api.close();
  });

  const contentUrl = () => `${api.baseUrl}/apispaces/${spaceId}/content`;
  /** The asset's url at the test api (PUBLIC_BASE_URL names the deployment's host). */
  const local = (url: string) => `${api.baseUrl}${new URL(url).pathname}`;

  /** Every field of the upload response contract, checked against what the test knows independently. */
  function expectContent(body: ComapiContent, expected: { name: string; size: number; type: string; folder: string }): void {
    expect(Object.keys(body).sort()).toEqual([...CONTRACT].sort());
    expect(body.name).toBe(expected.name);
    expect(body.size).toBe(expected.size);
    expect(typeof body.size).toBe('number');
    expect(body.type).toBe(expected.type);
    expect(body.folder).toBe(expected.folder);
    expect(body.id).toMatch(/^[A-Za-z0-9]+$/);
    expect(new URL(body.url).pathname).toBe(`/apispaces/${spaceId}/content/${body.id}`);
    expect(body._createdOn).toMatch(ISO_8601);
    expect(body._updatedOn).toMatch(ISO_8601);
    expect(Math.abs(Date.parse(body._updatedOn) - Date.now())).toBeLessThan(60_000);
    expect(body._createdBy).toBe(owner.id);
    expect(body._updatedBy).toBe(owner.id);
  }

  it('runs the seed’s form-data curl as written, and a plain GET of url returns the bytes', async () => {
    const answer = await curl(
      [
        '-X',
        'POST',
        contentUrl(),
        '-H',
        `authorization: Bearer ${owner.token}`,
        '-H',
        'cache-control: no-cache',
        '-H',
        `content-type: multipart/form-data; boundary=${SEED_BOUNDARY}`,
        '-F',
        'file=@{dir}/myImage.png',
      ],
      { 'myImage.png': png },
    );
    expect(answer.status).toBe(200);
    const body = answer.json<ComapiContent>();
    expectContent(body, { name: 'myImage.png', size: png.length, type: 'image/png', folder: 'content' });
    // "Simply make a HTTP(S) GET request to the URL returned from the upload": no token.
    const fetched = await curl([local(body.url)]);
    expect(fetched.status).toBe(200);
    expect(sha256(fetched.body)).toBe(sha256(png));
    expect(fetched.headers['content-type']).toBe('image/png');
  });

  it('takes the seed’s raw multipart body (Ruby/Python examples) byte for byte, Windows path in the file name included', async () => {
    // Exactly the seed's payload: a part with no bytes, then the same payload with the picture where its bytes go.
    const head = `--${SEED_BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="C:\\Temp\\yourImage.png"\r\nContent-Type: image/png\r\n\r\n`;
    const tail = `\r\n--${SEED_BOUNDARY}--`;
    const send = (payload: Buffer) =>
      curl(
        [
          '-X',
          'POST',
          contentUrl(),
          '-H',
          `content-type: multipart/form-data; boundary=${SEED_BOUNDARY}`,
          '-H',
          `authorization: Bearer ${owner.token}`,
          '-H',
          'cache-control: no-cache',
          '--data-binary',
          '@{dir}/payload',
        ],
        { payload },
      );
    const empty = await send(Buffer.from(`${head}${tail}`));
    expect(empty.status).toBe(200);
    expectContent(empty.json<ComapiContent>(), { name: 'yourImage.png', size: 0, type: 'application/octet-stream', folder: 'content' });

    const whole = await send(Buffer.concat([Buffer.from(head), png, Buffer.from(tail)]));
    expect(whole.status).toBe(200);
    const body = whole.json<ComapiContent>();
    expectContent(body, { name: 'yourImage.png', size: png.length, type: 'image/png', folder: 'content' });
    // The same name again is the same content asset, updated: its url now serves the new bytes.
    expect(body.id).toBe(empty.json<ComapiContent>().id);
    expect(sha256((await curl([local(body.url)])).body)).toBe(sha256(png));
  });

  it('runs the seed’s base64 JSON example as written (tab-indented, name with a space)', async () => {
    const payload = `{\n\t"name": "Item picture.png",\n\t"type": "image/png",\n\t"data": "${png.toString('base64')}"\n}`;
    const answer = await curl([
      '-X',
      'POST',
      contentUrl(),
      '-H',
      `authorization: Bearer ${owner.token}`,
      '-H',
      'cache-control: no-cache',
      '-H',
      'content-type: application/json',
      '-d',
      payload,
    ]);
    expect(answer.status).toBe(200);
    const body = answer.json<ComapiContent>();
    expectContent(body, { name: 'Item picture.png', size: png.length, type: 'image/png', folder: 'content' });
    const fetched = await curl([local(body.url)]);
    expect(sha256(fetched.body)).toBe(sha256(png));
  });

  it('files base64 content whose name and folder follow its data, in that folder', async () => {
    const bytes = Buffer.from('plain words');
    const answer = await request(api.baseUrl)
      .post(`/apispaces/${spaceId}/content`)
      .set(owner.auth)
      .set('Content-Type', 'application/json')
      .send(`{"data":"${bytes.toString('base64')}","type":"text/plain","folder":"attachments/2026","name":"notes.txt"}`)
      .expect(200);
    const body = answer.body as ComapiContent;
    expectContent(body, { name: 'notes.txt', size: bytes.length, type: 'text/plain; charset=utf-8', folder: 'attachments/2026' });
    const meta = await request(api.baseUrl).get(`/spaces/${spaceId}/file_metadata/attachments/2026/notes.txt`).set(owner.auth).expect(200);
    expect((meta.body as { sha256: string; acl: string }).sha256).toBe(sha256(bytes));
    // Comapi content is public by its contract.
    expect((meta.body as { acl: string }).acl).toBe('public');
  });

  it('serves the url only while the file is public: made private through the Files API, it is a 404', async () => {
    const answer = await request(api.baseUrl)
      .post(`/apispaces/${spaceId}/content`)
      .set(owner.auth)
      .set('Content-Type', 'application/json')
      .send({ name: 'secret.png', type: 'image/png', data: png.toString('base64') })
      .expect(200);
    const body = answer.body as ComapiContent;
    await request(api.baseUrl).get(new URL(body.url).pathname).expect(200);
    await request(api.baseUrl)
      .put(`/spaces/${spaceId}/file_acl/content/secret.png`)
      .set(owner.auth)
      .set('Content-Type', JSON_TYPE)
      .send({ acl: 'private' })
      .expect(200);
    expectContentfulError(await request(api.baseUrl).get(new URL(body.url).pathname), 404, 'NotFound');
    // An id of another space, or one that never was, is the same 404.
    const other = await newSpace(api.baseUrl, owner);
    expectContentfulError(await request(api.baseUrl).get(`/apispaces/${other}/content/${body.id}`), 404, 'NotFound');
    expectContentfulError(await request(api.baseUrl).get(`/apispaces/${spaceId}/content/nothing-here`), 404, 'NotFound');
  });

  it('needs a member with write access, as the Files API does', async () => {
    const form = () => request(api.baseUrl).post(`/apispaces/${spaceId}/content`).set('Content-Type', 'application/json');
    const body = { name: 'x.png', type: 'image/png', data: png.toString('base64') };
    expectContentfulError(await form().send(body), 401, 'AccessTokenInvalid');
    const stranger = await newUser(api.baseUrl);
    expectContentfulError(await form().set(stranger.auth).send(body), 404, 'NotFound');
    const viewer = await newUser(api.baseUrl);
    await addMember(api.baseUrl, spaceId, viewer.id, 'viewer');
    expectContentfulError(await form().set(viewer.auth).send(body), 403, 'AccessDenied');
  });

  it('refuses invalid base64, a missing name and other media types with clear 4xx', async () => {
    const post = () => request(api.baseUrl).post(`/apispaces/${spaceId}/content`).set(owner.auth);
    const invalid = await post().set('Content-Type', 'application/json').send({ name: 'a.png', type: 'image/png', data: '!!!' });
    expectContentfulError(invalid, 400, 'BadRequest');
    expect((invalid.body as { details: { path: string[] } }).details.path).toEqual(['data']);
    const nameless = await post()
      .set('Content-Type', 'application/json')
      .send({ type: 'image/png', data: png.toString('base64') });
    expectContentfulError(nameless, 400, 'BadRequest');
    expect((nameless.body as { details: { path: string[] } }).details.path).toEqual(['name']);
    expectContentfulError(await post().set('Content-Type', 'text/plain').send('hello'), 415, 'UnsupportedMediaType');
    const escaping = await post()
      .set('Content-Type', 'application/json')
      .send({ name: 'a.png', folder: '../up', data: png.toString('base64') });
    expectContentfulError(escaping, 400, 'BadRequest');
  });
});
