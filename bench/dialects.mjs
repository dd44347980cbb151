// Seed-dialect write benchmark (npm run bench:dialects). Needs the services up and a build.
// The same random file written through each dialect's door — Capillary multipart, Comapi base64 JSON,
// Akana urlencoded body= (every byte %XX-encoded where it is not a letter or digit) — against the Files
// API's octet-stream PUT and a direct minio put, in the same run: file MiB/s and the ratio to the PUT
// (median of BENCH_RUNS runs). The request bodies are built once, in memory, on the client side.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { Agent, request } from 'undici';
import { benchSpace, directMinio, machine, prepareDatabase, spawnApi } from './lib.mjs';

const MiB = 1024 * 1024;
const SIZE = Number(process.env.BENCH_SIZE_MIB ?? 32) * MiB;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const BOUNDARY = '----HangarBenchBoundary';

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function timed(work) {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** application/x-www-form-urlencoded bytes of `bytes`: letters and digits as they are, everything else %XX. */
function urlencoded(bytes) {
  const out = Buffer.allocUnsafe(bytes.length * 3);
  const hex = '0123456789ABCDEF';
  let length = 0;
  for (const byte of bytes) {
    if ((byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)) out[length++] = byte;
    else {
      out[length++] = 0x25;
      out[length++] = hex.charCodeAt(byte >> 4);
      out[length++] = hex.charCodeAt(byte & 15);
    }
  }
  return out.subarray(0, length);
}

/** A body sent in 1 MiB pieces, as a client streams it. */
function* pieces(buffer) {
  for (let offset = 0; offset < buffer.length; offset += MiB) yield buffer.subarray(offset, offset + MiB);
}

async function main() {
  await prepareDatabase();
  const bucket = process.env.BENCH_BUCKET ?? 'hangar-bench';
  const api = await spawnApi({
    UPLOAD_MAX_BYTES: String(2 * SIZE),
    FILE_URL_SIGNING_KEYS: `bench:${'b'.repeat(40)}`,
    S3_BUCKET: bucket,
    QUEUE_PREFIX: process.env.BENCH_QUEUE_PREFIX ?? 'hangar-bench',
  });
  const file = randomBytes(SIZE);
  const bodies = {
    put: file,
    capillary: Buffer.concat([
      Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="f.bin"\r\n\r\n`),
      file,
      Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
    ]),
    comapi: Buffer.from(JSON.stringify({ name: 'f.bin', type: 'application/octet-stream', data: file.toString('base64') })),
    akana: Buffer.concat([Buffer.from('type=application%2Foctet-stream&body='), urlencoded(file)]),
  };
  const results = { put: [], capillary: [], comapi: [], akana: [], direct: [] };
  try {
    const { spaceId, auth } = await benchSpace(api.baseUrl);
    const dispatcher = new Agent({ bodyTimeout: 0, headersTimeout: 0 });
    const send = async (path, method, body, headers, expected) => {
      const response = await request(`${api.baseUrl}${path}`, {
        method,
        headers: { authorization: auth, 'x-hangar-space': spaceId, 'content-length': String(body.length), ...headers },
        body: Readable.from(pieces(body)),
        dispatcher,
      });
      const text = await response.body.text();
      if (response.statusCode !== expected) throw new Error(`${path}: ${response.statusCode} ${text.slice(0, 300)}`);
    };
    const { client } = directMinio();
    for (let run = 0; run < RUNS; run += 1) {
      results.put.push(
        await timed(() =>
          send(`/spaces/${spaceId}/files/bench/put-${run}.bin`, 'PUT', bodies.put, { 'content-type': 'application/octet-stream' }, 201),
        ),
      );
      results.capillary.push(
        await timed(() =>
          send(
            `/api_gateway/file-service/bench/capillary-${run}.bin`,
            'POST',
            bodies.capillary,
            { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
            200,
          ),
        ),
      );
      results.comapi.push(
        await timed(() => send(`/apispaces/${spaceId}/content`, 'POST', bodies.comapi, { 'content-type': 'application/json' }, 200)),
      );
      results.akana.push(
        await timed(() =>
          send(`/content/bench/akana-${run}.bin`, 'POST', bodies.akana, { 'content-type': 'application/x-www-form-urlencoded' }, 200),
        ),
      );
      const key = `bench/direct-dialects-${run}`;
      results.direct.push(await timed(() => client.putObject(bucket, key, Readable.from(pieces(file)), SIZE)));
      await client.removeObject(bucket, key);
    }
    await dispatcher.close();
  } finally {
    await api.stop();
  }
  const mibs = (seconds) => SIZE / MiB / median(seconds);
  const row = (what, key, wire) =>
    `| ${what} | ${(bodies[key]?.length ?? SIZE) === SIZE ? '1×' : `${((bodies[key]?.length ?? SIZE) / SIZE).toFixed(2)}×`} | ${mibs(results[key]).toFixed(0)} MiB/s | ${(mibs(results[key]) / mibs(results.put)).toFixed(2)} | ${wire} |`;
  console.log(`Machine: ${machine()}; a ${SIZE / MiB} MiB random file, median of ${RUNS} runs\n`);
  console.log('| door | body ÷ file | file written | ÷ Files API PUT | body |');
  console.log('| ---- | ----------- | ------------ | --------------- | ---- |');
  console.log(row('Files API `PUT` (baseline)', 'put', 'octet-stream'));
  console.log(row('Capillary `POST /api_gateway/file-service/…`', 'capillary', 'multipart, one file part'));
  console.log(row('Comapi `POST /apispaces/{s}/content`', 'comapi', 'base64 JSON'));
  console.log(row('Akana `POST /content/…`', 'akana', 'urlencoded `body=`, binary'));
  console.log(row('direct minio `putObject`', 'direct', '—'));
  console.log(`\nall runs (s): ${JSON.stringify(results)}`);
}

await main();
