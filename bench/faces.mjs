#!/usr/bin/env node
// Face detection (f=face) on its own, in this process: the built FaceDetector
// (`npx nest build api` first) on the test portrait at 640 px, one request at
// a time and then 4 at once. Prints the first call (it loads the model), the
// latency percentiles, the resident memory the detector added, the longest
// stall of this process's event loop meanwhile (the model runs in a thread of
// its own, so it should stay small), and sharp's attention crop of the same
// image (the fallback) for comparison.
//
//   node bench/faces.mjs [--runs N]
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { machine, percentile, REPO_ROOT } from './lib.mjs';

const at = process.argv.indexOf('--runs');
const RUNS = at > 0 ? Number(process.argv[at + 1]) : 200;
const require = createRequire(import.meta.url);
const sharp = require('sharp');
const { FaceDetector } = require(join(REPO_ROOT, 'dist/libs/media/src/face-detector.js'));

const portrait = readFileSync(join(REPO_ROOT, 'test/fixtures/astronaut.jpg'));
const { data, info } = await sharp(portrait).resize(640, 640).raw().toBuffer({ resolveWithObject: true });
const pixels = { data, width: info.width, height: info.height, channels: 3 };
const megabytes = () => process.memoryUsage().rss / 2 ** 20;

let longestStall = 0;
let lastTick = performance.now();
const ticker = setInterval(() => {
  const now = performance.now();
  longestStall = Math.max(longestStall, now - lastTick - 5);
  lastTick = now;
}, 5);

const detector = new FaceDetector();
const rssBefore = megabytes();
let start = performance.now();
const [face] = await detector.detect(pixels);
const first = performance.now() - start;

const serial = [];
for (let run = 0; run < RUNS; run++) {
  start = performance.now();
  await detector.detect(pixels);
  serial.push(performance.now() - start);
}
const rssAfter = megabytes();

start = performance.now();
const concurrent = [];
for (let batch = 0; batch < RUNS / 4; batch++) {
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      const begun = performance.now();
      await detector.detect(pixels);
      concurrent.push(performance.now() - begun);
    }),
  );
}
const perSecond = (RUNS / ((performance.now() - start) / 1000)).toFixed(1);
clearInterval(ticker);
await detector.onModuleDestroy();

const attention = [];
for (let run = 0; run < 50; run++) {
  start = performance.now();
  await sharp(portrait).resize(640, 640).resize(200, 200, { fit: 'cover', position: sharp.strategy.attention }).jpeg().toBuffer();
  attention.push(performance.now() - start);
}

const summary = (times) => {
  const sorted = [...times].sort((a, b) => a - b);
  return `p50 ${percentile(sorted, 50).toFixed(0)} ms, p95 ${percentile(sorted, 95).toFixed(0)} ms, p99 ${percentile(sorted, 99).toFixed(0)} ms`;
};
console.log(`${machine()}`);
console.log(`face at ${JSON.stringify(face)} in the 640×640 portrait`);
console.log(`first detection (loads the model): ${first.toFixed(0)} ms`);
console.log(`${RUNS} detections one at a time: ${summary(serial)}`);
console.log(`${RUNS} detections 4 at a time: ${summary(concurrent)}, ${perSecond}/s`);
console.log(
  `resident memory: +${(rssAfter - rssBefore).toFixed(0)} MiB after the serial runs, +${(megabytes() - rssBefore).toFixed(0)} MiB at the end`,
);
console.log(`longest event-loop stall meanwhile: ${longestStall.toFixed(0)} ms`);
console.log(`sharp attention crop of the same image (decode, 640 px, crop to 200×200, JPEG): ${summary(attention)}`);
