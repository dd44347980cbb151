// Asset collection paging benchmark (npm run bench:asset-pages). Needs the services up and a build.
// BENCH_ASSETS assets (default 100,000; every other one published) are inserted straight into the bench
// database in one space, then the same pages are read through the api with skip/limit and with cursor=true:
// the first page, a page near the end, and a walk over the whole collection (limit 1000), for the
// management collection and the published one. Prints a Markdown table (median of BENCH_RUNS runs).
import pg from 'pg';
import { BENCH_DATABASE_URL, benchSpace, machine, prepareDatabase, spawnApi } from './lib.mjs';

const ASSETS = Number(process.env.BENCH_ASSETS ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
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

async function main() {
  await prepareDatabase();
  const api = await spawnApi();
  const rows = [];
  try {
    const { spaceId, auth } = await benchSpace(api.baseUrl);
    await seed(spaceId);
    const get = async (path) => {
      const response = await fetch(`${api.baseUrl}${path}`, { headers: { Authorization: auth } });
      if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
      return response.json();
    };
    for (const [label, base, count] of [
      ['management', `/spaces/${spaceId}/assets`, ASSETS],
      ['published', `/spaces/${spaceId}/public/assets`, ASSETS / 2],
    ]) {
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
        const measures = { firstSkip: [], firstCursor: [], deepSkip: [], deepCursor: [], walkSkip: [], walkCursor: [] };
        for (let run = 0; run < RUNS; run += 1) {
          measures.firstSkip.push((await timed(() => get(`${base}?${query}`))).ms);
          measures.firstCursor.push((await timed(() => get(`${base}?cursor=true&${query}`))).ms);
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
  }
  const f = (ms) => `${ms.toFixed(ms < 100 ? 1 : 0)} ms`;
  console.log(`\nAsset collection paging, ${ASSETS.toLocaleString('en')} assets in one space (${machine()}), median of ${RUNS}\n`);
  console.log(
    '| collection (rows) | order | first page skip / cursor | page at skip N / cursor | whole walk, 1000 a page: skip / cursor |',
  );
  console.log('| --- | --- | --- | --- | --- |');
  for (const r of rows) {
    console.log(
      `| ${r.label} (${r.count.toLocaleString('en')}) | ${r.order} | ${f(r.firstSkip)} / ${f(r.firstCursor)} | ` +
        `N=${r.deepAt.toLocaleString('en')}: ${f(r.deepSkip)} / ${f(r.deepCursor)} | ${f(r.walkSkip)} / ${f(r.walkCursor)} |`,
    );
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
