#!/usr/bin/env node
// Process call → url visible, one small PNG at a time, for one or more built checkouts,
// alternately (so a before/after comparison shares the box's load):
//
//   node bench/process-latency.mjs [checkout…] [--rounds N] [--cycles N]
//
// Each checkout (default: this one) must be built (`npm run build`) and have its
// dependencies; each round spawns its built api and worker on the bench database and
// prints, per step, the median over the cycles (the first 10 are warm-up): upload,
// create, the process call, one GET, and process call → url visible (polling every 5 ms).
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { REPO_ROOT } from './lib.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = Number(args[at + 1]);
  args.splice(at, 2);
  return value;
};
const ROUNDS = option('rounds', 2);
const CYCLES = option('cycles', 60);
const checkouts = args.length > 0 ? args.map((path) => resolve(path)) : [REPO_ROOT];

async function measure(root) {
  const { benchSpace, prepareDatabase, spawnApi, spawnWorker } = await import(`${root}/bench/lib.mjs`);
  const sharp = createRequire(`${root}/package.json`)('sharp');
  const png = await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 1, g: 2, b: 3 } } })
    .png()
    .toBuffer();
  await prepareDatabase();
  const api = await spawnApi();
  const worker = await spawnWorker();
  try {
    const { spaceId, auth } = await benchSpace(api.baseUrl);
    const base = `${api.baseUrl}/spaces/${spaceId}/environments/master`;
    const call = async (method, url, body, headers = {}) => {
      const json = body !== undefined && !Buffer.isBuffer(body);
      const response = await fetch(url, {
        method,
        headers: { authorization: auth, ...(json ? { 'content-type': 'application/json' } : {}), ...headers },
        body: json ? JSON.stringify(body) : body,
      });
      const text = await response.text();
      return text ? JSON.parse(text) : undefined;
    };
    const times = { upload: [], create: [], process: [], get: [], visible: [] };
    const timed = async (name, work) => {
      const started = performance.now();
      const result = await work();
      times[name].push(performance.now() - started);
      return result;
    };
    for (let cycle = 0; cycle < CYCLES; cycle += 1) {
      const upload = await timed('upload', () => call('POST', `${base}/uploads`, png, { 'content-type': 'application/octet-stream' }));
      const asset = await timed('create', () =>
        call('POST', `${base}/assets`, {
          fields: {
            file: {
              'en-US': {
                contentType: 'image/png',
                fileName: 'p.png',
                uploadFrom: { sys: { type: 'Link', linkType: 'Upload', id: upload.sys.id } },
              },
            },
          },
        }),
      );
      const called = performance.now();
      await timed('process', () =>
        call('PUT', `${base}/assets/${asset.sys.id}/files/en-US/process`, undefined, { 'x-contentful-version': '1' }),
      );
      for (;;) {
        const current = await timed('get', () => call('GET', `${base}/assets/${asset.sys.id}`));
        if (current.fields.file['en-US'].url) break;
        if (current.sys.fileProcessing?.['en-US']?.status === 'failed') throw new Error('processing failed');
        await new Promise((r) => setTimeout(r, 5));
      }
      times.visible.push(performance.now() - called);
    }
    const median = (values) => {
      const sorted = values.slice(10).sort((a, b) => a - b);
      return sorted[Math.floor(sorted.length / 2)].toFixed(1);
    };
    return Object.fromEntries(Object.entries(times).map(([name, values]) => [name, median(values)]));
  } finally {
    await api.stop();
    await worker.stop();
  }
}

console.log(
  `| checkout | round | upload | create | process call | GET | process call → url visible |\n| --- | --- | --- | --- | --- | --- | --- |`,
);
for (let round = 1; round <= ROUNDS; round += 1) {
  for (const root of checkouts) {
    const m = await measure(root);
    console.log(`| ${root} | ${round} | ${m.upload} ms | ${m.create} ms | ${m.process} ms | ${m.get} ms | ${m.visible} ms |`);
  }
}
process.exit(0);
