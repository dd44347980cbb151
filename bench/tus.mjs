// tus benchmark (npm run bench:tus). Needs the services up and a build.
// The same bytes, in the same run, through each door, one fresh api process per door so its peak RSS is its own:
//  - tus 1.0 with tus-js-client 4.3.1, 5 MiB chunks (one PATCH each);
//  - tus with parallelUploads: 4 (partial uploads joined by the final one, in storage);
//  - the Upload API's octet-stream door (one POST);
//  - a direct `minio` putObject of the same bytes (no api at all).
// BENCH_SIZES (MiB, comma-separated; default 1024), BENCH_CHUNK_MIB (default 5).
// Prints a Markdown table to paste into BENCHMARKS.md.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { Client } from 'minio';
import tus from 'tus-js-client';
import { Agent, request } from 'undici';
import { benchEnv, benchSpace, machine, prepareDatabase, spawnApi } from './lib.mjs';

const MiB = 1024 * 1024;
const SIZES = (process.env.BENCH_SIZES ?? '1024').split(',').map((mib) => Number(mib) * MiB);
const CHUNK = Number(process.env.BENCH_CHUNK_MIB ?? 5) * MiB;
const API_ENV = { UPLOAD_MAX_BYTES: String(2 * 1024 * MiB) };

/** `size` bytes: one random 1 MiB block repeated (the same bytes for every door; cheap to hold, not compressible). */
function bodyOf(size) {
  const block = randomBytes(MiB);
  const body = Buffer.allocUnsafe(size);
  for (let at = 0; at < size; at += MiB) block.copy(body, at, 0, Math.min(MiB, size - at));
  return body;
}

function minio() {
  const endpoint = new URL(process.env.S3_ENDPOINT ?? 'http://127.0.0.1:59000');
  return new Client({
    endPoint: endpoint.hostname,
    port: Number(endpoint.port),
    useSSL: false,
    accessKey: process.env.S3_ACCESS_KEY ?? 'hangar',
    secretKey: process.env.S3_SECRET_KEY ?? 'hangar-secret-key',
    pathStyle: true,
  });
}

/** Runs `send(api)` against a fresh api process; seconds taken and the api's peak RSS. */
async function throughApi(send) {
  const api = await spawnApi(API_ENV);
  try {
    const { spaceId, auth } = await benchSpace(api.baseUrl);
    const started = process.hrtime.bigint();
    await send(api.baseUrl, spaceId, auth);
    return { seconds: Number(process.hrtime.bigint() - started) / 1e9, peakRss: api.peakRssMiB() };
  } finally {
    await api.stop();
  }
}

function tusUpload(body, parallelUploads) {
  return (baseUrl, spaceId, auth) =>
    new Promise((resolve, reject) => {
      const upload = new tus.Upload(body, {
        endpoint: `${baseUrl}/spaces/${spaceId}/environments/master/tus`,
        headers: { Authorization: auth },
        chunkSize: CHUNK,
        parallelUploads,
        retryDelays: [],
        onSuccess: ({ lastResponse }) => {
          if (!lastResponse.getHeader('X-Hangar-Upload-Id')) reject(new Error('no upload id in the last answer'));
          else resolve();
        },
        onError: reject,
      });
      upload.start();
    });
}

function octetStream(body) {
  return async (baseUrl, spaceId, auth) => {
    const dispatcher = new Agent({ bodyTimeout: 0, headersTimeout: 0 });
    const response = await request(`${baseUrl}/spaces/${spaceId}/uploads`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/octet-stream', 'content-length': String(body.length) },
      body: Readable.from(chunked(body)),
      dispatcher,
    });
    const answer = await response.body.json();
    await dispatcher.close();
    if (response.statusCode !== 201 || answer.details.size !== body.length) throw new Error(`upload failed: ${response.statusCode}`);
  };
}

function* chunked(body) {
  for (let at = 0; at < body.length; at += MiB) yield body.subarray(at, at + MiB);
}

async function direct(body) {
  const client = minio();
  const { S3_BUCKET: bucket } = benchEnv();
  const key = `bench/direct-${body.length}`;
  const started = process.hrtime.bigint();
  await client.putObject(bucket, key, Readable.from(chunked(body)), body.length);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await client.removeObject(bucket, key);
  return { seconds };
}

await prepareDatabase();
console.log(`# tus benchmark — ${new Date().toISOString()}\n\nMachine: ${machine()}; chunk ${CHUNK / MiB} MiB\n`);
console.log('| body | door | MiB/s | ÷ direct put | api peak RSS |\n| --- | --- | --- | --- | --- |');
for (const size of SIZES) {
  const body = bodyOf(size);
  // The direct put before and after the doors, averaged: the box's load drifts during a run.
  const before = await direct(body);
  const doors = [
    [`tus, ${CHUNK / MiB} MiB PATCHes`, await throughApi(tusUpload(body, 1))],
    [`tus, parallelUploads: 4 × ${CHUNK / MiB} MiB PATCHes`, await throughApi(tusUpload(body, 4))],
    ['octet-stream POST', await throughApi(octetStream(body))],
  ];
  const after = await direct(body);
  const put = { seconds: (before.seconds + after.seconds) / 2 };
  const rows = [...doors, ['direct minio put (mean of before and after)', put]];
  for (const [door, r] of rows) {
    const rate = size / MiB / r.seconds;
    console.log(
      `| ${size / MiB} MiB | ${door} | ${rate.toFixed(0)} | ${(put.seconds / r.seconds).toFixed(2)} | ${r.peakRss === undefined ? '—' : `${r.peakRss.toFixed(0)} MB`} |`,
    );
  }
}
