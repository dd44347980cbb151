import type { INestApplicationContext } from '@nestjs/common';
import { PrismaService } from '@hangar/database';
import { type RunningApi, startApi } from './support/api-harness';
import { type AssetClient, createAsset, fileField, getAsset, processLocale, uploadBytes, waitForProcessing } from './support/assets';
import { newSpace, newUser } from './support/factories';
import { makeImage } from './support/images';
import { startScratchRedis } from './support/processes';
import { startWorker } from './support/worker-harness';

describe('process calls while Redis is down (outbox)', () => {
  let redis: Awaited<ReturnType<typeof startScratchRedis>>;
  let api: RunningApi;
  let worker: INestApplicationContext;
  let c: AssetClient;

  beforeAll(async () => {
    redis = await startScratchRedis();
    api = await startApi({ REDIS_URL: redis.url });
    worker = await startWorker({ REDIS_URL: redis.url });
    const user = await newUser(api.baseUrl);
    c = { baseUrl: api.baseUrl, auth: user.auth, spaceId: await newSpace(api.baseUrl, user) };
  });
  afterAll(async () => {
    await worker.close();
    await api.close();
    await redis.stop();
  });

  it('answers 204, and the file is processed once Redis is back', async () => {
    const created = await createAsset(c, { file: { 'en-US': fileField(await uploadBytes(c, await makeImage(16, 9)), 'late.png') } }).expect(
      201,
    );
    const assetId = created.body.sys.id as string;

    await redis.stop();
    const started = Date.now();
    await processLocale(c, assetId, 'en-US', 1).expect(204);
    expect(Date.now() - started).toBeLessThan(3_000);
    const waiting = await api.app.get(PrismaService).outboxMessage.findMany({ where: { jobId: { contains: assetId } } });
    expect(waiting).toHaveLength(1);
    expect(waiting[0]?.dispatchedAt).toBeNull();
    // Still readable, still waiting.
    await new Promise((r) => setTimeout(r, 1_000));
    const pending = await getAsset(c, assetId).expect(200);
    expect(pending.body.sys.fileProcessing).toEqual({ 'en-US': { status: 'processing', updatedAt: expect.any(String) } });

    redis = await startScratchRedis(redis.port);
    const { body } = await waitForProcessing(c, assetId, 'en-US', 30_000);
    expect(body.fields.file?.['en-US']).toMatchObject({ url: expect.any(String), details: { image: { width: 16, height: 9 } } });
    const dispatched = await api.app.get(PrismaService).outboxMessage.findMany({ where: { jobId: { contains: assetId } } });
    expect(dispatched[0]?.dispatchedAt).toBeInstanceOf(Date);
  });
});
