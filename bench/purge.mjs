// Purge benchmark (npm run bench:purge): 100,000 expired uploads — rows in
// PostgreSQL (each its own blob: different bytes) and objects in MinIO —
// purged by the worker's purge round. Reports the seconds, the rate, and what
// is left (target: nothing), against the anchor: the same number of objects
// removed straight from MinIO with multi-object deletes of 1000 (the bytes'
// share of the work, which no purge can beat), measured in the same run.
import { createRequire } from 'node:module';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { benchEnv, directMinio, machine, prepareDatabase, REPO_ROOT } from './lib.mjs';

const COUNT = Number(process.env.BENCH_PURGE_COUNT ?? 100_000);
const require = createRequire(import.meta.url);
const dist = (path) => require(join(REPO_ROOT, 'dist', path));

await prepareDatabase();
Object.assign(process.env, benchEnv({ PURGE_INTERVAL_SECONDS: '3600' }));
const { loadConfig } = dist('libs/config/src/index.js');
const { createWorkerApp } = dist('apps/worker/src/bootstrap.js');
const { UploadPurgeJob } = dist('apps/worker/src/uploads/upload-purge.job.js');
const { PrismaService } = dist('libs/database/src/index.js');
const { StorageService } = dist('libs/storage/src/index.js');
const { newId } = dist('libs/domain/src/index.js');
const { uploadObjectKey, uploadObjectPrefix } = dist('libs/ingest/src/index.js');

const worker = await createWorkerApp(loadConfig(process.env), false);
const prisma = worker.get(PrismaService);
const storage = worker.get(StorageService);

// A space and environment for the seeded uploads.
const spaceId = newId();
const userId = newId();
await prisma.user.create({ data: { id: userId, email: `${userId}@bench.hangar.local` } });
await prisma.space.create({ data: { id: spaceId, name: 'purge bench', createdById: userId } });
await prisma.environment.create({ data: { spaceId, id: 'master', name: 'master' } });

console.log(`# Purge benchmark — ${new Date().toISOString()}\n\nMachine: ${machine()}\n`);
const seedStarted = Date.now();
const ids = Array.from({ length: COUNT }, () => newId());
const expiresAt = new Date(Date.now() - 60_000);
for (let i = 0; i < COUNT; i += 5000) {
  await prisma.upload.createMany({
    data: ids.slice(i, i + 5000).map((id) => ({
      id,
      spaceId,
      environmentId: 'master',
      createdById: userId,
      objectKey: uploadObjectKey(spaceId, 'master', id),
      status: 'ready',
      size: 16,
      // Different bytes for each (as uploads are): each becomes its own blob, at its own key.
      sha256: createHash('sha256').update(id).digest('hex'),
      expiresAt,
    })),
  });
}
const payload = randomBytes(16);
async function putAll(keys) {
  let next = 0;
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (next < keys.length) await storage.putObject(keys[next++], payload);
    }),
  );
}
await putAll(ids.map((id) => uploadObjectKey(spaceId, 'master', id)));
console.log(`Seeded ${COUNT} expired uploads (rows and objects) in ${((Date.now() - seedStarted) / 1000).toFixed(1)} s.\n`);

const job = worker.get(UploadPurgeJob);
const started = Date.now();
let rounds = 0;
let purged = 0;
for (let window = 1_000_000 + Math.floor(Math.random() * 1_000_000_000); ; window += 1) {
  const round = await job.runRound(window * 3_600_000 + 1);
  rounds += 1;
  purged += round.purged;
  if (round.purged === 0) break;
}
const seconds = (Date.now() - started) / 1000;
const rowsLeft = await prisma.upload.count({ where: { spaceId } });
const objectsLeft = (await storage.listKeys(uploadObjectPrefix(spaceId))).length;
const blobsLeft = await prisma.blob.count({ where: { spaceId } });

// The anchor: as many objects, removed straight from MinIO.
const anchorKeys = ids.map((id) => `bench/purge-anchor-${id}`);
await putAll(anchorKeys);
const { client, bucket } = directMinio();
const anchorStarted = Date.now();
for (let i = 0; i < anchorKeys.length; i += 1000) await client.removeObjects(bucket, anchorKeys.slice(i, i + 1000));
const anchorSeconds = (Date.now() - anchorStarted) / 1000;

console.log('| expired uploads | purge time | rate | rounds | rows left | blobs left | objects left |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
console.log(
  `| ${COUNT} | ${seconds.toFixed(1)} s | ${(purged / seconds).toFixed(0)} uploads/s | ${rounds} | ${rowsLeft} | ${blobsLeft} | ${objectsLeft} |`,
);
console.log(
  `\nAnchor: ${COUNT} objects removed straight from MinIO (multi-object deletes of 1000) in ${anchorSeconds.toFixed(1)} s: ` +
    `${(COUNT / anchorSeconds).toFixed(0)} objects/s; purge/anchor ratio ${(purged / seconds / (COUNT / anchorSeconds)).toFixed(2)}.`,
);
await prisma.space.delete({ where: { id: spaceId } });
await prisma.user.delete({ where: { id: userId } });
await worker.close();
