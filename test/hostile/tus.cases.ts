import { type HostileCase, OCTET } from './hostile-case';

const ENV = '/spaces/{space}/environments/master/tus';
const NO_ENV = '/spaces/{space}/tus';
const TUS = { 'Tus-Resumable': '1.0.0' };
const FORGED = { Authorization: 'Bearer forged', ...TUS };
const PATCH_BODY = { ...TUS, 'Content-Type': 'application/offset+octet-stream', 'Upload-Offset': '0' };

/** An answer of the tus protocol itself: its status, tus's version header, and a text body, not a Contentful error. */
const tusAnswer =
  (status: number) =>
  (response: { status: number; headers: Record<string, string> }): void => {
    expect(response.status).toBe(status);
    expect(response.headers['tus-resumable']).toBe('1.0.0');
  };

/**
 * The tus door (`/spaces/{s}[/environments/{e}]/tus[/{id}]`): the Upload
 * API's guards answer first, Contentful-shaped (forged tokens, other users'
 * spaces, unknown environments, control characters in an id, an empty body);
 * what is wrong in tus's own terms gets tus's own status.
 */
export function tusCases(): HostileCase[] {
  return [
    { name: 'tus OPTIONS in another user space', method: 'OPTIONS', path: '/spaces/{other}/tus', status: 404, error: 'NotFound' },
    {
      name: 'tus OPTIONS in an environment of another user space',
      method: 'OPTIONS',
      path: '/spaces/{other}/environments/master/tus',
      status: 404,
      error: 'NotFound',
    },
    {
      name: 'tus OPTIONS of an upload with a forged token',
      method: 'OPTIONS',
      path: `${NO_ENV}/__proto__`,
      headers: { Authorization: 'Bearer forged' },
      status: 401,
      error: 'AccessTokenInvalid',
    },
    {
      name: 'tus OPTIONS of an upload in an environment that does not exist',
      method: 'OPTIONS',
      path: '/spaces/{space}/environments/no-such-env/tus/x',
      status: 404,
      error: 'NotFound',
    },
    {
      name: 'tus creation with a forged token',
      method: 'POST',
      path: NO_ENV,
      headers: { ...FORGED, 'Upload-Length': '10' },
      status: 401,
      error: 'AccessTokenInvalid',
    },
    {
      name: 'tus creation of an empty upload',
      method: 'POST',
      path: ENV,
      headers: { ...TUS, 'Upload-Length': '0' },
      status: 400,
      error: 'BadRequest',
    },
    {
      name: 'tus creation in another user space',
      method: 'POST',
      path: '/spaces/{other}/environments/master/tus',
      headers: { ...TUS, 'Upload-Length': '10' },
      status: 404,
      error: 'NotFound',
    },
    {
      name: 'tus HEAD with a forged token',
      method: 'HEAD',
      path: `${NO_ENV}/{upload}`,
      headers: FORGED,
      status: 401,
      error: 'AccessTokenInvalid',
    },
    {
      name: 'tus HEAD in another user space',
      method: 'HEAD',
      path: '/spaces/{other}/environments/master/tus/{otherUpload}',
      headers: TUS,
      status: 404,
      error: 'NotFound',
    },
    {
      name: 'tus PATCH with a NUL in the upload id',
      method: 'PATCH',
      path: `${NO_ENV}/a%00b`,
      headers: PATCH_BODY,
      body: Buffer.from('x'),
      status: 400,
      error: 'BadRequest',
    },
    {
      name: 'tus PATCH in an environment that does not exist',
      method: 'PATCH',
      path: '/spaces/{space}/environments/no-such-env/tus/x',
      headers: PATCH_BODY,
      body: Buffer.from('x'),
      status: 404,
      error: 'NotFound',
    },
    {
      name: 'tus DELETE of another user upload through their space',
      method: 'DELETE',
      path: '/spaces/{other}/tus/{otherUpload}',
      headers: TUS,
      status: 404,
      error: 'NotFound',
    },
    {
      name: 'tus DELETE with a forged token',
      method: 'DELETE',
      path: `${ENV}/{upload}`,
      headers: FORGED,
      status: 401,
      error: 'AccessTokenInvalid',
    },
    {
      name: 'tus creation naming its file with a right-to-left override',
      method: 'POST',
      path: ENV,
      headers: { ...TUS, 'Upload-Length': '10', 'Upload-Metadata': `filename ${Buffer.from('invoice\u202Efdp.exe').toString('base64')}` },
      status: 422,
      error: 'ValidationFailed',
    },
    {
      name: 'tus creation with a media type that is not one',
      method: 'POST',
      path: ENV,
      headers: {
        ...TUS,
        'Upload-Length': '10',
        'Upload-Metadata': `filetype ${Buffer.from('text/html\r\nSet-Cookie: a=b').toString('base64')}`,
      },
      status: 422,
      error: 'ValidationFailed',
    },
    // In tus's own terms: its statuses and text answers.
    {
      name: 'tus HEAD of an upload id __proto__',
      method: 'HEAD',
      path: `${ENV}/__proto__`,
      headers: TUS,
      status: 404,
      check: tusAnswer(404),
    },
    {
      name: 'tus HEAD of an Upload API upload (not a tus upload)',
      method: 'HEAD',
      path: `${ENV}/{upload}`,
      headers: TUS,
      status: 404,
      check: tusAnswer(404),
    },
    {
      name: 'tus PATCH with another protocol version',
      method: 'PATCH',
      path: `${ENV}/{upload}`,
      headers: { ...PATCH_BODY, 'Tus-Resumable': '0.2.2' },
      body: Buffer.from('x'),
      status: 412,
      check: (response) => {
        tusAnswer(412)(response);
        expect(response.headers['tus-version']).toBe('1.0.0');
      },
    },
    {
      name: 'tus PATCH as application/octet-stream',
      method: 'PATCH',
      path: `${ENV}/{upload}`,
      headers: { ...TUS, ...OCTET, 'Upload-Offset': '0' },
      body: Buffer.from('x'),
      status: 415,
      check: tusAnswer(415),
    },
    {
      name: 'tus creation with a crc32 Upload-Checksum',
      method: 'POST',
      path: ENV,
      headers: { ...TUS, 'Upload-Length': '1', 'Content-Type': 'application/offset+octet-stream', 'Upload-Checksum': 'crc32 AAAAAA==' },
      body: Buffer.from('x'),
      status: 400,
      check: tusAnswer(400),
    },
    {
      name: 'tus final upload of another user partial upload',
      method: 'POST',
      path: ENV,
      headers: { ...TUS, 'Upload-Concat': 'final;/spaces/{other}/environments/master/tus/{otherUpload}' },
      status: 400,
      check: tusAnswer(400),
    },
    {
      name: 'tus final upload of an Upload API upload',
      method: 'POST',
      path: ENV,
      headers: { ...TUS, 'Upload-Concat': `final;${ENV}/{upload}` },
      status: 400,
      check: tusAnswer(400),
    },
    {
      name: 'tus creation with Upload-Metadata that is not base64',
      method: 'POST',
      path: ENV,
      headers: { ...TUS, 'Upload-Length': '10', 'Upload-Metadata': 'name ***' },
      status: 400,
      check: tusAnswer(400),
    },
    {
      name: 'tus creation with both Upload-Length and Upload-Defer-Length',
      method: 'POST',
      path: ENV,
      headers: { ...TUS, 'Upload-Length': '10', 'Upload-Defer-Length': '1' },
      status: 400,
      check: tusAnswer(400),
    },
  ];
}
