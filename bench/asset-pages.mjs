// Asset collection paging benchmark (npm run bench:asset-pages). Needs the services up and a build.
// BENCH_ASSETS assets (default 100,000; every other one published) are inserted straight into the bench
// database in one space, then pages are read through the api (`/spaces/{s}/environments/master/assets` and
// `…/public/assets`), one request at a time:
// - first pages (`limit=100`, with `total` for offset pages): BENCH_REQUESTS requests each (default 300), p50 and
//   p99, in the default order (`-sys.createdAt`) with skip and with cursor=true, in two other orders, and with
//   filters (which count the rows they match); first the anchor, `GET /spaces/{s}` as many times (the api's floor
//   for an authenticated read on this box at that moment);
// - unless BENCH_WALKS=0: a page near the end and a walk over the whole collection (limit 1000), median of
//   BENCH_RUNS runs (default 5).
// The bench space is deleted at the end (its 100,000 assets with it). Prints Markdown tables.
import pg from 'pg';
import { BENCH_DATABASE_URL, benchSpace, machine, percentile, prepareDatabase, spawnApi } from './lib.mjs';

const ASSETS = Number(process.env.BENCH_ASSETS ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 300);
const WALKS = process.env.BENCH_WALKS !== '0';
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function timed(work) {
  const started = process.hrtime.bigint();
  const result = await work();
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, result };
}

async function seed(spaceId) {
  const client = new pg.Client({ connectionString: BENCH_DATABASE_URL });
  await client.connect();
  try {
    // createdAt one millisecond apart; titles in another order than creation; every other asset published.
    await client.query(
      `INSERT INTO "Asset" ("spaceId", "environmentId", "id", "version", "fields", "title", "contentType", "createdAt",
         "createdById", "updatedAt", "updatedById", "publishedVersion", "publishedAt", "publishedById", "publishedCounter",
         "firstPublishedAt", "publishedFields", "publishedTitle", "publishedContentType")
       SELECT $1, 'master', 'bench-' || n, 2,
         jsonb_build_object('title', jsonb_build_object('en-US', 'Asset ' || md5(n::text))), 'Asset ' || md5(n::text), 'image/png',
         timestamp '2026-01-01' + n * interval '1 millisecond', 'bench', now(), 'bench',
         CASE WHEN n % 2 = 0 THEN 1 END, CASE WHEN n % 2 = 0 THEN now() END, CASE WHEN n % 2 = 0 THEN 'bench' END,
         CASE WHEN n % 2 = 0 THEN 1 ELSE 0 END, CASE WHEN n % 2 = 0 THEN now() END,
         CASE WHEN n % 2 = 0 THEN jsonb_build_object('title', jsonb_build_object('en-US', 'Asset ' || md5(n::text))) END,
         CASE WHEN n % 2 = 0 THEN 'Asset ' || md5(n::text) END, CASE WHEN n % 2 = 0 THEN 'image/png' END
       FROM generate_series(1, $2) AS n`,
      [spaceId, ASSETS],
    );
    await client.query('ANALYZE "Asset"');
  } finally {
    await client.end();
  }
}

async function dropSpace(spaceId) {
  const client = new pg.Client({ connectionString: BENCH_DATABASE_URL });
  await client.connect();
  try {
    await client.query('DELETE FROM "Space" WHERE "id" = $1', [spaceId]);
  } finally {
    await client.end();
  }
}

/** `REQUESTS` sequential GETs of one page: p50 and p99 in ms; each answer is checked by `check`. */
async function firstPage(get, path, check) {
  await get(path); // one warm-up (the view's locale read, Prisma's query plan)
  const times = [];
  for (let i = 0; i < REQUESTS; i += 1) {
    const { ms, result } = await timed(() => get(path));
    check(result);
    times.push(ms);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

async function main() {
  await prepareDatabase();
  const api = await spawnApi();
  const rows = [];
  const firsts = [];
  let spaceId;
  try {
    const space = await benchSpace(api.baseUrl);
    spaceId = space.spaceId;
    const { auth } = space;
    await seed(spaceId);
    const get = async (path) => {
      const response = await fetch(`${api.baseUrl}${path}`, { headers: { Authorization: auth } });
      if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
      return response.json();
    };
    // The anchor: the api's floor on this box at this moment, one authenticated read of one small row.
    firsts.push({
      label: 'anchor',
      count: 1,
      query: `GET /spaces/{s}`,
      ...(await firstPage(get, `/spaces/${spaceId}`, (space) => {
        if (space.sys.id !== spaceId) throw new Error(`anchor: ${JSON.stringify(space)}`);
      })),
    });
    for (const [label, base, count] of [
      ['management', `/spaces/${spaceId}/environments/master/assets`, ASSETS],
      ['published', `/spaces/${spaceId}/environments/master/public/assets`, ASSETS / 2],
    ]) {
      const expect = (total, length) => (page) => {
        if (page.items.length !== length || (total !== undefined && page.total !== total)) {
          throw new Error(`${label}: ${page.items.length} items, total ${page.total}; expected ${length}, ${total}`);
        }
      };
      const pageOf = Math.min(100, count);
      for (const [query, total] of [
        ['limit=100', count],
        ['cursor=true&limit=100', undefined],
        ['order=sys.createdAt&limit=100', count],
        ['order=fields.title&limit=100', count],
        // Filters matching every row of the collection: the count has nothing to skip.
        ['fields.file.contentType=image/png&limit=100', count],
        ['mimetype_group=image&limit=100', count],
      ]) {
        firsts.push({ label, count, query, ...(await firstPage(get, `${base}?${query}`, expect(total, pageOf))) });
      }
      if (!WALKS) continue;
      for (const order of ['sys.createdAt', 'fields.title']) {
        const query = `order=${order}&limit=100`;
        // A cursor token for the page that starts where skip = count - 100 does: walk there once with limit 1000.
        let page = await get(`${base}?cursor=true&order=${order}&limit=1000`);
        let seen = page.items.length;
        while (seen < count - 1000 && page.pages.next) {
          page = await get(page.pages.next);
          seen += page.items.length;
        }
        const deepToken = new URL(page.pages.next, api.baseUrl).searchParams.get('pageNext');
        const deepAt = seen;
        const measures = { deepSkip: [], deepCursor: [], walkSkip: [], walkCursor: [] };
        for (let run = 0; run < RUNS; run += 1) {
          measures.deepSkip.push((await timed(() => get(`${base}?${query}&skip=${deepAt}`))).ms);
          measures.deepCursor.push((await timed(() => get(`${base}?cursor=true&${query}&pageNext=${encodeURIComponent(deepToken)}`))).ms);
        }
        // One walk each over the whole collection, 1000 a page.
        measures.walkSkip.push(
          (
            await timed(async () => {
              for (let skip = 0; skip < count; skip += 1000) await get(`${base}?order=${order}&limit=1000&skip=${skip}`);
            })
          ).ms,
        );
        measures.walkCursor.push(
          (
            await timed(async () => {
              let at = await get(`${base}?cursor=true&order=${order}&limit=1000`);
              while (at.pages.next) at = await get(at.pages.next);
            })
          ).ms,
        );
        rows.push({ label, order, count, deepAt, ...Object.fromEntries(Object.entries(measures).map(([k, v]) => [k, median(v)])) });
      }
    }
  } finally {
    await api.stop();
    if (spaceId !== undefined) await dropSpace(spaceId);
  }
  const f = (ms) => `${ms.toFixed(ms < 100 ? 1 : 0)} ms`;
  console.log(
    `\nAsset collection first pages, ${ASSETS.toLocaleString('en')} assets in one space (${machine()}), ${REQUESTS} requests each\n`,
  );
  console.log('| collection (rows) | query | p50 | p99 |');
  console.log('| --- | --- | --- | --- |');
  for (const r of firsts) {
    const what = r.label === 'anchor' ? 'anchor: one space' : `${r.label} (${r.count.toLocaleString('en')})`;
    console.log(`| ${what} | \`${r.query}\` | ${f(r.p50)} | ${f(r.p99)} |`);
  }
  if (!WALKS) return;
  console.log(`\nDeep pages and walks, median of ${RUNS}\n`);
  console.log('| collection (rows) | order | page at skip N / cursor | whole walk, 1000 a page: skip / cursor |');
  console.log('| --- | --- | --- | --- |');
  for (const r of rows) {
    console.log(
      `| ${r.label} (${r.count.toLocaleString('en')}) | ${r.order} | ` +
        `N=${r.deepAt.toLocaleString('en')}: ${f(r.deepSkip)} / ${f(r.deepCursor)} | ${f(r.walkSkip)} / ${f(r.walkCursor)} |`,
    );
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
