import { type HostileCase, J, json, OCTET, refused } from './hostile-case';

const ENV = '/spaces/{space}/environments/master';
const NO_ENV = '/spaces/{space}';

/**
 * At least one hostile request for each route the api registers that the other
 * area files do not reach (the corpus test fails for a route without one):
 * names of object prototype properties as ids, other users' resources, forged
 * tokens, versions that are not numbers, environments that do not exist.
 */
export function routeCases(): HostileCase[] {
  return [
    {
      name: 'health ignores a forged token (public route)',
      method: 'GET',
      path: '/health',
      headers: { Authorization: 'Bearer forged' },
      status: 200,
      check: (response) => expect(response.body).toEqual({ status: 'ok' }),
    },
    {
      name: 'readiness ignores a forged token (public route)',
      method: 'GET',
      path: '/health/ready',
      headers: { Authorization: 'Bearer forged' },
      status: 200,
      check: (response) => expect(response.body).toEqual({ status: 'ready', checks: { postgres: 'up', redis: 'up', minio: 'up' } }),
    },
    refused('an environment that does not exist', 'GET', '/spaces/{space}/environments/no-such-env', 404, 'NotFound'),
    refused('locales of an environment that does not exist', 'GET', '/spaces/{space}/environments/no-such-env/locales', 404, 'NotFound'),
    refused('the locale __proto__', 'GET', `${ENV}/locales/__proto__`, 404, 'NotFound'),
    refused('the locale of another space', 'GET', '/spaces/{other}/environments/master/locales/en-US', 404, 'NotFound'),
    refused('updating the locale __proto__', 'PUT', `${ENV}/locales/__proto__`, 404, 'NotFound', {
      headers: { ...J, 'X-Contentful-Version': '1' },
      body: json({ name: 'x' }),
    }),
    refused('updating a locale with a code that is not one', 'PUT', `${ENV}/locales/constructor`, 422, 'ValidationFailed', {
      headers: { ...J, 'X-Contentful-Version': '1' },
      body: json({ code: '../../etc' }),
    }),
    refused('deleting the locale constructor', 'DELETE', `${ENV}/locales/constructor`, 404, 'NotFound'),
    refused('deleting a space of another user', 'DELETE', '/spaces/{other}', 404, 'NotFound'),
    refused('deleting the master environment', 'DELETE', '/spaces/{space}/environments/master', 400, 'BadRequest'),
    refused('deleting the environment __proto__', 'DELETE', '/spaces/{space}/environments/__proto__', 404, 'NotFound'),
    refused('creating an environment with no name', 'POST', '/spaces/{space}/environments', 422, 'ValidationFailed', {
      headers: J,
      body: json({ name: '' }),
    }),
    refused('users/me with a well-formed token that does not exist', 'GET', '/users/me', 401, 'AccessTokenInvalid', {
      headers: { Authorization: `Bearer CFPAT-${'a'.repeat(43)}` },
    }),
    refused('an ordinary user creating a user', 'POST', '/users', 403, 'AccessDenied', {
      headers: J,
      body: json({ email: 'someone@tests.hangar.local', admin: true }),
    }),
    refused('revoking the token constructor', 'PUT', '/users/me/access_tokens/constructor/revoked', 404, 'NotFound'),
    refused('an ordinary user minting a token for another user', 'POST', '/users/{stranger}/access_tokens', 403, 'AccessDenied', {
      headers: J,
      body: json({ name: 'stolen', scopes: ['content_management_manage'] }),
    }),
    refused('memberships of another space', 'GET', '/spaces/{other}/space_memberships', 404, 'NotFound'),
    refused('a membership with a role that does not exist', 'POST', '/spaces/{space}/space_memberships', 422, 'ValidationFailed', {
      headers: J,
      body: json({ user: { sys: { type: 'Link', linkType: 'User', id: '{stranger}' } }, role: 'owner' }),
    }),
    refused('adding a member to another space', 'POST', '/spaces/{other}/space_memberships', 404, 'NotFound', {
      headers: J,
      body: json({ user: { sys: { type: 'Link', linkType: 'User', id: '{stranger}' } }, role: 'viewer' }),
    }),
    refused('deleting the membership __proto__', 'DELETE', '/spaces/{space}/space_memberships/__proto__', 404, 'NotFound'),
    refused(
      'an upload into an environment that does not exist',
      'POST',
      '/spaces/{space}/environments/no-such-env/uploads',
      404,
      'NotFound',
      {
        headers: OCTET,
        body: Buffer.from('bytes'),
      },
    ),
    refused('the upload __proto__', 'GET', `${NO_ENV}/uploads/__proto__`, 404, 'NotFound'),
    refused('deleting the upload of another space', 'DELETE', `${NO_ENV}/uploads/{otherUpload}`, 404, 'NotFound'),
    refused('deleting the upload of another space (environment route)', 'DELETE', `${ENV}/uploads/{otherUpload}`, 404, 'NotFound'),
    refused('assets ordered by __proto__', 'GET', `${NO_ENV}/assets?order=__proto__`, 400, 'InvalidQuery'),
    refused('an asset from malformed JSON', 'POST', `${NO_ENV}/assets`, 400, 'BadRequest', { headers: J, body: '{"fields":' }),
    refused('the asset constructor', 'GET', `${NO_ENV}/assets/constructor`, 404, 'NotFound'),
    refused('an update with a version in exponent form', 'PUT', `${NO_ENV}/assets/{asset}`, 400, 'BadRequest', {
      headers: { ...J, 'X-Contentful-Version': '1e3' },
      body: json({ fields: {} }),
    }),
    refused('deleting an asset at a version it does not have', 'DELETE', `${ENV}/assets/{asset}`, 409, 'VersionMismatch', {
      headers: { 'X-Contentful-Version': '99' },
    }),
    refused('deleting the asset valueOf', 'DELETE', `${NO_ENV}/assets/valueOf`, 404, 'NotFound'),
    refused('processing the locale __proto__', 'PUT', `${NO_ENV}/assets/{asset}/files/__proto__/process`, 422, 'ValidationFailed', {
      headers: { 'X-Contentful-Version': '1' },
    }),
    refused('publishing at a negative version', 'PUT', `${NO_ENV}/assets/{asset}/published`, 400, 'BadRequest', {
      headers: { 'X-Contentful-Version': '-1' },
    }),
    refused('unpublishing at a version that is not a number', 'DELETE', `${ENV}/assets/{asset}/published`, 400, 'BadRequest', {
      headers: { 'X-Contentful-Version': 'abc' },
    }),
    refused('unpublishing the asset hasOwnProperty', 'DELETE', `${NO_ENV}/assets/hasOwnProperty/published`, 404, 'NotFound'),
    refused('archiving at a version that is not a number', 'PUT', `${ENV}/assets/{asset}/archived`, 400, 'BadRequest', {
      headers: { 'X-Contentful-Version': 'NaN' },
    }),
    refused('archiving the asset toString', 'PUT', `${NO_ENV}/assets/toString/archived`, 404, 'NotFound'),
    refused('unarchiving at a hexadecimal version', 'DELETE', `${ENV}/assets/{asset}/archived`, 400, 'BadRequest', {
      headers: { 'X-Contentful-Version': '0x1' },
    }),
    refused('unarchiving an asset of another space', 'DELETE', '/spaces/{other}/assets/{asset}/archived', 404, 'NotFound'),
    refused('HEAD of a file path that climbs out', 'HEAD', '/files/{space}/{asset}/x/..%2F..%2Fetc', 404, 'NotFound'),
  ];
}
