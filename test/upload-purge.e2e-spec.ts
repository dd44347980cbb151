import { createHash, randomBytes } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import request from 'supertest';
import { PrismaService } from '@hangar/database';
import { newId } from '@hangar/domain';
import { StorageService } from '@hangar/storage';
import { uploadObjectKey } from '@hangar/ingest';
import { UploadPurgeJob } from '../apps/worker/src/uploads/upload-purge.job';
import { type RunningApi, startApi } from './support/api-harness';
import { expectContentfulError } from './support/contentful-shape';
import { newSpace, newUser, type TestUser } from './support/factories';
import { uploadLeftovers } from './support/upload-inspection';
import { hourlyRounds } from './support/rounds';
import { startWorker } from './support/worker-harness';

const INTERVAL = '3600';
/** Blobs are reaped in the round that let them go: a test sees the bytes gone when the round returns. */
const REAP_AT_ONCE = { BLOB_REAP_GRACE_SECONDS: '0' };
const nextRound = hourlyRounds();

describe('upload purge', () => {
  let api: RunningApi;
  let worker: INestApplicationContext;
  let user: TestUser;

  beforeAll(async () => {
    api = await startApi({ UPLOAD_TTL_SECONDS: '1' });
    worker = await startWorker({ PURGE_INTERVAL_SECONDS: INTERVAL, ...REAP_AT_ONCE });
    user = await newUser(api.baseUrl);
  });
  afterAll(async () => {
    await worker.close();
    await api.close();
  });

  /** Expired-looking uploads made directly in PostgreSQL and MinIO, as many as a test needs. */
  async function seedExpired(spaceId: string, count: number): Promise<string[]> {
    const prisma = worker.get(PrismaService);
    const storage = worker.get(StorageService);
    const ids = Array.from({ length: count }, () => newId());
    const expiresAt = new Date(Date.now() - 60_000);
    await prisma.upload.createMany({
      data: ids.map((id) => ({
        id,
        spaceId,
        environmentId: 'master',
        createdById: user.id,
        objectKey: uploadObjectKey(spaceId, 'master', id),
        status: 'ready' as const,
        size: 1,
        // Different bytes each (as uploads are): each its own blob, at its own key.
        sha256: createHash('sha256').update(id).digest('hex'),
        expiresAt,
      })),
    });
    for (let i = 0; i < ids.length; i += 50) {
      await Promise.all(ids.slice(i, i + 50).map((id) => storage.putObject(uploadObjectKey(spaceId, 'master', id), Buffer.from('x'))));
    }
    return ids;
  }

  it('hides an upload once it expires, and the purge removes its row and object', async () => {
    const spaceId = await newSpace(api.baseUrl, user);
    const created = await request(api.baseUrl)
      .post(`/spaces/${spaceId}/uploads`)
      .set(user.auth)
      .set('Content-Type', 'application/octet-stream')
      .send(randomBytes(1000))
      .expect(201);
    const id = created.body.sys.id as string;
    expect(Date.parse(created.body.sys.expiresAt) - Date.parse(created.body.sys.createdAt)).toBe(1000);
    await new Promise((r) => setTimeout(r, 1100));
    expectContentfulError(await request(api.baseUrl).get(`/spaces/${spaceId}/uploads/${id}`).set(user.auth), 404, 'NotFound');
    expectContentfulError(await request(api.baseUrl).delete(`/spaces/${spaceId}/uploads/${id}`).set(user.auth), 404, 'NotFound');
    expect(await uploadLeftovers(api.app, spaceId)).toEqual({ rows: 1, objects: [`uploads/${spaceId}/master/${id}`] });

    const round = await worker.get(UploadPurgeJob).runRound(nextRound());
    expect(round.ran).toBe(true);
    expect(round.purged).toBeGreaterThanOrEqual(1);
    expect(await uploadLeftovers(api.app, spaceId)).toEqual({ rows: 0, objects: [] });
  });

  it('purges in batches of 1000 and leaves live uploads alone', async () => {
    const spaceId = await newSpace(api.baseUrl, user);
    await seedExpired(spaceId, 2_345);
    const live = await startApi({ UPLOAD_TTL_SECONDS: '3600' });
    try {
      const kept = await request(live.baseUrl)
        .post(`/spaces/${spaceId}/uploads`)
        .set(user.auth)
        .set('Content-Type', 'application/octet-stream')
        .send(randomBytes(10))
        .expect(201);
      const round = await worker.get(UploadPurgeJob).runRound(nextRound());
      expect(round).toEqual({ ran: true, purged: expect.any(Number), reapedBlobs: expect.any(Number) });
      expect(round.purged).toBeGreaterThanOrEqual(2_345);
      expect(await uploadLeftovers(api.app, spaceId)).toEqual({ rows: 1, objects: [`uploads/${spaceId}/master/${kept.body.sys.id}`] });
      await request(live.baseUrl).get(`/spaces/${spaceId}/uploads/${kept.body.sys.id}`).set(user.auth).expect(200);
    } finally {
      await live.close();
    }
  });

  it('runs each round on exactly one of two racing workers, and is idempotent', async () => {
    const spaceId = await newSpace(api.baseUrl, user);
    await seedExpired(spaceId, 1_500);
    const second = await startWorker({ PURGE_INTERVAL_SECONDS: INTERVAL, ...REAP_AT_ONCE });
    try {
      const now = nextRound();
      const rounds = await Promise.all([worker.get(UploadPurgeJob).runRound(now), second.get(UploadPurgeJob).runRound(now)]);
      expect(rounds.filter((round) => round.ran)).toHaveLength(1);
      expect(rounds.find((round) => !round.ran)).toEqual({ ran: false, purged: 0, reapedBlobs: 0 });
      expect(await uploadLeftovers(api.app, spaceId)).toEqual({ rows: 0, objects: [] });
      // The next round finds nothing left to do.
      const again = await second.get(UploadPurgeJob).runRound(nextRound());
      expect(again.ran).toBe(true);
      expect(await uploadLeftovers(api.app, spaceId)).toEqual({ rows: 0, objects: [] });
    } finally {
      await second.close();
    }
  });

  it('finishes the work of a purge that crashed between deleting objects and rows', async () => {
    const spaceId = await newSpace(api.baseUrl, user);
    const ids = await seedExpired(spaceId, 30);
    const prisma = worker.get(PrismaService);
    const storage = worker.get(StorageService);
    // What a purger had done when it died: rows marked, objects deleted, rows not yet deleted.
    await prisma.upload.updateMany({
      where: { id: { in: ids } },
      data: { status: 'deleting', expiresAt: new Date(Date.now() + 3_600_000) },
    });
    await storage.removeMany(ids.map((id) => uploadObjectKey(spaceId, 'master', id)));
    expect(await uploadLeftovers(api.app, spaceId)).toEqual({ rows: 30, objects: [] });

    const round = await worker.get(UploadPurgeJob).runRound(nextRound());
    expect(round.ran).toBe(true);
    expect(await uploadLeftovers(api.app, spaceId)).toEqual({ rows: 0, objects: [] });
  });

  it('gives up uploads still pending long after they started (their api died mid-body)', async () => {
    const spaceId = await newSpace(api.baseUrl, user);
    const [stale, fresh] = [newId(), newId()];
    const prisma = worker.get(PrismaService);
    const storage = worker.get(StorageService);
    const inAnHour = new Date(Date.now() + 3_600_000);
    for (const [id, createdAt] of [
      [stale, new Date(Date.now() - 60_000)],
      [fresh, new Date()],
    ] as const) {
      const objectKey = uploadObjectKey(spaceId, 'master', id);
      await prisma.upload.create({
        data: { id, spaceId, environmentId: 'master', createdById: user.id, objectKey, status: 'pending', createdAt, expiresAt: inAnHour },
      });
      await storage.putObject(objectKey, Buffer.from('partial'));
    }
    const impatient = await startWorker({ PURGE_INTERVAL_SECONDS: INTERVAL, UPLOAD_ABANDON_SECONDS: '30', ...REAP_AT_ONCE });
    try {
      expect((await impatient.get(UploadPurgeJob).runRound(nextRound())).ran).toBe(true);
      expect(await uploadLeftovers(api.app, spaceId)).toEqual({ rows: 1, objects: [uploadObjectKey(spaceId, 'master', fresh)] });
    } finally {
      await impatient.close();
    }
  });

  it('is scheduled every PURGE_INTERVAL_SECONDS by the worker', async () => {
    const spaceId = await newSpace(api.baseUrl, user);
    await seedExpired(spaceId, 5);
    const scheduled = await startWorker({ PURGE_INTERVAL_SECONDS: '1', ...REAP_AT_ONCE });
    try {
      const deadline = Date.now() + 10_000;
      while ((await uploadLeftovers(api.app, spaceId)).rows > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      expect(await uploadLeftovers(api.app, spaceId)).toEqual({ rows: 0, objects: [] });
    } finally {
      await scheduled.close();
    }
  });
});
