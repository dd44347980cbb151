import type { INestApplicationContext } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createClient } from 'contentful-management';
import sharp from 'sharp';
import request from 'supertest';
import { renditionSourcePrefix, RenditionsService } from '@hangar/media';
import { StorageService } from '@hangar/storage';
import { type RunningApi, spawnApiProcess, startApi } from './support/api-harness';
import {
  type AssetClient,
  type AssetJson,
  createAsset,
  deliveryPathOf,
  fileField,
  processLocale,
  uploadBytes,
  waitForProcessing,
} from './support/assets';
import { expectContentfulError } from './support/contentful-shape';
import { JSON_TYPE, newSpace, newUser } from './support/factories';
import { pngClaiming } from './support/images';
import { waitFor } from './support/processes';
import { startWorker } from './support/worker-harness';

/**
 * The Images API on asset delivery URLs (issue 13): parameters as Contentful
 * documents them, renditions cached in storage and made once, limits. Every
 * expected size, colour and format comes from the images built here.
 */
const RED = { r: 255, g: 0, b: 0 };
const BLUE = { r: 0, g: 0, b: 255 };

/** Left half red, right half blue (landscape), or top red, bottom blue (portrait). */
async function halves(width: number, height: number): Promise<Buffer> {
  const landscape = width >= height;
  const half = { width: landscape ? width / 2 : width, height: landscape ? height : height / 2 };
  const blue = await sharp({ create: { ...half, channels: 3, background: BLUE } })
    .png()
    .toBuffer();
  return sharp({ create: { width, height, channels: 3, background: RED } })
    .composite([{ input: blue, left: landscape ? width / 2 : 0, top: landscape ? 0 : height / 2 }])
    .jpeg({ quality: 95 })
    .toBuffer();
}

const binary = (response: request.Response) => response.body as Buffer;
const SIGNING_KEYS = `img:${'c'.repeat(32)}`;
/** The path and query of a URL the api gave (its host is PUBLIC_BASE_URL's, not the test's). */
const pathAndQuery = (url: string) => {
  const parsed = new URL(url, 'http://delivery.invalid');
  return `${parsed.pathname}${parsed.search}`;
};

describe('Images API: renditions on the delivery URL', () => {
  let api: RunningApi;
  let worker: INestApplicationContext;
  let c: AssetClient & { token: string };

  beforeAll(async () => {
    api = await startApi({ FILE_URL_SIGNING_KEYS: SIGNING_KEYS });
    worker = await startWorker();
    const user = await newUser(api.baseUrl);
    c = { baseUrl: api.baseUrl, auth: user.auth, spaceId: await newSpace(api.baseUrl, user), token: user.token };
  });
  afterAll(async () => {
    await worker.close();
    await api.close();
  });

  /** A processed asset of `bytes`; its delivery path and id. */
  async function processedImage(bytes: Buffer, fileName = 'photo.jpg', contentType = 'image/jpeg') {
    const upload = await uploadBytes(c, bytes);
    const created = await createAsset(c, { file: { 'en-US': fileField(upload, fileName, contentType) } }).expect(201);
    const id = (created.body as AssetJson).sys.id;
    await processLocale(c, id, 'en-US', 1).expect(204);
    const { body } = await waitForProcessing(c, id, 'en-US');
    const file = body.fields.file?.['en-US'];
    if (!file?.url) throw new Error(`asset ${id} was not processed: ${JSON.stringify(body.sys.fileProcessing)}`);
    return { id, path: deliveryPathOf(file.url), version: body.sys.version };
  }

  const get = (path: string, query: string) =>
    request(api.baseUrl)
      .get(`${path}?${query}`)
      .buffer(true)
      .parse((response, done) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => done(null, Buffer.concat(chunks)));
      });

  /**
   * Waits until `count` renditions of `bytes` are stored: a new rendition is answered from memory while it is being
   * stored, so a request right after the first could still share its bytes instead of reading the stored copy.
   */
  async function renditionsStored(bytes: Buffer, count: number): Promise<string[]> {
    const storage = api.app.get(StorageService);
    const prefix = renditionSourcePrefix(c.spaceId, createHash('sha256').update(bytes).digest('hex'));
    await waitFor(async () => (await storage.listKeys(prefix)).length >= count, 10_000, `${count} stored renditions`);
    return storage.listKeys(prefix);
  }

  describe('every fit, a landscape and a portrait source', () => {
    let landscape: string;
    let portrait: string;
    beforeAll(async () => {
      landscape = (await processedImage(await halves(400, 200))).path;
      portrait = (await processedImage(await halves(200, 400))).path;
    });

    test.each([
      ['(no fit)', '', [100, 50], [50, 100]],
      ['fit=pad', 'fit=pad', [100, 100], [100, 100]],
      ['fit=fill', 'fit=fill', [100, 100], [100, 100]],
      ['fit=scale', 'fit=scale', [100, 100], [100, 100]],
      ['fit=crop', 'fit=crop', [100, 100], [100, 100]],
      ['fit=thumb', 'fit=thumb', [100, 100], [100, 100]],
    ])('w=100&h=100 %s', async (_label, fit, landscapeSize, portraitSize) => {
      for (const [path, size] of [
        [landscape, landscapeSize],
        [portrait, portraitSize],
      ] as const) {
        for (const fm of ['png', 'webp']) {
          const response = await get(path, `w=100&h=100&${fit}&fm=${fm}`).expect(200);
          expect(response.headers['content-type']).toBe(`image/${fm}`);
          const metadata = await sharp(binary(response)).metadata();
          expect([metadata.width, metadata.height]).toEqual(size);
          expect(metadata.format).toBe(fm);
        }
      }
    });

    test('crop keeps the part f names; fill the same part, scaled', async () => {
      const colourAt = async (query: string) => {
        const { data } = await sharp(binary(await get(landscape, query).expect(200)))
          .raw()
          .toBuffer({ resolveWithObject: true });
        // The source is a JPEG: its flat colours come back within a few levels.
        const [r = 0, , b = 0] = data;
        return r > 200 && b < 50 ? 'red' : b > 200 && r < 50 ? 'blue' : `(${r},${b})`;
      };
      expect(await colourAt('w=50&h=50&fit=crop&f=left&fm=png')).toBe('red');
      expect(await colourAt('w=50&h=50&fit=crop&f=right&fm=png')).toBe('blue');
      expect(await colourAt('w=50&h=50&fit=fill&f=bottom_right&fm=png')).toBe('blue');
    });

    test('r, bg and q show in the pixels and the size; fl=progressive and fm=avif work', async () => {
      const circle = await sharp(binary(await get(landscape, 'w=100&h=100&fit=fill&r=max&fm=png').expect(200)))
        .ensureAlpha()
        .raw()
        .toBuffer();
      expect(circle[3]).toBe(0); // the top-left corner is outside the circle: transparent
      expect(circle[(50 * 100 + 50) * 4 + 3]).toBe(255);
      const padded = await sharp(binary(await get(landscape, 'w=100&h=100&fit=pad&bg=rgb:00ff00&fm=png').expect(200)))
        .raw()
        .toBuffer();
      expect([padded[0], padded[1], padded[2]]).toEqual([0, 255, 0]);
      const low = binary(await get(landscape, 'fm=jpg&q=5').expect(200));
      const high = binary(await get(landscape, 'fm=jpg&q=100').expect(200));
      expect(low.length).toBeLessThan(high.length);
      const progressive = binary(await get(landscape, 'fl=progressive').expect(200));
      expect((await sharp(progressive).metadata()).isProgressive).toBe(true);
      const avif = await get(landscape, 'w=80&fm=avif').expect(200);
      expect(avif.headers['content-type']).toBe('image/avif');
      expect(await sharp(binary(avif)).metadata()).toMatchObject({ format: 'heif', compression: 'av1', width: 80 });
    });
  });

  test.each([
    ['w=0', 'w'],
    ['w=4001', 'w'],
    ['fit=bogus&w=10', 'fit'],
    ['fl=png8&fm=jpg', 'fl'],
    ['w=10&w=20', 'w'],
  ])('%s → 400 naming %s', async (query, parameter) => {
    const { path } = await sharedImage();
    const response = await request(api.baseUrl).get(`${path}?${query}`);
    expectContentfulError(response, 400, 'BadRequest');
    expect((response.body as { details: { parameter: string } }).details.parameter).toBe(parameter);
  });

  let shared: Promise<{ id: string; path: string }> | undefined;
  const sharedImage = async () => (shared ??= processedImage(await halves(64, 32)));

  test('parameters on a PDF are a 400; the PDF itself is still delivered', async () => {
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
    const { path } = await processedImage(pdf, 'doc.pdf', 'application/pdf');
    const response = await request(api.baseUrl).get(`${path}?w=100`);
    expectContentfulError(response, 400, 'BadRequest');
    expect((response.body as { message: string }).message).toContain('application/pdf');
    await request(api.baseUrl).get(path).expect(200).expect('Content-Type', 'application/pdf');
  });
  describe('the cache', () => {
    test('the second request is served from storage without sharp; ETag, 304 and ranges as for originals', async () => {
      const source = await halves(300, 150);
      const { path } = await processedImage(source);
      const first = await get(path, 'w=120&fm=webp').expect(200);
      expect(first.headers['x-hangar-rendition']).toBe('computed');
      await renditionsStored(source, 1);
      const second = await get(path, 'fm=webp&w=120').expect(200);
      // Served from the stored rendition: RenditionsService only says `cached` on the path that never calls the renderer.
      expect(second.headers['x-hangar-rendition']).toBe('cached');
      expect(binary(second).equals(binary(first))).toBe(true);
      expect(second.headers.etag).toBe(first.headers.etag);
      expect(second.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(second.headers['x-content-type-options']).toBe('nosniff');
      await request(api.baseUrl).get(`${path}?w=120&fm=webp`).set('If-None-Match', String(first.headers.etag)).expect(304);
      const part = await get(path, 'w=120&fm=webp').set('Range', 'bytes=0-9').expect(206);
      expect(binary(part).equals(binary(first).subarray(0, 10))).toBe(true);
      expect(part.headers['content-range']).toBe(`bytes 0-9/${binary(first).length}`);
      // Another rendition of the same file is another object.
      expect((await get(path, 'w=60&fm=webp').expect(200)).headers['x-hangar-rendition']).toBe('computed');
    });

    test('concurrent first requests make the rendition once', async () => {
      const { path } = await processedImage(await halves(800, 400));
      const responses = await Promise.all(Array.from({ length: 6 }, () => get(path, 'w=333&h=222&fit=fill&fm=png').expect(200)));
      const origins = responses.map((response) => String(response.headers['x-hangar-rendition']));
      expect(origins.filter((origin) => origin === 'computed')).toHaveLength(1);
      expect(origins.every((origin) => ['computed', 'shared', 'cached'].includes(origin))).toBe(true);
      const bodies = responses.map(binary);
      expect(bodies.every((body) => body.equals(bodies[0] ?? Buffer.alloc(0)))).toBe(true);
    });

    test('two api replicas asked at once make it once between them', async () => {
      const { replica, url: other } = await spawnApiProcess();
      try {
        const { path } = await processedImage(await halves(800, 400));
        const query = 'w=301&h=201&fit=thumb&fm=png';
        const responses = await Promise.all(
          Array.from({ length: 6 }, (_, i) => fetch(`${i % 2 === 0 ? api.baseUrl : other}${path}?${query}`)),
        );
        expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200, 200, 200]);
        const origins = responses.map((response) => response.headers.get('x-hangar-rendition'));
        expect(origins.filter((origin) => origin === 'computed')).toHaveLength(1);
      } finally {
        replica.child.kill('SIGTERM');
        await replica.exited;
      }
    });

    test('an api process loads sharp on its first image request, not at boot, and that request is answered', async () => {
      // Whether libvips is in the process is read from its memory map, not from anything the api says of itself.
      const mapsSharp = (pid: number) => /sharp|libvips/.test(readFileSync(`/proc/${pid}/maps`, 'utf8'));
      const { replica, url: fresh } = await spawnApiProcess();
      try {
        const pid = replica.child.pid ?? 0;
        const { path } = await processedImage(await halves(200, 100));
        await request(fresh).get('/health/ready').expect(200);
        expect(mapsSharp(pid)).toBe(false);
        const response = await fetch(`${fresh}${path}?w=50&fm=png`);
        expect(response.status).toBe(200);
        const rendered = await sharp(Buffer.from(await response.arrayBuffer())).metadata();
        expect([rendered.format, rendered.width, rendered.height]).toEqual(['png', 50, 25]);
        expect(mapsSharp(pid)).toBe(true);
      } finally {
        replica.child.kill('SIGTERM');
        await replica.exited;
      }
    });

    test('deleting the asset removes its renditions; a file of the same bytes keeps them', async () => {
      const storage = api.app.get(StorageService);
      const bytes = await halves(120, 60);
      const kept = await processedImage(bytes);
      const doomed = await processedImage(bytes);
      await get(doomed.path, 'w=30').expect(200);
      await get(doomed.path, 'w=40&fm=png').expect(200);
      const prefix = renditionSourcePrefix(c.spaceId, createHash('sha256').update(bytes).digest('hex'));
      expect(await renditionsStored(bytes, 2)).toHaveLength(2);
      const deleteAsset = (id: string, version: number) =>
        request(api.baseUrl)
          .delete(`/spaces/${c.spaceId}/environments/master/assets/${id}`)
          .set(c.auth)
          .set('X-Contentful-Version', String(version));
      // Another asset has the same bytes: the renditions are still theirs.
      await deleteAsset(doomed.id, doomed.version).expect(204);
      expect(await storage.listKeys(prefix)).toHaveLength(2);
      expect((await get(kept.path, 'w=30').expect(200)).headers['x-hangar-rendition']).toBe('cached');
      await deleteAsset(kept.id, kept.version).expect(204);
      expect(await storage.listKeys(prefix)).toEqual([]);
    });
  });

  test('an EXIF-orientation-6 photo comes out upright, with no EXIF or GPS; its ICC profile stays', async () => {
    // Stored 40×20 with "rotate 90° clockwise to view": seen as 20×40, red on top (the stored left half).
    const left = await sharp({ create: { width: 20, height: 20, channels: 3, background: BLUE } })
      .png()
      .toBuffer();
    const photo = await sharp({ create: { width: 40, height: 20, channels: 3, background: RED } })
      .composite([{ input: left, left: 0, top: 0 }])
      .jpeg({ quality: 95 })
      .withIccProfile('p3')
      .withExif({ IFD0: { Make: 'Hangar test camera' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1' } })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const { path } = await processedImage(photo);
    const rendition = binary(await get(path, 'w=10&fm=png').expect(200));
    const metadata = await sharp(rendition).metadata();
    expect([metadata.width, metadata.height]).toEqual([10, 20]);
    expect(metadata.exif).toBeUndefined();
    expect(metadata.orientation).toBeUndefined();
    expect(metadata.icc).toBeDefined();
    // Rotated clockwise, the stored left (blue) half is on top.
    const { data } = await sharp(rendition).raw().toBuffer({ resolveWithObject: true });
    expect(data[2]).toBeGreaterThan(200);
    const jpeg = binary(await get(path, 'w=10&fm=jpg').expect(200));
    expect((await sharp(jpeg).metadata()).exif).toBeUndefined();
    expect(jpeg.includes(Buffer.from('Hangar test camera'))).toBe(false);
  });

  test('the SDK flow: the url the SDK reads takes the parameters', async () => {
    const plain = createClient(
      { accessToken: c.token, host: api.host, insecure: true },
      { type: 'plain', defaults: { spaceId: c.spaceId, environmentId: 'master' } },
    );
    const { id } = await processedImage(await halves(200, 100));
    const asset = await plain.asset.get({ assetId: id });
    const url = asset.fields.file['en-US']?.url ?? '';
    const response = await get(deliveryPathOf(url), 'w=50&h=50&fit=thumb&fm=webp').expect(200);
    expect(await sharp(binary(response)).metadata()).toMatchObject({ width: 50, height: 50, format: 'webp' });
  });
  describe('path-addressed files', () => {
    /** Writes `bytes` at `path`; public ones answer with their stable URL. */
    async function putFile(path: string, bytes: Buffer, acl: 'public' | 'private') {
      await request(api.baseUrl)
        .put(`/spaces/${c.spaceId}/files/${path}`)
        .set(c.auth)
        .set('Content-Type', 'application/octet-stream')
        .send(bytes)
        .expect(201);
      if (acl === 'private') return '';
      const made = await request(api.baseUrl)
        .put(`/spaces/${c.spaceId}/file_acl/${path}`)
        .set(c.auth)
        .set('Content-Type', JSON_TYPE)
        .send({ acl: 'public' })
        .expect(200);
      return pathAndQuery((made.body as { url: string }).url);
    }

    test('a public file takes the parameters at its stable URL', async () => {
      const source = await halves(200, 100);
      const url = await putFile('images/public.jpg', source, 'public');
      const first = await get(url, 'w=50&fm=png').expect(200);
      expect(await sharp(binary(first)).metadata()).toMatchObject({ width: 50, height: 25, format: 'png' });
      expect(first.headers['cache-control']).toBe('public, no-cache');
      await renditionsStored(source, 1);
      expect((await get(url, 'w=50&fm=png').expect(200)).headers['x-hangar-rendition']).toBe('cached');
    });

    test("a private file's signed URL covers its parameters: another rendition, or one added to a plain signed URL, is refused", async () => {
      await putFile('images/private.jpg', await halves(200, 100), 'private');
      const issue = (query: string) =>
        request(api.baseUrl).get(`/spaces/${c.spaceId}/file_urls/images/private.jpg?expiresIn=60${query}`).set(c.auth).expect(200);
      const signed = pathAndQuery(((await issue('&w=40&fm=webp')).body as { url: string }).url);
      expect(signed).toContain('w=40');
      const [signedPath = '', signedQuery = ''] = signed.split('?');
      const rendition = await get(signedPath, signedQuery).expect(200);
      expect(await sharp(binary(rendition)).metadata()).toMatchObject({ width: 40, format: 'webp' });
      const altered = await request(api.baseUrl).get(signed.replace('w=40', 'w=400'));
      expectContentfulError(altered, 403, 'AccessDenied');
      expect((altered.body as { details: { reason: string } }).details.reason).toBe('invalid-signature');
      const plain = pathAndQuery(((await issue('')).body as { url: string }).url);
      expectContentfulError(await request(api.baseUrl).get(`${plain}&w=10`), 403, 'AccessDenied');
      await request(api.baseUrl).get(plain).expect(200);
      // Wrong parameters are a 400 when the URL is asked for, not a URL that can never work.
      expectContentfulError(
        await request(api.baseUrl).get(`/spaces/${c.spaceId}/file_urls/images/private.jpg?w=0`).set(c.auth),
        400,
        'BadRequest',
      );
    });

    test('an image bomb (12,000×12,000) is refused with a 400 before decoding', async () => {
      const url = await putFile('images/bomb.png', pngClaiming(12_000, 12_000), 'public');
      const response = await request(api.baseUrl).get(`${url}?w=100`);
      expectContentfulError(response, 400, 'BadRequest');
      expect((response.body as { message: string }).message).toContain('12000×12000 pixels, over the limit');
    });
  });

  test('a burst beyond the transform limit is a 503 with Retry-After, never an exhausted process', async () => {
    const limited = await startApi({ IMAGE_TRANSFORM_CONCURRENCY: '1', IMAGE_TRANSFORM_QUEUE: '0' });
    try {
      // Straight to the in-process api (not a balancer), whose transforms the test can watch.
      const server = limited.app.getHttpServer() as { address(): AddressInfo };
      const { port } = server.address();
      const direct = `http://127.0.0.1:${port}`;
      // A large noisy image: writing it whole as PNG takes the one transform slot for a second or more.
      const noisy = await sharp({
        create: { width: 2500, height: 2500, channels: 3, background: RED, noise: { type: 'gaussian', mean: 128, sigma: 60 } },
      })
        .jpeg({ quality: 90 })
        .toBuffer();
      const { path } = await processedImage(noisy);
      let slowDone = false;
      const slow = fetch(`${direct}${path}?fm=png`).then((response) => {
        slowDone = true;
        return response;
      });
      const renditions = limited.app.get(RenditionsService);
      await waitFor(() => renditions.load.running === 1, 10_000, 'the first rendition to start');
      const refused = await request(direct).get(`${path}?fm=png&w=2000`);
      expect(slowDone).toBe(false);
      expectContentfulError(refused, 503, 'ServiceUnavailable');
      expect(refused.headers['retry-after']).toBe('1');
      expect((refused.body as { details: { reason: string } }).details.reason).toBe('image-transforms-busy');
      expect((await slow).status).toBe(200);
      const later = await request(direct).get(`${path}?fm=png&w=2000`).expect(200);
      expect(later.headers['x-hangar-rendition']).toBe('computed');
    } finally {
      await limited.close();
    }
  });
  test('f=face crops around the face the detector finds (a portrait whose face was located by eye)', async () => {
    // test/fixtures/astronaut.jpg, 400×400: the face's skin spans x 142–207, y 63–138 (fixtures README).
    const portrait = await readFile(join(__dirname, 'fixtures', 'astronaut.jpg'));
    const { path } = await processedImage(portrait);
    const source = await sharp(portrait).removeAlpha().raw().toBuffer();
    /** Where in the source a 100×100 unscaled crop came from: the offset whose pixels differ least. */
    const originOf = async (crop: Buffer) => {
      const pixels = await sharp(crop).removeAlpha().raw().toBuffer();
      let best = { left: -1, top: -1, difference: Infinity };
      for (let top = 0; top <= 300; top += 5) {
        for (let left = 0; left <= 300; left += 5) {
          let difference = 0;
          for (let y = 0; y < 100; y += 4) {
            for (let x = 0; x < 100; x += 4) {
              const a = ((top + y) * 400 + left + x) * 3;
              const b = (y * 100 + x) * 3;
              difference += Math.abs((source[a] ?? 0) - (pixels[b] ?? 0)) + Math.abs((source[a + 1] ?? 0) - (pixels[b + 1] ?? 0));
            }
          }
          if (difference < best.difference) best = { left, top, difference };
        }
      }
      return best;
    };
    const face = await originOf(binary(await get(path, 'w=100&h=100&fit=crop&f=face&fm=png').expect(200)));
    // Centred on the face (x ≈ 175, y ≈ 100): the crop starts near (125, 50).
    expect(Math.abs(face.left - 125)).toBeLessThanOrEqual(20);
    expect(Math.abs(face.top - 50)).toBeLessThanOrEqual(20);
    const centre = await originOf(binary(await get(path, 'w=100&h=100&fit=crop&fm=png').expect(200)));
    expect([centre.left, centre.top]).toEqual([150, 150]);
    const thumb = await sharp(binary(await get(path, 'w=64&h=64&fit=thumb&f=face').expect(200))).metadata();
    expect([thumb.width, thumb.height]).toEqual([64, 64]);
  });
});
