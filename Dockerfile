# agentd: one image for `agentd serve` and `agentd worker` (see docs/deploy.md).
# Build stage: the same commands CI runs (.ci/run), from the lockfile.
FROM node:20.19-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 and sqlite-vec ship prebuilt binaries; the toolchain is the fallback for others.
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY . .
# npm ci runs `prepare`, which builds dist/ (the CLI bundle bin/agentd.js runs).
RUN npm ci --no-audit --no-fund \
  && npm run typecheck \
  && npm run lint \
  && npm run format:check \
  && npm run test:unit \
  && npm prune --omit=dev

# Runtime stage: production dependencies, the bundle and the launcher; no sources, no toolchain.
FROM node:20.19-bookworm-slim
ENV NODE_ENV=production \
    AGENTD_HOME=/data
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --from=build --chown=node:node /app/bin ./bin
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 7070
# The server's liveness route; a worker (no HTTP) overrides it in compose.yaml.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:7070/v1/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "bin/agentd.js"]
CMD ["serve", "--host", "0.0.0.0"]
