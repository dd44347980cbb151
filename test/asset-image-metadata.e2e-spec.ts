import type { INestApplicationContext } from '@nestjs/common';
import { createClient } from 'contentful-management';
import request from 'supertest';
import { PrismaService } from '@hangar/database';
import { type RunningApi, startApi } from './support/api-harness';
import {
  type AssetClient,
  type AssetJson,
  createAsset,
  fileField,
  getAsset,
  processLocale,
  uploadBytes,
  waitForProcessing,
} from './support/assets';
import { JSON_TYPE, newSpace, newUser, type TestUser } from './support/factories';
import { makeImage, makePhoto } from './support/images';
import { startWorker } from './support/worker-harness';

type ProcessedFileJson = NonNullable<NonNullable<AssetJson['fields']['file']>[string]>;

/** A minimal PDF: file-type knows it by its `%PDF-` signature. */
const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n' +
    'trailer << /Root 1 0 R >>\n%%EOF\n',
  'latin1',
);

/**
 * sharp's dominant colour is the centre of the fullest bin of a 16×16×16
 * histogram, so a solid colour comes back within 16 per channel of itself.
 */
const DOMINANT_TOLERANCE = 16;

function channelsOf(hex: string | undefined): number[] {
  expect(hex).toMatch(/^#[0-9a-f]{6}$/);
  return [1, 3, 5].map((at) => parseInt((hex ?? '').slice(at, at + 2), 16));
}

describe('Image metadata at processing time (fields.file[locale].hangar)', () => {
  let api: RunningApi;
  let worker: INestApplicationContext;
  let user: TestUser;
  let c: AssetClient;

  beforeAll(async () => {
    api = await startApi({ PUBLIC_BASE_URL: 'http://media.test:3000' });
    worker = await startWorker({ PUBLIC_BASE_URL: 'http://media.test:3000' });
    user = await newUser(api.baseUrl);
    c = { baseUrl: api.baseUrl, auth: user.auth, spaceId: await newSpace(api.baseUrl, user) };
  });
  afterAll(async () => {
    await worker.close();
    await api.close();
  });

  const assetPath = (id: string) => `/spaces/${c.spaceId}/environments/master/assets/${id}`;

  /** Uploads, creates, processes and waits: the asset's id and its processed en-US file. */
  async function processed(bytes: Buffer, fileName: string, contentType: string): Promise<{ id: string; file: ProcessedFileJson }> {
    const created = await createAsset(c, { file: { 'en-US': fileField(await uploadBytes(c, bytes), fileName, contentType) } }).expect(201);
    const id = created.body.sys.id as string;
    await processLocale(c, id, 'en-US', 1).expect(204);
    const { body } = await waitForProcessing(c, id, 'en-US');
    expect(body.sys.fileProcessing?.['en-US']).toMatchObject({ status: 'ready' });
    const file = body.fields.file?.['en-US'];
    if (!file) throw new Error(`asset ${id} has no en-US file`);
    return { id, file };
  }

  it('reports the displayed size of an EXIF-orientation-6 photo and the orientation it had', async () => {
    // 40×20 as stored; a viewer turns it a quarter clockwise, so it shows 20×40.
    const photo = await makePhoto(40, 20, { orientation: 6 });
    const { id, file } = await processed(photo, 'turned.jpg', 'image/jpeg');
    expect(file.details).toEqual({ size: photo.length, image: { width: 20, height: 40 } });
    expect(file.hangar?.exifOrientation).toBe(6);
    const row = await api.app.get(PrismaService).assetFile.findFirstOrThrow({ where: { assetId: id } });
    expect({ width: row.width, height: row.height }).toEqual({ width: 20, height: 40 });

    // Without an orientation tag the key is left out, and the stored size is the displayed one.
    const { file: plain } = await processed(await makePhoto(40, 20), 'plain.jpg', 'image/jpeg');
    expect(plain.details?.image).toEqual({ width: 40, height: 20 });
    expect(plain.hangar).not.toHaveProperty('exifOrientation');
  });

  it('says whether the original carries a GPS position', async () => {
    const located = await processed(await makePhoto(32, 24, { gps: { latitude: 51.5007, longitude: -0.1246 } }), 'gps.jpg', 'image/jpeg');
    expect(located.file.hangar?.hasGps).toBe(true);
    const unlocated = await processed(await makePhoto(32, 24), 'no-gps.jpg', 'image/jpeg');
    expect(unlocated.file.hangar?.hasGps).toBe(false);
    // A GPS position and an orientation together: both reported.
    const both = await processed(
      await makePhoto(32, 24, { orientation: 8, gps: { latitude: -33.86, longitude: 151.21 } }),
      'b.jpg',
      'image/jpeg',
    );
    expect(both.file.hangar).toMatchObject({ hasGps: true, exifOrientation: 8 });
    expect(both.file.details?.image).toEqual({ width: 24, height: 32 });
  });

  it(`gives a solid image's colour as its dominant colour (within ${DOMINANT_TOLERANCE} per channel)`, async () => {
    // makeImage fills with rgb(200, 80, 40); makePhoto with rgb(90, 120, 150) (a JPEG: a level or two of drift).
    for (const [bytes, fileName, type, expected] of [
      [await makeImage(64, 48, 'png'), 'solid.png', 'image/png', [200, 80, 40]],
      [await makePhoto(64, 48), 'solid.jpg', 'image/jpeg', [90, 120, 150]],
    ] as const) {
      const { file } = await processed(bytes, fileName, type);
      const distance = Math.max(
        ...channelsOf(file.hangar?.dominantColor).map((value, channel) => Math.abs(value - (expected[channel] ?? NaN))),
      );
      expect(distance).toBeLessThanOrEqual(DOMINANT_TOLERANCE);
    }
  });

  it('stores a ThumbHash that decodes to the displayed aspect ratio within 10%', async () => {
    const { thumbHashToApproximateAspectRatio } = await import('thumbhash');
    // 3:2 and 2:3 sources, and a 3:2 one shown turned (orientation 6) as 2:3. A ThumbHash's ratio is one of
    // small whole numbers (7:5 for 3:2), so these shapes are within 10%; 2:1 would be 7:4 (12.5% off).
    for (const [bytes, type, displayedRatio] of [
      [await makeImage(300, 200, 'png', true), 'image/png', 3 / 2],
      [await makeImage(200, 300, 'webp', true), 'image/webp', 2 / 3],
      [await makePhoto(300, 200, { orientation: 6 }), 'image/jpeg', 2 / 3],
    ] as const) {
      const { file } = await processed(bytes, 'shape', type);
      const thumbhash = file.hangar?.placeholder.thumbhash ?? '';
      expect(thumbhash).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
      const ratio = thumbHashToApproximateAspectRatio(Buffer.from(thumbhash, 'base64'));
      expect(Math.abs(ratio - displayedRatio) / displayedRatio).toBeLessThanOrEqual(0.1);
    }
  });

  it('adds no hangar key to a PDF or a text file', async () => {
    const pdf = await processed(PDF, 'doc.pdf', 'application/pdf');
    expect(pdf.file.contentType).toBe('application/pdf');
    expect(pdf.file).not.toHaveProperty('hangar');
    expect(pdf.file.details).toEqual({ size: PDF.length });
    const text = await processed(Buffer.from('plain words\n'), 'notes.txt', 'text/plain');
    expect(text.file).not.toHaveProperty('hangar');
  });

  it('processes a truncated image whose header is sound with its size and no hangar key, as before there was one', async () => {
    const png = await makeImage(60, 40, 'png', true);
    const cut = png.subarray(0, Math.floor(png.length / 2));
    const { file } = await processed(cut, 'cut.png', 'image/png');
    expect(file.details).toEqual({ size: cut.length, image: { width: 60, height: 40 } });
    expect(file).not.toHaveProperty('hangar');
  });

  it('keeps the stored metadata through an SDK update() and a PUT that changes it, and publishes it', async () => {
    const { id, file } = await processed(
      await makePhoto(48, 32, { orientation: 6, gps: { latitude: 48.85, longitude: 2.35 } }),
      'p.jpg',
      'image/jpeg',
    );
    const stored = file.hangar;
    expect(stored).toMatchObject({ exifOrientation: 6, hasGps: true });

    // The legacy SDK's entity method PUTs the whole file object back, hangar included; a forged value goes with it.
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const client = createClient({ accessToken: user.token, host: api.host, hostUpload: api.host, insecure: true }, { type: 'legacy' });
    const environment = await (await client.getSpace(c.spaceId)).getEnvironment('master');
    const asset = await environment.getAsset(id);
    asset.fields.title = { 'en-US': 'Tower' };
    const sent = asset.fields.file['en-US'] as unknown as { hangar: Record<string, unknown> };
    expect(sent.hangar).toEqual(stored);
    sent.hangar = { ...sent.hangar, hasGps: false, dominantColor: '#000000' };
    const updated = await asset.update();
    expect(updated.fields.title['en-US']).toBe('Tower');
    expect((updated.fields.file['en-US'] as unknown as { hangar: unknown }).hangar).toEqual(stored);

    // A plain PUT that rewrites hangar (and details, the same rule): 200, what is stored is unchanged.
    const current = (await getAsset(c, id).expect(200)).body as AssetJson;
    const forged = {
      ...current.fields.file?.['en-US'],
      details: { size: 1, image: { width: 1, height: 1 } },
      hangar: { placeholder: { thumbhash: 'AAAA' }, dominantColor: '#ffffff', exifOrientation: 1, hasGps: false },
    };
    const put = await request(api.baseUrl)
      .put(assetPath(id))
      .set(user.auth)
      .set('Content-Type', JSON_TYPE)
      .set('X-Contentful-Version', String(current.sys.version))
      .send({ fields: { ...current.fields, file: { 'en-US': forged } } })
      .expect(200);
    expect((put.body as AssetJson).fields.file?.['en-US']).toEqual(file);
    expect(((await getAsset(c, id).expect(200)).body as AssetJson).fields.file?.['en-US']).toEqual(file);

    // The published snapshot carries it too.
    await request(api.baseUrl)
      .put(`${assetPath(id)}/published`)
      .set(user.auth)
      .set('X-Contentful-Version', String((put.body as AssetJson).sys.version))
      .expect(200);
    const published = await request(api.baseUrl)
      .get(`/spaces/${c.spaceId}/environments/master/public/assets`)
      .query({ 'sys.id': id })
      .set(user.auth)
      .expect(200);
    expect((published.body as { items: AssetJson[] }).items[0]?.fields.file?.['en-US']?.hangar).toEqual(stored);
  });
});
