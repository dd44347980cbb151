import type { INestApplicationContext } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { assetObjectPrefix } from '@hangar/assets';
import { UploadSessionService, uploadObjectPrefix, uploadTailKey } from '@hangar/ingest';
import { renditionSourcePrefix } from '@hangar/media';
import { QueueName, QueueService } from '@hangar/queue';
import { PrismaService } from '@hangar/database';
import { StorageService } from '@hangar/storage';
import request from 'supertest';
import { OrphanSweepJob, type SweepRound } from '../apps/worker/src/storage/orphan-sweep.job';
import { UploadPurgeJob } from '../apps/worker/src/uploads/upload-purge.job';
import { type RunningApi, startApi } from './support/api-harness';
import { objectExists } from './support/bucket';
import { type AssetClient, createAsset, deliveryPathOf, fileField, processLocale, uploadBytes, waitForProcessing } from './support/assets';
import { newSpace, newUser } from './support/factories';
import { makeImage } from './support/images';
import { hourlyRounds } from './support/rounds';
import { waitFor } from './support/processes';
import { startWorker } from './support/worker-harness';

// A bucket of its own: objects of other test files (some with rows in throw-away databases) must not look orphaned here.
// Queues of its own too: a job of this file must be run by a worker on this bucket, and pausing one (below) must not
// hold back other files' jobs.
const BUCKET = {
  S3_BUCKET: 'hangar-sweep-test',
  QUEUE_PREFIX: `${process.env.TEST_QUEUE_PREFIX ?? 'hangar-test'}-sweep`,
  ORPHAN_SWEEP_INTERVAL_SECONDS: '3600',
  PURGE_INTERVAL_SECONDS: '3600',
};
const nextRound = hourlyRounds();

describe('orphan sweeper', () => {
  let api: RunningApi;
  let worker: INestApplicationContext;
  let c: AssetClient & { userId: string };

  beforeAll(async () => {
    api = await startApi(BUCKET);
    worker = await startWorker({ ...BUCKET, ORPHAN_GRACE_SECONDS: '0', BLOB_REAP_GRACE_SECONDS: '0' });
    const user = await newUser(api.baseUrl);
    c = { baseUrl: api.baseUrl, auth: user.auth, spaceId: await newSpace(api.baseUrl, user), userId: user.id };
  });
  afterAll(async () => {
    await worker.close();
    await api.close();
  });

  /** Rounds until the sweep has gone through the whole bucket once. */
  async function sweepWholeBucket(app: INestApplicationContext): Promise<SweepRound[]> {
    const rounds: SweepRound[] = [];
    for (let i = 0; i < 50; i += 1) {
      const round = await app.get(OrphanSweepJob).runRound(nextRound());
      rounds.push(round);
      if (round.wrapped) break;
    }
    return rounds;
  }

  it('deletes objects no row owns and keeps uploads and asset files', async () => {
    const storage = api.app.get(StorageService);
    const keptUpload = await uploadBytes(c, Buffer.from('kept upload'));
    const image = await makeImage(6, 6);
    const assetUpload = await uploadBytes(c, image);
    const asset = await createAsset(c, { file: { 'en-US': fileField(assetUpload) } }).expect(201);
    await processLocale(c, asset.body.sys.id as string, 'en-US', 1).expect(204);
    await waitForProcessing(c, asset.body.sys.id as string, 'en-US');
    // The asset's file is the upload's bytes, stored once (a blob under uploads/): deleting the upload leaves it to the file.
    await request(api.baseUrl).delete(`/spaces/${c.spaceId}/uploads/${assetUpload}`).set(c.auth).expect(204);
    const strays = [`uploads/${c.spaceId}/master/stray-upload`, `assets/${c.spaceId}/master/gone/en-US/stray-file`, 'unknown/stray'];
    for (const key of strays) await storage.putObject(key, Buffer.from('stray'));
    const before = await storage.listKeys(`uploads/${c.spaceId}/`);

    const rounds = await sweepWholeBucket(worker);
    expect(rounds.every((round) => round.ran)).toBe(true);
    expect(rounds.reduce((sum, round) => sum + round.deleted, 0)).toBeGreaterThanOrEqual(3);
    for (const key of strays) expect(await objectExists(storage, key)).toBe(false);
    expect(await storage.listKeys(`uploads/${c.spaceId}/`)).toEqual(before.filter((key) => !strays.includes(key)));
    expect(await objectExists(storage, `uploads/${c.spaceId}/master/${keptUpload}`)).toBe(true);
    expect(await objectExists(storage, `uploads/${c.spaceId}/master/${assetUpload}`)).toBe(true);
    const { body } = await request(api.baseUrl)
      .get(`/spaces/${c.spaceId}/environments/master/assets/${asset.body.sys.id as string}`)
      .set(c.auth);
    const delivered = await request(api.baseUrl).get(deliveryPathOf(body.fields.file['en-US'].url)).buffer(true).expect(200);
    expect(Buffer.compare(delivered.body as Buffer, image)).toBe(0);
  });

  it('leaves orphans younger than the grace period alone (they may be being written)', async () => {
    const storage = api.app.get(StorageService);
    const careful = await startWorker({ ...BUCKET, ORPHAN_GRACE_SECONDS: '3600' });
    try {
      const key = `uploads/${c.spaceId}/master/young-stray`;
      await storage.putObject(key, Buffer.from('young'));
      await sweepWholeBucket(careful);
      expect(await objectExists(storage, key)).toBe(true);
      await sweepWholeBucket(worker);
      expect(await objectExists(storage, key)).toBe(false);
    } finally {
      await careful.close();
    }
  });

  it("aborts multipart uploads no row needs (an api killed mid-body), keeping a pending session's own and its current tail", async () => {
    const storage = api.app.get(StorageService);
    const MiB = 1024 * 1024;
    // What a SIGKILLed api leaves: a multipart upload with a part written, no row recording it.
    const strayKey = `uploads/${c.spaceId}/master/killed-mid-body`;
    const strayUpload = await storage.initiateMultipart(strayKey);
    await storage.uploadParts(strayKey, strayUpload, Readable.from([Buffer.alloc(5 * MiB, 1)]));
    // A session still receiving its body: its multipart upload and its tail are wanted.
    const sessions = api.app.get(UploadSessionService);
    const session = await sessions.open({ spaceId: c.spaceId, environmentId: 'master' }, c.userId);
    const pending = await sessions.append(session.id, Readable.from([Buffer.alloc(7 * MiB, 2)]), { offset: 0, final: false });
    const currentTail = uploadTailKey(session.objectKey, 7 * MiB);
    // A tail a crash left behind before the row recorded the next one.
    const staleTail = uploadTailKey(session.objectKey, 3 * MiB);
    await storage.putObject(staleTail, Buffer.from('stale'));
    const incomplete = async () => (await storage.listIncompleteMultipart('')).uploads.map((upload) => upload.uploadId);
    expect(await incomplete()).toEqual(expect.arrayContaining([strayUpload, pending.multipartUploadId]));

    const rounds = await sweepWholeBucket(worker);
    expect(rounds.reduce((sum, round) => sum + round.abortedMultipart, 0)).toBeGreaterThanOrEqual(1);
    expect(await incomplete()).not.toContain(strayUpload);
    expect(await incomplete()).toContain(pending.multipartUploadId);
    expect(await objectExists(storage, currentTail)).toBe(true);
    expect(await objectExists(storage, staleTail)).toBe(false);

    // The session is intact: it completes with every byte.
    const ready = await sessions.append(session.id, Readable.from([Buffer.alloc(1000, 3)]), { offset: 7 * MiB, final: true });
    expect(Number(ready.size)).toBe(7 * MiB + 1000);
  });
  it("removes a deleted space's objects when its removal job has not run (the sweeper backs the job up)", async () => {
    const storage = api.app.get(StorageService);
    const user = await newUser(api.baseUrl);
    const doomed = { baseUrl: api.baseUrl, auth: user.auth, spaceId: await newSpace(api.baseUrl, user) };
    const asset = await createAsset(doomed, { file: { 'en-US': fileField(await uploadBytes(doomed, await makeImage(6, 6))) } }).expect(201);
    await processLocale(doomed, asset.body.sys.id as string, 'en-US', 1).expect(204);
    await waitForProcessing(doomed, asset.body.sys.id as string, 'en-US');
    const prefixes = [uploadObjectPrefix(doomed.spaceId), assetObjectPrefix(doomed.spaceId)];
    const objectsOfSpace = async () => (await Promise.all(prefixes.map((prefix) => storage.listKeys(prefix)))).flat();
    // The upload and the asset's file: the same bytes, one blob.
    expect(await objectsOfSpace()).toHaveLength(1);

    // The removal job is held back (as if Redis had lost it or its worker were down): only the purge round (which
    // reaps the blobs nothing references any more) and the sweeper (everything else) can clean up.
    const cleanup = api.app.get(QueueService).queue(QueueName.StorageCleanup);
    await cleanup.pause();
    let removalJobId: string | undefined;
    try {
      await request(api.baseUrl).delete(`/spaces/${doomed.spaceId}`).set(doomed.auth).expect(204);
      const held = await cleanup.getJobs(['waiting']);
      removalJobId = held.find((job) => (job.data as { spaceId?: string }).spaceId === doomed.spaceId)?.id;
      expect(removalJobId).toBeDefined();
      expect(await objectsOfSpace()).toHaveLength(1);
      await sweepWholeBucket(worker);
      // Still a blob (no reference, not reaped yet): a new upload of the same bytes could take it back.
      expect(await objectsOfSpace()).toHaveLength(1);
      expect(await worker.get(PrismaService).blob.count({ where: { spaceId: doomed.spaceId, refCount: 0 } })).toBe(1);
      expect((await worker.get(UploadPurgeJob).runRound(nextRound())).reapedBlobs).toBeGreaterThanOrEqual(1);
      expect(await objectsOfSpace()).toEqual([]);
      expect(await worker.get(PrismaService).blob.count({ where: { spaceId: doomed.spaceId } })).toBe(0);
    } finally {
      await cleanup.resume();
    }
    // The job, run late, finds nothing left and completes (removal is idempotent).
    const stateOfRemoval = () => cleanup.getJobState(removalJobId ?? '');
    await waitFor(async () => ['completed', 'failed'].includes(await stateOfRemoval()), 15_000, 'the held removal job to run');
    expect(await stateOfRemoval()).toBe('completed');
  });
  it('keeps the renditions of bytes a file still has, and sweeps those of bytes no file of the space has', async () => {
    const storage = api.app.get(StorageService);
    const image = await makeImage(30, 20);
    const asset = await createAsset(c, { file: { 'en-US': fileField(await uploadBytes(c, image)) } }).expect(201);
    await processLocale(c, asset.body.sys.id as string, 'en-US', 1).expect(204);
    const { body } = await waitForProcessing(c, asset.body.sys.id as string, 'en-US');
    const path = deliveryPathOf(body.fields.file?.['en-US']?.url);
    await request(api.baseUrl).get(`${path}?w=10`).expect(200);
    // It is answered while it is stored: wait for the stored copy.
    const prefix = renditionSourcePrefix(c.spaceId, createHash('sha256').update(image).digest('hex'));
    await waitFor(async () => (await storage.listKeys(prefix)).length === 1, 10_000, 'the rendition to be stored');
    const live = await storage.listKeys(prefix);
    // A rendition left by bytes that are gone (its source deleted while it was being made), and one in another space.
    const gone = `${renditionSourcePrefix(c.spaceId, 'f'.repeat(64))}0123.webp`;
    const elsewhere = `${renditionSourcePrefix('another-space', createHash('sha256').update(image).digest('hex'))}0123.webp`;
    for (const key of [gone, elsewhere]) await storage.putObject(key, Buffer.from('stray rendition'));

    await sweepWholeBucket(worker);
    expect(await objectExists(storage, live[0] ?? '')).toBe(true);
    expect(await objectExists(storage, gone)).toBe(false);
    expect(await objectExists(storage, elsewhere)).toBe(false);
  });
});
