// Small uploads at MinIO's pace (npm run bench:small-uploads; issue 16 goal 1). Needs the services up and a build.
// In one run, on the same box: CONCURRENCY clients each sending 256 KiB bodies back to back for SECONDS,
//  1. straight into MinIO with the `minio` client (the anchor: what storage alone does),
//  2. through the Upload API (octet-stream door) of one api process,
// then the ratio of the two rates and of their p99s, and the api's idle and peak RSS.
// BENCH_PROFILE=dir also writes the api's CPU profile (--cpu-prof) there and prints where its time went,
// by package and by function (self time).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { Agent } from 'undici';
import { benchSpace, closedLoop, directMinio, distinctCopy, machine, postUpload, prepareDatabase, spawnApi } from './lib.mjs';

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const BODY_BYTES = Number(process.env.BENCH_BODY_KIB ?? 256) * 1024;
const PROFILE_DIR = process.env.BENCH_PROFILE;

const load = (send) => closedLoop(CONCURRENCY, SECONDS, send);

async function direct(body) {
  const { client, bucket } = directMinio();
  let next = 0;
  const keys = [];
  const result = await load(async () => {
    const key = `bench/small-${process.pid}-${next++}`;
    keys.push(key);
    const bytes = distinctCopy(body);
    await client.putObject(bucket, key, Readable.from([bytes]), bytes.length);
    return true;
  });
  for (let index = 0; index < keys.length; index += 1000) await client.removeObjects(bucket, keys.slice(index, index + 1000));
  return result;
}

async function throughApi(body) {
  const flags = PROFILE_DIR ? { BENCH_NODE_FLAGS: `--cpu-prof --cpu-prof-dir=${PROFILE_DIR}` } : {};
  const previousFlags = process.env.BENCH_NODE_FLAGS;
  if (flags.BENCH_NODE_FLAGS) process.env.BENCH_NODE_FLAGS = flags.BENCH_NODE_FLAGS;
  const api = await spawnApi();
  process.env.BENCH_NODE_FLAGS = previousFlags;
  try {
    const { spaceId, auth } = await benchSpace(api.baseUrl);
    // Settled after boot and one request: what the api holds before the load.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const idleRss = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${api.child.pid}/status`, 'utf8'))[1]) / 1024;
    const dispatcher = new Agent({ connections: CONCURRENCY, pipelining: 1 });
    const result = await load(() => postUpload(api.baseUrl, spaceId, auth, distinctCopy(body), dispatcher));
    await dispatcher.close();
    return { ...result, idleRss, peakRss: api.peakRssMiB() };
  } finally {
    await api.stop();
  }
}

/** Self time of a V8 CPU profile by package (node_modules/<name>, our dist, node internals) and by function. */
function summariseProfile(dir) {
  const file = readdirSync(dir)
    .filter((name) => name.endsWith('.cpuprofile'))
    .sort()
    .at(-1);
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map();
  const deltas = profile.timeDeltas;
  for (let index = 0; index < profile.samples.length; index += 1) {
    self.set(profile.samples[index], (self.get(profile.samples[index]) ?? 0) + (deltas[index] ?? 0));
  }
  const total = [...self.values()].reduce((sum, value) => sum + value, 0);
  const byPackage = new Map();
  const byFunction = new Map();
  for (const [id, micros] of self) {
    const { callFrame } = byId.get(id);
    const url = callFrame.url;
    const pkg =
      callFrame.functionName === '(idle)'
        ? '(idle)'
        : callFrame.functionName === '(garbage collector)'
          ? '(gc)'
          : (/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1] ??
            (url.includes('/dist/apps/') || url.includes('/libs/') ? 'hangar' : url.startsWith('node:') || url === '' ? 'node' : url));
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + micros);
    const name = `${callFrame.functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '').replace(/^.*\/dist\//, 'dist/')}:${callFrame.lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
  }
  const top = (map, n) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, micros]) => `| ${name} | ${((100 * micros) / total).toFixed(1)} % |`)
      .join('\n');
  console.log(`\nCPU profile of the api (${file}), self time:\n\n| package | share |\n| --- | --- |\n${top(byPackage, 15)}`);
  console.log(`\n| function | share |\n| --- | --- |\n${top(byFunction, 25)}`);
}

await prepareDatabase();
console.log(`# Small uploads — ${new Date().toISOString()}\n\nMachine: ${machine()}\n`);
const body = randomBytes(BODY_BYTES);
const anchor = await direct(body);
const api = await throughApi(body);
console.log(
  `| ${CONCURRENCY} clients × ${BODY_BYTES / 1024} KiB, ${SECONDS} s | uploads/s | p50 | p99 | errors |\n| --- | --- | --- | --- | --- |`,
);
console.log(
  `| straight into MinIO | ${anchor.perSecond.toFixed(0)} | ${anchor.p50.toFixed(0)} ms | ${anchor.p99.toFixed(0)} ms | ${anchor.errors} |`,
);
console.log(
  `| through the Upload API | ${api.perSecond.toFixed(0)} | ${api.p50.toFixed(0)} ms | ${api.p99.toFixed(0)} ms | ${api.errors} |`,
);
console.log(
  `\nRate ratio **${(api.perSecond / anchor.perSecond).toFixed(2)}** (goal ≥ 0.8); p99 ratio **${(api.p99 / anchor.p99).toFixed(2)}** (goal ≤ 1.5); ` +
    `api RSS idle ${api.idleRss.toFixed(0)} MiB, peak ${api.peakRss.toFixed(0)} MiB (+${(api.peakRss - api.idleRss).toFixed(0)}).`,
);
if (PROFILE_DIR) summariseProfile(PROFILE_DIR);
