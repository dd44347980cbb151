#!/usr/bin/env node
// The `hangar` bin npm links (root package.json "bin"): `npx hangar` in the repository runs it, and so does a
// global install or `npm link`. The CLI itself is TypeScript compiled by `npm run build` into dist/, which this
// file loads, so it never needs ts-node; it only says what to do when that build is missing.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = resolve(import.meta.dirname, '../../..');
const entry = join(root, 'dist/apps/cli/src/main.js');
if (!existsSync(entry)) {
  process.stderr.write(`hangar: the CLI is not built: run \`npm run build\` in ${root}\n`);
  process.exit(1);
}
await import(pathToFileURL(entry).href);
