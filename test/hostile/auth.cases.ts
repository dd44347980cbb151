import type { ErrorId } from '@hangar/domain';
import { type HostileCase, J, json } from './hostile-case';

/**
 * Authentication comes before any body is read (issue 9, item 10): a request
 * that will be refused — no or an unknown token, a space the caller may not
 * see, an administrators' route, an unknown route or environment — gets that
 * refusal, never the 400 or 413 its body would have earned, because its body
 * is never parsed. And adding a member does not tell which user ids exist.
 */
export function authCases(): HostileCase[] {
  const cases: HostileCase[] = [];
  const add = (c: HostileCase) => cases.push(c);
  const malformed = '{"name":';
  const oversized = json({ name: 'x'.repeat(2 * 1024 * 1024) });
  // (Compressed bodies are in auth.e2e-spec: supertest would serialise a Buffer sent as JSON.)
  const bodies: [string, string][] = [
    ['malformed JSON', malformed],
    ['a JSON body over the limit', oversized],
  ];
  const refusals: [string, HostileCase['method'], string, Record<string, string>, number, ErrorId][] = [
    ['without a token', 'POST', '/spaces', { Authorization: '' }, 401, 'AccessTokenInvalid'],
    ['with an unknown token', 'POST', '/spaces', { Authorization: 'Bearer CFPAT-unknown-token' }, 401, 'AccessTokenInvalid'],
    [
      'with an unknown token to a space',
      'POST',
      '/spaces/{space}/environments/master/assets',
      { Authorization: 'Bearer x' },
      401,
      'AccessTokenInvalid',
    ],
    ['to a space of another user', 'POST', '/spaces/{other}/environments/master/locales', {}, 404, 'NotFound'],
    ['to an environment that does not exist', 'POST', '/spaces/{space}/environments/nowhere/assets', {}, 404, 'NotFound'],
    ['to an administrators-only route', 'POST', '/users', {}, 403, 'AccessDenied'],
    ['to a route that does not exist', 'POST', '/spaces/{space}/nothing-here', {}, 404, 'NotFound'],
  ];
  for (const [bodyName, body] of bodies) {
    for (const [refusalName, method, path, headers, status, error] of refusals) {
      add({
        name: `${bodyName} ${refusalName}: the refusal, body unread`,
        method,
        path,
        headers: { ...J, ...headers },
        body,
        status,
        error,
      });
    }
  }
  // A public route takes no body, so one sent there is not parsed for an anonymous caller (nor counted against it).
  add({
    name: 'malformed JSON to a public route, without a token: not parsed',
    method: 'GET',
    path: '/health',
    headers: { ...J, Authorization: '' },
    body: malformed,
    status: 200,
    check: (response) => expect(response.body).toEqual({ status: 'ok' }),
  });
  // Past authentication, a declared length over the limit is refused before the body is read.
  add({
    name: 'a JSON body declared past the limit',
    method: 'POST',
    path: '/spaces/{space}/environments/master/assets',
    headers: J,
    body: oversized,
    status: 413,
    error: 'RequestEntityTooLarge',
  });

  // Adding a member: an id of no user is answered like that of a user the caller shares no space with (auth.e2e-spec).
  // `{stranger}` exists, and shares no space with the caller.
  for (const id of ['doesNotExist0000000000', 'x', '{space}', '{stranger}']) {
    add({
      name: `adding user ${id} as a member`,
      method: 'POST',
      path: '/spaces/{space}/space_memberships',
      headers: J,
      body: json({ user: { sys: { type: 'Link', linkType: 'User', id } }, role: 'viewer' }),
      status: 422,
      error: 'ValidationFailed',
    });
  }
  return cases;
}
