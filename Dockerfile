# tlsgate container image. Build: `docker build -t tlsgate .` (BASE may point at any Node >= 20 image
# that has npm; scripts/container-test.sh passes a locally built one).
ARG BASE=node:24.21.0-bookworm-slim

# Stage 1: compile TypeScript with the dev dependencies.
FROM ${BASE} AS build
WORKDIR /src
COPY package.json package-lock.json tsconfig.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY src ./src
RUN npx tsc -p tsconfig.json

# Stage 2: production dependencies and the compiled code only.
FROM ${BASE}
ENV NODE_ENV=production TLSGATE_CONFIG=/etc/tlsgate/tlsgate.yaml
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts && npm cache clean --force
COPY --from=build /src/dist ./dist
# A fixed non-root uid/gid, so mounted certificate files can be made readable to it (chown 10001).
RUN groupadd --system --gid 10001 tlsgate \
 && useradd --system --uid 10001 --gid tlsgate --home-dir /app --shell /usr/sbin/nologin tlsgate \
 && mkdir -p /etc/tlsgate/certs && chown -R tlsgate:tlsgate /etc/tlsgate
COPY --chown=tlsgate:tlsgate deploy/tlsgate.yaml /etc/tlsgate/tlsgate.yaml
USER tlsgate
VOLUME ["/etc/tlsgate"]
EXPOSE 8443 3443 8282 9191 9000 9999
# The admin server's /healthz (deploy/tlsgate.yaml: admin.listen 127.0.0.1:9900); a config of your
# own must keep an admin: section, or set TLSGATE_HEALTH_URL to where its admin server listens.
ENV TLSGATE_HEALTH_URL=http://127.0.0.1:9900/healthz
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch(process.env.TLSGATE_HEALTH_URL,{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node is PID 1 and handles SIGTERM itself: stop accepting, drain up to --grace, exit 0.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "/app/dist/main.js"]
CMD ["serve", "--grace", "25"]
