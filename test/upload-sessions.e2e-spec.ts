import type { INestApplicationContext } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { PrismaService } from '@hangar/database';
import { UploadSessionService, uploadTailKey } from '@hangar/ingest';
import { StorageService } from '@hangar/storage';
import { type RunningApi, startApi } from './support/api-harness';
import { objectBytes } from './support/bucket';
import { newSpace, newUser, type TestUser } from './support/factories';
import { startWorker } from './support/worker-harness';

const MiB = 1024 * 1024;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** The bytes as a request body would bring them: 256 KiB chunks. */
function chunksOf(bytes: Buffer, size = 256 * 1024): Readable {
  const pieces: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) pieces.push(bytes.subarray(at, at + size));
  return Readable.from(pieces);
}

async function* breaksAfter(bytes: Buffer): AsyncGenerator<Buffer> {
  for await (const chunk of chunksOf(bytes)) yield chunk as Buffer;
  throw new Error('the client went away');
}

/**
 * The ingestion core's session protocol for bodies that arrive in several
 * requests (what tus will drive): parts, tails, offsets, a session continued
 * by another process, failures that change nothing, and abort.
 */
describe('upload sessions (libs/ingest)', () => {
  let api: RunningApi;
  let worker: INestApplicationContext;
  let user: TestUser;
  let target: { spaceId: string; environmentId: string };

  beforeAll(async () => {
    api = await startApi({ UPLOAD_MAX_BYTES: String(20 * MiB) });
    // Another process with its own UploadSessionService (as another api replica would be).
    worker = await startWorker({ UPLOAD_MAX_BYTES: String(20 * MiB) });
    user = await newUser(api.baseUrl);
    target = { spaceId: await newSpace(api.baseUrl, user), environmentId: 'master' };
  });
  afterAll(async () => {
    await worker.close();
    await api.close();
  });

  const sessions = () => api.app.get(UploadSessionService);
  const storage = () => api.app.get(StorageService);
  const prisma = () => api.app.get(PrismaService);

  async function incompleteUploadsOf(key: string): Promise<string[]> {
    return (await storage().listIncompleteMultipart(key)).uploads.filter((upload) => upload.key === key).map((upload) => upload.uploadId);
  }

  it('assembles a body sent in pieces that do not fall on part boundaries, with its size and SHA-256', async () => {
    const body = randomBytes(17 * MiB + 12_345);
    const cuts = [3 * MiB, 7 * MiB + 1, 7 * MiB + 2, 16 * MiB];
    const session = await sessions().open(target, user.id);
    let offset = 0;
    for (const cut of cuts) {
      const pending = await sessions().append(session.id, chunksOf(body.subarray(offset, cut)), { offset, final: false });
      offset = cut;
      expect(Number(pending.receivedBytes)).toBe(cut);
      expect(pending.status).toBe('pending');
      // Full 5 MiB parts went to storage; the rest waits in the tail object named by the offset.
      expect(pending.partCount).toBe(Math.floor(cut / (5 * MiB)));
      expect(pending.tailBytes).toBe(cut % (5 * MiB));
      expect(pending.multipartUploadId === null).toBe(cut < 5 * MiB);
      const tails = (await storage().listKeys(`${session.objectKey}.tail-`)).sort();
      expect(tails).toEqual(pending.tailBytes > 0 ? [uploadTailKey(session.objectKey, cut)] : []);
    }
    const ready = await sessions().append(session.id, chunksOf(body.subarray(offset)), { offset, final: true });
    expect(ready).toMatchObject({
      status: 'ready',
      size: BigInt(body.length),
      sha256: sha256(body),
      multipartUploadId: null,
      tailBytes: 0,
    });
    expect(sha256(await objectBytes(storage(), session.objectKey))).toBe(sha256(body));
    expect(await storage().listKeys(`${session.objectKey}.tail-`)).toEqual([]);
    expect(await incompleteUploadsOf(session.objectKey)).toEqual([]);
  });

  it('completes a session another process continued (its hash is then read back from storage)', async () => {
    const body = randomBytes(6 * MiB + 99);
    const session = await sessions().open(target, user.id);
    await sessions().append(session.id, chunksOf(body.subarray(0, 2 * MiB)), { offset: 0, final: false });
    const elsewhere = worker.get(UploadSessionService);
    await elsewhere.append(session.id, chunksOf(body.subarray(2 * MiB, 6 * MiB)), { offset: 2 * MiB, final: false });
    const ready = await sessions().append(session.id, chunksOf(body.subarray(6 * MiB)), { offset: 6 * MiB, final: true });
    expect(ready).toMatchObject({ status: 'ready', size: BigInt(body.length), sha256: sha256(body) });
    expect(sha256(await objectBytes(storage(), session.objectKey))).toBe(sha256(body));
  });

  it('answers an append at the wrong offset with 409 and the offset to continue from', async () => {
    const session = await sessions().open(target, user.id);
    await sessions().append(session.id, chunksOf(randomBytes(1000)), { offset: 0, final: false });
    await expect(sessions().append(session.id, chunksOf(randomBytes(10)), { offset: 0, final: false })).rejects.toMatchObject({
      errorId: 'Conflict',
      details: { offset: 1000 },
    });
    await sessions().abort(session.id);
  });

  it('an append that breaks midway changes nothing: the same bytes can be sent again', async () => {
    const body = randomBytes(12 * MiB);
    const session = await sessions().open(target, user.id);
    await sessions().append(session.id, chunksOf(body.subarray(0, 1 * MiB)), { offset: 0, final: false });
    await expect(
      sessions().append(session.id, breaksAfter(body.subarray(1 * MiB, 8 * MiB)), { offset: 1 * MiB, final: false }),
    ).rejects.toThrow('the client went away');
    const unchanged = await prisma().upload.findUniqueOrThrow({ where: { id: session.id } });
    expect({ receivedBytes: Number(unchanged.receivedBytes), tailBytes: unchanged.tailBytes, partCount: unchanged.partCount }).toEqual({
      receivedBytes: 1 * MiB,
      tailBytes: 1 * MiB,
      partCount: 0,
    });
    await sessions().append(session.id, chunksOf(body.subarray(1 * MiB, 8 * MiB)), { offset: 1 * MiB, final: false });
    const ready = await sessions().append(session.id, chunksOf(body.subarray(8 * MiB)), { offset: 8 * MiB, final: true });
    expect(ready.sha256).toBe(sha256(body));
    expect(sha256(await objectBytes(storage(), session.objectKey))).toBe(sha256(body));
  });

  it('refuses the append that passes UPLOAD_MAX_BYTES with 413, counting what the session already holds', async () => {
    const session = await sessions().open(target, user.id);
    await sessions().append(session.id, chunksOf(randomBytes(15 * MiB)), { offset: 0, final: false });
    await expect(sessions().append(session.id, chunksOf(randomBytes(6 * MiB)), { offset: 15 * MiB, final: true })).rejects.toMatchObject({
      errorId: 'RequestEntityTooLarge',
    });
    expect(Number((await prisma().upload.findUniqueOrThrow({ where: { id: session.id } })).receivedBytes)).toBe(15 * MiB);
    await sessions().abort(session.id);
  });

  it('abort removes the parts, the tail and the row', async () => {
    const session = await sessions().open(target, user.id);
    const pending = await sessions().append(session.id, chunksOf(randomBytes(7 * MiB)), { offset: 0, final: false });
    expect(pending.multipartUploadId).not.toBeNull();
    expect(await incompleteUploadsOf(session.objectKey)).toEqual([pending.multipartUploadId]);
    await sessions().abort(session.id);
    expect(await incompleteUploadsOf(session.objectKey)).toEqual([]);
    expect(await storage().listKeys(session.objectKey)).toEqual([]);
    expect(await prisma().upload.findUnique({ where: { id: session.id } })).toBeNull();
  });

  it('completes a body that ended exactly at the last append, and refuses an empty one', async () => {
    const body = randomBytes(10 * MiB);
    const session = await sessions().open(target, user.id);
    await sessions().append(session.id, chunksOf(body), { offset: 0, final: false });
    expect((await sessions().complete(session.id)).sha256).toBe(sha256(body));

    const empty = await sessions().open(target, user.id);
    await expect(sessions().complete(empty.id)).rejects.toMatchObject({ errorId: 'BadRequest' });
    expect(await prisma().upload.findUnique({ where: { id: empty.id } })).toBeNull();
  });

  it('answers open with the row exactly as PostgreSQL stored it, plain and resumable', async () => {
    const before = Date.now();
    const plain = await sessions().open(target, user.id);
    const resumable = await sessions().open(target, user.id, undefined, {
      resumable: {
        length: 12_345,
        metadata: 'filename cC5qcGc=',
        concat: 'partial',
        description: { fileName: 'p.jpg', contentType: 'image/jpeg' },
      },
    });
    for (const session of [plain, resumable]) {
      expect(await prisma().upload.findUnique({ where: { id: session.id } })).toEqual(session);
    }
    expect(plain).toMatchObject({ status: 'pending', receivedBytes: 0n, resumable: false, tusLength: null, fileName: null });
    expect(resumable).toMatchObject({ resumable: true, tusLength: 12_345n, tusMetadata: 'filename cC5qcGc=', tusConcat: 'partial' });
    expect(resumable).toMatchObject({ fileName: 'p.jpg', contentType: 'image/jpeg', createdById: user.id, ...target });
    expect(plain.createdAt.getTime()).toBeGreaterThanOrEqual(before);
    for (const session of [plain, resumable]) await sessions().abort(session.id);
  });

  it('opens no session in an environment that does not exist', async () => {
    await expect(sessions().open({ spaceId: target.spaceId, environmentId: 'nowhere' }, user.id)).rejects.toMatchObject({
      errorId: 'NotFound',
      details: { type: 'Environment', id: 'nowhere' },
    });
  });
});
