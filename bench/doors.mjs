// Upload door benchmark (npm run bench:doors). Needs the services up and a build.
// The same bytes, in the same run: straight into MinIO with the minio client, then
// through each door of the Upload API — octet-stream, multipart/form-data (one file
// part), base64 JSON — each door with an api process of its own, so its peak RSS
// (VmHWM) is that door's. Sizes from BENCH_SIZES (MiB, default 100,1024): RSS flat
// in body size is the point. Prints a Markdown table to paste into BENCHMARKS.md.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { Client } from 'minio';
import { Agent, request } from 'undici';
import { benchEnv, benchSpace, machine, prepareDatabase, spawnApi } from './lib.mjs';

const MiB = 1024 * 1024;
/** A block whose base64 has no padding (3 × 2^18 bytes → exactly 1 MiB of base64), so blocks can be encoded one by one. */
const BLOCK = 3 * 256 * 1024;
const block = randomBytes(BLOCK);
const blockBase64 = Buffer.from(block.toString('base64'));
const SIZES = (process.env.BENCH_SIZES ?? '100,1024').split(',').map((mib) => Math.floor((Number(mib) * MiB) / BLOCK) * BLOCK);
const DOORS = (process.env.BENCH_DOORS ?? 'octet,multipart,base64').split(',');
const BOUNDARY = '----HangarBenchBoundary7MA4YWxkTrZu0gW';

/** `size` bytes (a multiple of BLOCK) as blocks: cheap to produce, nothing held but the block. */
function* blocks(size) {
  for (let sent = 0; sent < size; sent += BLOCK) yield block;
}

const doors = {
  octet: (size) => ({ type: 'application/octet-stream', length: size, body: blocks(size) }),
  multipart: (size) => {
    const head = Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="bench.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    );
    const tail = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
    return {
      type: `multipart/form-data; boundary=${BOUNDARY}`,
      length: head.length + size + tail.length,
      body: (function* () {
        yield head;
        yield* blocks(size);
        yield tail;
      })(),
    };
  },
  base64: (size) => {
    const head = Buffer.from('{"name":"bench.bin","type":"application/octet-stream","data":"');
    const tail = Buffer.from('"}');
    return {
      type: 'application/json',
      length: head.length + (size / BLOCK) * blockBase64.length + tail.length,
      body: (function* () {
        yield head;
        for (let sent = 0; sent < size; sent += BLOCK) yield blockBase64;
        yield tail;
      })(),
    };
  },
};

function minioClient() {
  const endpoint = new URL(process.env.S3_ENDPOINT ?? 'http://127.0.0.1:59000');
  return {
    bucket: benchEnv().S3_BUCKET,
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

async function direct(size) {
  const { client, bucket } = minioClient();
  const started = process.hrtime.bigint();
  await client.putObject(bucket, `bench/direct-${size}`, Readable.from(blocks(size)), size);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await client.removeObject(bucket, `bench/direct-${size}`);
  return size / MiB / seconds;
}

async function throughDoor(door, size) {
  const api = await spawnApi({ UPLOAD_MAX_BYTES: String(2 * 1024 * MiB) });
  try {
    const { spaceId, auth } = await benchSpace(api.baseUrl);
    const dispatcher = new Agent({ bodyTimeout: 0, headersTimeout: 0 });
    const { type, length, body } = doors[door](size);
    const rssBefore = api.peakRssMiB();
    const started = process.hrtime.bigint();
    const response = await request(`${api.baseUrl}/spaces/${spaceId}/uploads`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': type, 'content-length': String(length) },
      body,
      dispatcher,
    });
    const answer = await response.body.json();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (response.statusCode !== 201 || answer.details.size !== size)
      throw new Error(`${door}: ${response.statusCode} ${JSON.stringify(answer)}`);
    await fetch(`${api.baseUrl}/spaces/${spaceId}/uploads/${answer.sys.id}`, { method: 'DELETE', headers: { authorization: auth } });
    await dispatcher.close();
    return { mibs: size / MiB / seconds, wireMiB: length / MiB, rssBefore, peakRss: api.peakRssMiB() };
  } finally {
    await api.stop();
  }
}

await prepareDatabase();
console.log(`# Upload door benchmark — ${new Date().toISOString()}\n\nMachine: ${machine()}\n`);
console.log('| file | door | bytes on the wire | throughput (file bytes) | ÷ direct put | api RSS at start → peak |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const size of SIZES) {
  const directMiBs = await direct(size);
  console.log(
    `| ${(size / MiB).toFixed(0)} MiB | direct \`minio\` put | ${(size / MiB).toFixed(0)} MiB | ${directMiBs.toFixed(0)} MiB/s | 1 | — |`,
  );
  for (const door of DOORS) {
    const r = await throughDoor(door, size);
    console.log(
      `| | ${door} | ${r.wireMiB.toFixed(0)} MiB | ${r.mibs.toFixed(0)} MiB/s | ${(r.mibs / directMiBs).toFixed(2)} | ${r.rssBefore.toFixed(0)} → ${r.peakRss.toFixed(0)} MB |`,
    );
  }
}
