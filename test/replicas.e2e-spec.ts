import type { INestApplicationContext } from '@nestjs/common';
import request from 'supertest';
import { PrismaService } from '@hangar/database';
import { type RunningApi, startApi } from './support/api-harness';
import { type AssetClient, createAsset, fileField, getAsset, processLocale, uploadBytes, waitForProcessing } from './support/assets';
import { newSpace, newUser } from './support/factories';
import { makeImage } from './support/images';
import { startWorker } from './support/worker-harness';

/**
 * Two api and two worker processes' worth of apps over the same PostgreSQL,
 * Redis and MinIO: any api serves what another wrote, and every job runs once.
 */
describe('several replicas at once', () => {
  let apis: RunningApi[];
  let workers: INestApplicationContext[];
  let clients: AssetClient[];

  beforeAll(async () => {
    apis = [await startApi(), await startApi()];
    workers = [await startWorker(), await startWorker()];
    const user = await newUser(apis[0]?.baseUrl ?? '');
    const spaceId = await newSpace(apis[1]?.baseUrl ?? '', user);
    clients = apis.map((api) => ({ baseUrl: api.baseUrl, auth: user.auth, spaceId }));
  });
  afterAll(async () => {
    for (const worker of workers) await worker.close();
    for (const api of apis) await api.close();
  });

  it('serves uploads and assets through either api, and processes each request exactly once', async () => {
    const [a, b] = clients as [AssetClient, AssetClient];
    const assetIds: string[] = [];
    for (let i = 0; i < 12; i += 1) {
      const [writer, reader] = i % 2 === 0 ? [a, b] : [b, a];
      const uploadId = await uploadBytes(writer, await makeImage(10 + i, 10));
      await request(reader.baseUrl).get(`/spaces/${reader.spaceId}/uploads/${uploadId}`).set(reader.auth).expect(200);
      const created = await createAsset(reader, { file: { 'en-US': fileField(uploadId, `r${i}.png`) } }).expect(201);
      const id = created.body.sys.id as string;
      await getAsset(writer, id).expect(200);
      await processLocale(writer, id, 'en-US', 1).expect(204);
      // A repeated process call through the other api is the same request, not a second job.
      await processLocale(reader, id, 'en-US', 1).expect(204);
      assetIds.push(id);
    }
    for (const [index, id] of assetIds.entries()) {
      const { body } = await waitForProcessing(index % 2 === 0 ? a : b, id, 'en-US');
      expect(body.fields.file?.['en-US']?.details?.image).toEqual({ width: 10 + index, height: 10 });
      expect(body.sys.version).toBe(2);
    }
    const files = await apis[0]?.app.get(PrismaService).assetFile.findMany({ where: { assetId: { in: assetIds } } });
    expect(files).toHaveLength(12);
    // One handler run per request: the work was shared out, never done twice.
    expect(files?.every((file) => file.status === 'ready' && file.attempts === 1)).toBe(true);
  });
});
