// Files API benchmark (npm run bench:files). Needs the services up and a build.
// A 100 MiB file written (PUT) and read back (GET) through the Files API, against
// the same bytes put into and read from MinIO with the minio client, in the same
// run: throughputs and ratios (median of BENCH_RUNS runs). Prints a Markdown table.
import { Readable } from 'node:stream';
import { Agent, request } from 'undici';
import { benchSpace, directMinio, machine, prepareDatabase, randomBody, spawnApi } from './lib.mjs';

const MiB = 1024 * 1024;
const SIZE = Number(process.env.BENCH_SIZE_MIB ?? 100) * MiB;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

async function timed(work) {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** Reads a stream to its end, counting bytes (nothing kept). */
async function drain(stream) {
  let received = 0;
  for await (const chunk of stream) received += chunk.length;
  return received;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main() {
  await prepareDatabase();
  const api = await spawnApi({ UPLOAD_MAX_BYTES: String(2 * SIZE) });
  const results = { apiWrite: [], apiRead: [], directWrite: [], directRead: [] };
  try {
    const { spaceId, auth } = await benchSpace(api.baseUrl);
    const dispatcher = new Agent({ bodyTimeout: 0, headersTimeout: 0 });
    const { client, bucket } = directMinio();
    for (let run = 0; run < RUNS; run += 1) {
      const url = `${api.baseUrl}/spaces/${spaceId}/files/bench/run-${run}.bin`;
      results.apiWrite.push(
        await timed(async () => {
          const response = await request(url, {
            method: 'PUT',
            headers: { authorization: auth, 'content-type': 'application/octet-stream', 'content-length': String(SIZE) },
            body: randomBody(SIZE),
            dispatcher,
          });
          const body = await response.body.json();
          if (response.statusCode !== 201 || body.size !== SIZE)
            throw new Error(`write failed: ${response.statusCode} ${JSON.stringify(body)}`);
        }),
      );
      results.apiRead.push(
        await timed(async () => {
          const response = await request(url, { headers: { authorization: auth }, dispatcher });
          if (response.statusCode !== 200 || (await drain(response.body)) !== SIZE) throw new Error(`read failed: ${response.statusCode}`);
        }),
      );
      const key = `bench/direct-files-${run}`;
      results.directWrite.push(await timed(() => client.putObject(bucket, key, Readable.from(randomBody(SIZE)), SIZE)));
      results.directRead.push(
        await timed(async () => {
          if ((await drain(await client.getObject(bucket, key))) !== SIZE) throw new Error('direct read came back short');
        }),
      );
      await client.removeObject(bucket, key);
      await request(url, { method: 'DELETE', headers: { authorization: auth }, dispatcher }).then((r) => r.body.dump());
    }
    await dispatcher.close();
  } finally {
    await api.stop();
  }
  const mibs = (seconds) => SIZE / MiB / median(seconds);
  const row = (what, through, direct) =>
    `| ${what} | ${mibs(through).toFixed(0)} MiB/s | ${mibs(direct).toFixed(0)} MiB/s | ${(mibs(through) / mibs(direct)).toFixed(2)} |`;
  console.log(`Machine: ${machine()}; ${SIZE / MiB} MiB, median of ${RUNS} runs\n`);
  console.log(`| ${SIZE / MiB} MiB file | through the Files API | straight to/from MinIO | ratio |`);
  console.log('| ------------ | --------------------- | ---------------------- | ----- |');
  console.log(row('write (PUT)', results.apiWrite, results.directWrite));
  console.log(row('read (GET)', results.apiRead, results.directRead));
  console.log(`\nall runs (s): ${JSON.stringify(results)}`);
}

await main();
