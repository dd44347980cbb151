# syntax=docker/dockerfile:1
# One image for the Hangar API and the asset worker (see docker-compose.yml):
#   api:    node dist/apps/api/src/main.js   (default CMD; also serves the media library, dist/apps/web, at /library)
#   worker: node dist/apps/worker/src/main.js
# The `build` stage (full dev dependencies) also runs the migrations:
#   node scripts/prisma-migrate.mjs deploy

# ---------------------------------------------------------------- base
FROM node:20-bookworm-slim AS base
WORKDIR /app
# Prisma's native schema engine cannot be downloaded offline and is not needed:
# `prisma generate` does not use it and migrations go through the wasm engine
# (scripts/prisma-migrate.mjs). Pointing the variable at /bin/false stops the
# download attempts (install scripts, prisma generate).
ENV PRISMA_SCHEMA_ENGINE_BINARY=/bin/false \
    PRISMA_HIDE_UPDATE_MESSAGE=1 \
    CHECKPOINT_DISABLE=1 \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false

# ---------------------------------------------------------------- build
FROM base AS build
COPY package.json package-lock.json ./
# `npm install` with the lockfile, as scripts/setup.sh does (see there for why not `npm ci`).
RUN npm install
COPY . .
# The apps and the media library (Vite, into dist/apps/web); an image without the library's page is not built.
RUN npm run build && test -s dist/apps/web/index.html

# ---------------------------------------------------------------- runtime
FROM base AS runtime
ENV NODE_ENV=production \
    LIBRARY_DIR=/app/dist/apps/web
COPY package.json package-lock.json ./
RUN npm install --omit=dev && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY --from=build /app/prisma ./prisma
USER node
EXPOSE 3000
CMD ["node", "dist/apps/api/src/main.js"]
