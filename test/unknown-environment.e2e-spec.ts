import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { PrismaService } from '@hangar/database';
import { StorageService } from '@hangar/storage';
import { type RunningApi, startApi } from './support/api-harness';
import { expectContentfulError } from './support/contentful-shape';
import { JSON_TYPE, newSpace, newUser, type TestUser, uniqueName } from './support/factories';
import { uploadLeftovers } from './support/upload-inspection';

interface RegisteredRoute {
  readonly method: string;
  readonly path: string;
}

/** What this test needs of an Express 5 router layer. */
interface RouterLayer {
  route?: { path: unknown; methods: Record<string, boolean | undefined> };
}

/** The one route that may name an environment that does not exist yet: it creates it. */
const ENVIRONMENT_CREATION_ROUTE = 'PUT /spaces/:spaceId/environments/:environmentId';

/**
 * Every route the running app serves, read from its Express router, so that a
 * route added later is in this test without anyone adding it here.
 */
function registeredRoutes(app: INestApplication): RegisteredRoute[] {
  const express = app.getHttpAdapter().getInstance() as { router: { stack: RouterLayer[] } };
  const routes: RegisteredRoute[] = [];
  for (const { route } of express.router.stack) {
    if (!route) continue;
    const paths = Array.isArray(route.path) ? (route.path as unknown[]) : [route.path];
    for (const path of paths) {
      if (typeof path !== 'string') throw new Error(`A route path this test cannot read: ${String(path)}`);
      for (const [method, handled] of Object.entries(route.methods)) {
        if (handled && method !== '_all') routes.push({ method: method.toUpperCase(), path });
      }
    }
  }
  return routes;
}

const described = ({ method, path }: RegisteredRoute) => `${method} ${path}`;

describe('routes under an environment that does not exist', () => {
  let api: RunningApi;
  let manager: TestUser;
  let stranger: TestUser;
  let spaceId: string;
  let environmentRoutes: RegisteredRoute[];
  const unknownEnvironment = uniqueName('no-such-env');

  beforeAll(async () => {
    api = await startApi();
    manager = await newUser(api.baseUrl);
    stranger = await newUser(api.baseUrl);
    spaceId = await newSpace(api.baseUrl, manager);
    environmentRoutes = registeredRoutes(api.app).filter(
      (route) => route.path.includes(':environmentId') && described(route) !== ENVIRONMENT_CREATION_ROUTE,
    );
  });
  afterAll(async () => {
    await api.close();
  });

  /** The route's path in `spaceId` and `environmentId`, every other parameter a made-up id (never equal to the environment's). */
  function pathOf(route: RegisteredRoute, inSpace: string, environmentId: string): string {
    const path = route.path.replace(/:(\w+)/g, (_, name: string) => {
      if (name === 'spaceId') return inSpace;
      if (name === 'environmentId') return environmentId;
      return `${name}-probe`;
    });
    expect(path).not.toMatch(/[:*{}]/);
    return path;
  }

  /** Calls the route as a client plausibly would: bytes to the Upload API, an (empty) JSON body to other writes. */
  function call(route: RegisteredRoute, path: string, auth: Record<string, string>) {
    const test = request(api.baseUrl)[route.method.toLowerCase() as 'get' | 'head' | 'post' | 'put' | 'patch' | 'delete'](path).set(auth);
    if (route.method === 'GET' || route.method === 'HEAD') return test;
    test.set('X-Contentful-Version', '1');
    if (route.method === 'DELETE') return test;
    return path.endsWith('/uploads')
      ? test.set('Content-Type', 'application/octet-stream').send(Buffer.from('probe bytes'))
      : test.set('Content-Type', JSON_TYPE).send({});
  }

  it('finds the environment routes of every feature on the running app', () => {
    // The routes of today, pinned so that a broken enumeration (an empty list would pass every test below) fails here;
    // routes added later are checked below without being listed.
    expect(environmentRoutes.map(described)).toEqual(
      expect.arrayContaining([
        'GET /spaces/:spaceId/environments/:environmentId',
        'GET /spaces/:spaceId/environments/:environmentId/locales',
        'POST /spaces/:spaceId/environments/:environmentId/locales',
        'GET /spaces/:spaceId/environments/:environmentId/locales/:localeId',
        'POST /spaces/:spaceId/environments/:environmentId/uploads',
        'GET /spaces/:spaceId/environments/:environmentId/uploads/:uploadId',
        'DELETE /spaces/:spaceId/environments/:environmentId/uploads/:uploadId',
        'GET /spaces/:spaceId/environments/:environmentId/assets',
        'POST /spaces/:spaceId/environments/:environmentId/assets',
        'GET /spaces/:spaceId/environments/:environmentId/assets/:assetId',
        'PUT /spaces/:spaceId/environments/:environmentId/assets/:assetId',
        'DELETE /spaces/:spaceId/environments/:environmentId/assets/:assetId',
        'PUT /spaces/:spaceId/environments/:environmentId/assets/:assetId/files/:locale/process',
        'PUT /spaces/:spaceId/environments/:environmentId/assets/:assetId/published',
        'DELETE /spaces/:spaceId/environments/:environmentId/assets/:assetId/published',
        'PUT /spaces/:spaceId/environments/:environmentId/assets/:assetId/archived',
        'DELETE /spaces/:spaceId/environments/:environmentId/assets/:assetId/archived',
      ]),
    );
  });

  /** Every environment route's answer to `auth`, on the unknown environment of `spaceId`. */
  async function answersOf(auth: Record<string, string>) {
    const responses: { route: RegisteredRoute; response: request.Response }[] = [];
    for (const route of environmentRoutes) {
      responses.push({ route, response: await call(route, pathOf(route, spaceId, unknownEnvironment), auth) });
    }
    return responses;
  }
  /** Nothing of the refused requests reached the database or the bucket (the space has no upload, asset, job or other environment). */
  async function expectNothingWritten() {
    expect(await uploadLeftovers(api.app, spaceId)).toEqual({ rows: 0, objects: [] });
    const prisma = api.app.get(PrismaService);
    expect(await prisma.asset.count({ where: { spaceId } })).toBe(0);
    expect(await api.app.get(StorageService).listKeys(`assets/${spaceId}/`)).toEqual([]);
    expect(await prisma.outboxMessage.count({ where: { jobId: { startsWith: `asset/${spaceId}/` } } })).toBe(0);
    expect(await prisma.environment.findMany({ where: { spaceId }, select: { id: true } })).toEqual([{ id: 'master' }]);
  }

  /** A HEAD answer has no body to name what was not found: its status and Contentful type are what it has. */
  const NO_BODY = '(no body)';
  const summary = ({ route, response }: { route: RegisteredRoute; response: request.Response }) =>
    `${described(route)} → ${response.status} ${
      route.method === 'HEAD' ? NO_BODY : String((response.body as { details?: { type?: string } }).details?.type)
    }`;
  const expectedSummary = (route: RegisteredRoute, status: number, type: string) =>
    `${described(route)} → ${status} ${route.method === 'HEAD' ? NO_BODY : type}`;
  /** The Contentful error of each answer: in full where there is a body, the media type of a HEAD answer. */
  function expectErrors(responses: { route: RegisteredRoute; response: request.Response }[], status: number, id: string) {
    for (const { route, response } of responses) {
      if (route.method === 'HEAD') expect(response.headers['content-type']).toMatch(/^application\/vnd\.contentful\.management\.v1\+json/);
      else expectContentfulError(response, status, id);
    }
  }
  const withBody = (responses: { route: RegisteredRoute; response: request.Response }[]) =>
    responses.filter(({ route }) => route.method !== 'HEAD');

  it("answers every one of them, for a manager of the space, with the Environment's 404 and writes nothing", async () => {
    const responses = await answersOf(manager.auth);
    // One list first, so a failure names every route that answers otherwise.
    expect(responses.map(summary)).toEqual(environmentRoutes.map((route) => expectedSummary(route, 404, 'Environment')));
    expectErrors(responses, 404, 'NotFound');
    for (const { response } of withBody(responses)) expect(response.body.details).toEqual({ type: 'Environment', id: unknownEnvironment });
    await expectNothingWritten();
  });

  it("answers a caller who is not a member of the space with the Space's 404 first", async () => {
    const responses = await answersOf(stranger.auth);
    expect(responses.map(summary)).toEqual(environmentRoutes.map((route) => expectedSummary(route, 404, 'Space')));
    expectErrors(responses, 404, 'NotFound');
    for (const { response } of withBody(responses)) expect(response.body.details).toEqual({ type: 'Space', id: spaceId });
    await expectNothingWritten();
  });

  it('answers a request without a token with 401 first', async () => {
    const responses = await answersOf({});
    expect(responses.map(({ route, response }) => `${described(route)} → ${response.status}`)).toEqual(
      environmentRoutes.map((route) => `${described(route)} → 401`),
    );
    expectErrors(responses, 401, 'AccessTokenInvalid');
    await expectNothingWritten();
  });

  it('still creates an environment with PUT (201), whose routes then answer', async () => {
    const space = await newSpace(api.baseUrl, manager);
    const created = await request(api.baseUrl)
      .put(`/spaces/${space}/environments/staging`)
      .set(manager.auth)
      .set('Content-Type', JSON_TYPE)
      .send({ name: 'Staging' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ sys: { type: 'Environment', id: 'staging', version: 1 }, name: 'Staging' });
    const assets = await request(api.baseUrl).get(`/spaces/${space}/environments/staging/assets`).set(manager.auth).expect(200);
    expect(assets.body).toMatchObject({ sys: { type: 'Array' }, total: 0, items: [] });
    const locales = await request(api.baseUrl).get(`/spaces/${space}/environments/staging/locales`).set(manager.auth).expect(200);
    expect(locales.body).toMatchObject({ sys: { type: 'Array' }, total: 1 });
  });

  it("reads an upload route's environment segment equal to the upload id as any environment (the legacy SDK's Upload.delete())", async () => {
    const space = await newSpace(api.baseUrl, manager);
    const created = await request(api.baseUrl)
      .post(`/spaces/${space}/uploads`)
      .set(manager.auth)
      .set('Content-Type', 'application/octet-stream')
      .send(Buffer.from('legacy form'))
      .expect(201);
    const id = (created.body as { sys: { id: string } }).sys.id;
    // Only a segment equal to the upload id means "any environment": another unknown one is refused, upload or not.
    const elsewhere = await request(api.baseUrl).get(`/spaces/${space}/environments/${unknownEnvironment}/uploads/${id}`).set(manager.auth);
    expectContentfulError(elsewhere, 404, 'NotFound');
    expect(elsewhere.body.details).toEqual({ type: 'Environment', id: unknownEnvironment });

    await request(api.baseUrl).get(`/spaces/${space}/environments/${id}/uploads/${id}`).set(manager.auth).expect(200);
    await request(api.baseUrl).delete(`/spaces/${space}/environments/${id}/uploads/${id}`).set(manager.auth).expect(204);
    // Past the guard, a missing upload is the Upload's 404, not the environment's.
    const gone = await request(api.baseUrl).get(`/spaces/${space}/environments/${id}/uploads/${id}`).set(manager.auth);
    expectContentfulError(gone, 404, 'NotFound');
    expect(gone.body.details).toEqual({ type: 'Upload', id });
  });
});
