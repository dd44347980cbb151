#!/usr/bin/env bash
# `npm test`: sets up what it needs (dependencies, services, migrations), then
# runs every gate: eslint, prettier, type check, build, Jest (unit and
# integration), the Upload and Asset suites again through replicas, and a short
# fault-injection run. A failed step does not stop the others; only what cannot
# run meaningfully is skipped, and said so (the integration tiers and fault
# injection need the set-up and the build). Each step's result goes to
# .hangar/test-steps.tsv (Jest's per-test results to .hangar/jest-*.json), and
# scripts/test-summary.mjs ends with the line CI reads: `tests: N passed, M failed`.
# Exits non-zero iff anything failed.
# Integration tests use their own database (hangar_test), bucket and queue
# prefix on the same services, so they never touch development data.
set -uo pipefail # no -e: a failed step is recorded, and the next one still runs
cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.."

started=$(date +%s)
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
mkdir -p .hangar
steps=.hangar/test-steps.tsv
: >"$steps"

# gate NAME COMMAND...: runs COMMAND and records its exit status; returns it.
gate() {
  local name=$1 since=$SECONDS status=0
  shift
  step "$name"
  "$@" || status=$?
  printf 'gate\t%s\t%s\t%s\n' "$name" "$status" "$((SECONDS - since))" >>"$steps"
  return "$status"
}

# jest_run NAME OUTPUT COMMAND...: a Jest run (COMMAND) whose per-test results go to OUTPUT.
jest_run() {
  local name=$1 output=$2 since=$SECONDS status=0
  shift 2
  step "$name"
  rm -f "$output" # never count a previous run's results
  "$@" --ci --json --outputFile="$output" || status=$?
  printf 'jest\t%s\t%s\t%s\t%s\n' "$name" "$status" "$((SECONDS - since))" "$output" >>"$steps"
}

# skip NAME REASON: records a step that could not run meaningfully.
skip() {
  step "$1: skipped ($2)"
  printf 'skipped\t%s\t%s\n' "$1" "$2" >>"$steps"
}

set_up=true
gate "Set-up (dependencies, services, Prisma client, migrations)" bash scripts/setup.sh || set_up=false
gate "Lint (eslint, zero warnings)" npx eslint --max-warnings 0 .
gate "Format (prettier --check)" npx prettier --check .
gate "Type check (tsc --noEmit, strict)" npm run --silent typecheck
built=true
# The web app too: the browser tests load the media library the api serves from dist/apps/web.
gate "Build (the integration tests and fault injection also run the built apps)" \
  bash -c 'npx nest build api && npm run --silent build:web' || built=false

replicas="Upload and Asset suites again, through two api and two worker replicas behind a balancer"
faults="Fault injection (SIGKILL of api and worker under load; small run)"
if $set_up && $built; then
  jest_run "Unit and integration tests (jest)" .hangar/jest-results.json npx jest
  jest_run "$replicas" .hangar/jest-replicas.json \
    env HANGAR_TEST_REPLICAS=2 npx jest test/uploads test/upload-doors test/assets test/sdk-assets test/upload-purge --selectProjects integration
  gate "$faults" node scripts/fault-injection.mjs --iterations 6
else
  # Unit specs need neither; the integration tests run dist/ and the services, and so does fault injection.
  reason=$($set_up && echo 'the build failed: they run the built apps' || echo 'the set-up failed: they need the services and migrations')
  jest_run "Unit tests (jest)" .hangar/jest-results.json npx jest --selectProjects unit
  skip "Integration tests" "$reason"
  skip "$replicas" "$reason"
  skip "$faults" "$reason"
fi

printf '\nnpm test finished in %ss\n' "$(($(date +%s) - started))"
# The summary's last line is the plain one CI reads; should the summary itself fail, say so in that form.
summary=$(node scripts/test-summary.mjs "$steps")
status=$?
printf '%s\n' "$summary"
if ! tail -n 1 <<<"$summary" | grep -Eq '^tests: [0-9]+ passed, [0-9]+ failed$'; then
  printf 'the test summary could not be made (exit %s)\ntests: 0 passed, 1 failed\n' "$status"
  exit 1
fi
exit "$status"
