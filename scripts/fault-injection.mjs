#!/usr/bin/env node
// Fault injection (npm run test:faults -- --iterations N). Needs the services up
// and a build (npm test provides both).
//
// Drives a stream of uploads (octet-stream, multipart forms, base64 JSON) and process calls against the built api and worker
// while killing one of them with SIGKILL at random moments and restarting it.
// Then checks what Hangar promises:
//   - every upload that got a 201 is readable, with the bytes' SHA-256;
//   - every file write that got a 201 or 200 (Files API) left that version readable,
//     with the bytes' SHA-256;
//   - every process call that got a 204 ended exactly once (ready or failed with a
//     reason; one version bump; one stored object);
//   - once the purge and the orphan sweeper have run, no object lacks a row and no
//     row lacks its object, and no incomplete S3 multipart upload is left (bodies
//     over 5 MiB go up in parts: an api killed mid-body leaves one behind);
//   - no spooled part is left on disk: an api killed mid-body leaves its spool
//     directory behind, and the next process to start removes it; a stopped one
//     removes its own;
//   - no upload slot stays held: a killed api's leases lapse, a stopped one releases;
//   - every ZIP expansion that got a 202 ended with all its entries readable with their SHA-256, or failed with a
//     reason and none of them there; no entry session of an ended expansion is left;
//   - tus uploads (tus-js-client, 5 MiB PATCHes) resume across kills to their SHA-256; one still unfinished at
//     the end is terminated, and leaves nothing (the checks above cover its row, parts and multipart upload).
// Prints the counts it checked; exits 1 on any violation, or when fewer uploads or
// process calls than the minimums (scaled by iterations) were acknowledged.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { Redis } from 'ioredis';
import tus from 'tus-js-client';
import { Client as MinioClient } from 'minio';
import pg from 'pg';
import { Agent, request } from 'undici';
import yazl from 'yazl';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? Number(args[index + 1]) : fallback;
};
const ITERATIONS = option('iterations', 20);
const CLIENTS = option('clients', 6);
const DATABASE_URL = process.env.FAULTS_DATABASE_URL ?? 'postgresql://hangar:hangar@127.0.0.1:55432/hangar_faults';
// Its own bucket and prefix (emptied at start): two checkouts running it at once must not share them.
const BUCKET = process.env.FAULTS_BUCKET ?? 'hangar-faults';
const TOKEN = 'CFPAT-fault-injection-administrator-token-000000';
const S3 = new URL(process.env.S3_ENDPOINT ?? 'http://127.0.0.1:59000');
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:56379';
const QUEUE_PREFIX = process.env.FAULTS_QUEUE_PREFIX ?? 'hangar-faults';
const SPOOL = mkdtempSync(join(tmpdir(), 'hangar-faults-spool-'));

const env = (port) => ({
  PATH: process.env.PATH ?? '',
  NODE_ENV: 'production',
  HOST: '127.0.0.1',
  PORT: String(port),
  DATABASE_URL,
  S3_BUCKET: BUCKET,
  QUEUE_PREFIX,
  UPLOAD_SPOOL_DIR: SPOOL,
  // Leases of a killed api's upload slots lapse after this; the cap leaves room for them meanwhile.
  UPLOAD_IDLE_TIMEOUT_SECONDS: '5',
  UPLOAD_CONCURRENCY_PER_USER: '64',
  HANGAR_ADMIN_TOKEN: TOKEN,
  HANGAR_ADMIN_EMAIL: 'admin@faults.hangar.local',
  // Capillary's answer carries a signed URL.
  FILE_URL_SIGNING_KEYS: `faults:${'f'.repeat(40)}`,
  LOG_LEVEL: 'error',
  RATE_LIMIT_PER_SECOND: '0',
  JOB_LOCK_SECONDS: '2',
  PURGE_INTERVAL_SECONDS: '2',
  UPLOAD_ABANDON_SECONDS: '5',
  ORPHAN_SWEEP_INTERVAL_SECONDS: '2',
  ORPHAN_GRACE_SECONDS: '0',
  // Blobs nothing references go in the next purge round: the checks below hold the run to keeping none.
  BLOB_REAP_GRACE_SECONDS: '0',
  // Webhook deliveries to the receiver below (on localhost), retried quickly; attempts enough for kills and its refusals.
  REMOTE_FETCH_ALLOW_HOSTS: 'localhost',
  WEBHOOK_FANOUT_INTERVAL_MS: '100',
  WEBHOOK_RETRY_SECONDS: '1',
  WEBHOOK_MAX_ATTEMPTS: '10',
});

/**
 * A webhook receiver: records every delivery attempt it gets, and refuses (500) the first attempt of every fifth
 * delivery, so retries happen under the kills too.
 */
const webhookRequests = [];
const webhookReceiver = createHttpServer((req, res) => {
  const parts = [];
  req.on('data', (chunk) => parts.push(chunk));
  req.on('end', () => {
    const key = String(req.headers['x-contentful-idempotency-key'] ?? '');
    const seenBefore = webhookRequests.some((seen) => seen.key === key);
    webhookRequests.push({ key, topic: String(req.headers['x-contentful-topic'] ?? ''), body: Buffer.concat(parts).toString('utf8') });
    const refuse = !seenBefore && createHash('sha256').update(key).digest()[0] % 5 === 0;
    res.writeHead(refuse ? 500 : 200).end();
  });
}).listen(0, '127.0.0.1');
await once(webhookReceiver, 'listening');

const MiB = 1024 * 1024;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');
const dispatcher = new Agent({ connections: 32, connectTimeout: 2_000, headersTimeout: 30_000, bodyTimeout: 30_000 });

async function freePort() {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  return port;
}

async function prepare() {
  const maintenance = new URL(DATABASE_URL);
  maintenance.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: maintenance.toString() });
  await admin.connect();
  const name = new URL(DATABASE_URL).pathname.slice(1);
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  execFileSync(process.execPath, [join(ROOT, 'scripts/prisma-migrate.mjs'), 'deploy'], {
    env: { ...process.env, DATABASE_URL },
    stdio: 'ignore',
  });
  const minio = new MinioClient({
    endPoint: S3.hostname,
    port: Number(S3.port),
    useSSL: false,
    accessKey: 'hangar',
    secretKey: 'hangar-secret-key',
    pathStyle: true,
  });
  if (await minio.bucketExists(BUCKET)) {
    const keys = [];
    for await (const item of minio.listObjectsV2(BUCKET, '', true)) keys.push(item.name);
    for (let i = 0; i < keys.length; i += 1000) await minio.removeObjects(BUCKET, keys.slice(i, i + 1000));
  }
  return minio;
}

/** One app process that can be SIGKILLed and restarted. */
class App {
  constructor(name, port) {
    this.name = name;
    this.port = port;
    this.kills = 0;
  }
  async start() {
    const child = spawn(process.execPath, [join(ROOT, `dist/apps/${this.name}/src/main.js`)], {
      env: env(this.port),
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    this.child = child;
    this.spool = () => readdirSync(SPOOL).filter((entry) => entry.startsWith(`${child.pid}-`));
    if (this.name === 'api') {
      for (let i = 0; i < 200; i += 1) {
        const ok = await fetch(`http://127.0.0.1:${this.port}/health/ready`).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) return;
        await sleep(100);
      }
      throw new Error('api did not become ready');
    }
  }
  async kill() {
    this.kills += 1;
    this.child.kill('SIGKILL');
    if (this.child.exitCode === null && this.child.signalCode === null) await once(this.child, 'exit');
  }
  async stop() {
    this.child.kill('SIGTERM');
    if (this.child.exitCode === null && this.child.signalCode === null) await once(this.child, 'exit');
  }
}

async function call(method, path, { body, headers = {} } = {}) {
  const response = await request(`${base}${path}`, { method, headers: { authorization: `Bearer ${TOKEN}`, ...headers }, body, dispatcher });
  const text = await response.body.text();
  return { status: response.statusCode, body: text.startsWith('{') ? JSON.parse(text) : undefined };
}

let base = '';
const acknowledgedUploads = new Map(); // id -> sha256
const acknowledgedProcessing = new Set(); // asset id
const acknowledgedFileVersions = new Map(); // `${path}@${version}` -> sha256
const acknowledgedExpansions = new Map(); // expansion id -> { folder, entries: Map(name -> sha256) }
const acknowledgedSpaceDeletions = new Set(); // space id
const unfinishedTus = new Map(); // tus-js-client uploads not (yet) finished -> the resolve of their client's wait
let tusAcknowledged = 0;
let requests = 0;
let failedRequests = 0;
let stop = false;

/** A tus upload with tus-js-client, resumed by its own retries across api kills; resolves when it finished (or gave up). */
function tusUpload(spaceId, bytes) {
  return new Promise((resolve) => {
    const upload = new tus.Upload(bytes, {
      endpoint: `${base}/spaces/${spaceId}/environments/master/tus`,
      headers: { authorization: `Bearer ${TOKEN}` },
      chunkSize: 5 * MiB,
      // Retries span an api restart and the lapse of a killed api's lock on the upload (5 s; HEAD waits for it).
      retryDelays: [200, 500, 1000, 1000, 2000, 2000, 2000, 4000, 4000, 4000, 4000],
      onSuccess: () => {
        unfinishedTus.delete(upload);
        // The id is the last segment of the upload's URL. Not X-Hangar-Upload-Id: when a kill swallowed the answer to the
        // last PATCH, tus-js-client learns from a HEAD that the upload is complete, and a HEAD does not carry it.
        acknowledgedUploads.set(upload.url.slice(upload.url.lastIndexOf('/') + 1), sha256(bytes));
        tusAcknowledged += 1;
        resolve();
      },
      onError: () => {
        failedRequests += 1;
        resolve();
      },
    });
    unfinishedTus.set(upload, resolve);
    upload.start();
  });
}

/** One more client, sending tus uploads one after the other (their retries after a kill take seconds: not the others'). */
async function tusClient(spaceId) {
  while (!stop) {
    requests += 1;
    await tusUpload(spaceId, randomBytes(6 * MiB + Math.floor(Math.random() * 10 * MiB)));
  }
}

const FORM_BOUNDARY = '----HangarFaultsBoundary';
let acknowledgedForms = 0;
let acknowledgedBase64 = 0;
let acknowledgedDialectWrites = 0;
/** Renditions served (a rendition is a write: its object must be owned by bytes some file of its space has). */
let renditionsServed = 0;

/**
 * The other doors of the Upload API, in the same traffic: a form of one to three files (all or nothing: a killed
 * api leaves its stored files pending, for the purge), or a file as base64 JSON. Returns the uploads acknowledged.
 */
async function otherDoor(spaceId, dice) {
  if (dice < 0.5) {
    const files = Array.from({ length: 1 + Math.floor(Math.random() * 3) }, () =>
      randomBytes(Math.random() < 0.3 ? 6 * MiB + Math.floor(Math.random() * 4 * MiB) : 1024 + Math.floor(Math.random() * MiB)),
    );
    const body = Buffer.concat([
      ...files.flatMap((bytes, index) => [
        Buffer.from(`--${FORM_BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="f${index}.bin"\r\n\r\n`),
        bytes,
        Buffer.from('\r\n'),
      ]),
      Buffer.from(`--${FORM_BOUNDARY}--\r\n`),
    ]);
    const uploaded = await call('POST', `/spaces/${spaceId}/uploads`, {
      body,
      headers: { 'content-type': `multipart/form-data; boundary=${FORM_BOUNDARY}` },
    });
    if (uploaded.status !== 201) return [];
    acknowledgedForms += 1;
    const items = files.length === 1 ? [uploaded.body] : uploaded.body.items;
    return items.map((item, index) => ({ id: item.sys.id, bytes: files[index] }));
  }
  const bytes = randomBytes(1024 + Math.floor(Math.random() * 2 * MiB));
  const uploaded = await call('POST', `/spaces/${spaceId}/uploads`, {
    body: JSON.stringify({ name: 'f.bin', type: 'application/octet-stream', data: bytes.toString('base64') }),
    headers: { 'content-type': 'application/json' },
  });
  if (uploaded.status !== 201) return [];
  acknowledgedBase64 += 1;
  return [{ id: uploaded.body.sys.id, bytes }];
}

/** A ZIP archive of `entries` (name -> bytes), deflated, built by yazl. */
async function zipOf(entries) {
  const zip = new yazl.ZipFile();
  for (const [name, bytes] of entries) zip.addBuffer(bytes, name);
  zip.end();
  const chunks = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function client(spaceId, pngSample) {
  while (!stop) {
    try {
      const door = Math.random();
      if (door < 0.25) {
        requests += 1;
        const uploads = await otherDoor(spaceId, door / 0.25);
        if (uploads.length === 0) failedRequests += 1;
        for (const { id, bytes } of uploads) acknowledgedUploads.set(id, sha256(bytes));
        continue;
      }
      const dice = Math.random();
      // Some bodies span several 5 MiB parts (a multipart upload), most fit in one PUT.
      const bytes =
        dice < 0.3
          ? pngSample
          : dice < 0.45
            ? randomBytes(6 * MiB + Math.floor(Math.random() * 6 * MiB))
            : randomBytes(1024 + Math.floor(Math.random() * 3 * MiB));
      requests += 1;
      if (Math.random() < 0.06) {
        // A space filled and deleted: once deleted (204), no row and no object of it may stay.
        requests += 1;
        const doomed = await call('POST', '/spaces', {
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'doomed' }),
        });
        if (doomed.status !== 201) {
          failedRequests += 1;
          continue;
        }
        const doomedId = doomed.body.sys.id;
        await call('POST', `/spaces/${doomedId}/uploads`, { body: bytes, headers: { 'content-type': 'application/octet-stream' } });
        await call('PUT', `/spaces/${doomedId}/files/doomed.bin`, { body: bytes, headers: { 'content-type': 'application/octet-stream' } });
        const deleted = await call('DELETE', `/spaces/${doomedId}`);
        if (deleted.status === 204) acknowledgedSpaceDeletions.add(doomedId);
        else failedRequests += 1;
        continue;
      }
      if (Math.random() < 0.1) {
        // A ZIP expansion (its own folder): once it ends, either every entry is there with its bytes or none is.
        requests += 1;
        const folder = `zips/${randomBytes(6).toString('hex')}`;
        const entries = new Map(
          Array.from({ length: 20 }, (_, index) => [`d${index % 3}/e${index}.bin`, randomBytes(2048 + index * 4096)]),
        );
        const expanded = await call('PUT', `/spaces/${spaceId}/folders/${folder}?extract=zip`, {
          body: await zipOf(entries),
          headers: { 'content-type': 'application/zip' },
        });
        if (expanded.status === 202) {
          const digests = new Map([...entries].map(([name, entry]) => [name, sha256(entry)]));
          acknowledgedExpansions.set(expanded.body.sys.id, { folder, entries: digests });
        } else failedRequests += 1;
        continue;
      }
      if (Math.random() < 0.25) {
        // A Files API write: a few names, so some writes are new versions of a file.
        const path = `faults/${Math.floor(Math.random() * 8)}.bin`;
        if (Math.random() < 0.3) {
          // The same files through the Capillary dialect: a multipart write whose answer names its version.
          const written = await call('POST', `/api_gateway/file-service/${path}`, {
            body: Buffer.concat([
              Buffer.from(`--${FORM_BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="f.bin"\r\n\r\n`),
              bytes,
              Buffer.from(`\r\n--${FORM_BOUNDARY}--\r\n`),
            ]),
            headers: { 'content-type': `multipart/form-data; boundary=${FORM_BOUNDARY}`, 'x-hangar-space': spaceId },
          });
          if (written.status === 200) {
            acknowledgedFileVersions.set(`${path}@${written.body.file.version}`, sha256(bytes));
            acknowledgedDialectWrites += 1;
          } else failedRequests += 1;
          continue;
        }
        const written = await call('PUT', `/spaces/${spaceId}/files/${path}`, {
          body: bytes,
          headers: { 'content-type': 'application/octet-stream' },
        });
        if (written.status === 201 || written.status === 200)
          acknowledgedFileVersions.set(`${path}@${written.body.sys.version}`, sha256(bytes));
        else failedRequests += 1;
        if (bytes === pngSample && written.status < 300) {
          // A rendition of it, through a signed URL for those parameters (made, stored, served; killed at any point).
          requests += 1;
          const signed = await call('GET', `/spaces/${spaceId}/file_urls/${path}?w=${8 + Math.floor(Math.random() * 40)}&fm=webp`);
          const rendition =
            signed.status === 200
              ? await fetch(`${base}${new URL(signed.body.url).pathname}${new URL(signed.body.url).search}`)
              : undefined;
          await rendition?.arrayBuffer();
          if (rendition?.status === 200) renditionsServed += 1;
          else failedRequests += 1;
        }
        continue;
      }
      const uploaded = await call('POST', `/spaces/${spaceId}/uploads`, {
        body: bytes,
        headers: { 'content-type': 'application/octet-stream' },
      });
      if (uploaded.status !== 201) {
        failedRequests += 1;
        continue;
      }
      acknowledgedUploads.set(uploaded.body.sys.id, sha256(bytes));
      if (Math.random() < 0.5) continue;
      requests += 1;
      const created = await call('POST', `/spaces/${spaceId}/assets`, {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          fields: {
            file: {
              'en-US': {
                contentType: 'application/octet-stream',
                fileName: 'f.bin',
                uploadFrom: { sys: { type: 'Link', linkType: 'Upload', id: uploaded.body.sys.id } },
              },
            },
          },
        }),
      });
      if (created.status !== 201) {
        failedRequests += 1;
        continue;
      }
      requests += 1;
      const processed = await call('PUT', `/spaces/${spaceId}/assets/${created.body.sys.id}/files/en-US/process`, {
        headers: { 'x-contentful-version': '1' },
      });
      if (processed.status === 204) acknowledgedProcessing.add(created.body.sys.id);
      else failedRequests += 1;
    } catch {
      failedRequests += 1;
      await sleep(50);
    }
  }
}

const minio = await prepare();
const api = new App('api', await freePort());
const worker = new App('worker', 0);
base = `http://127.0.0.1:${api.port}`;
await api.start();
await worker.start();
const space = await call('POST', '/spaces', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'faults' }) });
const spaceId = space.body.sys.id;
{
  // A webhook on the space's asset and upload events (written to the table: the definitions API is not what is tested here).
  const setup = new pg.Client({ connectionString: DATABASE_URL });
  await setup.connect();
  const owner = (await setup.query(`SELECT "createdById" FROM "Space" WHERE id = $1`, [spaceId])).rows[0].createdById;
  await setup.query(
    `INSERT INTO "WebhookDefinition" ("id", "spaceId", "name", "url", "topics", "createdById", "updatedById")
     VALUES ('faults-webhook', $1, 'faults', $2, $3, $4, $4)`,
    [spaceId, `http://localhost:${webhookReceiver.address().port}/hook`, ['Asset.create', 'Asset.processed', 'Upload.create'], owner],
  );
  await setup.end();
}
const { default: sharp } = await import('sharp');
const pngSample = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 1, g: 2, b: 3 } } })
  .png()
  .toBuffer();

const violations = [];
let strandedMultipart = 0;
let strandedSpoolFiles = 0;
/** Files in the spool directories named: one already gone (a process that started meanwhile swept it) holds none. */
const spoolFiles = (directories) =>
  directories.reduce((count, entry) => {
    try {
      return count + readdirSync(join(SPOOL, entry)).length;
    } catch (error) {
      if (error.code === 'ENOENT') return count;
      throw error;
    }
  }, 0);
const incompleteMultipart = async () => (await minio.listIncompleteUploadsQuery(BUCKET, '', '', '', '')).uploads;
const started = Date.now();
const clients = [...Array.from({ length: CLIENTS }, () => client(spaceId, pngSample)), tusClient(spaceId)];
for (let i = 0; i < ITERATIONS; i += 1) {
  await sleep(300 + Math.random() * 1200);
  const victim = Math.random() < 0.5 ? api : worker;
  const deadSpool = victim.spool();
  await victim.kill();
  // Multipart uploads the dead api was writing: the purge (recorded ones) or the sweeper (the rest) must abort them.
  if (victim === api) strandedMultipart += (await incompleteMultipart()).length;
  // Parts it was spooling: the next process to start (this one, restarted) removes them.
  strandedSpoolFiles += spoolFiles(deadSpool);
  await victim.start();
  // The api is ready only after its boot swept the spool (the worker has no readiness to wait for: the end checks it).
  const leftBehind = deadSpool.filter((entry) => readdirSync(SPOOL).includes(entry));
  if (victim === api && leftBehind.length > 0) violations.push(`spool of a killed api not removed at restart: ${leftBehind[0]}`);
}
stop = true;
// tus uploads still going are given up (retrying after a kill can take a while): terminated, they must leave nothing.
for (const [upload, resolve] of unfinishedTus) {
  await upload.abort(false).catch(() => undefined);
  resolve();
  if (upload.url) {
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const terminated = await request(upload.url, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${TOKEN}`, 'tus-resumable': '1.0.0' },
        dispatcher,
      }).then(
        async (response) => (await response.body.dump(), [204, 404].includes(response.statusCode)),
        () => false,
      );
      if (terminated) break;
      await sleep(1_000);
    }
  }
}
await Promise.all(clients);
await sleep(500);

// Let processing, the outbox, the purge (abandoned uploads) and the sweeper finish.
const db = new pg.Client({ connectionString: DATABASE_URL });
await db.connect();
// tus sessions nobody will finish — created by a request whose answer a kill swallowed, so the client never
// learned their URL — wait for their expiry (Upload-Expires), not for the abandon limit: let it come now, and the
// checks below hold the purge to leaving nothing of them (rows, tails, multipart uploads).
const expiredTus = (await db.query(`UPDATE "Upload" SET "expiresAt" = now() WHERE resumable AND status = 'pending'`)).rowCount;
const deadline = Date.now() + 90_000;
for (;;) {
  const { rows } = await db.query(`SELECT count(*)::int AS n FROM "AssetFile" WHERE status = 'processing'`);
  const pending = await db.query(`SELECT count(*)::int AS n FROM "Upload" WHERE status <> 'ready'`);
  const expanding = await db.query(`SELECT count(*)::int AS n FROM "FileExpansion" WHERE status IN ('pending', 'running')`);
  const outbox = await db.query(`SELECT count(*)::int AS n FROM "OutboxMessage"`);
  const undelivered = await db.query(`SELECT count(*)::int AS n FROM "WebhookDelivery" WHERE status = 'pending'`);
  const unfanned = await db.query(
    `SELECT count(*)::int AS n FROM "DomainEvent" e, "DomainEventCursor" c
     WHERE c.name = 'webhooks' AND (e.txid, e.id) > (c.txid::xid8, c."eventId")`,
  );
  const unreferenced = await db.query(`SELECT count(*)::int AS n FROM "Blob" WHERE "refCount" = 0`);
  const settled =
    unreferenced.rows[0].n === 0 &&
    rows[0].n === 0 &&
    pending.rows[0].n === 0 &&
    expanding.rows[0].n === 0 &&
    outbox.rows[0].n === 0 &&
    undelivered.rows[0].n === 0 &&
    unfanned.rows[0].n === 0;
  if (settled || Date.now() > deadline) break;
  await sleep(500);
}
await sleep(5_000); // at least two sweeper rounds after the last write

let uploadsChecked = 0;
for (const [id, digest] of acknowledgedUploads) {
  const upload = await call('GET', `/spaces/${spaceId}/uploads/${id}`);
  uploadsChecked += 1;
  if (upload.status !== 200 || upload.body.details.sha256 !== digest) violations.push(`upload ${id}: ${upload.status}`);
}
let fileVersionsChecked = 0;
for (const [pathAtVersion, digest] of acknowledgedFileVersions) {
  const [path, version] = pathAtVersion.split('@');
  const response = await request(`${base}/spaces/${spaceId}/files/${path}?version=${version}`, {
    headers: { authorization: `Bearer ${TOKEN}` },
    dispatcher,
  });
  const body = Buffer.from(await response.body.arrayBuffer());
  fileVersionsChecked += 1;
  if (response.statusCode !== 200 || sha256(body) !== digest) violations.push(`file ${pathAtVersion}: ${response.statusCode}`);
}
let expansionsChecked = 0;
for (const [id, { folder, entries }] of acknowledgedExpansions) {
  expansionsChecked += 1;
  const expansion = await call('GET', `/spaces/${spaceId}/file_expansions/${id}`);
  const landed = [];
  for (const [name, digest] of entries) {
    const response = await request(`${base}/spaces/${spaceId}/files/${folder}/${name}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
      dispatcher,
    });
    const body = Buffer.from(await response.body.arrayBuffer());
    if (response.statusCode === 200 && sha256(body) === digest) landed.push(name);
  }
  const status = expansion.body?.status;
  if (
    status === 'succeeded' ? landed.length !== entries.size : !(status === 'failed' && expansion.body.error?.reason && landed.length === 0)
  ) {
    violations.push(`expansion ${id}: ${status} with ${landed.length} of ${entries.size} entries`);
  }
}
for (const deletedId of acknowledgedSpaceDeletions) {
  const { rows } = await db.query(`SELECT count(*)::int AS n FROM "Space" WHERE id = $1`, [deletedId]);
  const left = [];
  for (const prefix of ['uploads', 'assets', 'files', 'renditions']) {
    for await (const item of minio.listObjectsV2(BUCKET, `${prefix}/${deletedId}/`, true)) left.push(item.name);
  }
  if (rows[0].n > 0 || left.length > 0)
    violations.push(`deleted space ${deletedId}: ${rows[0].n} row, ${left.length} objects, e.g. ${left[0]}`);
}
const entrySessions = (await db.query(`SELECT count(*)::int AS n FROM "Upload" WHERE "objectKey" LIKE 'files/%/expansions/%'`)).rows[0].n;
if (entrySessions > 0) violations.push(`${entrySessions} sessions of ended expansions left`);
let processingChecked = 0;
for (const assetId of acknowledgedProcessing) {
  processingChecked += 1;
  const asset = await call('GET', `/spaces/${spaceId}/assets/${assetId}`);
  const state = asset.body?.sys?.fileProcessing?.['en-US'];
  // Processing copies nothing: nothing is ever written under the asset's own prefix; a ready file references a blob.
  const objects = [];
  for await (const item of minio.listObjectsV2(BUCKET, `assets/${spaceId}/master/${assetId}/`, true)) objects.push(item.name);
  const file = (await db.query(`SELECT "blobKey", "objectKey" FROM "AssetFile" WHERE "assetId" = $1`, [assetId])).rows[0];
  if (state?.status === 'ready') {
    const referenced = file?.blobKey !== null && file?.blobKey === file?.objectKey;
    if (asset.body.sys.version !== 2 || !asset.body.fields.file['en-US'].url || objects.length !== 0 || !referenced) {
      violations.push(`asset ${assetId}: version ${asset.body.sys.version}, ${objects.length} objects, blob ${file?.blobKey}`);
    }
  } else if (!(state?.status === 'failed' && state.reason && objects.length === 0 && file?.blobKey === null)) {
    violations.push(`asset ${assetId}: processing ${JSON.stringify(state)}, ${objects.length} objects`);
  }
}

// Webhooks: every event of the space on the webhook's topics has exactly one delivery, which succeeded; the
// receiver saw it (perhaps more than once — a worker killed after sending sends again) always with its one key.
const webhookEvents = (
  await db.query(
    `SELECT e.id::text AS id, e.topic, d.id AS delivery, d.status FROM "DomainEvent" e
     LEFT JOIN "WebhookDelivery" d ON d."eventId" = e.id AND d."webhookId" = 'faults-webhook'
     WHERE e."spaceId" = $1 AND e.topic = ANY($2)`,
    [spaceId, ['ContentManagement.Asset.create', 'Hangar.Asset.processed', 'Hangar.Upload.create']],
  )
).rows;
const deliveriesPerEvent = new Map();
for (const row of webhookEvents) deliveriesPerEvent.set(row.id, [...(deliveriesPerEvent.get(row.id) ?? []), row]);
const keysSeen = new Set(webhookRequests.map((seen) => seen.key));
for (const [eventId, rows] of deliveriesPerEvent) {
  const [row] = rows;
  if (rows.length !== 1 || !row.delivery)
    violations.push(`event ${eventId} (${row.topic}): ${rows.filter((r) => r.delivery).length} deliveries`);
  else if (row.status !== 'succeeded' || !keysSeen.has(row.delivery))
    violations.push(`event ${eventId} (${row.topic}): delivery ${row.delivery} ${row.status}, received ${keysSeen.has(row.delivery)}`);
}
const deliveryIds = new Set(webhookEvents.map((row) => row.delivery));
const strangeKeys = [...keysSeen].filter((key) => !deliveryIds.has(key));
if (strangeKeys.length > 0) violations.push(`${strangeKeys.length} webhook requests with a key no delivery has, e.g. ${strangeKeys[0]}`);
// One key per event: the same entity at the same version under one topic never arrives under two keys.
const keyOfEvent = new Map();
for (const seen of webhookRequests) {
  const sys = JSON.parse(seen.body).sys ?? {};
  const id = `${seen.topic}/${sys.id}/${sys.version}`;
  if (keyOfEvent.has(id) && keyOfEvent.get(id) !== seen.key) violations.push(`event ${id} delivered under two keys`);
  keyOfEvent.set(id, seen.key);
}
const webhookRepeats = webhookRequests.length - keysSeen.size;

const objects = new Set();
for await (const item of minio.listObjectsV2(BUCKET, '', true)) objects.add(item.name);
// Every blob has its object; so does every row that names one (ready uploads, files and versions reference blobs).
const owned = new Set(
  (
    await db.query(
      `SELECT "objectKey" FROM "Blob" UNION ALL SELECT "objectKey" FROM "Upload" UNION ALL SELECT "objectKey" FROM "AssetFile" WHERE status = 'ready'
       UNION ALL SELECT "objectKey" FROM "FileVersion" UNION ALL SELECT "objectKey" FROM "PublishedAssetFile"`,
    )
  ).rows.map((row) => row.objectKey),
);
const ownedAny = new Set(
  (
    await db.query(
      `SELECT "objectKey" FROM "Blob" UNION ALL SELECT "objectKey" FROM "Upload" UNION ALL SELECT "objectKey" FROM "AssetFile"
       UNION ALL SELECT "objectKey" FROM "FileVersion" UNION ALL SELECT "archiveKey" FROM "FileExpansion" WHERE "archiveKey" IS NOT NULL
       UNION ALL SELECT "objectKey" FROM "PublishedAssetFile"`,
    )
  ).rows.map((row) => row.objectKey),
);
// Content-addressed storage: each blob's count equals the rows that reference it (kept through every kill), each
// SHA-256 is stored once per space, and a blob nothing references is gone (the purge round reaped it).
const miscounted = (
  await db.query(
    `SELECT b."objectKey", b."refCount", count(r."blobKey")::int AS rows FROM "Blob" b
     LEFT JOIN (SELECT "blobKey" FROM "Upload" UNION ALL SELECT "blobKey" FROM "AssetFile" UNION ALL SELECT "blobKey" FROM "PublishedAssetFile"
                UNION ALL SELECT "blobKey" FROM "FileVersion" UNION ALL SELECT "blobKey" FROM "FileExpansion") r ON r."blobKey" = b."objectKey"
     GROUP BY b."objectKey", b."refCount" HAVING b."refCount" <> count(r."blobKey")`,
  )
).rows;
if (miscounted.length > 0)
  violations.push(`${miscounted.length} blobs whose count is not their references, e.g. ${JSON.stringify(miscounted[0])}`);
const unreferencedBlobs = (await db.query(`SELECT count(*)::int AS n FROM "Blob" WHERE "refCount" = 0`)).rows[0].n;
if (unreferencedBlobs > 0) violations.push(`${unreferencedBlobs} blobs nothing references left unreaped`);
const blobsChecked = (await db.query(`SELECT count(*)::int AS n FROM "Blob"`)).rows[0].n;
// Renditions belong to bytes: owned while a file of their space has those bytes (libs/media RenditionObjectOwner).
const sourcesOfRenditions = new Set(
  (
    await db.query(
      `SELECT "spaceId" || '/' || "sha256" AS id FROM "AssetFile" WHERE status = 'ready'
       UNION SELECT "spaceId" || '/' || "sha256" FROM "PublishedAssetFile"
       UNION SELECT f."spaceId" || '/' || v."sha256" FROM "FileVersion" v JOIN "File" f ON f.id = v."fileId"`,
    )
  ).rows.map((row) => row.id),
);
const renditionOwned = (key) => {
  const [, space, sha] = key.split('/');
  return key.startsWith('renditions/') && sourcesOfRenditions.has(`${space}/${sha}`);
};
const objectsWithoutRow = [...objects].filter((key) => !ownedAny.has(key) && !renditionOwned(key));
const rowsWithoutObject = [...owned].filter((key) => !objects.has(key));
if (objectsWithoutRow.length > 0) violations.push(`${objectsWithoutRow.length} objects without a row, e.g. ${objectsWithoutRow[0]}`);
if (rowsWithoutObject.length > 0) violations.push(`${rowsWithoutObject.length} rows without an object, e.g. ${rowsWithoutObject[0]}`);
const leftMultipart = await incompleteMultipart();
if (leftMultipart.length > 0) violations.push(`${leftMultipart.length} incomplete multipart uploads left, e.g. ${leftMultipart[0].key}`);

// A run that acknowledged (almost) nothing checked (almost) nothing: it fails. Four healthy 6-iteration runs on a
// 2-core machine acknowledged 71-143 uploads and 27-63 process calls; the minimums leave room for a loaded machine
// and for runs where every kill hits the api.
const MIN_UPLOADS = ITERATIONS;
const MIN_PROCESS_CALLS = Math.ceil(ITERATIONS / 2);
if (uploadsChecked < MIN_UPLOADS) violations.push(`only ${uploadsChecked} acknowledged uploads (minimum ${MIN_UPLOADS})`);
if (processingChecked < MIN_PROCESS_CALLS)
  violations.push(`only ${processingChecked} acknowledged process calls (minimum ${MIN_PROCESS_CALLS})`);

// Upload slots: the killed apis' leases have lapsed by now (5 s), the live one holds none.
const me = await call('GET', '/users/me');
const redis = new Redis(REDIS_URL);
const [seconds] = await redis.time();
const heldSlots = await redis.zcount(`${QUEUE_PREFIX}:slots:uploads:${me.body.sys.id}`, `(${Number(seconds) * 1000}`, '+inf');
if (heldSlots > 0) violations.push(`${heldSlots} upload slots still held`);
redis.disconnect();

await db.end();
await api.stop();
await worker.stop();
await dispatcher.close();
const spoolLeft = readdirSync(SPOOL);
if (spoolLeft.length > 0) violations.push(`${spoolLeft.length} spool directories left after a clean stop, e.g. ${spoolLeft[0]}`);
rmSync(SPOOL, { recursive: true, force: true });

console.log(
  `fault injection: ${ITERATIONS} iterations in ${((Date.now() - started) / 1000).toFixed(0)} s; killed api ${api.kills}×, worker ${worker.kills}×; ` +
    `${requests} requests (${failedRequests} refused or failed while a process was down, as expected); checked ${uploadsChecked} acknowledged uploads (minimum ${MIN_UPLOADS}; ${tusAcknowledged} through tus), ` +
    `${processingChecked} acknowledged process calls (minimum ${MIN_PROCESS_CALLS}), ${fileVersionsChecked} acknowledged file versions, ${expansionsChecked} acknowledged ZIP expansions, ${acknowledgedSpaceDeletions.size} acknowledged space deletions, ${objects.size} objects against ${ownedAny.size} rows, ` +
    `${acknowledgedForms} forms and ${acknowledgedBase64} base64 JSON bodies acknowledged among the uploads, ` +
    `${acknowledgedDialectWrites} Capillary writes among the file versions, ${renditionsServed} renditions served, ` +
    `${deliveriesPerEvent.size} webhook events delivered (${webhookRequests.length} requests: ${webhookRepeats} retries or repeats, one key each), ` +
    `${strandedMultipart} multipart uploads stranded by api kills (${leftMultipart.length} left), ` +
    `${strandedSpoolFiles} spooled parts stranded by kills (${spoolLeft.length} spool directories left), ` +
    `${expiredTus} unfinished tus sessions expired and purged; ${blobsChecked} blobs counted exactly; violations: ${violations.length}`,
);
for (const violation of violations.slice(0, 20)) console.log(`  - ${violation}`);
process.exit(violations.length === 0 ? 0 : 1);
