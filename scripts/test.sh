#!/usr/bin/env bash
# `npm test`: sets up what it needs (dependencies, services, migrations), then
# runs every gate: lint, format, type check, build, unit and integration tests.
# Integration tests use their own database (hangar_test), bucket and queue
# prefix on the same services, so they never touch development data.
set -euo pipefail
cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.."

started=$(date +%s)
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

bash scripts/setup.sh

step "Lint (eslint, zero warnings) and format (prettier)"
npm run --silent lint

step "Type check (tsc --noEmit, strict)"
npm run --silent typecheck

step "Build (the integration tests also run the built apps)"
npx nest build api

step "Unit and integration tests (jest)"
mkdir -p .hangar
npx jest --ci --json --outputFile=.hangar/jest-results.json

step "Upload and Asset suites again, through two api and two worker replicas behind a balancer"
HANGAR_TEST_REPLICAS=2 npx jest --ci test/uploads test/assets test/sdk-assets test/upload-purge \
  --selectProjects integration --json --outputFile=.hangar/jest-replicas.json

step "Fault injection (SIGKILL of api and worker under load; small run)"
node scripts/fault-injection.mjs --iterations 6

printf '\nnpm test finished in %ss\n' "$(($(date +%s) - started))"
# The plain closing line CI reads: every Jest test plus the fault-injection run.
node -e "const a = require('./.hangar/jest-results.json'), b = require('./.hangar/jest-replicas.json'); console.log('tests: ' + (a.numPassedTests + b.numPassedTests + 1) + ' passed, ' + (a.numFailedTests + b.numFailedTests) + ' failed')"
