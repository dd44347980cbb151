import request from 'supertest';
import { type RunningApi, startApi } from './support/api-harness';
import { expectContentfulError } from './support/contentful-shape';
import { newUser, type TestUser } from './support/factories';

describe('per-token rate limits', () => {
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

  it('answers 429 RateLimitExceeded with the X-Contentful-RateLimit headers past the limit, per token', async () => {
    // Start at the beginning of a second so all requests fall in one window.
    await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000)));
    const responses = await Promise.all(Array.from({ length: 12 }, () => request(api.baseUrl).get('/users/me').set(busy.auth)));
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
      });
    }
    expect(served[0]?.headers['x-contentful-ratelimit-second-limit']).toBe('5');
    // Another token is not affected, and the next second serves again.
    await request(api.baseUrl).get('/users/me').set(calm.auth).expect(200);
    await new Promise((r) => setTimeout(r, 1100));
    await request(api.baseUrl).get('/users/me').set(busy.auth).expect(200);
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
