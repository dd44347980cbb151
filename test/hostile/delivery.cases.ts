import { type HostileCase, J, json } from './hostile-case';

const assetsPath = '/spaces/{space}/environments/master/assets';
const fileNamed = (fileName: string, contentType = 'image/png') =>
  json({
    fields: { file: { 'en-US': { contentType, fileName, uploadFrom: { sys: { type: 'Link', linkType: 'Upload', id: '{upload}' } } } } },
  });

/**
 * How stored files go back out (issue 9, items 1, 6 and 11): names that would
 * reorder a download dialog are refused, types that are active but valid are
 * taken (delivery sends them as downloads: test/delivery-headers.e2e-spec.ts),
 * conditional and range requests never reveal a file that is not there.
 */
export function deliveryCases(): HostileCase[] {
  const cases: HostileCase[] = [];
  const add = (c: HostileCase) => cases.push(c);

  // Bidirectional embeddings, overrides and isolates: `invoice\u202Efdp.exe` shows as `invoiceexe.pdf`.
  const bidiControls = ['\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069'];
  for (const control of bidiControls) {
    const fileName = `invoice${control}fdp.exe`;
    const code = `U+${control.charCodeAt(0).toString(16).toUpperCase()}`;
    add({
      name: `fileName with ${code} on create`,
      method: 'POST',
      path: assetsPath,
      headers: J,
      body: fileNamed(fileName),
      status: 422,
      error: 'ValidationFailed',
    });
    add({
      name: `fileName with ${code} on update`,
      method: 'PUT',
      path: `${assetsPath}/{asset}`,
      headers: { ...J, 'X-Contentful-Version': '1' },
      body: fileNamed(fileName),
      status: 422,
      error: 'ValidationFailed',
    });
  }
  // C1 control characters are control characters too.
  for (const control of ['\u0085', '\u009b'])
    add({
      name: `fileName with C1 control U+${control.charCodeAt(0).toString(16).toUpperCase()}`,
      method: 'POST',
      path: assetsPath,
      headers: J,
      body: fileNamed(`a${control}b.png`),
      status: 422,
      error: 'ValidationFailed',
    });
  // Marks (LRM, RLM) belong in right-to-left names: taken, and left out of Content-Disposition at delivery.
  for (const fileName of ['שלום\u200F.png', 'a\u200Eb.png'])
    add({
      name: `fileName ${json(fileName)} with a directional mark`,
      method: 'POST',
      path: assetsPath,
      headers: J,
      body: fileNamed(fileName),
      status: 201,
      check: (response) => {
        expect((response.body as { fields: { file: Record<string, { fileName: string }> } }).fields.file['en-US']?.fileName).toBe(fileName);
      },
    });
  // Media types that are active yet well-formed are taken as declared; delivery decides what goes out.
  for (const contentType of ['image/svg+xml', 'application/x-javascript', 'text/xml', 'application/xhtml+xml'])
    add({
      name: `contentType ${contentType} is kept as declared`,
      method: 'POST',
      path: assetsPath,
      headers: J,
      body: fileNamed('a.txt', contentType),
      status: 201,
      check: (response) => {
        expect((response.body as { fields: { file: Record<string, { contentType: string }> } }).fields.file['en-US']?.contentType).toBe(
          contentType,
        );
      },
    });

  // A file that is not there is not there, whatever the conditions: never a 304 or a 416 for it.
  const missing = '/files/{space}/{asset}/AAAAAAAAAAAAAAAAAAAAAA/x.png';
  for (const headers of <Record<string, string>[]>[
    { 'If-None-Match': '*' },
    { 'If-None-Match': 'W/"x", "y"' },
    { Range: 'bytes=99999-' },
    { Range: 'bytes=0-0' },
  ])
    add({ name: `GET a missing file with ${json(headers)}`, method: 'GET', path: missing, headers, status: 404, error: 'NotFound' });
  for (const name of ['invoice%E2%80%AEfdp.exe', '%E2%80%8F.png', '..%2Fx.png'])
    add({
      name: `GET a missing file named ${name}`,
      method: 'GET',
      path: `/files/{space}/{asset}/AAAAAAAAAAAAAAAAAAAAAA/${name}`,
      status: 404,
      error: 'NotFound',
    });
  add({
    name: 'HEAD a missing file',
    method: 'HEAD',
    path: missing,
    status: 404,
    check: (response) => {
      expect(response.headers['content-disposition']).toBeUndefined();
      expect(response.headers['cache-control']).toBeUndefined();
    },
  });
  return cases;
}
