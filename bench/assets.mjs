// Asset processing benchmark (npm run bench:assets). Needs the services up and a build.
//  1. 500 images (JPEG, PNG, WebP; 0.5–12 MP) end to end — upload, create, process,
//     url visible — through the api with one worker process: images/s, p50/p95
//     latency (process call → url visible), beside the time sharp alone needs to read
//     the same files' metadata in this run.
//  2. The first page of the asset collection with 100,000 assets: p50/p99.
import { Agent, request } from 'undici';
import sharp from 'sharp';
import { benchSpace, machine, percentile, prepareDatabase, spawnApi, spawnWorker } from './lib.mjs';

const IMAGES = Number(process.env.BENCH_IMAGES ?? 500);
const DISTINCT = Number(process.env.BENCH_DISTINCT_IMAGES ?? 60);
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 8);
const COLLECTION_ASSETS = Number(process.env.BENCH_COLLECTION_ASSETS ?? 100_000);
const FORMATS = ['jpeg', 'png', 'webp'];

/** Photographic-ish images (gradient plus noise), 0.5–12 MP, cycling through the formats. */
async function makeImages() {
  const images = [];
  for (let i = 0; i < DISTINCT; i += 1) {
    const megapixels = 0.5 + (11.5 * i) / Math.max(1, DISTINCT - 1);
    const width = Math.round(Math.sqrt(megapixels * 1e6 * 1.5));
    const height = Math.round((megapixels * 1e6) / width);
    const format = FORMATS[i % FORMATS.length];
    const gradient = await sharp({
      create: {
        width: 64,
        height: 64,
        channels: 3,
        background: { r: (i * 37) % 255, g: 90, b: 160 },
        noise: { type: 'gaussian', mean: 120, sigma: 40 },
      },
    })
      .resize(width, height, { kernel: 'cubic' })
      .toFormat(format, { quality: 85 })
      .toBuffer();
    images.push({ bytes: gradient, format, megapixels, width, height });
  }
  return images;
}

async function json(method, url, auth, body, headers = {}) {
  const response = await request(url, {
    method,
    headers: { authorization: auth, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
    dispatcher,
  });
  const text = await response.body.text();
  return { status: response.statusCode, body: text ? JSON.parse(text) : undefined };
}

const dispatcher = new Agent({ connections: 64 });

async function endToEnd(api, images, total = IMAGES, inFlight = IN_FLIGHT) {
  const { spaceId, auth } = await benchSpace(api.baseUrl);
  const base = `${api.baseUrl}/spaces/${spaceId}/environments/master`;
  const latencies = [];
  const endToEndLatencies = [];
  let failures = 0;
  let next = 0;
  const one = async (index) => {
    const image = images[index % images.length];
    const started = performance.now();
    const uploaded = await request(`${base}/uploads`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/octet-stream' },
      body: image.bytes,
      dispatcher,
    });
    const upload = await uploaded.body.json();
    const created = await json('POST', `${base}/assets`, auth, {
      fields: {
        title: { 'en-US': `bench ${index}` },
        file: {
          'en-US': {
            contentType: `image/${image.format}`,
            fileName: `bench-${index}.${image.format}`,
            uploadFrom: { sys: { type: 'Link', linkType: 'Upload', id: upload.sys.id } },
          },
        },
      },
    });
    const assetId = created.body.sys.id;
    const processCalled = performance.now();
    const processed = await json('PUT', `${base}/assets/${assetId}/files/en-US/process`, auth, undefined, { 'x-contentful-version': '1' });
    if (processed.status !== 204) throw new Error(`process answered ${processed.status}`);
    for (;;) {
      const asset = await json('GET', `${base}/assets/${assetId}`, auth);
      const file = asset.body.fields.file['en-US'];
      if (file.url) {
        if (file.details.image.width !== image.width || file.details.image.height !== image.height) failures += 1;
        break;
      }
      if (asset.body.sys.fileProcessing?.['en-US']?.status === 'failed') {
        failures += 1;
        break;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    latencies.push(performance.now() - processCalled);
    endToEndLatencies.push(performance.now() - started);
  };
  const began = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < total) await one(next++);
    }),
  );
  const seconds = (performance.now() - began) / 1000;
  latencies.sort((a, b) => a - b);
  endToEndLatencies.sort((a, b) => a - b);
  return {
    seconds,
    perSecond: IMAGES / seconds,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    e2eP50: percentile(endToEndLatencies, 50),
    e2eP95: percentile(endToEndLatencies, 95),
    failures,
  };
}

/** On an otherwise idle machine: one small image at a time, process call → url visible. */
async function idleLatency(api, count = 50) {
  const small = [
    {
      bytes: await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 10, g: 120, b: 200 } } })
        .png()
        .toBuffer(),
      format: 'png',
      width: 320,
      height: 240,
    },
  ];
  return endToEnd(api, small, count, 1);
}

async function sharpAlone(images) {
  const began = performance.now();
  for (let i = 0; i < IMAGES; i += 1) await sharp(images[i % images.length].bytes).metadata();
  const seconds = (performance.now() - began) / 1000;
  return { seconds, perSecond: IMAGES / seconds };
}

/** 100,000 assets straight into PostgreSQL, then the api's first page, timed. */
async function collectionFirstPage(api) {
  const { spaceId, auth } = await benchSpace(api.baseUrl);
  const { default: pg } = await import('pg');
  const { BENCH_DATABASE_URL } = await import('./lib.mjs');
  const client = new pg.Client({ connectionString: BENCH_DATABASE_URL });
  await client.connect();
  const user = (await client.query(`SELECT "createdById" FROM "Space" WHERE id = $1`, [spaceId])).rows[0].createdById;
  await client.query(
    `INSERT INTO "Asset" ("spaceId", "environmentId", id, fields, title, "contentType", "createdAt", "createdById", "updatedAt", "updatedById")
     SELECT $1, 'master', 'bench-' || g, jsonb_build_object('title', jsonb_build_object('en-US', 'Asset ' || g)), 'Asset ' || g,
            CASE g % 3 WHEN 0 THEN 'image/jpeg' WHEN 1 THEN 'image/png' ELSE 'application/pdf' END,
            now() - (g || ' seconds')::interval, $2, now(), $2
     FROM generate_series(1, $3) AS g`,
    [spaceId, user, COLLECTION_ASSETS],
  );
  await client.query('ANALYZE "Asset"');
  const results = {};
  for (const [label, query] of [
    ['default order (-sys.createdAt)', ''],
    ['order=fields.title', '?order=fields.title'],
    ['mimetype_group=image', '?mimetype_group=image'],
  ]) {
    const times = [];
    for (let i = 0; i < 200; i += 1) {
      const started = performance.now();
      const page = await json('GET', `${api.baseUrl}/spaces/${spaceId}/environments/master/assets${query}`, auth);
      if (page.status !== 200 || page.body.items.length !== 100) throw new Error(`page answered ${page.status}`);
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    results[label] = { p50: percentile(times, 50), p99: percentile(times, 99) };
  }
  await client.query(`DELETE FROM "Space" WHERE id = $1`, [spaceId]);
  await client.end();
  return results;
}

await prepareDatabase();
console.log(`# Asset processing benchmark — ${new Date().toISOString()}\n\nMachine: ${machine()}\n`);
const images = await makeImages();
const api = await spawnApi();
const worker = await spawnWorker();
try {
  const idle = await idleLatency(api);
  console.log('Idle machine, one small PNG (320×240) at a time, 50 times:\n');
  console.log('| process call → url visible | p50 | p95 | failures |\n| --- | --- | --- | --- |');
  console.log(`| | ${idle.p50.toFixed(0)} ms | ${idle.p95.toFixed(0)} ms | ${idle.failures} |\n`);
  const e2e = await endToEnd(api, images);
  const alone = await sharpAlone(images);
  console.log(`${IMAGES} images (${DISTINCT} distinct, JPEG/PNG/WebP, 0.5–12 MP), ${IN_FLIGHT} clients, one worker process:\n`);
  console.log('| pipeline | images/s | p50 | p95 | failures |\n| --- | --- | --- | --- | --- |');
  console.log(
    `| process call → url visible | ${e2e.perSecond.toFixed(1)} | ${e2e.p50.toFixed(0)} ms | ${e2e.p95.toFixed(0)} ms | ${e2e.failures} |`,
  );
  console.log(`| upload start → url visible | | ${e2e.e2eP50.toFixed(0)} ms | ${e2e.e2eP95.toFixed(0)} ms | |`);
  console.log(`| sharp alone: metadata of the same ${IMAGES} files | ${alone.perSecond.toFixed(1)} | | | |`);
  console.log(`\nRatio (end-to-end images/s ÷ sharp metadata images/s): ${(e2e.perSecond / alone.perSecond).toFixed(3)}\n`);
  const pages = await collectionFirstPage(api);
  console.log(`First page (100 items) of the asset collection at ${COLLECTION_ASSETS} assets, 200 requests each:\n`);
  console.log('| query | p50 | p99 |\n| --- | --- | --- |');
  for (const [label, { p50, p99 }] of Object.entries(pages)) console.log(`| ${label} | ${p50.toFixed(1)} ms | ${p99.toFixed(1)} ms |`);
} finally {
  await worker.stop();
  await api.stop();
  await dispatcher.close();
}
