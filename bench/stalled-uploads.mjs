// Stalled uploads benchmark (npm run bench:stalled). Needs the services up and a build.
// Opens BENCH_STALLED (100) uploads that announce BENCH_STALLED_LENGTH_MIB (10 MiB, so parts
// are 5 MiB), sends BENCH_STALLED_SENT_KIB (~4.9 MiB: just short of a whole part) on each and
// stalls, then reads the api's resident memory (VmRSS, and the peak VmHWM) before and after.
// The per-user cap and the idle timeout are lifted for the run (one token sends all of them,
// and they must stay stalled while memory is read); the second table shows what the defaults
// do with the same 100 uploads from one user.
// Prints Markdown tables to paste into BENCHMARKS.md.
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { benchSpace, machine, prepareDatabase, spawnApi } from './lib.mjs';

const KiB = 1024;
const MiB = 1024 * KiB;
const UPLOADS = Number(process.env.BENCH_STALLED ?? 100);
const LENGTH = Number(process.env.BENCH_STALLED_LENGTH_MIB ?? 10) * MiB;
const SENT = Number(process.env.BENCH_STALLED_SENT_KIB ?? 4.9 * 1024) * KiB;
const SETTLE_MS = Number(process.env.BENCH_STALLED_SETTLE_MS ?? 5_000);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const memory = (pid) => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)[1]) / 1024;
  return { rss: field('VmRSS'), peak: field('VmHWM') };
};

/**
 * One upload over a raw socket: headers, then `SENT` bytes, then nothing. Resolves once every byte
 * was handed to the kernel, with what the server answered so far (a refusal arrives before that).
 */
function stalledUpload(baseUrl, path, auth) {
  const { hostname, port } = new URL(baseUrl);
  const socket = connect(Number(port), hostname);
  let answer = '';
  socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
  socket.on('error', () => undefined);
  const head =
    `POST ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAuthorization: ${auth}\r\n` +
    `Content-Type: application/octet-stream\r\nContent-Length: ${LENGTH}\r\n\r\n`;
  const block = Buffer.alloc(64 * KiB, 7);
  return new Promise((resolve) => {
    socket.once('connect', async () => {
      socket.write(head);
      for (let sent = 0; sent < SENT && !socket.destroyed; sent += block.length) {
        const piece = sent + block.length <= SENT ? block : block.subarray(0, SENT - sent);
        if (!socket.write(piece)) await Promise.race([new Promise((r) => socket.once('drain', r)), sleep(2_000)]);
        if (/^HTTP\/1\.1 (\d+)/.test(answer)) break;
      }
      resolve({ socket, status: () => Number(/^HTTP\/1\.1 (\d+)/.exec(answer)?.[1] ?? 0) });
    });
  });
}

async function run(env) {
  const api = await spawnApi(env);
  try {
    const { spaceId, auth } = await benchSpace(api.baseUrl);
    // Warm the upload path once, so the first stalled upload does not pay for compiling it.
    await fetch(`${api.baseUrl}/spaces/${spaceId}/uploads`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/octet-stream' },
      body: Buffer.alloc(6 * MiB, 1),
    }).then((r) => r.arrayBuffer());
    await sleep(SETTLE_MS);
    const before = memory(api.child.pid);
    const uploads = await Promise.all(
      Array.from({ length: UPLOADS }, () => stalledUpload(api.baseUrl, `/spaces/${spaceId}/uploads`, auth)),
    );
    await sleep(SETTLE_MS);
    const after = memory(api.child.pid);
    const statuses = uploads.map(({ status }) => status());
    for (const { socket } of uploads) socket.destroy();
    return {
      before,
      after,
      stalled: statuses.filter((status) => status === 0).length,
      refused: statuses.filter((status) => status === 429).length,
    };
  } finally {
    await api.stop();
  }
}

const row = (label, r) =>
  `| ${label} | ${r.stalled} | ${r.refused} | ${r.before.rss.toFixed(0)} MB | ${r.after.rss.toFixed(0)} MB | ` +
  `${(r.after.rss - r.before.rss).toFixed(0)} MB | ${r.after.peak.toFixed(0)} MB |`;

await prepareDatabase();
console.log(`# Stalled uploads — ${new Date().toISOString()}\n\nMachine: ${machine()}\n`);
console.log(
  `${UPLOADS} uploads announcing ${LENGTH / MiB} MiB, each stalled after ${(SENT / MiB).toFixed(1)} MiB; memory ${SETTLE_MS / 1000} s after the last byte.\n`,
);
console.log('| settings | stalled | refused (429) | api RSS before | after | growth | peak |\n| --- | --- | --- | --- | --- | --- | --- |');
const uncapped = await run({ UPLOAD_CONCURRENCY_PER_USER: '0', UPLOAD_IDLE_TIMEOUT_SECONDS: '600' });
console.log(row('no per-user cap, idle timeout 600 s', uncapped));
const defaults = await run({ UPLOAD_CONCURRENCY_PER_USER: '8', UPLOAD_IDLE_TIMEOUT_SECONDS: '30' });
console.log(row('defaults (8 per user, 30 s idle)', defaults));
