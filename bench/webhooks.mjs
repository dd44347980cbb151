// Webhook delivery benchmark (npm run bench:webhooks). Needs the services up and a build.
// A receiver in this process; a space with one webhook on `Upload.create`; event-to-delivery latency
// (the upload's 201 received → its delivery received) at idle and while 64 other clients upload
// 256 KiB bodies into another space without a webhook; then deliveries/s for a burst of events.
// WEBHOOK_FANOUT_INTERVAL_MS is the default (250 ms) unless BENCH_FANOUT_MS says otherwise.
// Prints a Markdown table.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { loadavg } from 'node:os';
import { Agent, request } from 'undici';
import { benchSpace, machine, percentile, prepareDatabase, spawnApi, spawnWorker } from './lib.mjs';

const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 60);
const LOAD_CLIENTS = 64;
const BURST = Number(process.env.BENCH_BURST ?? 1000);
const FANOUT_MS = process.env.BENCH_FANOUT_MS;

const arrivals = new Map();
const receiver = createServer((req, res) => {
  const parts = [];
  req.on('data', (chunk) => parts.push(chunk));
  req.on('end', () => {
    // The webhook's transformation makes the body just the upload's id.
    arrivals.set(JSON.parse(Buffer.concat(parts).toString('utf8')).id, performance.now());
    res.writeHead(204).end();
  });
});

async function main() {
  await prepareDatabase();
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
  const settings = { REMOTE_FETCH_ALLOW_HOSTS: 'localhost', ...(FANOUT_MS ? { WEBHOOK_FANOUT_INTERVAL_MS: FANOUT_MS } : {}) };
  const api = await spawnApi(settings);
  const worker = await spawnWorker(settings);
  const dispatcher = new Agent({ connections: 128 });
  try {
    const { spaceId, auth } = await benchSpace(api.baseUrl);
    const other = await benchSpace(api.baseUrl);
    const json = { authorization: auth, 'content-type': 'application/vnd.contentful.management.v1+json' };
    // The receiver tells uploads apart by their id: a transformation makes it the whole body.
    const created = await request(`${api.baseUrl}/spaces/${spaceId}/webhook_definitions`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({
        name: 'bench',
        url: `http://localhost:${receiver.address().port}/hook`,
        topics: ['Upload.create'],
        transformation: { body: { id: '{ /payload/sys/id }' } },
      }),
      dispatcher,
    });
    if (created.statusCode !== 201) throw new Error(`webhook: ${created.statusCode} ${await created.body.text()}`);
    await created.body.dump();

    const upload = async (space, body) => {
      const response = await request(`${api.baseUrl}/spaces/${space}/uploads`, {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'application/octet-stream' },
        body,
        dispatcher,
      });
      const text = await response.body.text();
      if (response.statusCode !== 201) throw new Error(`upload: ${response.statusCode} ${text}`);
      return { id: JSON.parse(text).sys.id, at: performance.now() };
    };
    const waitForArrival = async (id, deadlineMs = 30_000) => {
      const started = performance.now();
      while (!arrivals.has(id)) {
        if (performance.now() - started > deadlineMs) throw new Error(`no delivery for ${id}`);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      return arrivals.get(id);
    };

    const sample = async () => {
      const latencies = [];
      for (let i = 0; i < SAMPLES; i += 1) {
        const { id, at } = await upload(spaceId, Buffer.from(`sample ${i}`));
        latencies.push((await waitForArrival(id)) - at);
        // A random pause: samples land anywhere in the fan-out cycle, not in step with it.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 300));
      }
      return latencies.sort((a, b) => a - b);
    };

    const idle = await sample();

    let loading = true;
    let loadUploads = 0;
    const body = randomBytes(256 * 1024);
    const load = Promise.all(
      Array.from({ length: LOAD_CLIENTS }, async () => {
        while (loading) {
          await upload(other.spaceId, body);
          loadUploads += 1;
        }
      }),
    );
    const loadStarted = performance.now();
    const underLoad = await sample();
    loading = false;
    await load;
    const loadRate = loadUploads / ((performance.now() - loadStarted) / 1000);

    // A burst: BURST events as fast as 32 clients make them, then until the last is delivered.
    const burstIds = [];
    let next = 0;
    const burstStarted = performance.now();
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < BURST) {
          next += 1;
          burstIds.push((await upload(spaceId, Buffer.from('b'))).id);
        }
      }),
    );
    const madeIn = (performance.now() - burstStarted) / 1000;
    for (const id of burstIds) await waitForArrival(id, 120_000);
    const deliveredIn = (Math.max(...burstIds.map((id) => arrivals.get(id))) - burstStarted) / 1000;

    const row = (name, values) =>
      `| ${name} | ${percentile(values, 50).toFixed(0)} | ${percentile(values, 95).toFixed(0)} | ${percentile(values, 99).toFixed(0)} |`;
    console.log(`\n### Webhooks — ${new Date().toISOString().slice(0, 10)}, ${machine()}, load ${loadavg()[0].toFixed(1)}\n`);
    console.log(`Fan-out every ${FANOUT_MS ?? 250} ms; ${SAMPLES} samples each.\n`);
    console.log('| event → delivery (ms) | p50 | p95 | p99 |');
    console.log('|---|---|---|---|');
    console.log(row('idle', idle));
    console.log(row(`under ${LOAD_CLIENTS} clients × 256 KiB uploads (${loadRate.toFixed(0)} uploads/s)`, underLoad));
    console.log(
      `\nBurst: ${BURST} events made in ${madeIn.toFixed(1)} s, all delivered ${deliveredIn.toFixed(1)} s after the first → **${(BURST / deliveredIn).toFixed(0)} deliveries/s**.`,
    );
  } finally {
    await worker.stop();
    await api.stop();
    receiver.close();
  }
}

await main();
