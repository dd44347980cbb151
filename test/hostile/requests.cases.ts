import request from 'supertest';
import type { ErrorId } from '@hangar/domain';
import { fileField } from '../support/assets';
import { type HostileCase, J, json, OCTET } from './hostile-case';

/** The first corpus: malformed bodies, ids, names, queries, versions, links and tokens (issue 9 and before). */
export function requestCases(): HostileCase[] {
  const cases: HostileCase[] = [];
  const add = (c: HostileCase) => cases.push(c);
  const assetsPath = '/spaces/{space}/environments/master/assets';
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
        error: 'BadRequest',
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
      error: 'ValidationFailed',
    });
  }
  add({
    name: 'deep object in fields',
    method: 'POST',
    path: '/spaces',
    headers: J,
    body: '{"name":' + '{"a":'.repeat(500) + '1' + '}'.repeat(500) + '}',
    status: 422,
    error: 'ValidationFailed',
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
        error: 'UnsupportedMediaType',
      });
    }
  }
  // A Buffer, because supertest gives a string body a form Content-Type of its own.
  add({
    name: 'JSON body without a Content-Type',
    method: 'POST',
    path: '/spaces',
    body: Buffer.from(json({ name: 'x' })),
    status: 415,
    error: 'UnsupportedMediaType',
  });
  add({
    name: 'unsupported charset',
    method: 'POST',
    path: '/spaces',
    headers: { 'Content-Type': 'application/json; charset=latin1' },
    body: json({ name: 'x' }),
    status: 415,
    error: 'UnsupportedMediaType',
  });
  add({
    name: 'JSON body over the limit',
    method: 'POST',
    path: '/spaces',
    headers: J,
    body: json({ name: 'x'.repeat(2 * 1024 * 1024) }),
    status: 413,
    error: 'RequestEntityTooLarge',
  });
  // application/json and multipart/form-data are doors of their own now: forms.cases.ts.
  for (const type of ['image/png', 'text/html', 'application/x-www-form-urlencoded']) {
    add({
      name: `upload as ${type}`,
      method: 'POST',
      path: '/spaces/{space}/uploads',
      headers: { 'Content-Type': type },
      body: Buffer.from('{}'),
      status: 415,
      error: 'UnsupportedMediaType',
    });
  }
  add({
    name: 'zero-byte upload',
    method: 'POST',
    path: '/spaces/{space}/uploads',
    headers: OCTET,
    body: Buffer.alloc(0),
    status: 400,
    error: 'BadRequest',
  });

  // `...` (dots only) is refused like `.` and `..`, which URL parsers resolve before they could be sent.
  const badIds = ['bad id', 'x'.repeat(65), 'ünïcode', 'semi;colon', 'a%00b', 'dots..%2F..%2Fetc', 'tab%09id', '%E2%80%AE', '...'];
  for (const id of badIds) {
    add({
      name: `PUT asset with id ${id}`,
      method: 'PUT',
      path: `/spaces/{space}/environments/master/assets/${id}`,
      headers: J,
      body: json({ fields: {} }),
      status: 400,
      error: 'BadRequest',
    });
    // Control characters are refused as such (400); other odd ids simply name nothing (404).
    const controlCharacter = /%0[0-9]|%1[0-9a-f]/i.test(id);
    add({
      name: `GET asset with id ${id}`,
      method: 'GET',
      path: `/spaces/{space}/environments/master/assets/${id}`,
      ...(controlCharacter ? { status: 400, error: 'BadRequest' } : { status: 404, error: 'NotFound' }),
    });
    add({
      name: `PUT environment ${id}`,
      method: 'PUT',
      path: `/spaces/{space}/environments/${id}`,
      headers: J,
      body: json({ name: 'x' }),
      status: 400,
      error: 'BadRequest',
    });
  }
  for (const path of [
    '/spaces/..%2F..%2Fetc%2Fpasswd',
    '/spaces/%2e%2e/environments',
    '/spaces/{space}/environments/master/uploads/..%2F..%2Fx',
    '/files/..%2F/x/y/z',
  ]) {
    add({ name: `traversal ${path}`, method: 'GET', path, status: 404, error: 'NotFound' });
  }
  add({ name: 'broken percent-encoding in the path', method: 'GET', path: '/spaces/%E0%A4%A', status: 400, error: 'BadRequest' });

  const fileNames = [
    '../../etc/passwd',
    'a/b.png',
    'a\\b.png',
    'line\nbreak.png',
    'x\r\nSet-Cookie: a=b.png',
    // NUL, like every text PostgreSQL cannot store, is refused for any JSON string by one check: errors.cases.ts.
    'bell\u0007.png',
    '',
    'x'.repeat(256),
    '.',
    '..',
    '...',
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
      error: 'ValidationFailed',
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
      check: async (response, { baseUrl, auth, ids }) => {
        const file = { contentType: 'image/png', fileName, uploadFrom: { sys: { type: 'Link', linkType: 'Upload', id: ids.upload } } };
        expect(response.body).toMatchObject({ sys: { type: 'Asset', version: 1 }, fields: { file: { 'en-US': file } } });
        // Stored as sent, not only echoed.
        const stored = await request(baseUrl)
          .get(`/spaces/${ids.space}/environments/master/assets/${(response.body as { sys: { id: string } }).sys.id}`)
          .set(auth)
          .expect(200);
        expect(stored.body).toMatchObject({ fields: { file: { 'en-US': file } } });
      },
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
    'limit[]=1',
    'sys.createdAt[gte]=yesterday',
  ];
  for (const query of queries)
    add({
      name: `assets query ${query.slice(0, 40)}`,
      method: 'GET',
      path: `/spaces/{space}/environments/master/assets?${query}`,
      status: 400,
      error: 'InvalidQuery',
    });
  // A select Contentful cannot apply is a 400 InvalidQuery naming it (issue 12 item 7), never ignored.
  add({
    name: 'assets query select=../../etc',
    method: 'GET',
    path: `${assetsPath}?select=../../etc`,
    status: 400,
    error: 'InvalidQuery',
  });
  for (const query of ['limit=0', 'skip=x', 'limit=2000'])
    add({ name: `spaces query ${query}`, method: 'GET', path: `/spaces?${query}`, status: 400, error: 'InvalidQuery' });

  // Not a version number: a malformed request. A number the asset (at version 1) does not have: a version mismatch.
  const versionCases: { version: string; status: number; error: ErrorId }[] = [
    ...['abc', '-1', '1.5', '', '0x10', '1,2', '1 2'].map((version) => ({ version, status: 400, error: 'BadRequest' as const })),
    { version: '99999999999999', status: 409, error: 'VersionMismatch' },
  ];
  for (const { version, ...expected } of versionCases) {
    add({
      name: `X-Contentful-Version ${json(version)} on update`,
      method: 'PUT',
      path: '/spaces/{space}/environments/master/assets/{asset}',
      headers: { ...J, 'X-Contentful-Version': version },
      body: json({ fields: {} }),
      ...expected,
    });
    add({
      name: `X-Contentful-Version ${json(version)} on publish`,
      method: 'PUT',
      path: '/spaces/{space}/environments/master/assets/{asset}/published',
      headers: { 'X-Contentful-Version': version },
      ...expected,
    });
  }

  add({
    name: 'link to an upload of another space',
    method: 'POST',
    path: '/spaces/{space}/environments/master/assets',
    headers: J,
    body: json({ fields: { file: { 'en-US': fileField('{otherUpload}') } } }),
    status: 422,
    error: 'ValidationFailed',
  });
  add({ name: 'reading another space', method: 'GET', path: '/spaces/{other}', status: 404, error: 'NotFound' });
  add({
    name: 'writing into another space',
    method: 'POST',
    path: '/spaces/{other}/uploads',
    headers: OCTET,
    body: Buffer.from('x'),
    status: 404,
    error: 'NotFound',
  });
  add({
    name: 'assets of another space',
    method: 'GET',
    path: '/spaces/{other}/environments/master/assets',
    status: 404,
    error: 'NotFound',
  });

  const manyLocales = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`l${i}-XX`, 'x']));
  add({
    name: 'asset with 300 locales',
    method: 'POST',
    path: '/spaces/{space}/environments/master/assets',
    headers: J,
    body: json({ fields: { title: manyLocales } }),
    status: 422,
    error: 'ValidationFailed',
  });
  add({
    name: 'asset with 150 unknown locales',
    method: 'POST',
    path: '/spaces/{space}/environments/master/assets',
    headers: J,
    body: json({ fields: { title: Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`q${i}-ZZ`, 'x'])) } }),
    status: 422,
    error: 'ValidationFailed',
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
      error: 'ValidationFailed',
    });
  }
  add({
    name: 'no fields at all',
    method: 'POST',
    path: '/spaces/{space}/environments/master/assets',
    headers: J,
    body: json({}),
    status: 422,
    error: 'ValidationFailed',
  });
  // A remote upload URL that is not an http(s) URL. (One that is, whatever it points at, is accepted here and
  // refused when the worker fetches it: test/asset-remote-import.e2e-spec.ts, e.g. http://169.254.169.254/latest.)
  for (const upload of ['ftp://x', 'not a url', 'javascript:alert(1)', 'file:///etc/passwd', `https://example.com/${'a'.repeat(5000)}`]) {
    add({
      name: `remote upload URL ${json(upload.length > 60 ? `${upload.slice(0, 40)}… (${upload.length} characters)` : upload)}`,
      method: 'POST',
      path: '/spaces/{space}/environments/master/assets',
      headers: J,
      body: json({ fields: { file: { 'en-US': { contentType: 'image/png', fileName: 'a.png', upload } } } }),
      status: 422,
      error: 'ValidationFailed',
    });
  }
  add({
    name: 'remote upload URL and uploadFrom together',
    method: 'POST',
    path: '/spaces/{space}/environments/master/assets',
    headers: J,
    body: json({
      fields: {
        file: {
          'en-US': {
            contentType: 'image/png',
            fileName: 'a.png',
            upload: 'https://example.com/a.png',
            uploadFrom: { sys: { type: 'Link', linkType: 'Upload', id: '{upload}' } },
          },
        },
      },
    }),
    status: 422,
    error: 'ValidationFailed',
  });
  add({
    name: 'process a locale without file',
    method: 'PUT',
    path: '/spaces/{space}/environments/master/assets/{asset}/files/xx-XX/process',
    headers: { 'X-Contentful-Version': '1' },
    status: 422,
    error: 'ValidationFailed',
  });
  // Content types that could not go back out as a Content-Type header as given (issue 9, item 6).
  for (const contentType of ['html', 'text/html,foo', 'text/plain\u0007', 'image/png\r\nSet-Cookie: a=b', 'bild/pñg']) {
    add({
      name: `contentType ${json(contentType)}`,
      method: 'POST',
      path: '/spaces/{space}/environments/master/assets',
      headers: J,
      body: json({
        fields: {
          file: { 'en-US': { contentType, fileName: 'a.bin', uploadFrom: { sys: { type: 'Link', linkType: 'Upload', id: '{upload}' } } } },
        },
      }),
      status: 422,
      error: 'ValidationFailed',
    });
  }
  // Client strings that name properties of every JavaScript object must be looked up as own keys only (they were 500s).
  for (const key of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
    add({
      name: `process the locale ${key}`,
      method: 'PUT',
      path: `/spaces/{space}/environments/master/assets/{asset}/files/${key}/process`,
      headers: { 'X-Contentful-Version': '1' },
      status: 422,
      error: 'ValidationFailed',
    });
  }
  for (const query of [
    'mimetype_group=constructor',
    'mimetype_group=__proto__',
    'mimetype_group=toString',
    'order=constructor',
    'order=-__proto__',
    'order=toString',
    'order=valueOf',
  ]) {
    add({
      name: `assets query ${query}`,
      method: 'GET',
      path: `/spaces/{space}/environments/master/assets?${query}`,
      status: 400,
      error: 'InvalidQuery',
    });
  }

  for (const authorization of ['Bearer', 'Bearer a b', 'bearer nope', 'Basic dXNlcjpwYXNz', `Bearer ${'x'.repeat(5000)}`, 'Token abc']) {
    add({
      name: `Authorization ${authorization.slice(0, 20)}`,
      method: 'GET',
      path: '/spaces',
      headers: { Authorization: authorization },
      status: 401,
      error: 'AccessTokenInvalid',
    });
  }
  for (const [method, path] of [
    ['PATCH', '/spaces'],
    ['DELETE', '/spaces'],
    ['POST', '/health'],
    ['PUT', '/users/me'],
  ] as const) {
    add({ name: `${method} ${path}`, method, path, headers: J, body: '{}', status: 404, error: 'NotFound' });
  }
  for (const range of ['bytes=999999999-', 'bytes=5-2'])
    add({
      name: `Range ${range} on a missing file`,
      method: 'GET',
      path: `/files/{space}/x/y/z.png`,
      headers: { Range: range },
      status: 404,
      error: 'NotFound',
    });
  return cases;
}
