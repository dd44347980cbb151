import { type HostileCase, json, refused } from './hostile-case';

const SPACE = { 'X-Hangar-Space': '{space}' };
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };
const JSON_BODY = { 'Content-Type': 'application/json' };
const BOUNDARY = 'hostileDialectBoundary';
const MULTIPART = { 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}` };
const basic = (user: string, password: string) => ({ Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

/** A form with one file part holding `data`. */
function formWith(data: Buffer, fileName = 'a.bin'): Buffer {
  return formWithFiles([[data, fileName]]);
}

/** A form with a file part for each `[data, fileName]`, in order. */
function formWithFiles(files: readonly (readonly [Buffer, string])[]): Buffer {
  return Buffer.concat([
    ...files.flatMap(([data, fileName]) => [
      Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\n\r\n`),
      data,
      Buffer.from('\r\n'),
    ]),
    Buffer.from(`--${BOUNDARY}--\r\n`),
  ]);
}

/** The first bytes of a ZIP archive (a local file header): enough for Akana to take it as an archive to expand. */
const ZIP_HEAD = Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(40)]);

/**
 * The seed dialects (issue 11): Capillary's and Akana's absolute routes,
 * whose space comes from the token or `X-Hangar-Space` (the corpus user's
 * token is bound to none), Comapi's under a space id, and the token-less
 * Comapi content URL. Paths that would escape their folder, spaces of other
 * users, credentials in the wrong form, bodies each dialect does not speak.
 */
export function dialectCases(): HostileCase[] {
  const capillary = '/api_gateway/file-service';
  return [
    // Capillary
    refused('a Capillary upload that names no space', 'POST', `${capillary}/rewards/a.png`, 400, 'BadRequest'),
    refused('a Capillary upload into another user’s space', 'POST', `${capillary}/rewards/a.png`, 404, 'NotFound', {
      headers: { 'X-Hangar-Space': '{other}' },
    }),
    refused('a Capillary upload naming a space with a slash', 'POST', `${capillary}/rewards/a.png`, 400, 'BadRequest', {
      headers: { 'X-Hangar-Space': '../{space}' },
    }),
    refused('a Capillary file name of dots', 'POST', `${capillary}/rewards/%2E%2E`, 400, 'BadRequest', { headers: SPACE }),
    refused('a Capillary file name with an encoded slash', 'POST', `${capillary}/rewards/..%2Fx.png`, 400, 'BadRequest', {
      headers: SPACE,
    }),
    refused('a Capillary namespace with NUL', 'POST', `${capillary}/re%00wards/a.png`, 400, 'BadRequest', { headers: SPACE }),
    refused('Capillary Basic credentials with a forged token', 'POST', `${capillary}/rewards/a.png`, 401, 'AccessTokenInvalid', {
      headers: basic('capillary', 'CFPAT-forged'),
    }),
    refused('Capillary Basic credentials without a password', 'POST', `${capillary}/rewards/a.png`, 401, 'AccessTokenInvalid', {
      headers: basic('{space}', ''),
    }),
    refused('Capillary Basic credentials that are not base64', 'POST', `${capillary}/rewards/a.png`, 401, 'AccessTokenInvalid', {
      headers: { Authorization: 'Basic %%%' },
    }),
    refused('a Capillary upload as JSON', 'POST', `${capillary}/rewards/a.png`, 415, 'UnsupportedMediaType', {
      headers: { ...SPACE, ...JSON_BODY },
      body: json({ file: 'x' }),
    }),
    refused('Akana content with two file parts', 'POST', '/content/two.png', 400, 'BadRequest', {
      headers: { ...SPACE, ...MULTIPART },
      body: Buffer.concat([formWith(Buffer.from('a')).subarray(0, -(BOUNDARY.length + 6)), formWith(Buffer.from('b'))]),
    }),
    // Comapi
    refused('Comapi content into another user’s space', 'POST', '/apispaces/{other}/content', 404, 'NotFound', {
      headers: JSON_BODY,
      body: json({ name: 'a.png', type: 'image/png', data: 'AAAA' }),
    }),
    refused('Comapi content whose data is not base64', 'POST', '/apispaces/{space}/content', 400, 'BadRequest', {
      headers: JSON_BODY,
      body: json({ name: 'a.png', type: 'image/png', data: '<script>' }),
    }),
    refused('Comapi content in a folder above the root', 'POST', '/apispaces/{space}/content', 400, 'BadRequest', {
      headers: JSON_BODY,
      body: json({ name: 'a.txt', folder: '../../etc', data: 'AAAA' }),
    }),
    refused('Comapi content named __proto__ with NUL', 'POST', '/apispaces/{space}/content', 400, 'BadRequest', {
      headers: JSON_BODY,
      body: json({ name: '__proto__\u0000', data: 'AAAA' }),
    }),
    refused('Comapi content as plain text', 'POST', '/apispaces/{space}/content', 415, 'UnsupportedMediaType', {
      headers: { 'Content-Type': 'text/plain' },
      body: 'hello',
    }),
    refused('the Comapi content __proto__', 'GET', '/apispaces/{space}/content/__proto__', 404, 'NotFound'),
    refused('Comapi content of another user’s space', 'GET', '/apispaces/{other}/content/x', 404, 'NotFound'),
    refused('HEAD of Comapi content that does not exist', 'HEAD', '/apispaces/{space}/content/constructor', 404, 'NotFound'),
    refused('Comapi content with NUL in its id', 'GET', '/apispaces/{space}/content/a%00b', 400, 'BadRequest'),
    // Akana
    refused('Akana content that names no space', 'POST', '/content/a.txt?body=x', 400, 'BadRequest'),
    refused('Akana content in another user’s space', 'POST', '/content/a.txt?body=x', 404, 'NotFound', {
      headers: { 'X-Hangar-Space': '{other}' },
    }),
    refused('Akana content above the root', 'POST', '/content/%2E%2E/a.txt?body=x', 400, 'BadRequest', { headers: SPACE }),
    refused('Akana content with an unknown type', 'POST', '/content/a.txt', 400, 'BadRequest', {
      headers: { ...SPACE, ...FORM },
      body: 'body=x&type=constructor',
    }),
    refused('Akana content sent twice in one form', 'POST', '/content/a.txt', 400, 'BadRequest', {
      headers: { ...SPACE, ...FORM },
      body: 'body=x&body=y',
    }),
    refused('Akana content that is empty', 'POST', '/content/a.txt', 400, 'BadRequest', {
      headers: { ...SPACE, ...FORM },
      body: 'type=txt',
    }),
    refused('Akana content as JSON', 'POST', '/content/a.json', 415, 'UnsupportedMediaType', {
      headers: { ...SPACE, ...JSON_BODY },
      body: json({ body: '{}' }),
    }),
    refused(
      'an Akana ZIP upload with a second file after it (its archive stored, then given up)',
      'POST',
      '/content/docs',
      400,
      'BadRequest',
      {
        headers: { ...SPACE, ...MULTIPART },
        body: formWithFiles([
          [ZIP_HEAD, 'docs.zip'],
          [Buffer.from('more'), 'b.txt'],
        ]),
      },
    ),
    refused('the Akana content __proto__', 'GET', '/content/__proto__', 404, 'NotFound', { headers: SPACE }),
    refused('Akana content whose path has NUL', 'GET', '/content/a%00b', 400, 'BadRequest', { headers: SPACE }),
    refused('Akana content read from another user’s space', 'GET', '/content/a.txt', 404, 'NotFound', {
      headers: { 'X-Hangar-Space': '{other}' },
    }),
  ];
}
