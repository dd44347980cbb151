import request from 'supertest';
import { type RunningApi, startApi } from './support/api-harness';
import { expectContentfulError } from './support/contentful-shape';
import { adminAuth, JSON_TYPE } from './support/factories';

describe('error responses', () => {
  let api: RunningApi;
  beforeAll(async () => {
    api = await startApi({ JSON_BODY_LIMIT_BYTES: '4096' });
  });
  afterAll(async () => {
    await api.close();
  });

  it('an unknown route is a Contentful 404', async () => {
    const response = await request(api.baseUrl).get('/no/such/route').set(adminAuth);
    expectContentfulError(response, 404, 'NotFound');
  });

  // Guards (and so the token check) run only for a matched route; an unknown one is the router's 404 whatever the
  // token, so the answer reveals nothing about the caller's credentials.
  it('an unknown route is the same 404 without a token, with an invalid one and with a valid one', async () => {
    const answers: Record<string, unknown>[] = [];
    for (const auth of [{}, { Authorization: 'Bearer not-a-token' }, adminAuth]) {
      const response = await request(api.baseUrl).delete('/nowhere').set(auth);
      expectContentfulError(response, 404, 'NotFound');
      const { requestId: _requestId, ...answer } = response.body as Record<string, unknown>;
      answers.push(answer);
    }
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
  });

  it('malformed JSON is a 400 BadRequest', async () => {
    const response = await request(api.baseUrl).post('/spaces').set(adminAuth).set('Content-Type', JSON_TYPE).send('{"name": "x",');
    expectContentfulError(response, 400, 'BadRequest');
    expect(response.body.message).toBe('The request body is not valid JSON.');
  });

  it('a JSON body over the limit is a 413', async () => {
    const response = await request(api.baseUrl)
      .post('/spaces')
      .set(adminAuth)
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ name: 'x'.repeat(10_000) }));
    expectContentfulError(response, 413, 'RequestEntityTooLarge');
  });

  it('a body of the wrong media type is a 415 naming the accepted types', async () => {
    const response = await request(api.baseUrl).post('/spaces').set(adminAuth).set('Content-Type', 'text/plain').send('name=x');
    expectContentfulError(response, 415, 'UnsupportedMediaType');
    expect(response.body.details).toEqual({ accepted: [JSON_TYPE, 'application/json'] });
  });

  it('a body that breaks the schema is a 422 ValidationFailed with details.errors', async () => {
    const response = await request(api.baseUrl).post('/spaces').set(adminAuth).set('Content-Type', JSON_TYPE).send({ name: 42 });
    expectContentfulError(response, 422, 'ValidationFailed');
    expect(response.body.details.errors).toEqual([{ name: 'type', path: ['name'], details: expect.any(String) }]);

    const missing = await request(api.baseUrl).post('/spaces').set(adminAuth).set('Content-Type', JSON_TYPE).send({});
    expect(missing.body.details.errors).toEqual([{ name: 'required', path: ['name'], details: expect.any(String) }]);
  });

  it('a request with no body where one is needed is a 400', async () => {
    const response = await request(api.baseUrl).post('/spaces').set(adminAuth);
    expectContentfulError(response, 400, 'BadRequest');
  });

  it('an invalid query parameter is a 400 InvalidQuery', async () => {
    const response = await request(api.baseUrl).get('/spaces?limit=5000').set(adminAuth);
    expectContentfulError(response, 400, 'InvalidQuery');
  });

  it('every response carries a request id, and a forwarded one is kept', async () => {
    const response = await request(api.baseUrl).get('/health').set('X-Contentful-Request-Id', 'proxy-request-0001').expect(200);
    expect(response.headers['x-contentful-request-id']).toBe('proxy-request-0001');
    const injected = await request(api.baseUrl).get('/health').set('X-Contentful-Request-Id', 'bad id with spaces').expect(200);
    expect(injected.headers['x-contentful-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
