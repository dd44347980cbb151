#!/usr/bin/env bash
# Everything `npm start` and `npm test` need before they run, idempotently:
# dependencies, Chromium (browser tests), the backing services, the generated Prisma client, migrations.
#
#   scripts/setup.sh            # the development database (DATABASE_URL or the local default)
#
# Services come from Docker Compose when a Docker engine answers, else from
# scripts/services.sh (local PostgreSQL, Redis and MinIO processes).
#
# The install and client generation are quiet: their output goes to
# .hangar/logs/ and is printed in full only when they fail.
set -euo pipefail
cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/steps.sh
source scripts/steps.sh

# 1. Dependencies: installed when missing or older than the lockfile. `npm install`
# rather than `npm ci`: it installs the locked versions all the same, but tolerates
# registries (mirrors) that do not carry other platforms' optional binaries, which
# the lockfile then cannot list and `npm ci` refuses. Its output is mostly
# EBADENGINE warnings (some packages declare node >= 22; they work on 20.19+).
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  step "Installing dependencies (npm install, locked versions)"
  run_quietly npm-install npm install --no-audit --no-fund
  # Stamp the marker the check above compares, whether or not npm rewrote it,
  # so an install that had nothing to change does not run again next time.
  touch node_modules/.package-lock.json
fi

# 1b. Chromium, for the media library's browser tests (not needed to run Hangar: a machine that cannot install it
# is told so, and setup goes on).
bash scripts/chromium.sh

# 2. Backing services.
if command -v docker >/dev/null 2>&1 && timeout 5 docker info >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
  step "Starting PostgreSQL, Redis and MinIO with Docker Compose"
  HANGAR_ADMIN_TOKEN=${HANGAR_ADMIN_TOKEN:-unused-by-backing-services-000000000} \
    docker compose up -d --wait postgres redis minio
else
  step "Starting PostgreSQL, Redis and MinIO (no Docker engine: local processes)"
  bash scripts/services.sh up
fi

# 3. Prisma client (generated code is not committed).
if [[ ! -f libs/database/src/generated/client.ts || prisma/schema.prisma -nt libs/database/src/generated/client.ts ]]; then
  step "Generating the Prisma client"
  run_quietly prisma-generate npm run --silent db:generate
fi

# 4. Migrations.
step "Applying database migrations"
node scripts/prisma-migrate.mjs deploy
