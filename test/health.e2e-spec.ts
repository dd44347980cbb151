import request from 'supertest';
import { type RunningApi, startApi } from './support/api-harness';
import { expectContentfulError } from './support/contentful-shape';
import { startScratchRedis } from './support/processes';

describe('health', () => {
  let api: RunningApi;
  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(async () => {
    await api.close();
  });

  it('GET /health answers without a token', async () => {
    const response = await request(api.baseUrl).get('/health').expect(200);
    expect(response.body).toEqual({ status: 'ok' });
    expect(response.headers['x-contentful-request-id']).toEqual(expect.any(String));
  });

  it('GET /health/ready reports PostgreSQL, Redis and MinIO up', async () => {
    const response = await request(api.baseUrl).get('/health/ready').expect(200);
    expect(response.body).toEqual({ status: 'ready', checks: { postgres: 'up', redis: 'up', minio: 'up' } });
  });
});

describe('health with a Redis that stops', () => {
  it('answers 503 naming redis once its Redis is stopped', async () => {
    const redis = await startScratchRedis();
    const api = await startApi({ REDIS_URL: redis.url });
    try {
      await request(api.baseUrl).get('/health/ready').expect(200);
      await redis.stop();
      const response = await request(api.baseUrl).get('/health/ready');
      expectContentfulError(response, 503, 'ServiceUnavailable');
      expect(response.body).toMatchObject({
        message: 'Not ready: redis is down.',
        details: { checks: { postgres: 'up', redis: 'down', minio: 'up' }, down: ['redis'] },
      });
      // Liveness does not depend on Redis.
      await request(api.baseUrl).get('/health').expect(200);
    } finally {
      await api.close();
      await redis.stop();
    }
  });
});
