import { formBody, formEnd, FORM_TYPE, partHead } from '../support/form-data';
import { type HostileCase, json, type RefusedCase } from './hostile-case';

const UPLOADS = '/spaces/{space}/uploads';
const ENV_UPLOADS = '/spaces/{space}/environments/master/uploads';
const JSON_UPLOAD = { 'Content-Type': 'application/json' };

/**
 * The Upload API's multipart/form-data and base64 JSON doors (issue 10):
 * malformed forms, limits, names and types no asset could take, and base64
 * that is not. Every refusal leaves nothing behind (upload-doors.e2e-spec.ts
 * checks the bucket and the rows; here the answer is what is pinned).
 */
export function formCases(): HostileCase[] {
  const cases: HostileCase[] = [];
  const add = (c: HostileCase) => cases.push(c);
  const form = (name: string, body: Buffer, status: number, error: RefusedCase['error'], type = FORM_TYPE) =>
    add({ name: `form: ${name}`, method: 'POST', path: UPLOADS, headers: { 'Content-Type': type }, body, status, error });
  const file = (fileName: string) => ({ name: 'file', fileName, contentType: 'text/plain', data: 'x' });

  form('no boundary', formBody([file('a.txt')]), 400, 'BadRequest', 'multipart/form-data');
  form('an empty boundary', formBody([file('a.txt')]), 400, 'BadRequest', 'multipart/form-data; boundary=');
  form('JSON sent as a form', Buffer.from('{}'), 400, 'BadRequest', 'multipart/form-data; boundary=x');
  form(
    'the multer #1338 payload (an empty file part, then a cut closing boundary)',
    Buffer.from(
      '------FormBoundary\r\nContent-Disposition: form-data; name="image"; filename=""\r\nContent-Type: application/octet-stream\r\n\r\n\r\n------FormBoundar',
    ),
    400,
    'BadRequest',
    'multipart/form-data; boundary=----FormBoundary',
  );
  form(
    'a part without Content-Disposition, then the end',
    Buffer.from(`--x\r\nContent-Type: text/plain\r\n\r\nabc\r\n--x--\r\n`),
    400,
    'BadRequest',
    'multipart/form-data; boundary=x',
  );
  form(
    'a part cut in its headers',
    Buffer.from('--x\r\nContent-Disposition: form-da'),
    400,
    'BadRequest',
    'multipart/form-data; boundary=x',
  );
  form('only text fields', formBody([{ name: 'title', data: 'x' }]), 400, 'BadRequest');
  form('1,000 file parts', formBody(Array.from({ length: 1000 }, (_, index) => file(`${index}.txt`))), 413, 'RequestEntityTooLarge');
  form(
    '1,000 text fields',
    formBody([file('a.txt'), ...Array.from({ length: 1000 }, (_, index) => ({ name: `f${index}`, data: 'x' }))]),
    413,
    'RequestEntityTooLarge',
  );
  form('300 empty parts', formBody(Array.from({ length: 300 }, () => ({ name: 'x', data: '' }))), 413, 'RequestEntityTooLarge');
  // Header lines past FORM_LIMITS.headerPairs are not parsed (they cost nothing held): the part is still a file.
  add({
    name: 'form: a part with 100 header lines',
    method: 'POST',
    path: UPLOADS,
    headers: { 'Content-Type': FORM_TYPE },
    body: Buffer.concat([
      partHead(file('a.txt')).subarray(0, -2),
      Buffer.from('X-A: b\r\n'.repeat(100)),
      Buffer.from('\r\nx\r\n'),
      formEnd(),
    ]),
    status: 201,
    check: (response) => {
      expect(response.body).toMatchObject({ sys: { type: 'Upload' }, details: { size: 1, fileName: 'a.txt' } });
    },
  });
  form(
    'a fileName field longer than its limit',
    formBody([{ name: 'fileName', data: 'a'.repeat(5000) }, file('a.txt')]),
    400,
    'BadRequest',
  );
  form(
    'a NUL in filename* (percent-encoded)',
    formBody([{ name: 'file', fileNameStar: "UTF-8''a%00b.txt", data: 'x' }]),
    400,
    'BadRequest',
  );
  form('a NUL in a fileName field', formBody([{ name: 'fileName', data: 'a\u0000b' }, file('a.txt')]), 400, 'BadRequest');
  form('a bidirectional override in a file name', formBody([file('invoice\u202Efdp.exe')]), 422, 'ValidationFailed');
  // busboy skips a part whose name holds a line break: then there is no file part.
  form(
    'a line break in a file name (filename*)',
    formBody([{ name: 'file', fileNameStar: "UTF-8''a%0D%0ASet-Cookie%3A%20x.txt", data: 'x' }]),
    400,
    'BadRequest',
  );
  form('a control character in a file name', formBody([file('bell\u0007.txt')]), 422, 'ValidationFailed');
  form('an extension-like contentType field', formBody([{ name: 'contentType', data: 'html' }, file('a.txt')]), 422, 'ValidationFailed');
  form(
    'a header injection in the part Content-Type',
    formBody([{ name: 'contentType', data: 'text/html\r\nSet-Cookie: a=b' }, file('a.txt')]),
    422,
    'ValidationFailed',
  );
  add({
    name: 'form: a gzip Content-Encoding',
    method: 'POST',
    path: UPLOADS,
    headers: { 'Content-Type': FORM_TYPE, 'Content-Encoding': 'gzip' },
    body: formBody([file('a.txt')]),
    status: 415,
    error: 'UnsupportedMediaType',
  });
  add({
    name: 'form: one file on the environment route',
    method: 'POST',
    path: ENV_UPLOADS,
    headers: { 'Content-Type': FORM_TYPE },
    body: formBody([{ name: '__proto__', fileName: 'constructor', contentType: 'text/plain', data: 'hello' }]),
    status: 201,
    check: (response) => {
      expect(response.body).toMatchObject({
        sys: { type: 'Upload' },
        details: { size: 5, fileName: 'constructor', contentType: 'text/plain' },
      });
    },
  });

  const base64 = (name: string, body: string, status: number, error: RefusedCase['error'], headers: Record<string, string> = JSON_UPLOAD) =>
    add({ name: `base64 JSON: ${name}`, method: 'POST', path: UPLOADS, headers, body, status, error });
  base64('no data', json({ name: 'a.png' }), 400, 'BadRequest');
  base64('data not base64', json({ data: '@@@@' }), 400, 'BadRequest');
  base64('data as a number', '{"data":1}', 422, 'ValidationFailed');
  base64('data twice', '{"data":"QUJD","data":"QUJD"}', 400, 'BadRequest');
  base64('a data: URI that is not base64', json({ data: 'data:text/html,<script>alert(1)</script>' }), 400, 'BadRequest');
  base64('empty data', json({ data: '' }), 400, 'BadRequest');
  base64('an array', '[{"data":"QUJD"}]', 400, 'BadRequest');
  base64('malformed JSON', '{"data":"QUJD"', 400, 'BadRequest');
  base64('trailing text', '{"data":"QUJD"} {}', 400, 'BadRequest');
  base64('a NUL in name', '{"data":"QUJD","name":"a\\u0000b"}', 400, 'BadRequest');
  base64('a lone surrogate in type', '{"type":"image/png\\udc00","data":"QUJD"}', 400, 'BadRequest');
  base64('a header injection in type', json({ type: 'text/html\r\nSet-Cookie: a=b', data: 'QUJD' }), 422, 'ValidationFailed');
  base64('a dot-only name', json({ name: '..', data: 'QUJD' }), 422, 'ValidationFailed');
  base64('name as an object', '{"name":{"a":1},"data":"QUJD"}', 422, 'ValidationFailed');
  base64('an ignored key nested 50,000 deep', `{"x":${'['.repeat(50_000)}${']'.repeat(50_000)},"data":"QUJD"}`, 400, 'BadRequest');
  base64('a latin1 charset', json({ data: 'QUJD' }), 415, 'UnsupportedMediaType', { 'Content-Type': 'application/json; charset=latin1' });
  add({
    name: 'base64 JSON: __proto__ and constructor keys are ignored',
    method: 'POST',
    path: UPLOADS,
    headers: { 'Content-Type': 'application/vnd.contentful.management.v1+json' },
    body: '{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}},"data":"aGVsbG8=","name":"hello.txt","type":"text/plain"}',
    status: 201,
    check: (response) => {
      expect(response.body).toMatchObject({
        sys: { type: 'Upload' },
        details: { size: 5, fileName: 'hello.txt', contentType: 'text/plain' },
      });
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    },
  });
  return cases;
}
