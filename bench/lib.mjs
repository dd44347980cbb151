// Shared helpers of the benchmark scripts: a bench database and bucket beside
// the development ones, spawning the built apps, and measuring them.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { Client } from 'minio';
import { request } from 'undici';
import pg from 'pg';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const BENCH_DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgresql://hangar:hangar@127.0.0.1:55432/hangar_bench';
export const BENCH_ADMIN_TOKEN = 'CFPAT-benchmarks-administrator-token-000000000';

/** Environment of an app under benchmark: its own database, bucket and Redis prefix. */
export function benchEnv(extra = {}) {
  return {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    DATABASE_URL: BENCH_DATABASE_URL,
    S3_BUCKET: 'hangar-bench',
    QUEUE_PREFIX: 'hangar-bench',
    HANGAR_ADMIN_TOKEN: BENCH_ADMIN_TOKEN,
    HANGAR_ADMIN_EMAIL: 'admin@bench.hangar.local',
    LOG_LEVEL: 'warn',
    DATABASE_POOL_SIZE: '20',
    // The benchmarks drive one token far past the default per-token limit on purpose, and one user past its
    // number of uploads at once.
    RATE_LIMIT_PER_SECOND: '0',
    UPLOAD_CONCURRENCY_PER_USER: '0',
    ...extra,
  };
}

/**
 * Removes from the bench bucket what earlier runs stored (a benchmark writes gigabytes and keeps
 * none of it; left there, runs fill the disk). Only objects older than an hour: a bench running
 * alongside keeps its own.
 */
async function sweepBenchBucket() {
  const { client, bucket } = directMinio();
  if (!(await client.bucketExists(bucket))) return;
  const cutoff = Date.now() - 60 * 60 * 1000;
  let batch = [];
  for await (const object of client.listObjectsV2(bucket, '', true)) {
    if (object.name === undefined || object.lastModified.getTime() > cutoff) continue;
    batch.push(object.name);
    if (batch.length === 1000) {
      await client.removeObjects(bucket, batch);
      batch = [];
    }
  }
  if (batch.length > 0) await client.removeObjects(bucket, batch);
  for await (const upload of client.listIncompleteUploads(bucket, '', true)) {
    if (upload.initiated.getTime() <= cutoff) await client.removeIncompleteUpload(bucket, upload.key);
  }
}

/** Creates the bench database if needed and applies the migrations; sweeps the bench bucket. */
export async function prepareDatabase() {
  await sweepBenchBucket();
  const target = new URL(BENCH_DATABASE_URL);
  const maintenance = new URL(BENCH_DATABASE_URL);
  maintenance.pathname = '/postgres';
  const client = new pg.Client({ connectionString: maintenance.toString() });
  await client.connect();
  const name = target.pathname.slice(1);
  const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${name}"`);
  await client.end();
  execFileSync(process.execPath, [join(REPO_ROOT, 'scripts/prisma-migrate.mjs'), 'deploy'], {
    env: { ...process.env, DATABASE_URL: BENCH_DATABASE_URL },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

export async function freePort() {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  return port;
}

/** Starts the built api as its own process and waits until it is ready. */
export async function spawnApi(extraEnv = {}) {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [...(process.env.BENCH_NODE_FLAGS ? process.env.BENCH_NODE_FLAGS.split(' ') : []), join(REPO_ROOT, 'dist/apps/api/src/main.js')],
    {
      env: benchEnv({ PORT: String(port), ...extraEnv }),
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`api exited with ${child.exitCode}`);
    const ready = await fetch(`${baseUrl}/health/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    baseUrl,
    /** Peak resident set size of the api process so far (VmHWM), in MiB. */
    peakRssMiB: () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))[1]) / 1024,
    async stop() {
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
    },
  };
}

/** Starts the built worker as its own process. */
export async function spawnWorker(extraEnv = {}) {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'dist/apps/worker/src/main.js')], {
    env: benchEnv({ LOG_LEVEL: 'info', ...extraEnv }),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk.toString();
      if (output.includes('worker ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
  });
  child.stdout.resume();
  return {
    child,
    async stop() {
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
    },
  };
}

export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export function machine() {
  return `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}`;
}

/** A user with a token and a space, made through the api as its administrator. */
export async function benchSpace(baseUrl) {
  const json = { 'Content-Type': 'application/json', Authorization: `Bearer ${BENCH_ADMIN_TOKEN}` };
  const space = await fetch(`${baseUrl}/spaces`, { method: 'POST', headers: json, body: JSON.stringify({ name: 'bench' }) }).then((r) =>
    r.json(),
  );
  return { spaceId: space.sys.id, auth: `Bearer ${BENCH_ADMIN_TOKEN}` };
}

const MiB = 1024 * 1024;

/** `size` bytes as 1 MiB chunks of one random block: cheap to produce, nothing held but the block. */
export async function* randomBody(size) {
  const block = randomBytes(MiB);
  for (let sent = 0; sent < size; sent += MiB) yield sent + MiB <= size ? block : block.subarray(0, size - sent);
}

let copies = 0;
/**
 * A copy of `body` whose first bytes differ from every other copy's: uploads carry different bytes (the same bytes
 * twice in a space are stored once — a reference, not a write — which would make the api look faster than storage).
 */
export function distinctCopy(body) {
  const bytes = Buffer.from(body);
  bytes.writeUInt32LE(process.pid, 0);
  bytes.writeDoubleLE((copies += 1), 4);
  return bytes;
}

/** One body through the Upload API's octet-stream door; true when it became an Upload (201). */
export async function postUpload(baseUrl, spaceId, auth, body, dispatcher) {
  const response = await request(`${baseUrl}/spaces/${spaceId}/uploads`, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'application/octet-stream' },
    body,
    dispatcher,
  });
  await response.body.dump();
  return response.statusCode === 201;
}

/**
 * `send` from `concurrency` clients, each again as soon as its last one ended, for `seconds`: the rate, the p50 and
 * p99 of every attempt, and how many failed (`send` answered false or threw).
 */
export async function closedLoop(concurrency, seconds, send) {
  const latencies = [];
  let errors = 0;
  const deadline = Date.now() + seconds * 1000;
  const client = async () => {
    while (Date.now() < deadline) {
      const started = process.hrtime.bigint();
      const ok = await send().catch(() => false);
      if (!ok) errors += 1;
      latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
  };
  const began = Date.now();
  await Promise.all(Array.from({ length: concurrency }, client));
  const elapsed = (Date.now() - began) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    count: latencies.length,
    perSecond: latencies.length / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    errors,
  };
}

/** A `minio` client on the services' MinIO, and the bench bucket: the "straight into MinIO" side of a comparison. */
export function directMinio() {
  const endpoint = new URL(process.env.S3_ENDPOINT ?? 'http://127.0.0.1:59000');
  return {
    bucket: benchEnv().S3_BUCKET,
    client: new Client({
      endPoint: endpoint.hostname,
      port: Number(endpoint.port),
      useSSL: false,
      accessKey: process.env.S3_ACCESS_KEY ?? 'hangar',
      secretKey: process.env.S3_SECRET_KEY ?? 'hangar-secret-key',
      pathStyle: true,
    }),
  };
}
