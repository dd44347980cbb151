import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifyRequest } from '@contentful/node-apps-toolkit';
import { SIGNATURE_HEADER, signWebhookRequest } from './webhook-signing';

/** Contentful's own verification (node-apps-toolkit `verifyRequest`) is the oracle: it must accept what we sign. */
describe('signWebhookRequest', () => {
  const secret = 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9T0u1V2w3X4y5Z6+/=_-abcdefg'.slice(0, 64);
  const body = JSON.stringify({ sys: { id: 'asset-1', type: 'Asset' }, fields: { title: { 'en-US': 'Hafen ⚓' } } });
  const headers = {
    'Content-Type': 'application/vnd.contentful.management.v1+json',
    'X-Contentful-Topic': 'ContentManagement.Asset.publish',
    'X-Contentful-Webhook-Name': 'search indexer',
    'X-Contentful-Idempotency-Key': 'delivery-123',
  };

  /** The request as the receiver sees it: our headers and the signature's, names lower-cased as Node gives them. */
  function received(path: string, signed: Record<string, string>, bodyText = body) {
    const all = Object.fromEntries(Object.entries({ ...headers, ...signed }).map(([name, value]) => [name.toLowerCase(), value]));
    return { method: 'POST' as const, path, headers: all, body: bodyText };
  }

  test('Contentful’s verifier accepts our signature, with and without a query', () => {
    expect(secret).toHaveLength(64);
    for (const path of ['/hooks/contentful', '/hooks?tenant=a b&x=1']) {
      const now = Date.now();
      const signed = signWebhookRequest(secret, { method: 'POST', path, headers, body }, now);
      expect(signed[SIGNATURE_HEADER]).toMatch(/^[0-9a-f]{64}$/);
      expect(verifyRequest(secret, received(path, signed), 30)).toBe(true);
    }
  });

  test('a changed body, header, path or secret, or an old timestamp, is refused', () => {
    const now = Date.now();
    const signed = signWebhookRequest(secret, { method: 'POST', path: '/hooks', headers, body }, now);
    expect(verifyRequest(secret, received('/hooks', signed, body.replace('Hafen', 'Hefen')), 30)).toBe(false);
    expect(verifyRequest(secret, received('/hooks/other', signed), 30)).toBe(false);
    const tampered = received('/hooks', signed);
    tampered.headers['x-contentful-topic'] = 'ContentManagement.Asset.delete';
    expect(verifyRequest(secret, tampered, 30)).toBe(false);
    expect(verifyRequest(`${secret.slice(0, 63)}x`, received('/hooks', signed), 30)).toBe(false);
    const old = signWebhookRequest(secret, { method: 'POST', path: '/hooks', headers, body }, now - 60_000);
    expect(() => verifyRequest(secret, received('/hooks', old), 30)).toThrow();
  });
});

/** The README's verification snippet is what receivers copy: it must accept what we sign and refuse what it should. */
describe("the README's verification snippet", () => {
  const readme = readFileSync(join(__dirname, '../../../README.md'), 'utf8');
  const block = /```js\n(const crypto = require\('node:crypto'\);[\s\S]*?function verifyHangarWebhook[\s\S]*?)```/.exec(readme)?.[1];
  type Verify = (secret: string, request: { method: string; path: string; headers: Record<string, string>; rawBody: string }) => boolean;
  // The snippet is the README's text, run as a reader would run it.
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const load = new Function('require', `${block ?? ''}\nreturn verifyHangarWebhook;`) as (load: NodeJS.Require) => Verify;
  const verify = load(require);
  const secret = 'r'.repeat(64);

  test('it is there, and accepts a signed request; a changed body or an old one it refuses', () => {
    expect(block).toBeDefined();
    const headers = { 'content-type': 'application/vnd.contentful.management.v1+json', 'x-contentful-topic': 'Hangar.Asset.processed' };
    const rawBody = '{"sys":{"id":"a"}}';
    const path = '/hook?x=1 2';
    const signed = signWebhookRequest(secret, { method: 'POST', path, headers, body: rawBody }, Date.now());
    expect(verify(secret, { method: 'POST', path, headers: { ...headers, ...signed }, rawBody })).toBe(true);
    expect(verify(secret, { method: 'POST', path, headers: { ...headers, ...signed }, rawBody: rawBody.replace('a', 'b') })).toBe(false);
    const old = signWebhookRequest(secret, { method: 'POST', path, headers, body: rawBody }, Date.now() - 120_000);
    expect(verify(secret, { method: 'POST', path, headers: { ...headers, ...old }, rawBody })).toBe(false);
  });
});
