import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { PrismaService } from '@hangar/database';
import { StorageService } from '@hangar/storage';
import { uploadObjectPrefix } from '@hangar/ingest';
import { type RunningApi, startApi } from './support/api-harness';
import { expectContentfulError } from './support/contentful-shape';
import { newSpace, newUser, type TestUser } from './support/factories';
import { rawUpload } from './support/raw-http';
import { type ScratchService, ScratchServices } from './support/scratch-services';
import { createAsset, deliveryPathOf, fileField, processLocale, uploadBytes, waitForProcessing } from './support/assets';
import { makeImage } from './support/images';
import { startWorker } from './support/worker-harness';
import type { INestApplicationContext } from '@nestjs/common';

const OCTET = 'application/octet-stream';

interface ScratchContext {
  scratch: ScratchServices;
  api: RunningApi;
  worker: INestApplicationContext;
  user: TestUser;
  spaceId: string;
}

/** An api over a throw-away instance of `service` (the others are the shared ones), with a user and a space, made in beforeAll. */
function apiOverScratch(service: ScratchService): ScratchContext {
  const context = {} as ScratchContext;
  beforeAll(async () => {
    context.scratch = await ScratchServices.start([service]);
    context.api = await startApi(context.scratch.appEnv);
    context.worker = await startWorker(context.scratch.appEnv);
    context.user = await newUser(context.api.baseUrl);
    context.spaceId = await newSpace(context.api.baseUrl, context.user);
  });
  afterAll(async () => {
    await context.worker.close();
    await context.api.close();
    await context.scratch.destroy();
  });
  return context;
}

describe('when a dependency fails', () => {
  describe('MinIO unreachable', () => {
    const context = apiOverScratch('minio');

    it('answers 503 to uploads and deliveries, records nothing, says so in /health/ready, and serves again once MinIO is back', async () => {
      const { scratch, api, user, spaceId } = context;
      const c = { baseUrl: api.baseUrl, auth: user.auth, spaceId };
      const asset = await createAsset(c, { file: { 'en-US': fileField(await uploadBytes(c, await makeImage(8, 8)), 'dot.png') } }).expect(
        201,
      );
      await processLocale(c, asset.body.sys.id as string, 'en-US', 1).expect(204);
      const processed = await waitForProcessing(c, asset.body.sys.id as string, 'en-US');
      const fileUrl = deliveryPathOf(processed.body.fields.file?.['en-US']?.url);
      await request(api.baseUrl).get(fileUrl).expect(200);
      const uploadsBefore = await api.app.get(PrismaService).upload.count({ where: { spaceId } });

      await scratch.stop('minio');
      expectContentfulError(await request(api.baseUrl).get(fileUrl), 503, 'ServiceUnavailable');
      const ready = await request(api.baseUrl).get('/health/ready');
      expectContentfulError(ready, 503, 'ServiceUnavailable');
      expect(ready.body.details.down).toEqual(['minio']);
      for (const body of [randomBytes(1000), randomBytes(12 * 1024 * 1024)]) {
        const response = await request(api.baseUrl).post(`/spaces/${spaceId}/uploads`).set(user.auth).set('Content-Type', OCTET).send(body);
        expectContentfulError(response, 503, 'ServiceUnavailable');
        expect(response.body.details).toEqual({ dependency: 'storage' });
      }
      expect(await api.app.get(PrismaService).upload.count({ where: { spaceId } })).toBe(uploadsBefore);

      await scratch.start('minio');
      await request(api.baseUrl).get('/health/ready').expect(200);
      await request(api.baseUrl).get(fileUrl).expect(200);
      await request(api.baseUrl)
        .post(`/spaces/${spaceId}/uploads`)
        .set(user.auth)
        .set('Content-Type', OCTET)
        .send(randomBytes(1000))
        .expect(201);
      expect(await api.app.get(StorageService).listKeys(uploadObjectPrefix(spaceId))).toHaveLength(uploadsBefore + 1);
    });
  });

  describe('PostgreSQL unreachable after the object was written', () => {
    const context = apiOverScratch('postgres');

    it('answers 503 and removes the object', async () => {
      const { scratch, api, user, spaceId } = context;
      const storage = api.app.get(StorageService);
      // A slow chunked body: PostgreSQL stops while it streams, before the row can be completed.
      const uploading = rawUpload({
        baseUrl: api.baseUrl,
        path: `/spaces/${spaceId}/uploads`,
        headers: { ...user.auth, 'Content-Type': OCTET },
        chunks: Array.from({ length: 20 }, () => randomBytes(256 * 1024)),
        delayMs: 100,
      });
      await new Promise((r) => setTimeout(r, 500));
      await scratch.stop('postgres');
      const response = await uploading;
      expect(response).toMatchObject({
        status: 503,
        body: { sys: { type: 'Error', id: 'ServiceUnavailable' }, details: { dependency: 'database' } },
      });
      expect(await storage.listKeys(uploadObjectPrefix(spaceId))).toEqual([]);

      // Back up: the api serves again by itself; the row left `pending` is invisible and expires into the purge.
      const ready = await request(api.baseUrl).get('/health/ready');
      expectContentfulError(ready, 503, 'ServiceUnavailable');
      expect(ready.body.details.down).toEqual(['postgres']);
      const read = await request(api.baseUrl).get(`/spaces/${spaceId}`).set(user.auth);
      expectContentfulError(read, 503, 'ServiceUnavailable');
      expect(read.body.details).toEqual({ dependency: 'database' });

      await scratch.start('postgres');
      await request(api.baseUrl).get('/health/ready').expect(200);
      await request(api.baseUrl)
        .post(`/spaces/${spaceId}/uploads`)
        .set(user.auth)
        .set('Content-Type', OCTET)
        .send(randomBytes(10))
        .expect(201);
      const rows = await api.app.get(PrismaService).upload.findMany({ where: { spaceId }, select: { status: true } });
      expect(rows.map((row) => row.status).sort()).toEqual(['pending', 'ready']);
    });
  });
});
