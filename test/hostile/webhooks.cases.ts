import { type HostileCase, J, json, refused } from './hostile-case';

const DEFINITIONS = '/spaces/{space}/webhook_definitions';
const SECRET = '/spaces/{space}/webhook_settings/signing_secret';
const valid = { name: 'hostile', url: 'https://receiver.example/hook', topics: ['Asset.publish'] };

/**
 * Webhook definitions, the signing secret and the call log: prototype
 * property names as ids, other users' spaces, URLs that are not http(s),
 * headers that would forge or split a delivery, secrets of the wrong shape.
 */
export function webhookCases(): HostileCase[] {
  return [
    refused('webhook definitions of another space', 'GET', '/spaces/{other}/webhook_definitions', 404, 'NotFound'),
    refused('webhook definitions with a limit of 0', 'GET', `${DEFINITIONS}?limit=0`, 400, 'InvalidQuery'),
    refused('a webhook to a javascript: URL', 'POST', DEFINITIONS, 422, 'ValidationFailed', {
      headers: J,
      body: json({ ...valid, url: 'javascript:alert(1)' }),
    }),
    refused('a webhook to a file: URL', 'POST', DEFINITIONS, 422, 'ValidationFailed', {
      headers: J,
      body: json({ ...valid, url: 'file:///etc/passwd' }),
    }),
    refused('a webhook whose header splits the request', 'POST', DEFINITIONS, 422, 'ValidationFailed', {
      headers: J,
      body: json({ ...valid, headers: [{ key: 'X-A', value: 'a\r\n\r\nGET / HTTP/1.1' }] }),
    }),
    refused('a webhook that forges the signature header', 'POST', DEFINITIONS, 422, 'ValidationFailed', {
      headers: J,
      body: json({ ...valid, headers: [{ key: 'x-contentful-signature', value: 'f'.repeat(64) }] }),
    }),
    refused('a webhook with topics as a string', 'POST', DEFINITIONS, 422, 'ValidationFailed', {
      headers: J,
      body: json({ ...valid, topics: 'Asset.publish' }),
    }),
    refused('a webhook body that is an array', 'POST', DEFINITIONS, 422, 'ValidationFailed', { headers: J, body: json([valid]) }),
    refused('a webhook filter pattern that is no regular expression', 'POST', DEFINITIONS, 422, 'ValidationFailed', {
      headers: J,
      body: json({ ...valid, filters: [{ regexp: [{ doc: 'sys.id' }, { pattern: '(?<' }] }] }),
    }),
    {
      name: 'a webhook body with a __proto__ key is an ordinary key, ignored',
      method: 'POST',
      path: DEFINITIONS,
      headers: J,
      body: `{"__proto__":{"active":false,"httpBasicPassword":"x"},"name":"proto","url":"https://p.example","topics":["*.*"]}`,
      status: 201,
      check: (response) => expect(response.body).toMatchObject({ name: 'proto', active: true, httpBasicUsername: null }),
    },
    refused('the webhook definition __proto__', 'GET', `${DEFINITIONS}/__proto__`, 404, 'NotFound'),
    refused('a webhook id of 65 characters', 'PUT', `${DEFINITIONS}/${'a'.repeat(65)}`, 400, 'BadRequest', {
      headers: J,
      body: json(valid),
    }),
    refused('updating the webhook definition constructor', 'PUT', `${DEFINITIONS}/constructor`, 404, 'NotFound', {
      headers: { ...J, 'X-Contentful-Version': '1' },
      body: json({ name: 'x' }),
    }),
    refused('a webhook update with a version that is no number', 'PUT', `${DEFINITIONS}/constructor`, 400, 'BadRequest', {
      headers: { ...J, 'X-Contentful-Version': '1e3' },
      body: json({ name: 'x' }),
    }),
    refused('deleting the webhook definition constructor', 'DELETE', `${DEFINITIONS}/constructor`, 404, 'NotFound'),
    refused('a signing secret with a line break', 'PUT', SECRET, 422, 'ValidationFailed', {
      headers: J,
      body: json({ value: `${'a'.repeat(63)}\n` }),
    }),
    refused("setting another space's signing secret", 'PUT', '/spaces/{other}/webhook_settings/signing_secret', 404, 'NotFound', {
      headers: J,
      body: json({ value: 'a'.repeat(64) }),
    }),
    refused("reading another space's signing secret", 'GET', '/spaces/{other}/webhook_settings/signing_secret', 404, 'NotFound'),
    refused("deleting another space's signing secret", 'DELETE', '/spaces/{other}/webhook_settings/signing_secret', 404, 'NotFound'),
    refused('calls of the webhook __proto__', 'GET', '/spaces/{space}/webhooks/__proto__/calls', 404, 'NotFound'),
    refused(
      'the call constructor of the webhook constructor',
      'GET',
      '/spaces/{space}/webhooks/constructor/calls/constructor',
      404,
      'NotFound',
    ),
    refused('health of a webhook of another space', 'GET', '/spaces/{other}/webhooks/toString/health', 404, 'NotFound'),
  ];
}
