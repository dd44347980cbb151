// Folder listing benchmark (npm run bench:listing). Needs the services up and a build.
// One folder of BENCH_LISTING_FILES files (default 100,000) in a space of its own: the first page of
// `GET /spaces/{s}/folders/{path}` (default limit) and a page deep in the folder, BENCH_LISTING_REQUESTS times each
// (default 300), one request at a time, after one warm-up: p50 and p99 in ms, each answer checked (its `total`, its
// first name); first the anchor, `GET /spaces/{s}` as many times (the api's floor for an authenticated read on this
// box at that moment). The bench space is deleted at the end. Prints a Markdown table.
//
// The rows are written straight into PostgreSQL (a file row and its current version each, with object keys nothing
// holds): writing 100,000 files through the api would measure the writes, not the listing, and take an hour here.
// Every listed field is read from those rows, as for files written through the api.
import pg from 'pg';
import { request } from 'undici';
import { BENCH_DATABASE_URL, benchSpace, machine, percentile, prepareDatabase, spawnApi } from './lib.mjs';

const FILES = Number(process.env.BENCH_LISTING_FILES ?? 100_000);
const REQUESTS = Number(process.env.BENCH_LISTING_REQUESTS ?? 300);
const FOLDER = 'bench/listing';

async function seed(spaceId) {
  const db = new pg.Client({ connectionString: BENCH_DATABASE_URL });
  await db.connect();
  try {
    const { rows } = await db.query('SELECT "userId" FROM "SpaceMembership" WHERE "spaceId" = $1 LIMIT 1', [spaceId]);
    const actor = rows[0].userId;
    await db.query('BEGIN');
    await db.query(
      `INSERT INTO "FileFolder" ("spaceId", "path", "parent", "name", "explicit", "createdById")
       VALUES ($1, 'bench', '', 'bench', false, $2), ($1, $3, 'bench', 'listing', true, $2)`,
      [spaceId, actor, FOLDER],
    );
    await db.query(
      `INSERT INTO "File" ("id", "spaceId", "path", "folder", "name", "acl", "currentVersion", "lastVersion", "createdById", "updatedById")
       SELECT $1 || '-' || n, $1, $2 || '/file-' || lpad(n::text, 6, '0') || '.txt', $2, 'file-' || lpad(n::text, 6, '0') || '.txt',
              'private', 1, 1, $3, $3
       FROM generate_series(1, $4::int) AS n`,
      [spaceId, FOLDER, actor, FILES],
    );
    await db.query(
      `INSERT INTO "FileVersion" ("fileId", "number", "objectKey", "size", "sha256", "contentType", "createdById")
       SELECT $1 || '-' || n, 1, 'files/' || $1 || '/listing-bench-' || n, 42,
              'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'text/plain; charset=utf-8', $3
       FROM generate_series(1, $2::int) AS n`,
      [spaceId, FILES, actor],
    );
    await db.query('COMMIT');
    await db.query('ANALYZE "File"; ANALYZE "FileVersion"; ANALYZE "FileFolder"');
  } finally {
    await db.end();
  }
}

async function dropSpace(spaceId) {
  const db = new pg.Client({ connectionString: BENCH_DATABASE_URL });
  await db.connect();
  try {
    await db.query('DELETE FROM "Space" WHERE "id" = $1', [spaceId]);
  } finally {
    await db.end();
  }
}

async function timings(url, auth, expectFirst) {
  await request(url, { headers: { authorization: auth } }).then((response) => response.body.dump());
  const times = [];
  for (let i = 0; i < REQUESTS; i += 1) {
    const started = process.hrtime.bigint();
    const response = await request(url, { headers: { authorization: auth } });
    const body = await response.body.json();
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (response.statusCode !== 200 || body.total !== FILES || body.items[0]?.name !== expectFirst) {
      throw new Error(`listing failed: ${response.statusCode} ${JSON.stringify(body).slice(0, 300)}`);
    }
  }
  return times.sort((a, b) => a - b);
}

/** The anchor: the api's floor on this box at this moment, one authenticated read of one small row. */
async function anchorTimings(url, auth) {
  const times = [];
  for (let i = 0; i < REQUESTS; i += 1) {
    const started = process.hrtime.bigint();
    const response = await request(url, { headers: { authorization: auth } });
    await response.body.dump();
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (response.statusCode !== 200) throw new Error(`anchor failed: ${response.statusCode}`);
  }
  return times.sort((a, b) => a - b);
}

async function main() {
  await prepareDatabase();
  const api = await spawnApi();
  let spaceId;
  try {
    const space = await benchSpace(api.baseUrl);
    spaceId = space.spaceId;
    const { auth } = space;
    const seeding = Date.now();
    await seed(spaceId);
    const seededMs = Date.now() - seeding;
    const base = `${api.baseUrl}/spaces/${spaceId}/folders/${FOLDER}`;
    const deepSkip = Math.max(0, FILES - 1000);
    const anchor = await anchorTimings(`${api.baseUrl}/spaces/${spaceId}`, auth);
    const first = await timings(base, auth, 'file-000001.txt');
    const deep = await timings(`${base}?skip=${deepSkip}`, auth, `file-${String(deepSkip + 1).padStart(6, '0')}.txt`);
    console.log(`# Folder listing benchmark — ${new Date().toISOString()}\n`);
    console.log(`Machine: ${machine()}; ${FILES} files in one folder (seeded in ${seededMs} ms), ${REQUESTS} requests each\n`);
    console.log('| page | p50 | p99 |');
    console.log('| --- | --- | --- |');
    console.log(`| anchor: \`GET /spaces/{s}\` | ${percentile(anchor, 50).toFixed(1)} ms | ${percentile(anchor, 99).toFixed(1)} ms |`);
    console.log(`| first (default limit) | ${percentile(first, 50).toFixed(1)} ms | ${percentile(first, 99).toFixed(1)} ms |`);
    console.log(`| skip=${deepSkip} | ${percentile(deep, 50).toFixed(1)} ms | ${percentile(deep, 99).toFixed(1)} ms |`);
  } finally {
    await api.stop();
    if (spaceId !== undefined) await dropSpace(spaceId);
  }
}

await main();
