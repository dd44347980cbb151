import type { INestApplicationContext } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import request from 'supertest';
import { PrismaService } from '@hangar/database';
import { BlobStore, uploadObjectKey, uploadObjectPrefix } from '@hangar/ingest';
import { assetObjectPrefix } from '@hangar/assets';
import { fileObjectPrefix } from '@hangar/files';
import { StorageService } from '@hangar/storage';
import { UploadPurgeJob } from '../apps/worker/src/uploads/upload-purge.job';
import { type RunningApi, startApi } from './support/api-harness';
import { objectBytes, objectExists } from './support/bucket';
import { type AssetClient, createAsset, deliveryPathOf, fileField, processLocale, uploadBytes, waitForProcessing } from './support/assets';
import { newSpace, newUser, type TestUser } from './support/factories';
import { makeImage } from './support/images';
import { hourlyRounds } from './support/rounds';
import { startWorker } from './support/worker-harness';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const nextRound = hourlyRounds();

/**
 * Content-addressed storage (issue 16 goal 3): bytes stored once per SHA-256 per space, referenced by uploads,
 * asset files, published files and file versions, with counts PostgreSQL keeps; unreferenced blobs reaped by the
 * purge round. Every expectation is the test's own arithmetic over what it sent.
 */
describe('content-addressed storage (blobs)', () => {
  let api: RunningApi;
  let worker: INestApplicationContext;
  let user: TestUser;

  beforeAll(async () => {
    api = await startApi();
    // Rounds are run by the test (an hour apart), and reap what went unreferenced at once.
    worker = await startWorker({ PURGE_INTERVAL_SECONDS: '3600', BLOB_REAP_GRACE_SECONDS: '0' });
    user = await newUser(api.baseUrl);
  });
  afterAll(async () => {
    await worker.close();
    await api.close();
  });

  const prisma = () => api.app.get(PrismaService);
  const storage = () => api.app.get(StorageService);
  const clientOf = async (): Promise<AssetClient> => ({
    baseUrl: api.baseUrl,
    auth: user.auth,
    spaceId: await newSpace(api.baseUrl, user),
    environmentId: 'master',
  });
  const blobOf = (spaceId: string, bytes: Buffer) =>
    prisma().blob.findUnique({ where: { spaceId_sha256: { spaceId, sha256: sha256(bytes) } } });
  const uploadsOf = async (spaceId: string) => storage().listKeys(uploadObjectPrefix(spaceId));
  const purgeRound = () => worker.get(UploadPurgeJob).runRound(nextRound());

  async function processedAsset(c: AssetClient, bytes: Buffer): Promise<{ assetId: string; uploadId: string; url: string }> {
    const uploadId = await uploadBytes(c, bytes);
    const created = await createAsset(c, { file: { 'en-US': fileField(uploadId) } }).expect(201);
    const assetId = created.body.sys.id as string;
    await processLocale(c, assetId, 'en-US', 1).expect(204);
    const { body } = await waitForProcessing(c, assetId, 'en-US');
    return { assetId, uploadId, url: deliveryPathOf(body.fields.file?.['en-US']?.url) };
  }

  it('stores the same bytes once per space: the second upload references the first one’s blob', async () => {
    const c = await clientOf();
    const bytes = randomBytes(70_000);
    const first = await uploadBytes(c, bytes);
    const second = await uploadBytes(c, bytes);
    expect(second).not.toBe(first);
    // One object, at the key the first upload wrote; the second one's own copy is gone.
    expect(await uploadsOf(c.spaceId)).toEqual([uploadObjectKey(c.spaceId, 'master', first)]);
    expect(await blobOf(c.spaceId, bytes)).toMatchObject({
      objectKey: uploadObjectKey(c.spaceId, 'master', first),
      size: BigInt(bytes.length),
      refCount: 2,
      unreferencedAt: null,
    });
    const rows = await prisma().upload.findMany({ where: { id: { in: [first, second] } } });
    expect(rows.map((row) => row.blobKey)).toEqual([
      uploadObjectKey(c.spaceId, 'master', first),
      uploadObjectKey(c.spaceId, 'master', first),
    ]);
    // Both are whole uploads to the client.
    for (const id of [first, second]) {
      const { body } = await request(api.baseUrl).get(`/spaces/${c.spaceId}/uploads/${id}`).set(user.auth).expect(200);
      expect(body.sys.id).toBe(id);
    }
  });

  it('never shares bytes across spaces, and answers both spaces alike', async () => {
    const [a, b] = [await clientOf(), await clientOf()];
    const bytes = randomBytes(10_000);
    const answers = [];
    for (const c of [a, b]) {
      const response = await request(api.baseUrl)
        .post(`/spaces/${c.spaceId}/uploads`)
        .set(user.auth)
        .set('Content-Type', 'application/octet-stream')
        .send(bytes)
        .expect(201);
      answers.push(response);
    }
    // Each space has its own copy and its own blob, each referenced once.
    for (const [c, response] of [
      [a, answers[0]],
      [b, answers[1]],
    ] as const) {
      const id = response?.body.sys.id as string;
      expect(await uploadsOf(c.spaceId)).toEqual([uploadObjectKey(c.spaceId, 'master', id)]);
      expect(await blobOf(c.spaceId, bytes)).toMatchObject({ objectKey: uploadObjectKey(c.spaceId, 'master', id), refCount: 1 });
    }
    // The same status, headers and body shape: nothing says the other space had the bytes.
    const shape = (response: request.Response | undefined) => ({
      status: response?.status,
      headers: Object.keys(response?.headers ?? {}).sort(),
      keys: Object.keys(response?.body.sys ?? {}).sort(),
    });
    expect(shape(answers[1])).toEqual(shape(answers[0]));
  });

  it('processes without a copy: the asset file is the upload’s blob, and outlives the upload', async () => {
    const c = await clientOf();
    const image = await makeImage(12, 9);
    const { assetId, uploadId, url } = await processedAsset(c, image);
    const blobKey = uploadObjectKey(c.spaceId, 'master', uploadId);
    expect(await storage().listKeys(assetObjectPrefix(c.spaceId))).toEqual([]);
    expect(await prisma().assetFile.findFirst({ where: { spaceId: c.spaceId, assetId } })).toMatchObject({ objectKey: blobKey, blobKey });
    expect((await blobOf(c.spaceId, image))?.refCount).toBe(2);

    // The upload goes (deleted, as the purge would): the file keeps the bytes.
    await request(api.baseUrl).delete(`/spaces/${c.spaceId}/uploads/${uploadId}`).set(user.auth).expect(204);
    expect((await blobOf(c.spaceId, image))?.refCount).toBe(1);
    expect((await purgeRound()).ran).toBe(true);
    expect(await objectExists(storage(), blobKey)).toBe(true);
    const delivered = await request(api.baseUrl).get(url).buffer(true).expect(200);
    expect(sha256(delivered.body as Buffer)).toBe(sha256(image));
  });

  it('counts published files, lets every reference go on unpublish and delete, and the last one removes the bytes', async () => {
    const c = await clientOf();
    const image = await makeImage(13, 9);
    const { assetId, uploadId } = await processedAsset(c, image);
    const blobKey = uploadObjectKey(c.spaceId, 'master', uploadId);
    const asset = `/spaces/${c.spaceId}/environments/master/assets/${assetId}`;
    const version = async () => (await request(api.baseUrl).get(asset).set(user.auth).expect(200)).body.sys.version as number;
    await request(api.baseUrl)
      .put(`${asset}/published`)
      .set(user.auth)
      .set('X-Contentful-Version', String(await version()))
      .expect(200);
    // Upload, draft file, published file.
    expect((await blobOf(c.spaceId, image))?.refCount).toBe(3);
    await request(api.baseUrl)
      .delete(`${asset}/published`)
      .set(user.auth)
      .set('X-Contentful-Version', String(await version()))
      .expect(200);
    expect((await blobOf(c.spaceId, image))?.refCount).toBe(2);
    await request(api.baseUrl)
      .delete(asset)
      .set(user.auth)
      .set('X-Contentful-Version', String(await version()))
      .expect(204);
    // The upload still holds the bytes.
    expect((await blobOf(c.spaceId, image))?.refCount).toBe(1);
    expect(await objectExists(storage(), blobKey)).toBe(true);
    await request(api.baseUrl).delete(`/spaces/${c.spaceId}/uploads/${uploadId}`).set(user.auth).expect(204);
    expect(await blobOf(c.spaceId, image)).toBeNull();
    expect(await objectExists(storage(), blobKey)).toBe(false);
  });

  it('reaps in the purge round what no delete removed (references let go by a cascade)', async () => {
    const c = await clientOf();
    const bytes = randomBytes(3_000);
    const uploadId = await uploadBytes(c, bytes);
    const blobKey = uploadObjectKey(c.spaceId, 'master', uploadId);
    // The row goes as a cascade or a crashed delete would take it: the count drops, nothing removes the bytes.
    await prisma().upload.delete({ where: { id: uploadId } });
    expect(await blobOf(c.spaceId, bytes)).toMatchObject({ refCount: 0, unreferencedAt: expect.any(Date) });
    expect(await objectExists(storage(), blobKey)).toBe(true);
    expect((await purgeRound()).reapedBlobs).toBeGreaterThanOrEqual(1);
    expect(await blobOf(c.spaceId, bytes)).toBeNull();
    expect(await objectExists(storage(), blobKey)).toBe(false);
  });

  it('lets file versions reference the blob an upload made, and release it when deleted', async () => {
    const c = await clientOf();
    const bytes = randomBytes(5_000);
    const uploadId = await uploadBytes(c, bytes);
    for (const path of ['a/one.bin', 'b/two.bin']) {
      await request(api.baseUrl)
        .put(`/spaces/${c.spaceId}/files/${path}`)
        .set(user.auth)
        .set('Content-Type', 'application/octet-stream')
        .send(bytes)
        .expect(201);
    }
    // The upload and two versions: one object, three references.
    expect(await blobOf(c.spaceId, bytes)).toMatchObject({ objectKey: uploadObjectKey(c.spaceId, 'master', uploadId), refCount: 3 });
    expect(await storage().listKeys(fileObjectPrefix(c.spaceId))).toEqual([]);
    const read = await request(api.baseUrl).get(`/spaces/${c.spaceId}/files/b/two.bin`).set(user.auth).buffer(true).expect(200);
    expect(sha256(read.body as Buffer)).toBe(sha256(bytes));
    await request(api.baseUrl).delete(`/spaces/${c.spaceId}/files/a/one.bin`).set(user.auth).expect(204);
    expect((await blobOf(c.spaceId, bytes))?.refCount).toBe(2);
  });

  it('keeps counts exact when many uploads of the same bytes complete at once', async () => {
    const c = await clientOf();
    const bytes = randomBytes(30_000);
    // UPLOAD_CONCURRENCY_PER_USER (8) at once.
    const ids = await Promise.all(Array.from({ length: 8 }, () => uploadBytes(c, bytes)));
    const blob = await blobOf(c.spaceId, bytes);
    expect(blob?.refCount).toBe(8);
    expect(await uploadsOf(c.spaceId)).toEqual([blob?.objectKey]);
    expect(ids.map((id) => uploadObjectKey(c.spaceId, 'master', id))).toContain(blob?.objectKey);
    expect(await objectBytes(storage(), blob?.objectKey ?? '')).toEqual(bytes);
  });

  it('never reaps a blob a transaction is taking a reference to, even at count zero', async () => {
    const c = await clientOf();
    const bytes = randomBytes(2_000);
    const first = await uploadBytes(c, bytes);
    // Gone as a cascade would take it: its blob stays at count zero until the purge round.
    await prisma().upload.delete({ where: { id: first } });
    const blobKey = uploadObjectKey(c.spaceId, 'master', first);
    expect(await blobOf(c.spaceId, bytes)).toMatchObject({ objectKey: blobKey, refCount: 0 });

    // A second upload of the same bytes completes in a transaction that is still open while the reaper runs.
    const second = `blobrace${Date.now()}`;
    const ownKey = uploadObjectKey(c.spaceId, 'master', second);
    await prisma().upload.create({
      data: {
        id: second,
        spaceId: c.spaceId,
        environmentId: 'master',
        createdById: user.id,
        objectKey: ownKey,
        expiresAt: new Date(Date.now() + 3_600_000),
      },
    });
    const reaper = worker.get(BlobStore);
    await prisma().$transaction(async (tx) => {
      const [row] = await tx.$queryRaw<{ objectKey: string }[]>`
        UPDATE "Upload" SET "status" = 'ready', "sha256" = ${sha256(bytes)}, "size" = ${bytes.length}
        WHERE "id" = ${second} RETURNING "objectKey"`;
      expect(row?.objectKey).toBe(blobKey);
      // Runs on another connection while this transaction holds the blob: it must pass it by.
      await reaper.reap(0);
      expect(await worker.get(PrismaService).blob.count({ where: { objectKey: blobKey } })).toBe(1);
    });
    expect(await blobOf(c.spaceId, bytes)).toMatchObject({ objectKey: blobKey, refCount: 1, unreferencedAt: null });
    await reaper.reap(0);
    expect(await objectBytes(storage(), blobKey)).toEqual(bytes);
  });
});
