import { request as httpRequest } from 'node:http';
import request from 'supertest';
import { STATUS_OF_ERROR } from '@hangar/domain';
import { type RunningApi, startApi } from './support/api-harness';
import { createAsset, fileField, uploadBytes } from './support/assets';
import { expectContentfulError } from './support/contentful-shape';
import { addLocale, newSpace, newUser, type TestUser } from './support/factories';
import { makeImage, pngClaiming } from './support/images';
import type { Ids } from './hostile/hostile-case';
import { allHostileCases } from './hostile';
import { firstRouteFor, registeredRoutes } from './hostile/routes';

describe('a corpus of malformed and hostile requests', () => {
  let api: RunningApi;
  let user: TestUser;
  const ids: Ids = { space: '', other: '', asset: '', upload: '', otherUpload: '', stranger: '' };

  beforeAll(async () => {
    api = await startApi();
    user = await newUser(api.baseUrl);
    const stranger = await newUser(api.baseUrl);
    ids.space = await newSpace(api.baseUrl, user);
    ids.other = await newSpace(api.baseUrl, stranger);
    ids.stranger = stranger.id;
    await addLocale(api.baseUrl, user, ids.space, { name: 'German', code: 'de-DE' });
    const c = { baseUrl: api.baseUrl, auth: user.auth, spaceId: ids.space };
    ids.upload = await uploadBytes(c, await makeImage(4, 4));
    ids.otherUpload = await uploadBytes({ ...c, auth: stranger.auth, spaceId: ids.other }, Buffer.from('x'));
    ids.asset = (await createAsset(c, { file: { 'en-US': fileField(ids.upload) } }).expect(201)).body.sys.id as string;
  });
  afterAll(async () => {
    await api.close();
  });

  const fill = (text: string) => text.replace(/\{(space|other|asset|upload|otherUpload|stranger)\}/g, (_, key: keyof Ids) => ids[key]);
  const cases = allHostileCases();

  it('holds at least 150 requests, each refusal with the status of its error id', () => {
    expect(cases.length).toBeGreaterThanOrEqual(150);
    for (const hostile of cases)
      if ('error' in hostile) expect([hostile.name, hostile.status]).toEqual([hostile.name, STATUS_OF_ERROR[hostile.error]]);
  });

  it('has a case for every route the api registers', () => {
    const uncovered = registeredRoutes(api).filter(
      (route) => !cases.some((hostile) => hostile.method === route.method && firstRouteFor(api, hostile) === route),
    );
    expect(uncovered.map(({ method, path }) => `${method} ${path}`)).toEqual([]);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, hostile) => {
    const call = request(api.baseUrl)[hostile.method.toLowerCase() as 'get'](fill(hostile.path)).set(user.auth);
    for (const [name, value] of Object.entries(hostile.headers ?? {})) call.set(name, fill(value));
    const response =
      hostile.body === undefined ? await call : await call.send(typeof hostile.body === 'string' ? fill(hostile.body) : hostile.body);
    if ('error' in hostile && hostile.method === 'HEAD') {
      // A HEAD answer has no body to carry the error id: its status and Contentful headers are what there is.
      expect(response.status).toBe(hostile.status);
      expect(response.headers['content-type']).toMatch(/^application\/vnd\.contentful\.management\.v1\+json/);
      expect(response.headers['x-contentful-request-id']).toEqual(expect.any(String));
    } else if ('error' in hostile) {
      expectContentfulError(response, hostile.status, hostile.error);
    } else {
      expect(response.status).toBe(hostile.status);
      await hostile.check(response, { baseUrl: api.baseUrl, auth: user.auth, ids });
    }
  });

  it('answers oversized headers with a Contentful-shaped 431', async () => {
    const { port } = new URL(api.baseUrl);
    const answer = await new Promise<{ status: number; body: string; headers: Record<string, unknown> }>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/spaces', headers: { 'X-Huge': 'h'.repeat(64 * 1024) } }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(answer.status).toBe(431);
    expect(JSON.parse(answer.body)).toMatchObject({ sys: { type: 'Error', id: 'RequestHeaderFieldsTooLarge' } });
  });

  it('stays up: processing hostile files records failures, and a normal request still succeeds', async () => {
    const c = { baseUrl: api.baseUrl, auth: user.auth, spaceId: ids.space };
    for (const bytes of [pngClaiming(60_000, 60_000), (await makeImage(50, 50)).subarray(0, 40), Buffer.from('not an image at all')]) {
      const asset = await createAsset(c, { file: { 'en-US': fileField(await uploadBytes(c, bytes)) } }).expect(201);
      await request(api.baseUrl)
        .put(`/spaces/${ids.space}/environments/master/assets/${asset.body.sys.id as string}/files/en-US/process`)
        .set(user.auth)
        .set('X-Contentful-Version', '1')
        .expect(204);
    }
    await request(api.baseUrl).get('/health/ready').expect(200);
    await request(api.baseUrl).get(`/spaces/${ids.space}/environments/master/assets`).set(user.auth).expect(200);
  });
});
