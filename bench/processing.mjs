#!/usr/bin/env node
// Processing: process call → url visible (npm run bench:processing; issue 16 goals 3 and 6). Needs the services up
// and a build of each checkout measured:
//
//   node bench/processing.mjs [checkout…]
//
// For each checkout (default: this one; several are measured alternately, each on its own bench database):
//  1. by file size, idle: an upload of BENCH_SIZES MiB (random bytes, application/octet-stream), an asset linking
//     it, the process call, then GETs every 5 ms until the asset has its url — against a direct MinIO server-side
//     copy of the same object, which is what processing used to cost before content-addressed storage;
//  2. under load: a small PNG processed again and again while BENCH_CONCURRENCY clients send 256 KiB uploads back
//     to back (the small-upload load), one worker — p50/p95 of process call → url visible, and the same cycles
//     with the api idle in the same run (the anchor).
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'undici';
import { distinctCopy, REPO_ROOT } from './lib.mjs';

const SIZES = (process.env.BENCH_SIZES ?? '1,64,256').split(',').filter(Boolean).map(Number);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const LOAD_SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const SIZE_RUNS = Number(process.env.BENCH_RUNS ?? 3);
const checkouts = process.argv.slice(2).length > 0 ? process.argv.slice(2).map((path) => resolve(path)) : [REPO_ROOT];
const BODY = 256 * 1024;

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function measure(root, index) {
  // Each checkout on a database of its own: their migrations differ.
  process.env.BENCH_DATABASE_URL = `postgresql://hangar:hangar@127.0.0.1:55432/hangar_bench_processing_${index}`;
  const lib = await import(`${root}/bench/lib.mjs?checkout=${index}`);
  const sharp = createRequire(`${root}/package.json`)('sharp');
  const png = await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 1, g: 2, b: 3 } } })
    .png()
    .toBuffer();
  await lib.prepareDatabase();
  const api = await lib.spawnApi();
  const worker = await lib.spawnWorker();
  const dispatcher = new Agent({ connections: CONCURRENCY + 4, pipelining: 1 });
  try {
    const { spaceId, auth } = await lib.benchSpace(api.baseUrl);
    const base = `${api.baseUrl}/spaces/${spaceId}/environments/master`;
    const call = async (method, url, body, headers = {}) => {
      const json = body !== undefined && !Buffer.isBuffer(body) && !(body instanceof Readable);
      const response = await request(url, {
        method,
        dispatcher,
        headers: { authorization: auth, ...(json ? { 'content-type': 'application/vnd.contentful.management.v1+json' } : {}), ...headers },
        body: json ? JSON.stringify(body) : body,
      });
      const text = await response.body.text();
      if (response.statusCode >= 300) throw new Error(`${method} ${url}: ${response.statusCode} ${text}`);
      return text.length > 0 ? JSON.parse(text) : undefined;
    };
    const upload = (body, length) =>
      call('POST', `${api.baseUrl}/spaces/${spaceId}/uploads`, body, {
        'content-type': 'application/octet-stream',
        ...(length !== undefined ? { 'content-length': String(length) } : {}),
      });
    /** An upload and an asset linking it, ready for its process call. */
    const prepare = async (body, length, fileName, contentType) => {
      const uploaded = await upload(body, length);
      const link = { sys: { type: 'Link', linkType: 'Upload', id: uploaded.sys.id } };
      return call('POST', `${base}/assets`, { fields: { file: { 'en-US': { fileName, contentType, uploadFrom: link } } } });
    };
    /**
     * The process call, then GETs every 5 ms until the url is there: ms from the call to the url being visible, and
     * how long the call itself took to answer.
     */
    const processAndWait = async (asset) => {
      const started = performance.now();
      await call('PUT', `${base}/assets/${asset.sys.id}/files/en-US/process`, undefined, {
        'x-contentful-version': String(asset.sys.version),
      });
      const answered = performance.now() - started;
      for (;;) {
        const current = await call('GET', `${base}/assets/${asset.sys.id}`);
        if (current.fields.file?.['en-US']?.url) return { visible: performance.now() - started, answered };
        if (current.sys.fileProcessing?.['en-US']?.status === 'failed') throw new Error('processing failed');
        await sleep(5);
      }
    };
    const cycle = async (body, length, fileName, contentType) =>
      (await processAndWait(await prepare(body, length, fileName, contentType))).visible;

    // 1. By size, idle, against a direct server-side copy of the same object.
    const { client, bucket } = lib.directMinio();
    const bySize = [];
    for (const mib of SIZES) {
      const bytes = mib * 1024 * 1024;
      const visible = [];
      const copies = [];
      for (let run = 0; run < SIZE_RUNS; run += 1) {
        visible.push(await cycle(Readable.from(lib.randomBody(bytes)), bytes, `file-${mib}.bin`, 'application/octet-stream'));
        const key = `bench/processing-copy-${process.pid}-${mib}-${run}`;
        await client.putObject(bucket, key, Readable.from(lib.randomBody(bytes)), bytes);
        const copyStarted = performance.now();
        await client.copyObject(bucket, `${key}-copy`, `/${bucket}/${key}`);
        copies.push(performance.now() - copyStarted);
        await client.removeObjects(bucket, [key, `${key}-copy`]);
      }
      bySize.push({ mib, visible: median(visible), copy: median(copies) });
    }

    // 2. A small PNG processed again and again (each asset made beforehand): idle, then under the small-upload load.
    const assets = [];
    for (let i = 0; i < 200; i += 1) assets.push(await prepare(png, png.length, 'small.png', 'image/png'));
    const pngCycles = async (until, most = assets.length) => {
      const times = [];
      while (performance.now() < until && assets.length > 0 && times.length < most) times.push(await processAndWait(assets.shift()));
      return times;
    };
    await pngCycles(performance.now() + 2000, 10); // warm-up
    // Most of the assets are kept for the load.
    const idle = await pngCycles(performance.now() + 10_000, 60);
    let uploads = 0;
    let failed = 0;
    const loadEnds = performance.now() + LOAD_SECONDS * 1000;
    const body = randomBytes(BODY);
    const loadClient = async () => {
      while (performance.now() < loadEnds) {
        await upload(distinctCopy(body)).then(
          () => (uploads += 1),
          () => (failed += 1),
        );
      }
    };
    const loadStarted = performance.now();
    const [loaded] = await Promise.all([
      (async () => {
        await sleep(2000); // the load is under way
        return pngCycles(loadEnds - 1000);
      })(),
      ...Array.from({ length: CONCURRENCY }, loadClient),
    ]);
    const loadRate = uploads / ((performance.now() - loadStarted) / 1000);
    return { bySize, idle, loaded, loadRate, failed };
  } finally {
    await dispatcher.close();
    await worker.stop();
    await api.stop();
  }
}

const { machine, percentile } = await import(`${REPO_ROOT}/bench/lib.mjs`);
console.log(`# Processing — ${new Date().toISOString()}\n\nMachine: ${machine()}\n`);
const results = [];
for (const [index, root] of checkouts.entries()) results.push({ root, ...(await measure(root, index)) });
for (const { root, bySize, idle, loaded, loadRate, failed } of results) {
  console.log(`## ${root}\n`);
  console.log('| file size | process call → url visible (median) | direct MinIO server-side copy (median) |');
  console.log('| --- | --- | --- |');
  for (const { mib, visible, copy } of bySize) console.log(`| ${mib} MiB | ${visible.toFixed(0)} ms | ${copy.toFixed(0)} ms |`);
  const row = (label, times) => {
    const visible = times.map((time) => time.visible).sort((a, b) => a - b);
    const answered = times.map((time) => time.answered).sort((a, b) => a - b);
    const ms = (value) => `${value.toFixed(0)} ms`;
    return `| ${label} | ${times.length} | ${ms(percentile(visible, 50))} | ${ms(percentile(visible, 95))} | ${ms(percentile(answered, 50))} |`;
  };
  console.log('\n| small PNG, process call → url visible | cycles | p50 | p95 | process call answered (p50) |');
  console.log('| --- | --- | --- | --- | --- |');
  console.log(row('api idle', idle));
  console.log(row(`under ${CONCURRENCY} × 256 KiB uploads (${loadRate.toFixed(0)} uploads/s, ${failed} failed)`, loaded));
  console.log('');
}
