import type { INestApplicationContext } from '@nestjs/common';
import request from 'supertest';
import { PrismaService } from '@hangar/database';
import { UploadPurgeJob } from '../apps/worker/src/uploads/upload-purge.job';
import { type RunningApi, startApi } from './support/api-harness';
import { type AssetClient, createAsset, fileField, processLocale, uploadBytes, waitForProcessing } from './support/assets';
import { expectContentfulError } from './support/contentful-shape';
import { JSON_TYPE, newSpace, newUser } from './support/factories';
import { makeImage } from './support/images';
import { hourlyRounds } from './support/rounds';
import { startWorker } from './support/worker-harness';

const nextRound = hourlyRounds();

interface StagedEvent {
  topic: string;
  entityType: string;
  entityId: string;
  actorId: string | null;
  payload: { sys: { id: string; type: string; version?: number } };
}

/** Every change stages its domain event in the same transaction: nothing consumes them yet but this test. */
describe('domain events', () => {
  let api: RunningApi;
  let worker: INestApplicationContext;
  let c: AssetClient;
  let userId: string;

  beforeAll(async () => {
    api = await startApi();
    worker = await startWorker({ PURGE_INTERVAL_SECONDS: '3600' });
    const user = await newUser(api.baseUrl);
    userId = user.id;
    c = { baseUrl: api.baseUrl, auth: user.auth, spaceId: await newSpace(api.baseUrl, user) };
  });
  afterAll(async () => {
    await worker.close();
    await api.close();
  });

  async function eventsOf(entityId: string): Promise<StagedEvent[]> {
    const rows = await api.app.get(PrismaService).domainEvent.findMany({ where: { spaceId: c.spaceId, entityId }, orderBy: { id: 'asc' } });
    return rows as unknown as StagedEvent[];
  }

  const assetPath = (id: string, suffix = '') => `/spaces/${c.spaceId}/environments/master/assets/${id}${suffix}`;

  it("stages each asset change with Contentful's topic and the asset as the API showed it", async () => {
    const uploadId = await uploadBytes(c, await makeImage(8, 8));
    const created = await createAsset(c, { title: { 'en-US': 'Cat' }, file: { 'en-US': fileField(uploadId) } }).expect(201);
    const id = created.body.sys.id as string;
    await request(api.baseUrl)
      .put(assetPath(id))
      .set(c.auth)
      .set('Content-Type', JSON_TYPE)
      .set('X-Contentful-Version', '1')
      .send({ fields: { title: { 'en-US': 'Cat, renamed' }, file: { 'en-US': fileField(uploadId) } } })
      .expect(200);
    await processLocale(c, id, 'en-US', 2).expect(204);
    const processed = await waitForProcessing(c, id, 'en-US');
    expect(processed.body.sys.version).toBe(3);
    await request(api.baseUrl).put(assetPath(id, '/published')).set(c.auth).set('X-Contentful-Version', '3').expect(200);
    await request(api.baseUrl).delete(assetPath(id, '/published')).set(c.auth).expect(200);
    await request(api.baseUrl).put(assetPath(id, '/archived')).set(c.auth).expect(200);
    await request(api.baseUrl).delete(assetPath(id, '/archived')).set(c.auth).expect(200);
    // A refused change stages nothing.
    expectContentfulError(
      await request(api.baseUrl).put(assetPath(id, '/published')).set(c.auth).set('X-Contentful-Version', '1'),
      409,
      'VersionMismatch',
    );
    await request(api.baseUrl).delete(assetPath(id)).set(c.auth).expect(204);

    const events = await eventsOf(id);
    expect(events.map((event) => [event.topic, event.payload.sys.version, event.actorId])).toEqual([
      ['ContentManagement.Asset.create', 1, userId],
      ['ContentManagement.Asset.save', 2, userId],
      ['Hangar.Asset.processing_requested', 2, userId],
      ['Hangar.Asset.processed', 3, null],
      ['ContentManagement.Asset.publish', 4, userId],
      ['ContentManagement.Asset.unpublish', 5, userId],
      ['ContentManagement.Asset.archive', 6, userId],
      ['ContentManagement.Asset.unarchive', 7, userId],
      ['ContentManagement.Asset.delete', 7, userId],
    ]);
    for (const event of events) expect(event).toMatchObject({ entityType: 'Asset', entityId: id, payload: { sys: { type: 'Asset', id } } });
    const processedEvent = events[3]?.payload as unknown as { fields: { file: { 'en-US': { url: string } } } };
    expect(processedEvent.fields.file['en-US'].url).toBe(processed.body.fields.file?.['en-US']?.url);
  });

  it('stages processing_failed with the reason when processing fails for good', async () => {
    const created = await createAsset(c, {
      file: { 'en-US': fileField(await uploadBytes(c, Buffer.from('<html><script>x</script>')), 'a.png') },
    }).expect(201);
    const id = created.body.sys.id as string;
    await processLocale(c, id, 'en-US', 1).expect(204);
    expect((await waitForProcessing(c, id, 'en-US')).body.sys.fileProcessing?.['en-US']?.status).toBe('failed');
    const failed = (await eventsOf(id)).find((event) => event.topic === 'Hangar.Asset.processing_failed');
    expect(failed?.payload).toMatchObject({
      sys: { fileProcessing: { 'en-US': { status: 'failed', reason: expect.stringContaining('HTML') } } },
    });
  });

  it('stages create, delete and expire for uploads', async () => {
    const deleted = await uploadBytes(c, Buffer.from('to delete'));
    await request(api.baseUrl).delete(`/spaces/${c.spaceId}/uploads/${deleted}`).set(c.auth).expect(204);
    const expired = await uploadBytes(c, Buffer.from('to expire'));
    await api.app.get(PrismaService).upload.update({ where: { id: expired }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await worker.get(UploadPurgeJob).runRound(nextRound())).ran).toBe(true);

    expect((await eventsOf(deleted)).map((event) => [event.topic, event.actorId])).toEqual([
      ['Hangar.Upload.create', userId],
      ['Hangar.Upload.delete', userId],
    ]);
    expect((await eventsOf(expired)).map((event) => [event.topic, event.actorId])).toEqual([
      ['Hangar.Upload.create', userId],
      ['Hangar.Upload.expire', null],
    ]);
    for (const event of [...(await eventsOf(deleted)), ...(await eventsOf(expired))]) {
      expect(event).toMatchObject({ entityType: 'Upload', payload: { sys: { type: 'Upload', id: event.entityId } } });
    }
  });
});
