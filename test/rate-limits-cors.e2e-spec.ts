import request from 'supertest';
import { AccessTokenService } from '../apps/api/src/auth/access-token.service';
import { type RunningApi, startApi } from './support/api-harness';
import { expectContentfulError } from './support/contentful-shape';
import { adminAuth, JSON_TYPE, newUser, type TestUser, uniqueName } from './support/factories';

describe('per-user rate limits', () => {
  let api: RunningApi;
  let busy: TestUser;
  let calm: TestUser;

  beforeAll(async () => {
    api = await startApi({ RATE_LIMIT_PER_SECOND: '5' });
    busy = await newUser(api.baseUrl);
    calm = await newUser(api.baseUrl);
  });
  afterAll(async () => {
    await api.close();
  });

  it('answers 429 RateLimitExceeded with the X-Contentful-RateLimit headers past the limit, per user across their tokens', async () => {
    // A token of their own: minting more does not raise the limit.
    const minted = await request(api.baseUrl)
      .post('/users/me/access_tokens')
      .set(busy.auth)
      .set('Content-Type', JSON_TYPE)
      .send({ name: 'second', scopes: ['content_management_read'] })
      .expect(201);
    const tokens = [busy.auth, { Authorization: `Bearer ${minted.body.token as string}` }];
    // Start at the beginning of a second so all requests fall in one window.
    await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000)));
    const responses = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        request(api.baseUrl)
          .get('/users/me')
          .set(tokens[i % 2] ?? busy.auth),
      ),
    );
    const limited = responses.filter((response) => response.status === 429);
    const served = responses.filter((response) => response.status === 200);
    expect(served.length).toBeLessThanOrEqual(5);
    expect(limited.length).toBeGreaterThanOrEqual(7);
    for (const response of limited) {
      expectContentfulError(response, 429, 'RateLimitExceeded');
      expect(response.headers).toMatchObject({
        'x-contentful-ratelimit-second-limit': '5',
        'x-contentful-ratelimit-second-remaining': '0',
        'x-contentful-ratelimit-reset': '1',
        'retry-after': '1',
      });
    }
    expect(served[0]?.headers['x-contentful-ratelimit-second-limit']).toBe('5');
    // Another user is not affected, and the next second serves again.
    await request(api.baseUrl).get('/users/me').set(calm.auth).expect(200);
    await new Promise((r) => setTimeout(r, 1100));
    await request(api.baseUrl).get('/users/me').set(busy.auth).expect(200);
  });
});

describe('failed authentications per client address', () => {
  const LIMIT = 3;
  // Each api counts under a prefix of its own, so a rerun within the minute starts from nothing.
  const limitedApi = (env: Record<string, string> = {}) =>
    startApi({ AUTH_FAILURES_PER_MINUTE: String(LIMIT), QUEUE_PREFIX: uniqueName('auth-failures'), ...env });
  const unknownToken = { Authorization: 'Bearer CFPAT-not-a-token-of-anyone' };

  it('answers 429 RateLimitExceeded before looking tokens up once an address sent too many unknown ones', async () => {
    const api = await limitedApi();
    try {
      const lookups = jest.spyOn(api.app.get(AccessTokenService), 'authenticate');
      for (let i = 0; i < LIMIT; i++) {
        // Without a trusted proxy, X-Forwarded-For is the client's own say and changes nothing.
        const refused = await request(api.baseUrl).get('/spaces').set(unknownToken).set('X-Forwarded-For', `198.51.100.${i}`);
        expectContentfulError(refused, 401, 'AccessTokenInvalid');
      }
      expect(lookups).toHaveBeenCalledTimes(LIMIT);
      const limited = await request(api.baseUrl).get('/spaces').set(unknownToken).set('X-Forwarded-For', '198.51.100.99');
      expectContentfulError(limited, 429, 'RateLimitExceeded');
      const reset = Number(limited.headers['x-contentful-ratelimit-reset']);
      expect(reset).toBeGreaterThanOrEqual(1);
      expect(reset).toBeLessThanOrEqual(60);
      expect(limited.headers['retry-after']).toBe(String(reset));
      // Even a valid token is not looked up from that address until the window ends.
      expectContentfulError(await request(api.baseUrl).get('/users/me').set(adminAuth), 429, 'RateLimitExceeded');
      expect(lookups).toHaveBeenCalledTimes(LIMIT);
      // No token at all costs no lookup, and stays a 401.
      expectContentfulError(await request(api.baseUrl).get('/spaces'), 401, 'AccessTokenInvalid');
    } finally {
      await api.close();
    }
  });

  it('counts the address a trusted proxy names, IPv6 clients per /64', async () => {
    const api = await limitedApi({ TRUST_PROXY_HOPS: '1' });
    try {
      const block = '2001:db8:1:2';
      const from = (address: string) => request(api.baseUrl).get('/spaces').set(unknownToken).set('X-Forwarded-For', address);
      for (let i = 1; i <= LIMIT; i++) expectContentfulError(await from(`${block}::${i}`), 401, 'AccessTokenInvalid');
      expectContentfulError(await from(`${block}:ffff:ffff:ffff:ffff`), 429, 'RateLimitExceeded');
      // Another client behind the same proxy, and the proxy itself, are not affected.
      expectContentfulError(await from('2001:db8:ffff:ffff::1'), 401, 'AccessTokenInvalid');
      await request(api.baseUrl).get('/users/me').set(adminAuth).expect(200);
    } finally {
      await api.close();
    }
  });
});

describe('CORS', () => {
  it('lets any origin call the API by default, preflight included', async () => {
    const api = await startApi();
    try {
      const preflight = await request(api.baseUrl)
        .options('/spaces')
        .set('Origin', 'https://cms.example.com')
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'authorization,content-type,x-contentful-version');
      expect(preflight.status).toBe(204);
      expect(preflight.headers['access-control-allow-origin']).toBe('*');
      expect(preflight.headers['access-control-allow-headers']).toMatch(/X-Contentful-Version/i);
      expect(preflight.headers['x-contentful-request-id']).toEqual(expect.any(String));
      const simple = await request(api.baseUrl).get('/health').set('Origin', 'https://cms.example.com').expect(200);
      expect(simple.headers['access-control-expose-headers']).toMatch(/X-Contentful-Request-Id/);
    } finally {
      await api.close();
    }
  });

  it('answers only the configured origins when CORS_ORIGINS lists them', async () => {
    const api = await startApi({ CORS_ORIGINS: 'https://cms.example.com, https://admin.example.com' });
    try {
      const allowed = await request(api.baseUrl).get('/health').set('Origin', 'https://admin.example.com').expect(200);
      expect(allowed.headers['access-control-allow-origin']).toBe('https://admin.example.com');
      const other = await request(api.baseUrl).get('/health').set('Origin', 'https://evil.example.com').expect(200);
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await api.close();
    }
  });
});
