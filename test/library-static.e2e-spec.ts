import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { type RunningApi, startApi } from './support/api-harness';
import { expectContentfulError } from './support/contentful-shape';

/**
 * The media library's files at /library (issue 15 item 1), served from LIBRARY_DIR: here a folder this test writes,
 * laid out as Vite leaves it, so every byte and name compared is the test's own. The browser tests
 * (web-library.e2e-spec.ts) use the real build.
 */
describe('GET /library (the media library, static)', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'hangar-library-'));
  const built = join(scratch, 'web');
  const INDEX = '<!doctype html><title>library of this test</title><script type="module" src="/library/assets/index-Ab12Cd34.js"></script>';
  const SCRIPT = 'console.log("hashed script of this test");';
  const SECRET = 'not part of the library';
  let api: RunningApi;
  let unbuilt: RunningApi;

  beforeAll(async () => {
    mkdirSync(join(built, 'assets'), { recursive: true });
    writeFileSync(join(built, 'index.html'), INDEX);
    writeFileSync(join(built, 'assets', 'index-Ab12Cd34.js'), SCRIPT);
    writeFileSync(join(built, '.env'), SECRET);
    writeFileSync(join(scratch, 'secret.txt'), SECRET);
    [api, unbuilt] = await Promise.all([startApi({ LIBRARY_DIR: built }), startApi({ LIBRARY_DIR: join(scratch, 'never-built') })]);
  });
  afterAll(async () => {
    await Promise.all([api?.close(), unbuilt?.close()]);
    rmSync(scratch, { recursive: true, force: true });
  });

  it.each(['/library', '/library/', '/library/index.html'])('%s is the page, revalidated on every load, with no token', async (path) => {
    const response = await request(api.baseUrl).get(path).expect(200);
    expect(response.text).toBe(INDEX);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.headers['content-security-policy']).toContain("connect-src 'self'");
    expect(response.headers['x-content-type-options']).toBe('nosniff');
  });

  it('serves hashed assets as immutable, with Last-Modified, which answers 304', async () => {
    const response = await request(api.baseUrl).get('/library/assets/index-Ab12Cd34.js').expect(200);
    expect(response.text).toBe(SCRIPT);
    expect(response.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(response.headers['content-length']).toBe(String(Buffer.byteLength(SCRIPT)));
    const lastModified = response.headers['last-modified'] as string;
    expect(lastModified).toEqual(expect.any(String));
    await request(api.baseUrl).get('/library/assets/index-Ab12Cd34.js').set('If-Modified-Since', lastModified).expect(304);
    const head = await request(api.baseUrl).head('/library/assets/index-Ab12Cd34.js').expect(200);
    expect(head.headers['content-length']).toBe(String(Buffer.byteLength(SCRIPT)));
  });

  it.each([
    '/library/assets/index-0000.js',
    '/library/.env',
    '/library/..%2fsecret.txt',
    '/library/%2e%2e/secret.txt',
    '/library/assets/..%2f..%2fsecret.txt',
    '/library/#/spaces/x',
  ])('%s is a Contentful-shaped 404 that gives away nothing', async (path) => {
    const response = await request(api.baseUrl).get(path);
    if (path.includes('#')) {
      // A fragment never reaches the server: this is the page itself.
      expect(response.text).toBe(INDEX);
      return;
    }
    expectContentfulError(response, 404, 'NotFound');
    expect(response.text).not.toContain(SECRET);
  });

  it('says how to build the library when it has not been built, and the api runs on', async () => {
    for (const path of ['/library', '/library/assets/index-Ab12Cd34.js']) {
      const response = await request(unbuilt.baseUrl).get(path);
      expectContentfulError(response, 404, 'NotFound');
      expect(response.body.message).toContain('npm run build');
    }
    await request(unbuilt.baseUrl).get('/health').expect(200);
  });
});
