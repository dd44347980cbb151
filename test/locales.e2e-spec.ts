import type { INestApplicationContext } from '@nestjs/common';
import request from 'supertest';
import { PrismaService } from '@hangar/database';
import { StorageService } from '@hangar/storage';
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
import { objectExists } from './support/bucket';
import { expectContentfulError } from './support/contentful-shape';
import { addLocale, JSON_TYPE, newSpace, newUser, type TestUser } from './support/factories';
import { makeImage } from './support/images';
import { rowsReferencing } from './support/blobs';
import { startWorker } from './support/worker-harness';

describe('locale update and delete', () => {
  let api: RunningApi;
  let worker: INestApplicationContext;
  let user: TestUser;

  beforeAll(async () => {
    api = await startApi();
    worker = await startWorker();
    user = await newUser(api.baseUrl);
  });
  afterAll(async () => {
    await worker.close();
    await api.close();
  });

  const localesOf = (spaceId: string) => `/spaces/${spaceId}/environments/master/locales`;
  const localeNamed = async (spaceId: string, code: string) => {
    const { body } = await request(api.baseUrl).get(localesOf(spaceId)).set(user.auth).expect(200);
    const found = (body as { items: { code: string; sys: { id: string; version: number } }[] }).items.find((item) => item.code === code);
    if (!found) throw new Error(`no locale ${code}`);
    return found;
  };
  const update = (spaceId: string, locale: { sys: { id: string; version: number } }, body: Record<string, unknown>, version?: number) =>
    request(api.baseUrl)
      .put(`${localesOf(spaceId)}/${locale.sys.id}`)
      .set(user.auth)
      .set('Content-Type', JSON_TYPE)
      .set('X-Contentful-Version', String(version ?? locale.sys.version))
      .send(body);
  const remove = (spaceId: string, locale: { sys: { id: string } }) =>
    request(api.baseUrl)
      .delete(`${localesOf(spaceId)}/${locale.sys.id}`)
      .set(user.auth);

  it('updates the default locale as contentful-import does (name and code, default sent unchanged), and keeps it the default', async () => {
    const spaceId = await newSpace(api.baseUrl, user);
    const enUS = await localeNamed(spaceId, 'en-US');
    const updated = await update(spaceId, enUS, {
      name: 'English (British)',
      code: 'en-GB',
      fallbackCode: null,
      default: true,
      optional: false,
      contentDeliveryApi: true,
      contentManagementApi: true,
    }).expect(200);
    expect(updated.body).toMatchObject({ name: 'English (British)', code: 'en-GB', default: true, sys: { version: enUS.sys.version + 1 } });
    expectContentfulError(
      await update(spaceId, { sys: { id: enUS.sys.id, version: enUS.sys.version + 1 } }, { default: false }),
      422,
      'ValidationFailed',
    );
  });

  it('answers Contentful rules: version, default permanent, fallbacks that exist and do not loop, codes in use as fallback', async () => {
    const spaceId = await newSpace(api.baseUrl, user);
    await addLocale(api.baseUrl, user, spaceId, { name: 'German', code: 'de-DE', fallbackCode: 'en-US' });
    await addLocale(api.baseUrl, user, spaceId, { name: 'Swiss German', code: 'de-CH', fallbackCode: 'de-DE' });
    const enUS = await localeNamed(spaceId, 'en-US');
    const deDE = await localeNamed(spaceId, 'de-DE');
    const deCH = await localeNamed(spaceId, 'de-CH');

    expectContentfulError(await update(spaceId, deDE, { name: 'Stale' }, deDE.sys.version + 1), 409, 'VersionMismatch');
    expectContentfulError(await remove(spaceId, enUS), 422, 'ValidationFailed');
    const inUse = await remove(spaceId, deDE);
    expectContentfulError(inUse, 422, 'ValidationFailed');
    expect(inUse.body.details.errors).toEqual([{ name: 'in-use-as-fallback', path: ['code'], details: expect.stringContaining('de-CH') }]);
    const renamed = await update(spaceId, deDE, { code: 'de-AT' });
    expectContentfulError(renamed, 422, 'ValidationFailed');
    expect(renamed.body.details.errors).toEqual([{ name: 'in-use-as-fallback', path: ['code'], details: expect.any(String) }]);
    const loop = await update(spaceId, deDE, { fallbackCode: 'de-CH' });
    expectContentfulError(loop, 422, 'ValidationFailed');
    expect(loop.body.details.errors).toEqual([{ name: 'in', path: ['fallbackCode'], details: expect.stringContaining('lead back') }]);
    expectContentfulError(await update(spaceId, deDE, { fallbackCode: 'de-DE' }), 422, 'ValidationFailed');
    expectContentfulError(await update(spaceId, deDE, { fallbackCode: 'xx-XX' }), 422, 'ValidationFailed');
    expectContentfulError(await update(spaceId, deCH, { code: 'de-DE' }), 422, 'ValidationFailed');
    // Nothing above changed a locale.
    expect((await localeNamed(spaceId, 'de-DE')).sys.version).toBe(deDE.sys.version);
    // Once nothing falls back to it, it can go.
    await update(spaceId, deCH, { fallbackCode: 'en-US' }).expect(200);
    await remove(spaceId, deDE).expect(204);
    expectContentfulError(await remove(spaceId, deDE), 404, 'NotFound');
  });

  it('takes the assets values and processed files along when a code changes, and removes them with the locale', async () => {
    const spaceId = await newSpace(api.baseUrl, user);
    const assets: AssetClient = { baseUrl: api.baseUrl, auth: user.auth, spaceId };
    await addLocale(api.baseUrl, user, spaceId, { name: 'German (Austria)', code: 'de-AT' });
    const image = await makeImage(8, 6);
    const uploadId = await uploadBytes(assets, image);
    const created = await createAsset(assets, {
      title: { 'en-US': 'Mountain', 'de-AT': 'Berg' },
      description: { 'de-AT': 'Nur auf Deutsch' },
      file: { 'de-AT': fileField(uploadId, 'berg.png') },
    }).expect(201);
    const assetId = (created.body as AssetJson).sys.id;
    await processLocale(assets, assetId, 'de-AT', 1).expect(204);
    const processed = await waitForProcessing(assets, assetId, 'de-AT');
    const url = processed.body.fields.file?.['de-AT']?.url as string;
    expect(url).toBeDefined();

    await update(spaceId, await localeNamed(spaceId, 'de-AT'), { code: 'de-DE', name: 'German' }).expect(200);
    const moved = (await getAsset(assets, assetId).expect(200)).body as AssetJson & { fields: { description?: Record<string, string> } };
    expect(moved.fields.title).toEqual({ 'en-US': 'Mountain', 'de-DE': 'Berg' });
    expect(moved.fields.description).toEqual({ 'de-DE': 'Nur auf Deutsch' });
    expect(moved.fields.file?.['de-DE']).toMatchObject({ url, fileName: 'berg.png', details: { size: image.length } });
    expect(moved.fields.file?.['de-AT']).toBeUndefined();
    const delivered = await request(api.baseUrl).get(new URL(url, api.baseUrl).pathname).expect(200);
    expect(Buffer.compare(delivered.body as Buffer, image)).toBe(0);

    const [file] = await api.app.get(PrismaService).assetFile.findMany({ where: { spaceId, assetId } });
    expect(file?.locale).toBe('de-DE');
    await remove(spaceId, await localeNamed(spaceId, 'de-DE')).expect(204);
    const left = (await getAsset(assets, assetId).expect(200)).body as AssetJson & { fields: Record<string, unknown> };
    expect(left.fields).toEqual({ title: { 'en-US': 'Mountain' } });
    const prisma = api.app.get(PrismaService);
    expect(await prisma.assetFile.count({ where: { spaceId, assetId } })).toBe(0);
    await request(api.baseUrl).get(new URL(url, api.baseUrl).pathname).expect(404);
    // The file let its bytes go; the upload they came from still holds them (stored once), until it goes too.
    const blobKey = file?.blobKey as string;
    expect(blobKey).toBe(file?.objectKey);
    expect(await prisma.blob.findUniqueOrThrow({ where: { objectKey: blobKey } })).toMatchObject({ refCount: 1 });
    expect(await rowsReferencing(prisma, blobKey)).toBe(1);
    await request(api.baseUrl).delete(`/spaces/${spaceId}/uploads/${uploadId}`).set(user.auth).expect(204);
    expect(await objectExists(api.app.get(StorageService), blobKey)).toBe(false);
  });
});
