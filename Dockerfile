# syntax=docker/dockerfile:1
# hexa-monolith image: compiled JavaScript on Node 24 slim, production dependencies only, non-root.
# Every step here is rehearsed without Docker by `make validate` (scripts/validate/rehearse.ts).

# Build: all dependencies, then TypeScript to dist/.
FROM node:24.21.0-trixie-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN node_modules/.bin/tsc -p tsconfig.build.json

# Production dependencies only: no compiler, linters or test tools in the image.
FROM node:24.21.0-trixie-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts

FROM node:24.21.0-trixie-slim AS runtime
# MALLOC_MMAP_THRESHOLD_: glibc otherwise raises its mmap threshold after the first freed 8 MiB password
# hash and keeps later ones in per-thread arenas for good; fixed, they go back to the system when freed
# (peak RSS after a login burst +16 MB instead of +33 MB, bench/README.md).
ENV NODE_ENV=production \
    APP_ENV=production \
    PORT=3000 \
    MALLOC_MMAP_THRESHOLD_=131072
WORKDIR /app
# Files stay owned by root: the app user can read but not change its own code.
COPY package.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Exec form: node is PID 1 and receives SIGTERM itself, so `docker stop` triggers the graceful drain.
STOPSIGNAL SIGTERM
# No --enable-source-maps: it costs ~30 MB of RSS per process, and tsc's output keeps the source's
# shape, so stack traces stay readable; the .map files ship for error trackers that want them.
ENTRYPOINT ["node"]
CMD ["dist/main.js"]
