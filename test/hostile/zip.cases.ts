import { type HostileCase, J, json, OCTET, refused } from './hostile-case';

const FOLDERS = '/spaces/{space}/folders';
const ZIP = { 'Content-Type': 'application/zip' };

/**
 * ZIP expansion (issue 11 item 4): `PUT …/folders/{path}?extract=zip` and the
 * FileExpansion it answers. What an archive holds (zip-slip names, bombs,
 * symlinks…) is refused by the worker, not at the door: those cases are in
 * test/zip-expansion.e2e-spec.ts, each with its reason and nothing written.
 */
export function zipCases(): HostileCase[] {
  return [
    refused('an extraction in a format other than zip', 'PUT', `${FOLDERS}/a?extract=tar`, 400, 'InvalidQuery', {
      headers: ZIP,
      body: Buffer.from('PK'),
    }),
    refused('an extraction named by a prototype property', 'PUT', `${FOLDERS}/a?extract=__proto__`, 400, 'InvalidQuery', {
      headers: ZIP,
      body: Buffer.from('PK'),
    }),
    refused('an archive sent as JSON', 'PUT', `${FOLDERS}/a?extract=zip`, 415, 'UnsupportedMediaType', { headers: J, body: json({}) }),
    refused('an archive with an acl that does not exist', 'PUT', `${FOLDERS}/a?extract=zip&acl=constructor`, 400, 'InvalidQuery', {
      headers: OCTET,
      body: Buffer.from('PK'),
    }),
    refused('an empty archive body', 'PUT', `${FOLDERS}/a?extract=zip`, 400, 'BadRequest', { headers: OCTET, body: Buffer.alloc(0) }),
    refused('an archive expanded into a folder with NUL', 'PUT', `${FOLDERS}/a%00b?extract=zip`, 400, 'BadRequest', {
      headers: OCTET,
      body: Buffer.from('PK'),
    }),
    refused('an archive expanded into another space', 'PUT', '/spaces/{other}/folders/a?extract=zip', 404, 'NotFound', {
      headers: OCTET,
      body: Buffer.from('PK'),
    }),
    refused('the expansion __proto__', 'GET', '/spaces/{space}/file_expansions/__proto__', 404, 'NotFound'),
    refused('an expansion of another space', 'GET', '/spaces/{other}/file_expansions/x', 404, 'NotFound'),
    refused('an expansion id with NUL', 'GET', '/spaces/{space}/file_expansions/a%00b', 400, 'BadRequest'),
  ];
}
