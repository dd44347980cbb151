import type { INestApplicationContext } from '@nestjs/common';
import { createClient } from 'contentful-management';
import { type RunningApi, startApi } from './support/api-harness';
import { addLocale, newSpace, newUser, type TestUser } from './support/factories';
import { makeImage } from './support/images';
import { startWorker } from './support/worker-harness';

/**
 * The official contentful-management SDK, configured only with host, hostUpload
 * and insecure, drives the whole asset flow against Hangar — plain and legacy clients.
 */
describe('contentful-management SDK against Hangar', () => {
  let api: RunningApi;
  let worker: INestApplicationContext;
  let user: TestUser;
  let spaceId: string;

  beforeAll(async () => {
    api = await startApi();
    worker = await startWorker();
    user = await newUser(api.baseUrl);
    spaceId = await newSpace(api.baseUrl, user);
    await addLocale(api.baseUrl, user, spaceId, { name: 'German', code: 'de-DE', fallbackCode: 'en-US' });
  });
  afterAll(async () => {
    await worker.close();
    await api.close();
  });

  /** The SDK types file bodies as ArrayBuffer, string or stream. */
  const arrayBuffer = (bytes: Buffer): ArrayBuffer => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer;

  const options = () => ({ accessToken: user.token, host: api.host, hostUpload: api.host, insecure: true });

  it('plain client: uploads, createFromFiles (two locales), processForAllLocales, update, publish, archive, delete', async () => {
    const client = createClient(options(), { type: 'plain', defaults: { spaceId, environmentId: 'master' } });
    const english = await makeImage(40, 30, 'png');
    const german = await makeImage(30, 40, 'jpeg');

    const upload = await client.upload.create({}, { file: arrayBuffer(english) });
    expect((await client.upload.get({ uploadId: upload.sys.id })).sys.id).toBe(upload.sys.id);
    await client.upload.delete({ uploadId: upload.sys.id });
    await expect(client.upload.get({ uploadId: upload.sys.id })).rejects.toMatchObject({ name: 'NotFound' });

    const created = await client.asset.createFromFiles(
      {},
      {
        fields: {
          title: { 'en-US': 'Harbour', 'de-DE': 'Hafen' },
          description: { 'en-US': 'Boats' },
          file: {
            'en-US': { contentType: 'image/png', fileName: 'harbour.png', file: arrayBuffer(english) },
            'de-DE': { contentType: 'image/jpeg', fileName: 'hafen.jpg', file: arrayBuffer(german) },
          },
        },
      },
    );
    expect(created.sys.version).toBe(1);
    const processed = await client.asset.processForAllLocales({}, created);
    expect(processed.fields.file['en-US']).toMatchObject({
      contentType: 'image/png',
      url: expect.stringMatching(/^http:\/\/localhost:3000\/files\//),
      details: { size: english.length, image: { width: 40, height: 30 } },
    });
    expect(processed.fields.file['de-DE']).toMatchObject({ contentType: 'image/jpeg', details: { image: { width: 30, height: 40 } } });
    expect(processed.sys.version).toBe(3);

    const fetched = await client.asset.get({ assetId: created.sys.id });
    fetched.fields.title['en-US'] = 'Harbour at dusk';
    const updated = await client.asset.update({ assetId: created.sys.id }, fetched);
    expect(updated.sys.version).toBe(4);
    expect(updated.fields.title['en-US']).toBe('Harbour at dusk');
    expect(updated.fields.file['en-US']?.url).toBe(processed.fields.file['en-US']?.url);

    const published = await client.asset.publish({ assetId: created.sys.id }, updated);
    expect(published.sys).toMatchObject({ publishedVersion: 4, version: 5, publishedCounter: 1 });
    const unpublished = await client.asset.unpublish({ assetId: created.sys.id });
    expect(unpublished.sys.publishedVersion).toBeUndefined();
    const archived = await client.asset.archive({ assetId: created.sys.id });
    expect(archived.sys.archivedVersion).toBe(6);
    const unarchived = await client.asset.unarchive({ assetId: created.sys.id });
    expect(unarchived.sys.archivedVersion).toBeUndefined();
    await client.asset.delete({ assetId: created.sys.id });
    await expect(client.asset.get({ assetId: created.sys.id })).rejects.toMatchObject({ name: 'NotFound' });
  });

  it('legacy client: createAssetFromFiles, processForAllLocales, update, publish, unpublish, archive, unarchive, delete; uploads', async () => {
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const client = createClient(options(), { type: 'legacy' });
    const environment = await (await client.getSpace(spaceId)).getEnvironment('master');

    const upload = await environment.createUpload({ file: arrayBuffer(await makeImage(5, 5)) });
    const again = await environment.getUpload(upload.sys.id);
    await again.delete();

    const created = await environment.createAssetFromFiles({
      fields: {
        title: { 'en-US': 'Lighthouse' },
        description: { 'en-US': 'At night' },
        file: {
          'en-US': { contentType: 'image/webp', fileName: 'lighthouse.webp', file: arrayBuffer(await makeImage(12, 34, 'webp')) },
          'de-DE': { contentType: 'image/png', fileName: 'leuchtturm.png', file: arrayBuffer(await makeImage(34, 12, 'png')) },
        },
      },
    });
    const processed = await created.processForAllLocales();
    expect(processed.fields.file['en-US']).toMatchObject({ contentType: 'image/webp', details: { image: { width: 12, height: 34 } } });
    expect(processed.fields.file['de-DE']?.url).toEqual(expect.any(String));

    const latest = await environment.getAsset(created.sys.id);
    latest.fields.title['de-DE'] = 'Leuchtturm';
    const updated = await latest.update();
    expect(updated.fields.title['de-DE']).toBe('Leuchtturm');
    const published = await updated.publish();
    expect(published.isPublished()).toBe(true);
    const unpublished = await published.unpublish();
    expect(unpublished.isPublished()).toBe(false);
    const archived = await unpublished.archive();
    expect(archived.isArchived()).toBe(true);
    const unarchived = await archived.unarchive();
    expect(unarchived.isArchived()).toBe(false);
    await unarchived.delete();
    await expect(environment.getAsset(created.sys.id)).rejects.toMatchObject({ name: 'NotFound' });
  });
});
