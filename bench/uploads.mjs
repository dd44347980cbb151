// Upload API benchmark (npm run bench:uploads). Needs the services up and a build.
//  1. One large upload through the API vs the same bytes straight into MinIO with
//     the minio client, 100 MiB and 1 GiB: throughputs, ratio, api peak RSS.
//  2. 64 concurrent clients uploading 256 KiB bodies for 30 s.
// Prints a Markdown table to paste into BENCHMARKS.md.
import { randomBytes } from 'node:crypto';
import { Client } from 'minio';
import { Agent, request } from 'undici';
import { benchEnv, benchSpace, closedLoop, machine, postUpload, prepareDatabase, spawnApi } from './lib.mjs';

const MiB = 1024 * 1024;
const SIZES = (process.env.BENCH_SIZES ?? '100,1024').split(',').map((mib) => Number(mib) * MiB);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const DURATION_S = Number(process.env.BENCH_SECONDS ?? 30);
const SMALL_BODY = 256 * 1024;

/** `size` bytes as 1 MiB chunks of one random block: cheap to produce, nothing held but the block. */
async function* bytes(size) {
  const block = randomBytes(MiB);
  for (let sent = 0; sent < size; sent += MiB) yield sent + MiB <= size ? block : block.subarray(0, size - sent);
}

function minioClient() {
  const env = benchEnv();
  const endpoint = new URL(process.env.S3_ENDPOINT ?? 'http://127.0.0.1:59000');
  return {
    bucket: env.S3_BUCKET,
    client: new Client({
      endPoint: endpoint.hostname,
      port: Number(endpoint.port),
      useSSL: false,
      accessKey: process.env.S3_ACCESS_KEY ?? 'hangar',
      secretKey: process.env.S3_SECRET_KEY ?? 'hangar-secret-key',
      pathStyle: true,
    }),
  };
}

async function largeUpload(size) {
  const api = await spawnApi({ UPLOAD_MAX_BYTES: String(2 * 1024 * MiB) });
  try {
    const { spaceId, auth } = await benchSpace(api.baseUrl);
    const dispatcher = new Agent({ bodyTimeout: 0, headersTimeout: 0 });
    let started = process.hrtime.bigint();
    const response = await request(`${api.baseUrl}/spaces/${spaceId}/uploads`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/octet-stream', 'content-length': String(size) },
      body: bytes(size),
      dispatcher,
    });
    const body = await response.body.json();
    const apiSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (response.statusCode !== 201 || body.details.size !== size)
      throw new Error(`upload failed: ${response.statusCode} ${JSON.stringify(body)}`);
    const peakRss = api.peakRssMiB();

    const { client, bucket } = minioClient();
    started = process.hrtime.bigint();
    const { Readable } = await import('node:stream');
    await client.putObject(bucket, `bench/direct-${size}`, Readable.from(bytes(size)), size);
    const directSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    await client.removeObject(bucket, `bench/direct-${size}`);
    await dispatcher.close();
    return { size, apiMiBs: size / MiB / apiSeconds, directMiBs: size / MiB / directSeconds, peakRss };
  } finally {
    await api.stop();
  }
}

async function concurrentSmall() {
  const api = await spawnApi();
  try {
    const { spaceId, auth } = await benchSpace(api.baseUrl);
    const dispatcher = new Agent({ connections: CONCURRENCY, pipelining: 1 });
    const body = randomBytes(SMALL_BODY);
    const result = await closedLoop(CONCURRENCY, DURATION_S, () => postUpload(api.baseUrl, spaceId, auth, body, dispatcher));
    await dispatcher.close();
    return { ...result, uploads: result.count, peakRss: api.peakRssMiB() };
  } finally {
    await api.stop();
  }
}

await prepareDatabase();
console.log(`# Upload API benchmark — ${new Date().toISOString()}\n\nMachine: ${machine()}\n`);
console.log('| body | through the API | straight into MinIO | ratio | api peak RSS |\n| --- | --- | --- | --- | --- |');
for (const size of SIZES) {
  const r = await largeUpload(size);
  console.log(
    `| ${size / MiB} MiB | ${r.apiMiBs.toFixed(0)} MiB/s | ${r.directMiBs.toFixed(0)} MiB/s | ${(r.apiMiBs / r.directMiBs).toFixed(2)} | ${r.peakRss.toFixed(0)} MB |`,
  );
}
if (DURATION_S > 0) {
  const c = await concurrentSmall();
  console.log(
    `\n| ${CONCURRENCY} clients × ${SMALL_BODY / 1024} KiB for ${DURATION_S} s | uploads/s | p50 | p99 | errors | api peak RSS |\n| --- | --- | --- | --- | --- | --- |`,
  );
  console.log(
    `| ${c.uploads} uploads | ${c.perSecond.toFixed(0)} | ${c.p50.toFixed(0)} ms | ${c.p99.toFixed(0)} ms | ${c.errors} | ${c.peakRss.toFixed(0)} MB |`,
  );
}
