import { type HostileCase, J, json, OCTET, refused } from './hostile-case';

const FILES = '/spaces/{space}';

/**
 * The Files API and file delivery (issue 11): paths that would escape or
 * confuse their folder (the `..` forms are in test/files.e2e-spec.ts, sent
 * over a raw socket: supertest's URL parser resolves them before sending),
 * names of object prototype properties, other users' spaces, versions and
 * lifetimes that are not numbers, and forged signed URLs.
 */
export function fileCases(): HostileCase[] {
  return [
    refused('a file path with NUL', 'PUT', `${FILES}/files/a%00b.txt`, 400, 'BadRequest', { headers: OCTET, body: Buffer.from('x') }),
    // Refused by the path guard before any token check, for a wildcard path as for a named parameter.
    refused('a file path with NUL and a forged token', 'GET', `${FILES}/files/dir/a%00b.txt`, 400, 'BadRequest', {
      headers: { Authorization: 'Bearer forged' },
    }),
    refused('a file name with an encoded slash', 'PUT', `${FILES}/files/a%2F..%2Fb.txt`, 400, 'BadRequest', {
      headers: OCTET,
      body: Buffer.from('x'),
    }),
    refused('a file written as JSON', 'PUT', `${FILES}/files/a.json`, 415, 'UnsupportedMediaType', { headers: J, body: json({}) }),
    refused('a file written with an acl that does not exist', 'PUT', `${FILES}/files/a.txt?acl=constructor`, 400, 'InvalidQuery', {
      headers: OCTET,
      body: Buffer.from('x'),
    }),
    refused('a file written into another space', 'PUT', '/spaces/{other}/files/a.txt', 404, 'NotFound', {
      headers: OCTET,
      body: Buffer.from('x'),
    }),
    refused('the file __proto__', 'GET', `${FILES}/files/__proto__`, 404, 'NotFound'),
    refused('a file version that is not a number', 'GET', `${FILES}/files/a.txt?version=constructor`, 400, 'InvalidQuery'),
    refused('deleting the file constructor', 'DELETE', `${FILES}/files/constructor`, 404, 'NotFound'),
    refused('deleting a file of another space', 'DELETE', '/spaces/{other}/files/a.txt', 404, 'NotFound'),
    refused('the metadata of a path with a line feed', 'GET', `${FILES}/file_metadata/a%0Ab`, 400, 'BadRequest'),
    refused('an acl that does not exist', 'PUT', `${FILES}/file_acl/a.txt`, 422, 'ValidationFailed', {
      headers: J,
      body: json({ acl: '__proto__' }),
    }),
    refused('the versions of the file hasOwnProperty', 'GET', `${FILES}/file_versions/hasOwnProperty`, 404, 'NotFound'),
    refused('a signed URL with a negative lifetime', 'GET', `${FILES}/file_urls/a.txt?expiresIn=-1`, 400, 'InvalidQuery'),
    refused('a signed URL for a file of another space', 'GET', '/spaces/{other}/file_urls/a.txt', 404, 'NotFound'),
    refused('the root folder with limit 0', 'GET', `${FILES}/folders?limit=0`, 400, 'InvalidQuery'),
    refused('the folder valueOf', 'GET', `${FILES}/folders/valueOf`, 404, 'NotFound'),
    refused('a folder named with a right-to-left override', 'PUT', `${FILES}/folders/a%E2%80%AEb`, 400, 'BadRequest'),
    refused('a folder in another space', 'PUT', '/spaces/{other}/folders/x', 404, 'NotFound'),
    refused('deleting the folder toString', 'DELETE', `${FILES}/folders/toString`, 404, 'NotFound'),
    refused('a delivered file that does not exist', 'GET', '/file_delivery/{space}/__proto__', 404, 'NotFound'),
    refused('a delivered file whose path has NUL', 'GET', '/file_delivery/{space}/a%00b', 400, 'BadRequest'),
    refused('a forged signed URL', 'GET', '/file_delivery/{space}/a.txt?version=1&exp=9999999999&kid=k&sig=forged', 403, 'AccessDenied'),
    refused('a signed URL without its signature', 'GET', '/file_delivery/{space}/a.txt?version=1&exp=9999999999', 403, 'AccessDenied'),
    refused('HEAD of a delivered file that does not exist', 'HEAD', '/file_delivery/{other}/a.txt', 404, 'NotFound'),
  ];
}
