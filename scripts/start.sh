#!/usr/bin/env bash
# `npm start`: from a fresh clone, brings everything up and runs the api and
# the worker in the foreground. Ctrl-C (or SIGTERM) stops both gracefully.
set -euo pipefail
cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/steps.sh
source scripts/steps.sh

bash scripts/setup.sh
step "Building"
run_quietly build npm run --silent build

# The administrator token: HANGAR_ADMIN_TOKEN if set, else one generated on
# first start and kept in .hangar/admin-token (git-ignored).
token_source="HANGAR_ADMIN_TOKEN from your environment"
if [[ -z ${HANGAR_ADMIN_TOKEN:-} ]]; then
  token_file=.hangar/admin-token
  if [[ ! -s $token_file ]]; then
    mkdir -p .hangar
    (umask 077 && node -e "process.stdout.write('CFPAT-' + require('crypto').randomBytes(32).toString('base64url'))" >"$token_file")
  fi
  HANGAR_ADMIN_TOKEN=$(cat "$token_file")
  token_source="generated, in $token_file (cat it, or set HANGAR_ADMIN_TOKEN to choose your own)"
fi
export HANGAR_ADMIN_TOKEN

# The key that signs private files' URLs: FILE_URL_SIGNING_KEYS if set, else
# one generated on first start and kept in .hangar/file-url-signing-key, so
# signed URLs work out of the box and stay valid across restarts.
if [[ -z ${FILE_URL_SIGNING_KEYS:-} ]]; then
  key_file=.hangar/file-url-signing-key
  if [[ ! -s $key_file ]]; then
    mkdir -p .hangar
    (umask 077 && node -e "process.stdout.write('local:' + require('crypto').randomBytes(32).toString('base64url'))" >"$key_file")
  fi
  FILE_URL_SIGNING_KEYS=$(cat "$key_file")
fi
export FILE_URL_SIGNING_KEYS

port=${PORT:-3000}
cat <<MSG

Hangar is starting:
  API          http://localhost:${port}   (readiness: http://localhost:${port}/health/ready)
  Library      http://localhost:${port}/library   (the media library: sign in with a token, e.g. the admin token)
  Admin token  ${token_source}
  Try          curl -H "Authorization: Bearer <admin token>" http://localhost:${port}/users/me
  Stop         Ctrl-C

MSG

pids=()
stop_all() {
  trap - INT TERM
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait || true
}
trap stop_all INT TERM

node dist/apps/api/src/main.js &
pids+=($!)
node dist/apps/worker/src/main.js &
pids+=($!)

# When either app exits, stop the other and exit with its status.
status=0
wait -n "${pids[@]}" || status=$?
stop_all
exit "$status"
