# syntax=docker/dockerfile:1
# One image for the Hangar API and the asset worker (see docker-compose.yml):
#   api:    node dist/apps/api/src/main.js   (default CMD)
#   worker: node dist/apps/worker/src/main.js
# The `build` stage (full dev dependencies) also runs the migrations:
#   node scripts/prisma-migrate.mjs deploy

# ---------------------------------------------------------------- build
FROM node:20-bookworm-slim AS build
WORKDIR /app
# Prisma's native schema engine cannot be downloaded offline and is not needed:
# `prisma generate` does not use it and migrations go through the wasm engine
# (scripts/prisma-migrate.mjs). Pointing the variable at /bin/false stops the
# download attempts (npm ci postinstall, prisma generate).
ENV PRISMA_SCHEMA_ENGINE_BINARY=/bin/false \
    PRISMA_HIDE_UPDATE_MESSAGE=1 \
    CHECKPOINT_DISABLE=1 \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build

# ---------------------------------------------------------------- runtime
FROM node:20-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    PRISMA_SCHEMA_ENGINE_BINARY=/bin/false \
    PRISMA_HIDE_UPDATE_MESSAGE=1 \
    CHECKPOINT_DISABLE=1 \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY --from=build /app/prisma ./prisma
USER node
EXPOSE 3000
CMD ["node", "dist/apps/api/src/main.js"]
