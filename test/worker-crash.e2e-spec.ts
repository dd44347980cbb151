import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { PrismaService } from '@hangar/database';
import { JobName, jobIdOf, QueueName, QueueService } from '@hangar/queue';
import { StorageService } from '@hangar/storage';
import { type RunningApi, startApi } from './support/api-harness';
import { type AssetClient, createAsset, fileField, processLocale, uploadBytes, waitForProcessing } from './support/assets';
import { newSpace, newUser } from './support/factories';
import { makeImage } from './support/images';
import { REPO_ROOT, spawnApp, waitFor } from './support/processes';
import { testProcessEnv } from './support/test-env';
import { rowsReferencing } from './support/blobs';
import { startWorker } from './support/worker-harness';

/** Short job locks so a dead worker's job is taken over within seconds. */
const LOCK = { JOB_LOCK_SECONDS: '2' };

describe('a worker killed with SIGKILL mid-job', () => {
  let api: RunningApi;
  let c: AssetClient;

  beforeAll(async () => {
    if (!existsSync(join(REPO_ROOT, 'dist/apps/worker/src/main.js')))
      throw new Error('dist/ is missing: run "npm run build" first (npm test does)');
    api = await startApi();
    const user = await newUser(api.baseUrl);
    c = { baseUrl: api.baseUrl, auth: user.auth, spaceId: await newSpace(api.baseUrl, user) };
  });
  afterAll(async () => {
    await api.close();
  });

  it('has its job run again by another worker, and the asset ends with exactly one result', async () => {
    const queue = api.app.get(QueueService).queue(QueueName.AssetProcessing);
    const prisma = api.app.get(PrismaService);
    // A noisy image big enough that processing takes a while; retried with a new asset if the job finishes before the kill lands.
    const image = await makeImage(2500, 2500, 'png', true);
    let killed: { assetId: string } | undefined;
    for (let attempt = 0; attempt < 5 && !killed; attempt += 1) {
      const victim = spawnApp('worker', testProcessEnv(LOCK));
      const created = await createAsset(c, { file: { 'en-US': fileField(await uploadBytes(c, image), 'noise.png') } }).expect(201);
      const assetId = created.body.sys.id as string;
      const jobId = jobIdOf(JobName.ProcessAssetFile, {
        spaceId: c.spaceId,
        environmentId: 'master',
        assetId,
        locale: 'en-US',
        version: 1,
      });
      await processLocale(c, assetId, 'en-US', 1).expect(204);
      await waitFor(
        async () => (await queue.getJob(jobId))?.getState().then((state) => state !== 'waiting') ?? false,
        20_000,
        'the job to start',
      );
      victim.child.kill('SIGKILL');
      await victim.exited;
      const row = await prisma.assetFile.findFirstOrThrow({ where: { assetId } });
      if (row.status === 'processing' && (await queue.getJob(jobId))?.finishedOn === undefined) killed = { assetId };
    }
    expect(killed).toBeDefined();
    const assetId = killed?.assetId ?? '';

    const rescuer: INestApplicationContext = await startWorker(LOCK);
    try {
      const { body } = await waitForProcessing(c, assetId, 'en-US', 30_000);
      expect(body.sys.fileProcessing?.['en-US']?.status).toBe('ready');
      expect(body.fields.file?.['en-US']?.details?.image).toEqual({ width: 2500, height: 2500 });
      // Exactly one result: one version bump, one ready row referencing the upload's bytes (no copy), counted once.
      expect(body.sys.version).toBe(2);
      expect(await rescuer.get(StorageService).listKeys(`assets/${c.spaceId}/master/${assetId}/`)).toEqual([]);
      const ready = await prisma.assetFile.findMany({ where: { assetId, status: 'ready' } });
      expect(ready).toHaveLength(1);
      const blob = await prisma.blob.findUniqueOrThrow({ where: { objectKey: ready[0]?.blobKey ?? '' } });
      expect(blob.refCount).toBe(await rowsReferencing(prisma, blob.objectKey));
      expect(blob.refCount).toBeGreaterThanOrEqual(2);
    } finally {
      await rescuer.close();
    }
  });
});
