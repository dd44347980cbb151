import request from 'supertest';
import { type RunningApi, startApi } from './support/api-harness';
import { expectContentfulError } from './support/contentful-shape';
import { JSON_TYPE, newSpace, newUser } from './support/factories';
import { validateOpenApi } from './support/openapi';
import { registeredRoutes } from './hostile/routes';

interface Operation {
  operationId: string;
  parameters?: { name: string; in: string; required?: boolean }[];
  requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }>;
  security?: Record<string, string[]>[];
}
type Document = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, { scheme: string }> };
};

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'];

/** An Express route path as OpenAPI writes it: `:name` and the wildcard `*name` are both `{name}`. */
const openApiPath = (expressPath: string) => expressPath.replace(/[:*]([A-Za-z0-9_]+)/g, '{$1}');

/**
 * The API reference (issue 15, item 4): `/docs-json` is a valid OpenAPI
 * document generated from the routes, listing exactly the routes the api's
 * Express router holds — each with its path parameters and a 4xx with the
 * Contentful error body — and `/docs` serves Swagger UI over it.
 */
describe('OpenAPI document and Swagger UI', () => {
  let api: RunningApi;
  let document: Document;

  beforeAll(async () => {
    api = await startApi();
    const response = await request(api.baseUrl).get('/docs-json').expect(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    document = JSON.parse(response.text) as Document;
  });
  afterAll(async () => {
    await api.close();
  });

  const operations = () =>
    Object.entries(document.paths).flatMap(([path, item]) =>
      METHODS.filter((method) => item[method] !== undefined).map((method) => ({ path, method, operation: item[method] as Operation })),
    );

  it('validates against the OpenAPI 3.0 schema', async () => {
    expect(document.openapi).toMatch(/^3\.0\./);
    const result = await validateOpenApi(document);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
  });

  it("lists exactly the routes the api's router registers (method and path)", () => {
    const registered = registeredRoutes(api).map((route) => `${route.method} ${openApiPath(route.path)}`);
    const documented = operations().map(({ path, method }) => `${method.toUpperCase()} ${path}`);
    expect(new Set(registered).size).toBe(registered.length);
    expect([...documented].sort()).toEqual([...registered].sort());
    // The routes of this issue are among them.
    for (const route of ['GET /docs', 'GET /docs-json', 'GET /metrics', 'GET /admin/queues', 'PUT /admin/queues/{path}']) {
      expect(documented).toContain(route);
    }
  });

  it('gives every operation its path parameters, a unique id, a success and at least one 4xx with the Contentful error body', () => {
    const ids = new Set<string>();
    for (const { path, method, operation } of operations()) {
      const where = `${method.toUpperCase()} ${path}`;
      const inPath = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]);
      const declared = (operation.parameters ?? []).filter((parameter) => parameter.in === 'path');
      expect([where, declared.map((parameter) => parameter.name).sort()]).toEqual([where, [...inPath].sort()]);
      for (const parameter of declared) expect([where, parameter.name, parameter.required]).toEqual([where, parameter.name, true]);
      expect(ids.has(operation.operationId)).toBe(false);
      ids.add(operation.operationId);
      const statuses = Object.keys(operation.responses);
      expect([where, statuses.some((status) => /^[23]\d\d$/.test(status))]).toEqual([where, true]);
      const clientErrors = statuses.filter((status) => /^4\d\d$/.test(status));
      expect([where, clientErrors.length > 0]).toEqual([where, true]);
      // Hangar's own refusals (tus's plain-text ones aside) have the one shared error schema.
      const shaped = clientErrors.filter(
        (status) => operation.responses[status]?.content?.['application/json']?.schema.$ref === '#/components/schemas/ContentfulError',
      );
      expect([where, shaped.length > 0]).toEqual([where, true]);
    }
    expect(document.components.schemas.ContentfulError).toMatchObject({ required: ['sys', 'message', 'requestId'] });
  });

  it('describes refusals as the guards give them: tokens, roles, versions, bodies', () => {
    const op = (method: string, path: string) => document.paths[path]?.[method] as Operation;
    const statuses = (method: string, path: string) => Object.keys(op(method, path).responses);
    // Public: no token, so no 401 and no security requirement.
    expect(statuses('get', '/health')).not.toContain('401');
    expect(op('get', '/files/{spaceId}/{assetId}/{token}/{fileName}').security).toBeUndefined();
    // A JSON write under a space with X-Contentful-Version.
    const put = '/spaces/{spaceId}/environments/{environmentId}/assets/{assetId}';
    expect(statuses('put', put)).toEqual(
      expect.arrayContaining(['200', '201', '400', '401', '403', '404', '409', '413', '415', '422', '429', '503']),
    );
    expect(op('put', put).parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'X-Contentful-Version', in: 'header' })]),
    );
    expect(op('put', put).security).toEqual([{ bearer: [] }]);
    // A read under a space: no body, no version.
    expect(statuses('get', put)).not.toContain('415');
    expect(statuses('get', put)).not.toContain('409');
    // Administrators' routes are refused to others; the dashboard also takes Basic credentials.
    expect(statuses('post', '/users')).toContain('403');
    expect(op('get', '/admin/queues').security).toEqual([{ bearer: [] }, { basic: [] }]);
    expect(document.components.securitySchemes.bearer?.scheme).toBe('bearer');
    // tus's own refusals (checksum mismatch) are there too, as text.
    expect(statuses('patch', '/spaces/{spaceId}/environments/{environmentId}/tus/{uploadId}')).toEqual(
      expect.arrayContaining(['204', '409', '410', '412', '413', '460']),
    );
  });

  it('takes request bodies from the zod schemas that validate them', async () => {
    const body = document.paths['/spaces/{spaceId}/environments/{environmentId}/assets']?.post?.requestBody;
    const schema = body?.content['application/vnd.contentful.management.v1+json']?.schema as {
      required: string[];
      properties: { fields: { properties: { file: { additionalProperties: { required: string[] } } } } };
    };
    // Contentful's contract: fields is required, and a file names its type and name.
    expect(schema.required).toEqual(['fields']);
    expect(schema.properties.fields.properties.file.additionalProperties.required).toEqual(['contentType', 'fileName']);
    // What the schema says is what the api enforces: a file without fileName is refused, at that path.
    const user = await newUser(api.baseUrl);
    const spaceId = await newSpace(api.baseUrl, user);
    const refused = await request(api.baseUrl)
      .post(`/spaces/${spaceId}/environments/master/assets`)
      .set(user.auth)
      .set('Content-Type', JSON_TYPE)
      .send({ fields: { file: { 'en-US': { contentType: 'image/png', upload: 'https://example.com/a.png' } } } });
    expectContentfulError(refused, 422, 'ValidationFailed');
    expect(JSON.stringify(refused.body.details)).toContain('"fileName"');
    const locales = document.paths['/spaces/{spaceId}/environments/{environmentId}/locales']?.post?.requestBody;
    expect(Object.keys(locales?.content ?? {})).toEqual(['application/vnd.contentful.management.v1+json', 'application/json']);
    // Queries that routes read in bulk are listed too.
    const list = document.paths['/spaces/{spaceId}/environments/{environmentId}/assets']?.get?.parameters ?? [];
    expect(list.map((parameter) => parameter.name)).toEqual(
      expect.arrayContaining(['limit', 'cursor', 'fields.title[match]', 'mimetype_group']),
    );
  });

  it('serves Swagger UI at /docs, its files, and a Contentful 404 for anything else there', async () => {
    const page = await request(api.baseUrl).get('/docs').expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    const scripts = [...page.text.matchAll(/<script src="([^"]+)"/g)].map((match) => match[1] ?? '');
    expect(scripts).toEqual(['/docs/swagger-ui-bundle.js', '/docs/swagger-ui-standalone-preset.js', '/docs/swagger-ui-init.js']);
    for (const script of scripts) {
      const file = await request(api.baseUrl).get(script).expect(200);
      expect(file.headers['content-type']).toMatch(/^application\/javascript/);
    }
    const bundle = await request(api.baseUrl).get('/docs/swagger-ui-bundle.js');
    expect(bundle.text).toContain('SwaggerUIBundle');
    const init = await request(api.baseUrl).get('/docs/swagger-ui-init.js');
    expect(init.text).toContain("url: '/docs-json'");
    const css = await request(api.baseUrl).get('/docs/swagger-ui.css').expect(200);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    for (const name of ['package.json', 'index.html', '__proto__', 'constructor', '..%2F..%2Fpackage.json']) {
      expectContentfulError(await request(api.baseUrl).get(`/docs/${name}`), 404, 'NotFound');
    }
  });
});
