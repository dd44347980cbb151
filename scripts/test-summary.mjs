#!/usr/bin/env node
// The summary of `npm test` (scripts/test.sh): one line per step, the tests that
// failed, how they were counted, and last the plain line CI reads:
//   tests: N passed, M failed
// Counting: each gate (set-up, lint, format, type check, build, fault injection)
// is one test; each Jest test case is counted once, however many runs it was in
// (the replica pass re-runs the Upload and Asset suites): a case that failed in
// any run is failed. A suite that could not run, or a Jest run that failed
// without a failed test (or left no results), is one failed test too. Skipped
// Jest tests are reported, not counted.
//   node scripts/test-summary.mjs .hangar/test-steps.tsv
// Exits 1 iff anything failed.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const [stepsFile] = process.argv.slice(2);
if (!stepsFile) throw new Error('usage: node scripts/test-summary.mjs <steps.tsv>');

/** Outcome of each distinct Jest test case (and of each failed run as a whole), by key. */
const outcomes = new Map();
const RANK = { skipped: 0, passed: 1, failed: 2 };
function record(key, outcome) {
  const previous = outcomes.get(key);
  if (previous === undefined || RANK[outcome] > RANK[previous]) outcomes.set(key, outcome);
}

/** Reads one Jest JSON output into outcomes; returns this run's own counts. */
function readJestRun(name, exitStatus, file) {
  const run = { passed: 0, failed: 0, skipped: 0, rerun: 0 };
  const count = (key, outcome) => {
    if (outcomes.has(key)) run.rerun += 1;
    run[outcome] += 1;
    record(key, outcome);
  };
  if (!existsSync(file)) {
    count(`${name}: Jest exited ${exitStatus} and wrote no results`, 'failed');
    return run;
  }
  const results = JSON.parse(readFileSync(file, 'utf8'));
  for (const suite of results.testResults) {
    const path = relative(ROOT, suite.name);
    const seen = new Map(); // it.each may repeat a name: the n-th one is the same case in every run
    let suiteFailures = 0;
    for (const test of suite.assertionResults) {
      const n = (seen.get(test.fullName) ?? 0) + 1;
      seen.set(test.fullName, n);
      const outcome = test.status === 'passed' ? 'passed' : test.status === 'failed' ? 'failed' : 'skipped';
      if (outcome === 'failed') suiteFailures += 1;
      count(`${path} › ${test.fullName}${n > 1 ? ` (#${n})` : ''}`, outcome);
    }
    if (suite.status === 'failed' && suiteFailures === 0) count(`${path}: the suite failed to run`, 'failed');
  }
  if (exitStatus !== 0 && run.failed === 0) count(`${name}: Jest exited ${exitStatus} without a failed test`, 'failed');
  return run;
}

let gatesPassed = 0;
let gatesFailed = 0;
const lines = [];
const steps = readFileSync(stepsFile, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => line.split('\t'));
for (const [kind, name, ...rest] of steps) {
  if (kind === 'gate') {
    const [status, seconds] = rest.map(Number);
    if (status === 0) gatesPassed += 1;
    else gatesFailed += 1;
    lines.push([status === 0 ? 'passed' : 'FAILED', name, `${seconds} s${status === 0 ? '' : `, exit ${status}`}`]);
  } else if (kind === 'jest') {
    const [status, seconds] = rest.slice(0, 2).map(Number);
    const run = readJestRun(name, status, rest[2]);
    const rerun = run.rerun > 0 ? `, ${run.rerun} of them re-runs` : '';
    lines.push([
      run.failed === 0 ? 'passed' : 'FAILED',
      name,
      `${seconds} s: ${run.passed} passed, ${run.failed} failed, ${run.skipped} skipped${rerun}`,
    ]);
  } else if (kind === 'skipped') {
    lines.push(['skipped', name, rest[0]]);
  } else {
    throw new Error(`unknown step kind ${kind}`);
  }
}

const cases = [...outcomes.values()];
const casesPassed = cases.filter((outcome) => outcome === 'passed').length;
const failedCases = [...outcomes].filter(([, outcome]) => outcome === 'failed').map(([key]) => key);
const casesSkipped = cases.length - casesPassed - failedCases.length;
const passed = gatesPassed + casesPassed;
const failed = gatesFailed + failedCases.length;

console.log('\nSummary');
for (const [verdict, name, detail] of lines) console.log(`  ${verdict.padEnd(8)} ${name} (${detail})`);
if (failedCases.length > 0) {
  console.log('Failed tests:');
  for (const key of failedCases.slice(0, 30)) console.log(`  - ${key}`);
  if (failedCases.length > 30) console.log(`  … and ${failedCases.length - 30} more (see .hangar/jest-*.json)`);
}
console.log(
  `Counted: ${gatesPassed + gatesFailed} gates as one test each, and ${cases.length} distinct Jest tests once each ` +
    `(a test re-run through replicas counts once, as failed if it failed in any run; a suite or run that failed ` +
    `without a failed test counts as one)` +
    (casesSkipped > 0 ? `; ${casesSkipped} skipped Jest test${casesSkipped === 1 ? ' is' : 's are'} not counted.` : '.'),
);
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
