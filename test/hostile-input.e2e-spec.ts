import { request as httpRequest } from 'node:http';
import request from 'supertest';
import { type RunningApi, startApi } from './support/api-harness';
import { createAsset, fileField, uploadBytes } from './support/assets';
import { expectContentfulError } from './support/contentful-shape';
import { addLocale, JSON_TYPE, newSpace, newUser, type TestUser } from './support/factories';
import { makeImage, pngClaiming } from './support/images';

interface HostileCase {
  name: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'HEAD';
  /** `{space}`, `{other}` (a space of another user), `{asset}` and `{upload}` are filled in. */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  status: number;
  /** Skip the Contentful shape check (success answers). */
  success?: boolean;
}

const json = (value: unknown) => JSON.stringify(value);
const J = { 'Content-Type': JSON_TYPE };
const OCTET = { 'Content-Type': 'application/octet-stream' };

function corpus(): HostileCase[] {
  const cases: HostileCase[] = [];
  const add = (c: HostileCase) => cases.push(c);
  const jsonEndpoints: [HostileCase['method'], string][] = [
    ['POST', '/spaces'],
    ['POST', '/spaces/{space}/environments/master/assets'],
    ['PUT', '/spaces/{space}/environments/master/assets/{asset}'],
    ['POST', '/spaces/{space}/environments/master/locales'],
    ['PUT', '/spaces/{space}/environments/hostile-env'],
    ['POST', '/users/me/access_tokens'],
  ];
  const malformed = [
    '{',
    '{"name":}',
    '[',
    'nul',
    '"unterminated',
    '{"name": "x",}',
    '{"name": NaN}',
    '{"name": "x"}}',
    "{'name': 'x'}",
    '\u0000',
  ];
  for (const [method, path] of jsonEndpoints) {
    for (const body of malformed)
      add({
        name: `malformed JSON ${json(body)} to ${method} ${path}`,
        method,
        path,
        headers: { ...J, 'X-Contentful-Version': '1' },
        body,
        status: 400,
      });
  }
  const deep = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
  for (const depth of [1_000, 100_000]) {
    add({
      name: `JSON nested ${depth} deep`,
      method: 'POST',
      path: '/spaces/{space}/environments/master/assets',
      headers: J,
      body: `{"fields":{"title":${deep(depth)}}}`,
      status: 422,
    });
  }
  add({
    name: 'deep object in fields',
    method: 'POST',
    path: '/spaces',
    headers: J,
    body: '{"name":' + '{"a":'.repeat(500) + '1' + '}'.repeat(500) + '}',
    status: 422,
  });
  for (const [method, path] of jsonEndpoints.slice(0, 5)) {
    for (const type of [
      'text/plain',
      'application/xml',
      'multipart/form-data; boundary=x',
      'application/x-www-form-urlencoded',
      'application/octet-stream',
    ]) {
      add({
        name: `${type} to ${method} ${path}`,
        method,
        path,
        headers: { 'Content-Type': type, 'X-Contentful-Version': '1' },
        body: 'name=x',
        status: 415,
      });
    }
  }
  add({ name: 'JSON body without a Content-Type', method: 'POST', path: '/spaces', body: json({ name: 'x' }), headers: {}, status: 415 });
  add({
    name: 'unsupported charset',
    method: 'POST',
    path: '/spaces',
    headers: { 'Content-Type': 'application/json; charset=latin1' },
    body: json({ name: 'x' }),
    status: 415,
  });
  add({
    name: 'JSON body over the limit',
    method: 'POST',
    path: '/spaces',
    headers: J,
    body: json({ name: 'x'.repeat(2 * 1024 * 1024) }),
    status: 413,
  });
  for (const type of ['application/json', 'image/png', 'text/html', 'multipart/form-data; boundary=x']) {
    add({
      name: `upload as ${type}`,
      method: 'POST',
      path: '/spaces/{space}/uploads',
      headers: { 'Content-Type': type },
      body: Buffer.from('{}'),
      status: 415,
    });
  }
  add({ name: 'zero-byte upload', method: 'POST', path: '/spaces/{space}/uploads', headers: OCTET, body: Buffer.alloc(0), status: 400 });

  const badIds = ['bad id', 'x'.repeat(65), 'ünïcode', 'semi;colon', 'a%00b', 'dots..%2F..%2Fetc', 'tab%09id', '%E2%80%AE'];
  for (const id of badIds) {
    add({
      name: `PUT asset with id ${id}`,
      method: 'PUT',
      path: `/spaces/{space}/environments/master/assets/${id}`,
      headers: J,
      body: json({ fields: {} }),
      status: 400,
    });
    // Control characters are refused as such (400); other odd ids simply name nothing (404).
    const controlCharacter = /%0[0-9]|%1[0-9a-f]/i.test(id);
    add({
      name: `GET asset with id ${id}`,
      method: 'GET',
      path: `/spaces/{space}/environments/master/assets/${id}`,
      status: controlCharacter ? 400 : 404,
    });
    add({
      name: `PUT environment ${id}`,
      method: 'PUT',
      path: `/spaces/{space}/environments/${id}`,
      headers: J,
      body: json({ name: 'x' }),
      status: 400,
    });
  }
  for (const path of [
    '/spaces/..%2F..%2Fetc%2Fpasswd',
    '/spaces/%2e%2e/environments',
    '/spaces/{space}/environments/master/uploads/..%2F..%2Fx',
    '/files/..%2F/x/y/z',
  ]) {
    add({ name: `traversal ${path}`, method: 'GET', path, status: 404 });
  }
  add({ name: 'broken percent-encoding in the path', method: 'GET', path: '/spaces/%E0%A4%A', status: 400 });

  const fileNames = [
    '../../etc/passwd',
    'a/b.png',
    'a\\b.png',
    'line\nbreak.png',
    'x\r\nSet-Cookie: a=b.png',
    'nul\u0000.png',
    'bell\u0007.png',
    '',
    'x'.repeat(256),
  ];
  for (const fileName of fileNames) {
    add({
      name: `fileName ${json(fileName)}`,
      method: 'POST',
      path: '/spaces/{space}/environments/master/assets',
      headers: J,
      body: json({
        fields: {
          file: {
            'en-US': { contentType: 'image/png', fileName, uploadFrom: { sys: { type: 'Link', linkType: 'Upload', id: '{upload}' } } },
          },
        },
      }),
      status: 422,
    });
  }
  for (const fileName of ['猫.png', 'emoji-😀.png', 'עברית.png', 'spaces and (parens).png']) {
    add({
      name: `unicode fileName ${fileName}`,
      method: 'POST',
      path: '/spaces/{space}/environments/master/assets',
      headers: J,
      body: json({
        fields: {
          file: {
            'en-US': { contentType: 'image/png', fileName, uploadFrom: { sys: { type: 'Link', linkType: 'Upload', id: '{upload}' } } },
          },
        },
      }),
      status: 201,
      success: true,
    });
  }

  const queries = [
    'limit=-1',
    'limit=1000000000',
    'limit=abc',
    'limit=',
    'skip=-5',
    'skip=1e20',
    'skip=99999999999',
    'order=',
    'order=;drop table',
    'order=' + Array.from({ length: 2000 }, () => 'sys.id').join(','),
    'order=password',
    'order=-',
    'fields.title[regex]=x',
    'sys.id[xx]=1',
    'foo=bar',
    'fields.title[match]=a&fields.title[match]=b',
    'sys.id[in]=' + ','.repeat(50),
    'mimetype_group=',
    'mimetype_group=all',
    'select=../../etc',
    'limit[]=1',
    'sys.createdAt[gte]=yesterday',
  ];
  for (const query of queries)
    add({
      name: `assets query ${query.slice(0, 40)}`,
      method: 'GET',
      path: `/spaces/{space}/environments/master/assets?${query}`,
      status: query.startsWith('select=') ? 200 : 400,
      success: query.startsWith('select='),
    });
  for (const query of ['limit=0', 'skip=x', 'limit=2000'])
    add({ name: `spaces query ${query}`, method: 'GET', path: `/spaces?${query}`, status: 400 });

  for (const version of ['abc', '-1', '1.5', '99999999999999', '', '0x10', '1,2', ' ']) {
    add({
      name: `X-Contentful-Version ${json(version)} on update`,
      method: 'PUT',
      path: '/spaces/{space}/environments/master/assets/{asset}',
      headers: { ...J, 'X-Contentful-Version': version },
      body: json({ fields: {} }),
      status: 400,
    });
    add({
      name: `X-Contentful-Version ${json(version)} on publish`,
      method: 'PUT',
      path: '/spaces/{space}/environments/master/assets/{asset}/published',
      headers: { 'X-Contentful-Version': version },
      status: 400,
    });
  }

  add({
    name: 'link to an upload of another space',
    method: 'POST',
    path: '/spaces/{space}/environments/master/assets',
    headers: J,
    body: json({ fields: { file: { 'en-US': fileField('{otherUpload}') } } }),
    status: 422,
  });
  add({ name: 'reading another space', method: 'GET', path: '/spaces/{other}', status: 404 });
  add({
    name: 'writing into another space',
    method: 'POST',
    path: '/spaces/{other}/uploads',
    headers: OCTET,
    body: Buffer.from('x'),
    status: 404,
  });
  add({ name: 'assets of another space', method: 'GET', path: '/spaces/{other}/environments/master/assets', status: 404 });

  const manyLocales = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`l${i}-XX`, 'x']));
  add({
    name: 'asset with 300 locales',
    method: 'POST',
    path: '/spaces/{space}/environments/master/assets',
    headers: J,
    body: json({ fields: { title: manyLocales } }),
    status: 422,
  });
  add({
    name: 'asset with 150 unknown locales',
    method: 'POST',
    path: '/spaces/{space}/environments/master/assets',
    headers: J,
    body: json({ fields: { title: Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`q${i}-ZZ`, 'x'])) } }),
    status: 422,
  });
  for (const fields of [
    [],
    'x',
    1,
    null,
    { title: 'x' },
    { title: { 'en-US': 1 } },
    { file: { 'en-US': { contentType: 1 } } },
    { file: { 'en-US': 'x' } },
    { description: { 'en-US': 'x'.repeat(60_000) } },
  ]) {
    add({
      name: `fields ${json(fields).slice(0, 40)}`,
      method: 'POST',
      path: '/spaces/{space}/environments/master/assets',
      headers: J,
      body: json({ fields }),
      status: 422,
    });
  }
  add({
    name: 'no fields at all',
    method: 'POST',
    path: '/spaces/{space}/environments/master/assets',
    headers: J,
    body: json({}),
    status: 422,
  });
  add({
    name: 'remote upload URL',
    method: 'POST',
    path: '/spaces/{space}/environments/master/assets',
    headers: J,
    body: json({ fields: { file: { 'en-US': { contentType: 'image/png', fileName: 'a.png', upload: 'http://169.254.169.254/latest' } } } }),
    status: 422,
  });
  add({
    name: 'process a locale without file',
    method: 'PUT',
    path: '/spaces/{space}/environments/master/assets/{asset}/files/xx-XX/process',
    headers: { 'X-Contentful-Version': '1' },
    status: 422,
  });

  for (const authorization of ['Bearer', 'Bearer a b', 'bearer nope', 'Basic dXNlcjpwYXNz', `Bearer ${'x'.repeat(5000)}`, 'Token abc']) {
    add({
      name: `Authorization ${authorization.slice(0, 20)}`,
      method: 'GET',
      path: '/spaces',
      headers: { Authorization: authorization },
      status: 401,
    });
  }
  for (const [method, path] of [
    ['PATCH', '/spaces'],
    ['DELETE', '/spaces'],
    ['POST', '/health'],
    ['PUT', '/users/me'],
  ] as const) {
    add({ name: `${method} ${path}`, method, path, headers: J, body: '{}', status: 404 });
  }
  for (const range of ['bytes=999999999-', 'bytes=5-2'])
    add({
      name: `Range ${range} on a missing file`,
      method: 'GET',
      path: `/files/{space}/x/y/z.png`,
      headers: { Range: range },
      status: 404,
    });
  return cases;
}

describe('a corpus of malformed and hostile requests', () => {
  let api: RunningApi;
  let user: TestUser;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    api = await startApi();
    user = await newUser(api.baseUrl);
    const stranger = await newUser(api.baseUrl);
    ids.space = await newSpace(api.baseUrl, user);
    ids.other = await newSpace(api.baseUrl, stranger);
    await addLocale(api.baseUrl, user, ids.space, { name: 'German', code: 'de-DE' });
    const c = { baseUrl: api.baseUrl, auth: user.auth, spaceId: ids.space };
    ids.upload = await uploadBytes(c, await makeImage(4, 4));
    ids.otherUpload = await uploadBytes({ ...c, auth: stranger.auth, spaceId: ids.other }, Buffer.from('x'));
    ids.asset = (await createAsset(c, { file: { 'en-US': fileField(ids.upload) } }).expect(201)).body.sys.id as string;
  });
  afterAll(async () => {
    await api.close();
  });

  const fill = (text: string) => text.replace(/\{(space|other|asset|upload|otherUpload)\}/g, (_, key: string) => ids[key] ?? '');
  const cases = corpus();

  it('holds at least 150 requests', () => {
    expect(cases.length).toBeGreaterThanOrEqual(150);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, hostile) => {
    const call = request(api.baseUrl)[hostile.method.toLowerCase() as 'get'](fill(hostile.path)).set(user.auth);
    for (const [name, value] of Object.entries(hostile.headers ?? {})) call.set(name, value);
    const response =
      hostile.body === undefined ? await call : await call.send(typeof hostile.body === 'string' ? fill(hostile.body) : hostile.body);
    if (hostile.success) {
      expect(response.status).toBe(hostile.status);
    } else {
      expectContentfulError(response, hostile.status, (response.body as { sys?: { id?: string } }).sys?.id ?? 'missing');
    }
  });

  it('answers oversized headers with a Contentful-shaped 431', async () => {
    const { port } = new URL(api.baseUrl);
    const answer = await new Promise<{ status: number; body: string; headers: Record<string, unknown> }>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/spaces', headers: { 'X-Huge': 'h'.repeat(64 * 1024) } }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(answer.status).toBe(431);
    expect(JSON.parse(answer.body)).toMatchObject({ sys: { type: 'Error', id: 'RequestHeaderFieldsTooLarge' } });
  });

  it('stays up: processing hostile files records failures, and a normal request still succeeds', async () => {
    const c = { baseUrl: api.baseUrl, auth: user.auth, spaceId: ids.space ?? '' };
    for (const bytes of [pngClaiming(60_000, 60_000), (await makeImage(50, 50)).subarray(0, 40), Buffer.from('not an image at all')]) {
      const asset = await createAsset(c, { file: { 'en-US': fileField(await uploadBytes(c, bytes)) } }).expect(201);
      await request(api.baseUrl)
        .put(`/spaces/${ids.space}/environments/master/assets/${asset.body.sys.id as string}/files/en-US/process`)
        .set(user.auth)
        .set('X-Contentful-Version', '1')
        .expect(204);
    }
    await request(api.baseUrl).get('/health/ready').expect(200);
    await request(api.baseUrl).get(`/spaces/${ids.space}/environments/master/assets`).set(user.auth).expect(200);
  });
});
