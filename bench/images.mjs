// Images API benchmark (npm run bench:images). Needs the services up and a build.
// One 12-megapixel JPEG (4000×3000) stored as a public file; in the same run:
//  1. uncached rendition latency through the api (`?w=N&fm=webp`, a new N each time so that
//     nothing is cached) against sharp alone doing the same operation on the same bytes in
//     this process, interleaved; ratio of medians (goal ≤ 1.2);
//  2. a cached rendition, one request at a time: p50/p99 (goal p99 < 5 ms on an idle machine);
//  3. 16 concurrent clients asking distinct uncached renditions: renditions/s, and the api's
//     resident memory before, at peak and after (flat: bounded by the transform limit).
// Prints a Markdown table.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { Agent, request } from 'undici';
import { benchSpace, machine, percentile, prepareDatabase, spawnApi } from './lib.mjs';

const require = createRequire(import.meta.url);
const sharp = require('sharp');

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const CACHED_REQUESTS = Number(process.env.BENCH_CACHED ?? 1000);
const CONCURRENCY = 16;
const BURST = Number(process.env.BENCH_BURST ?? 96);

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const rssMiB = (pid) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

/** A photo-like 4000×3000 JPEG: a gradient with grain (JPEG decodes and resizes it as it would a photo). */
async function photo() {
  const gradient = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="4000" height="3000"><defs><linearGradient id="g" x2="1" y2="1">` +
      `<stop offset="0" stop-color="#2a6"/><stop offset="1" stop-color="#e84"/></linearGradient></defs>` +
      `<rect width="4000" height="3000" fill="url(#g)"/></svg>`,
  );
  const grain = await sharp({
    create: {
      width: 4000,
      height: 3000,
      channels: 4,
      background: { r: 0, g: 0, b: 0, alpha: 0 },
      noise: { type: 'gaussian', mean: 0, sigma: 12 },
    },
  })
    .png()
    .toBuffer();
  return sharp(gradient)
    .composite([{ input: grain, blend: 'overlay' }])
    .jpeg({ quality: 88 })
    .toBuffer();
}

/** What the api does for `?w=N&fm=webp` on this source (ImageRenderer: orientation, inside without enlarging, ICC kept). */
async function sharpAlone(source, width) {
  await sharp(source).metadata();
  return sharp(source, { limitInputPixels: 100_000_000, failOn: 'error', autoOrient: true })
    .resize({ width, fit: 'inside', withoutEnlargement: true })
    .keepIccProfile()
    .webp({ quality: 80 })
    .toBuffer();
}

async function main() {
  await prepareDatabase();
  const source = await photo();
  const api = await spawnApi({ LOG_LEVEL: 'warn' });
  const dispatcher = new Agent({ connections: 64 });
  try {
    const { spaceId, auth } = await benchSpace(api.baseUrl);
    const name = `bench/photo-${Date.now()}.jpg`;
    const put = await request(`${api.baseUrl}/spaces/${spaceId}/files/${name}`, {
      method: 'PUT',
      headers: { authorization: auth, 'content-type': 'application/octet-stream' },
      body: source,
      dispatcher,
    });
    if (put.statusCode !== 201) throw new Error(`file write: ${put.statusCode} ${await put.body.text()}`);
    await put.body.dump();
    const acl = await request(`${api.baseUrl}/spaces/${spaceId}/file_acl/${name}`, {
      method: 'PUT',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({ acl: 'public' }),
      dispatcher,
    });
    if (acl.statusCode !== 200) throw new Error(`acl: ${acl.statusCode}`);
    const url = `${api.baseUrl}${new URL((await acl.body.json()).url).pathname}`;

    const fetchRendition = async (query, expectOrigin) => {
      const started = performance.now();
      const response = await request(`${url}?${query}`, { dispatcher });
      const body = Buffer.from(await response.body.arrayBuffer());
      const elapsed = performance.now() - started;
      if (response.statusCode !== 200) throw new Error(`${query}: ${response.statusCode} ${body.toString().slice(0, 200)}`);
      if (expectOrigin && response.headers['x-hangar-rendition'] !== expectOrigin)
        throw new Error(`${query}: ${response.headers['x-hangar-rendition']}, expected ${expectOrigin}`);
      return { elapsed, bytes: body.length };
    };

    // Warm both sides (sharp's first call loads libvips' codecs; the api its connections).
    await fetchRendition('w=700&fm=webp');
    await sharpAlone(source, 700);

    // 1. uncached, interleaved
    const viaApi = [];
    const alone = [];
    for (let run = 0; run < RUNS; run += 1) {
      // Each run's space is new, so its renditions are too: a new width is a rendition made now.
      const width = 800 + run;
      viaApi.push((await fetchRendition(`w=${width}&fm=webp`, 'computed')).elapsed);
      const started = performance.now();
      await sharpAlone(source, width + 1);
      alone.push(performance.now() - started);
    }

    // 2. cached
    await fetchRendition('w=400&fm=webp');
    const cached = [];
    for (let i = 0; i < CACHED_REQUESTS; i += 1) cached.push((await fetchRendition('w=400&fm=webp', 'cached')).elapsed);
    cached.sort((a, b) => a - b);

    // 3. a burst of distinct uncached renditions, 16 at a time
    const rssBefore = rssMiB(api.child.pid);
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, rssMiB(api.child.pid));
    }, 20);
    let next = 0;
    let refused = 0;
    const base = 1000;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < BURST) {
          const width = base + next;
          next += 1;
          const response = await request(`${url}?w=${width}&fm=webp`, { dispatcher });
          await response.body.dump();
          if (response.statusCode === 503) refused += 1;
          else if (response.statusCode !== 200) throw new Error(`burst: ${response.statusCode}`);
        }
      }),
    );
    const burstSeconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    const rssAfter = rssMiB(api.child.pid);

    const ratio = median(viaApi) / median(alone);
    console.log(`\n### Images API — ${new Date().toISOString().slice(0, 10)}, ${machine()}, load ${loadavg()[0].toFixed(1)}\n`);
    console.log(`Source: 4000×3000 JPEG, ${(source.length / 2 ** 20).toFixed(1)} MiB, stored as a public file.\n`);
    console.log('| measure | Hangar | anchor | ratio / goal |');
    console.log('|---|---|---|---|');
    console.log(
      `| uncached \`?w=N&fm=webp\`, median of ${RUNS} (ms) | ${median(viaApi).toFixed(0)} | sharp alone ${median(alone).toFixed(0)} | **${ratio.toFixed(2)}** (goal ≤ 1.2) |`,
    );
    console.log(
      `| cached rendition, ${CACHED_REQUESTS} sequential (ms) | p50 ${percentile(cached, 50).toFixed(2)}, p99 **${percentile(cached, 99).toFixed(2)}** | — | goal p99 < 5 |`,
    );
    console.log(
      `| ${BURST} distinct uncached, ${CONCURRENCY} concurrent | **${(BURST / burstSeconds).toFixed(1)} renditions/s** (${refused} answered 503) | — | — |`,
    );
    console.log(
      `| api RSS during the burst (MiB) | before ${rssBefore.toFixed(0)}, peak ${rssPeak.toFixed(0)}, after ${rssAfter.toFixed(0)} | — | flat |`,
    );
  } finally {
    await api.stop();
  }
}

await main();
