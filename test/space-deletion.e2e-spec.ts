import type { INestApplicationContext } from '@nestjs/common';
import { createClient } from 'contentful-management';
import request from 'supertest';
import { assetObjectPrefix } from '@hangar/assets';
import { PrismaService } from '@hangar/database';
import { fileObjectPrefix } from '@hangar/files';
import { uploadObjectPrefix } from '@hangar/ingest';
import { StorageService } from '@hangar/storage';
import { type RunningApi, startApi } from './support/api-harness';
import { type AssetClient, type AssetJson, createAsset, fileField, processLocale, uploadBytes, waitForProcessing } from './support/assets';
import { expectContentfulError } from './support/contentful-shape';
import { addLocale, addMember, JSON_TYPE, newSpace, newUser, type TestUser, uniqueName } from './support/factories';
import { makeImage } from './support/images';
import { waitFor } from './support/processes';
import { startWorker } from './support/worker-harness';

describe('deleting spaces and environments, and creating environments with a generated id', () => {
  let api: RunningApi;
  let worker: INestApplicationContext;
  let user: TestUser;

  beforeAll(async () => {
    api = await startApi();
    // Blobs nothing references go in the next purge round, a second away.
    worker = await startWorker({ BLOB_REAP_GRACE_SECONDS: '0', PURGE_INTERVAL_SECONDS: '1' });
    user = await newUser(api.baseUrl);
  });
  afterAll(async () => {
    await worker.close();
    await api.close();
  });

  const sdkOptions = () => ({ accessToken: user.token, host: api.host, hostUpload: api.host, insecure: true });
  const storage = () => api.app.get(StorageService);
  const prisma = () => api.app.get(PrismaService);

  /**
   * An upload, a processed asset made from it and a file (two versions) in `environmentId` of the space; returns
   * their object keys (the upload and the asset's file are the same bytes: one object).
   */
  async function fill(spaceId: string, environmentId = 'master', image?: Buffer): Promise<string[]> {
    const assets: AssetClient = { baseUrl: api.baseUrl, auth: user.auth, spaceId, environmentId };
    await processedAsset(assets, image ?? (await makeImage(5, 4)));
    if (environmentId === 'master') {
      for (const text of ['one', 'two']) {
        await request(api.baseUrl)
          .put(`/spaces/${spaceId}/files/docs/readme.txt`)
          .set(user.auth)
          .set('Content-Type', 'application/octet-stream')
          .send(Buffer.from(text))
          .expect((response) => expect([200, 201]).toContain(response.status));
      }
    }
    const prefixes = [uploadObjectPrefix(spaceId, environmentId), assetObjectPrefix(spaceId, environmentId)];
    if (environmentId === 'master') prefixes.push(fileObjectPrefix(spaceId));
    return (await Promise.all(prefixes.map((prefix) => storage().listKeys(prefix)))).flat();
  }

  async function processedAsset(assets: AssetClient, bytes: Buffer): Promise<void> {
    const uploadId = await uploadBytes(assets, bytes);
    const created = await createAsset(assets, { title: { 'en-US': 'Kept until deleted' }, file: { 'en-US': fileField(uploadId) } }).expect(
      201,
    );
    const assetId = (created.body as AssetJson).sys.id;
    await processLocale(assets, assetId, 'en-US', 1).expect(204);
    expect((await waitForProcessing(assets, assetId, 'en-US')).body.fields.file?.['en-US']?.url).toBeDefined();
  }

  const objectsOf = async (prefixes: string[]) => (await Promise.all(prefixes.map((prefix) => storage().listKeys(prefix)))).flat();

  it('deletes a space with everything in it: 204, then 404; no row left, and its objects go', async () => {
    const spaceId = await newSpace(api.baseUrl, user);
    const keys = await fill(spaceId);
    // The upload with its asset's file (the same bytes, stored once), two file versions.
    expect(keys).toHaveLength(3);
    await request(api.baseUrl).delete(`/spaces/${spaceId}`).set(user.auth).expect(204);
    expectContentfulError(await request(api.baseUrl).get(`/spaces/${spaceId}`).set(user.auth), 404, 'NotFound');
    expectContentfulError(await request(api.baseUrl).delete(`/spaces/${spaceId}`).set(user.auth), 404, 'NotFound');
    const rows = await Promise.all([
      prisma().environment.count({ where: { spaceId } }),
      prisma().locale.count({ where: { spaceId } }),
      prisma().upload.count({ where: { spaceId } }),
      prisma().asset.count({ where: { spaceId } }),
      prisma().assetFile.count({ where: { spaceId } }),
      prisma().file.count({ where: { spaceId } }),
      prisma().spaceMembership.count({ where: { spaceId } }),
    ]);
    expect(rows).toEqual([0, 0, 0, 0, 0, 0, 0]);
    const prefixes = [uploadObjectPrefix(spaceId), assetObjectPrefix(spaceId), fileObjectPrefix(spaceId)];
    await waitFor(async () => (await objectsOf(prefixes)).length === 0, 15_000, 'the objects of the deleted space to go');
  });

  it('lets only a manager of the space delete it', async () => {
    const spaceId = await newSpace(api.baseUrl, user);
    const viewer = await newUser(api.baseUrl);
    await addMember(api.baseUrl, spaceId, viewer.id, 'viewer');
    expectContentfulError(await request(api.baseUrl).delete(`/spaces/${spaceId}`).set(viewer.auth), 403, 'AccessDenied');
    const stranger = await newUser(api.baseUrl);
    expectContentfulError(await request(api.baseUrl).delete(`/spaces/${spaceId}`).set(stranger.auth), 404, 'NotFound');
    await request(api.baseUrl).get(`/spaces/${spaceId}`).set(user.auth).expect(200);
  });

  it('deletes spaces through the SDK, as its tests tear down (plain and legacy clients)', async () => {
    const plain = createClient(sdkOptions(), { type: 'plain' });
    const first = await plain.space.create({}, { name: uniqueName('sdk-delete') });
    await plain.space.delete({ spaceId: first.sys.id });
    await expect(plain.space.get({ spaceId: first.sys.id })).rejects.toMatchObject({ name: 'NotFound' });
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const legacy = createClient(sdkOptions(), { type: 'legacy' });
    // No organization: Hangar has none (the SDK sends its header only for a non-empty id).
    const second = await legacy.createSpace({ name: uniqueName('sdk-delete') }, '');
    await second.delete();
    await expect(legacy.getSpace(second.sys.id)).rejects.toMatchObject({ name: 'NotFound' });
  });

  it("creates an environment with a generated id (the SDK's createEnvironment), ready, with the source's locales", async () => {
    const spaceId = await newSpace(api.baseUrl, user);
    await addLocale(api.baseUrl, user, spaceId, { name: 'German', code: 'de-DE', fallbackCode: 'en-US' });
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const space = await createClient(sdkOptions(), { type: 'legacy' }).getSpace(spaceId);
    const environment = await space.createEnvironment({ name: 'Feature X' });
    expect(environment.sys.id).toMatch(/^[A-Za-z0-9]{22}$/);
    expect(environment.name).toBe('Feature X');
    expect((await space.getEnvironment(environment.sys.id)).sys.status.sys.id).toBe('ready');
    const locales = await environment.getLocales();
    expect(locales.items.map((locale) => [locale.code, locale.fallbackCode, locale.default])).toEqual([
      ['en-US', null, true],
      ['de-DE', 'en-US', false],
    ]);
    const plain = await request(api.baseUrl)
      .post(`/spaces/${spaceId}/environments`)
      .set(user.auth)
      .set('Content-Type', JSON_TYPE)
      .set('X-Contentful-Source-Environment', 'no-such-source')
      .send({ name: 'From nowhere' });
    expectContentfulError(plain, 404, 'NotFound');
  });

  it('deletes an environment other than master with everything in it, and leaves master alone', async () => {
    const spaceId = await newSpace(api.baseUrl, user);
    const masterKeys = await fill(spaceId);
    const created = await request(api.baseUrl)
      .post(`/spaces/${spaceId}/environments`)
      .set(user.auth)
      .set('Content-Type', JSON_TYPE)
      .send({ name: 'Staging' })
      .expect(201);
    const environmentId = (created.body as { sys: { id: string } }).sys.id;
    const stagingKeys = await fill(spaceId, environmentId, await makeImage(6, 4));
    expect(stagingKeys).toHaveLength(1);
    // Bytes master has too: stored once in the space, under master's prefix, and referenced from staging as well.
    await processedAsset({ baseUrl: api.baseUrl, auth: user.auth, spaceId, environmentId }, await makeImage(5, 4));
    expect(await objectsOf([uploadObjectPrefix(spaceId, environmentId)])).toEqual(stagingKeys);
    expectContentfulError(await request(api.baseUrl).delete(`/spaces/${spaceId}/environments/master`).set(user.auth), 400, 'BadRequest');
    await request(api.baseUrl).delete(`/spaces/${spaceId}/environments/${environmentId}`).set(user.auth).expect(204);
    expectContentfulError(
      await request(api.baseUrl).get(`/spaces/${spaceId}/environments/${environmentId}`).set(user.auth),
      404,
      'NotFound',
    );
    expect(await prisma().asset.count({ where: { spaceId, environmentId } })).toBe(0);
    expect(await prisma().upload.count({ where: { spaceId, environmentId } })).toBe(0);
    const prefixes = [uploadObjectPrefix(spaceId, environmentId), assetObjectPrefix(spaceId, environmentId)];
    await waitFor(async () => (await objectsOf(prefixes)).length === 0, 15_000, 'the objects of the deleted environment to go');
    // master's rows and objects are untouched, the bytes staging shared with it included.
    expect(await prisma().asset.count({ where: { spaceId, environmentId: 'master' } })).toBe(1);
    expect((await objectsOf([uploadObjectPrefix(spaceId), assetObjectPrefix(spaceId), fileObjectPrefix(spaceId)])).sort()).toEqual(
      [...masterKeys].sort(),
    );
  });
});
