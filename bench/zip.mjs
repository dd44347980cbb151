// ZIP expansion benchmark (node bench/zip.mjs). Needs the services up and a build (api and worker).
// Through Hangar's Files API (PUT …/folders/{path}?extract=zip, then polling the FileExpansion):
//  - 1,000 small entries (4 KiB of random bytes each, deflated): entries/s;
//  - one 500 MiB entry (random bytes, stored): MiB/s, with the api's and the worker's peak RSS.
// Times: the worker's (the expansion's startedAt → finishedAt) and end to end (first byte sent → succeeded).
// Prints a Markdown table. BENCH_SMALL_ENTRIES and BENCH_LARGE_MIB change the sizes.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { Agent, request } from 'undici';
import yazl from 'yazl';
import { benchSpace, machine, prepareDatabase, spawnApi, spawnWorker } from './lib.mjs';

const MiB = 1024 * 1024;
const SMALL_ENTRIES = Number(process.env.BENCH_SMALL_ENTRIES ?? 1000);
const LARGE = Number(process.env.BENCH_LARGE_MIB ?? 500) * MiB;
const dispatcher = new Agent({ bodyTimeout: 0, headersTimeout: 0 });

const peakRss = (pid) => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

/** A yazl archive as a stream, with its length when yazl can tell it in advance (stored entries of known size). */
function archive(add) {
  const zip = new yazl.ZipFile();
  add(zip);
  let length;
  zip.end({}, (total) => (length = total));
  return { stream: zip.outputStream, length: () => length };
}

async function expand(baseUrl, spaceId, auth, folder, body, length) {
  const started = Date.now();
  const response = await request(`${baseUrl}/spaces/${spaceId}/folders/${folder}?extract=zip`, {
    method: 'PUT',
    headers: {
      authorization: auth,
      'content-type': 'application/zip',
      ...(length === undefined ? {} : { 'content-length': String(length) }),
    },
    body,
    dispatcher,
  });
  const accepted = await response.body.json();
  if (response.statusCode !== 202) throw new Error(`expansion refused: ${response.statusCode} ${JSON.stringify(accepted)}`);
  const location = new URL(response.headers.location).pathname;
  for (;;) {
    const poll = await request(`${baseUrl}${location}`, { headers: { authorization: auth }, dispatcher });
    const resource = await poll.body.json();
    if (resource.status === 'failed') throw new Error(`expansion failed: ${JSON.stringify(resource.error)}`);
    if (resource.status === 'succeeded') {
      return {
        resource,
        workerSeconds: (Date.parse(resource.finishedAt) - Date.parse(resource.startedAt)) / 1000,
        totalSeconds: (Date.now() - started) / 1000,
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function main() {
  await prepareDatabase();
  const env = { UPLOAD_MAX_BYTES: String(LARGE + 64 * MiB), WORKER_CONCURRENCY: '1' };
  const api = await spawnApi(env);
  const worker = await spawnWorker(env);
  // The worker logs each expansion's split: extracting (entries through the ingestion core) and the one commit.
  const splits = [];
  worker.child.stdout.on('data', (chunk) => {
    for (const line of chunk.toString().split('\n')) if (line.includes('archive expanded')) splits.push(JSON.parse(line));
  });
  try {
    const { spaceId, auth } = await benchSpace(api.baseUrl);
    const run = `${Date.now()}`;

    const small = [];
    const zip = new yazl.ZipFile();
    for (let index = 0; index < SMALL_ENTRIES; index += 1) zip.addBuffer(randomBytes(4096), `d${index % 10}/f${index}.bin`);
    zip.end();
    const chunks = [];
    for await (const chunk of zip.outputStream) chunks.push(chunk);
    const smallArchive = Buffer.concat(chunks);
    small.push(await expand(api.baseUrl, spaceId, auth, `small-${run}`, smallArchive, smallArchive.length));

    const block = randomBytes(MiB);
    const large = archive((zip) =>
      zip.addReadStream(
        Readable.from(
          (function* () {
            for (let sent = 0; sent < LARGE; sent += MiB) yield block;
          })(),
        ),
        'large.bin',
        { compress: false, size: LARGE },
      ),
    );
    const largeResult = await expand(api.baseUrl, spaceId, auth, `large-${run}`, large.stream, large.length());

    const [s] = small;
    for (const split of splits)
      console.log(`expansion of ${split.files} files: extract ${split.extractMs} ms, commit ${split.commitMs} ms`);
    console.log(`Machine: ${machine()}`);
    console.log('| archive | entries | bytes | worker time | entries/s or MiB/s (worker) | end to end | api peak RSS | worker peak RSS |');
    console.log('|---|---|---|---|---|---|---|---|');
    console.log(
      `| ${SMALL_ENTRIES} × 4 KiB, deflated (${(smallArchive.length / MiB).toFixed(1)} MiB) | ${s.resource.files} | ${(s.resource.bytes / MiB).toFixed(1)} MiB | ${s.workerSeconds.toFixed(1)} s | ${(s.resource.files / s.workerSeconds).toFixed(0)} entries/s | ${s.totalSeconds.toFixed(1)} s (${(s.resource.files / s.totalSeconds).toFixed(0)} entries/s) | | |`,
    );
    console.log(
      `| one ${LARGE / MiB} MiB entry, stored | ${largeResult.resource.files} | ${(largeResult.resource.bytes / MiB).toFixed(0)} MiB | ${largeResult.workerSeconds.toFixed(1)} s | ${(LARGE / MiB / largeResult.workerSeconds).toFixed(0)} MiB/s | ${largeResult.totalSeconds.toFixed(1)} s (${(LARGE / MiB / largeResult.totalSeconds).toFixed(0)} MiB/s) | ${api.peakRssMiB().toFixed(0)} MB | ${peakRss(worker.child.pid).toFixed(0)} MB |`,
    );
  } finally {
    await worker.stop();
    await api.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
