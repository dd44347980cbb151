// Api memory (npm run bench:memory; issue 16 goal 2). Needs the services up and a build.
// For each load, a fresh api process: its idle RSS 2 s after boot and one request, and settled (the lowest over
// BENCH_IDLE_SECONDS, default 45: V8's memory reducer shrinks the heap of an idle process some 15-40 s after its last
// garbage collection, 35-40 MiB here), then its peak RSS (VmHWM) while the load runs, and the peak over each idle:
//  1. one 1 GiB body through the Upload API (BENCH_LARGE_MIB, default 1024);
//  2. 64 clients × 256 KiB bodies back to back for 15 s (BENCH_CONCURRENCY, BENCH_SECONDS).
// Goal: idle < 150 MiB, peak ≤ idle + 48 MiB under both. UPLOAD_MEMORY_BUFFER_BYTES, when set, is passed to the api
// (the in-memory part budget: what it trades between the two goals); BENCH_NODE_FLAGS as for every bench.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';
import { benchSpace, closedLoop, distinctCopy, machine, postUpload, prepareDatabase, randomBody, spawnApi } from './lib.mjs';

const MiB = 1024 * 1024;
const LARGE_BYTES = Number(process.env.BENCH_LARGE_MIB ?? 1024) * MiB;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const SMALL_BYTES = 256 * 1024;
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 45);
const API_ENV = process.env.UPLOAD_MEMORY_BUFFER_BYTES ? { UPLOAD_MEMORY_BUFFER_BYTES: process.env.UPLOAD_MEMORY_BUFFER_BYTES } : {};

const rssOf = (pid) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

/** A fresh api after boot and one request: its idle RSS at 2 s and settled; `load` runs against it; its peak RSS. */
async function measure(extraEnv, load) {
  const api = await spawnApi({ ...API_ENV, ...extraEnv });
  try {
    const { spaceId, auth } = await benchSpace(api.baseUrl);
    const started = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const idle = rssOf(api.child.pid);
    let settled = idle;
    while (Date.now() - started < IDLE_SECONDS * 1000) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      settled = Math.min(settled, rssOf(api.child.pid));
    }
    const detail = await load(api.baseUrl, spaceId, auth);
    return { idle, settled, peak: api.peakRssMiB(), detail };
  } finally {
    await api.stop();
  }
}

async function oneLargeBody(baseUrl, spaceId, auth) {
  const dispatcher = new Agent({ bodyTimeout: 0, headersTimeout: 0 });
  const started = process.hrtime.bigint();
  const response = await request(`${baseUrl}/spaces/${spaceId}/uploads`, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'application/octet-stream', 'content-length': String(LARGE_BYTES) },
    body: randomBody(LARGE_BYTES),
    dispatcher,
  });
  const body = await response.body.json();
  if (response.statusCode !== 201 || body.details.size !== LARGE_BYTES) throw new Error(`upload failed: ${response.statusCode}`);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await dispatcher.close();
  return `${(LARGE_BYTES / MiB / seconds).toFixed(0)} MiB/s`;
}

async function manySmallBodies(baseUrl, spaceId, auth) {
  const dispatcher = new Agent({ connections: CONCURRENCY, pipelining: 1 });
  const body = randomBytes(SMALL_BYTES);
  const result = await closedLoop(CONCURRENCY, SECONDS, () => postUpload(baseUrl, spaceId, auth, distinctCopy(body), dispatcher));
  await dispatcher.close();
  return `${result.perSecond.toFixed(0)} uploads/s, p99 ${result.p99.toFixed(0)} ms, ${result.errors} errors`;
}

await prepareDatabase();
console.log(`# Api memory — ${new Date().toISOString()}\n\nMachine: ${machine()}\n`);
console.log(
  '| load | api RSS idle at 2 s | settled (goal < 150) | peak | peak over idle at 2 s / settled (goal ≤ 48) | load figures |\n' +
    '| --- | --- | --- | --- | --- | --- |',
);
const rows = [
  [`one ${LARGE_BYTES / MiB} MiB body`, { UPLOAD_MAX_BYTES: String(2 * LARGE_BYTES) }, oneLargeBody],
  [`${CONCURRENCY} clients × 256 KiB, ${SECONDS} s`, {}, manySmallBodies],
];
for (const [name, env, load] of rows) {
  const { idle, settled, peak, detail } = await measure(env, load);
  console.log(
    `| ${name} | ${idle.toFixed(0)} MiB | ${settled.toFixed(0)} MiB | ${peak.toFixed(0)} MiB | ` +
      `+${(peak - idle).toFixed(0)} / +${(peak - settled).toFixed(0)} MiB | ${detail} |`,
  );
}
