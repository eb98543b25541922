# syntax=docker/dockerfile:1
# cleanroomsml-monitor container image.
#   docker build -t cleanroomsml-monitor:0.1.0 --build-arg REVISION=$(git rev-parse HEAD) .
# Build: Node 24 LTS, `npm ci`, compile, `npm pack`, then install the packed package with `npm ci --omit=dev`
# (so the image holds exactly what the npm package ships, without dev dependencies). The simulator and the
# demo (src/dev) are development tools: .dockerignore keeps them out of the context and package.json's
# `files` out of the package, so `simulate` and `demo` in the image exit 2 ("run it from a source checkout").
# test/e2e/smoke.test.ts repeats these steps outside Docker and runs the result as an unprivileged user.
# Runtime: distroless Node 24 on Debian 13, uid/gid 65532, no shell, works with a read-only root filesystem:
# the only writable paths it needs are the state volume and /tmp.

ARG NODE_BUILD_IMAGE=node:24-trixie-slim
ARG RUNTIME_IMAGE=gcr.io/distroless/nodejs24-debian13:nonroot

FROM ${NODE_BUILD_IMAGE} AS build
ENV npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci
# README.m[d]: a glob, so a checkout without README.md still builds
COPY tsconfig.json README.m[d] ./
COPY config/example.yaml ./config/example.yaml
COPY src ./src
RUN npm run build \
 && npm pack --pack-destination /tmp \
 && mkdir -p /app \
 && tar -xzf /tmp/cleanroomsml-monitor-*.tgz -C /app --strip-components=1 \
 && cp package-lock.json /app/ \
 && cd /app \
 && npm ci --omit=dev --ignore-scripts \
 && rm package-lock.json \
 && node dist/cli.js --version \
 && mkdir -p /out/state

FROM ${RUNTIME_IMAGE}
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="cleanroomsml-monitor" \
      org.opencontainers.image.description="Watches AWS Clean Rooms ML audience generation jobs, exports Prometheus metrics and sends webhooks" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="https://github.com/cleanroomsml-monitor/cleanroomsml-monitor" \
      org.opencontainers.image.documentation="https://github.com/cleanroomsml-monitor/cleanroomsml-monitor/blob/main/docs/deploy.md" \
      org.opencontainers.image.base.name="gcr.io/distroless/nodejs24-debian13:nonroot"
ENV NODE_ENV=production
WORKDIR /app
# Code owned by root and not writable by the runtime user; state owned by it.
COPY --from=build --chown=0:0 /app /app
COPY --from=build --chown=65532:65532 /out/state /var/lib/cleanroomsml-monitor
USER 65532:65532
EXPOSE 9464
VOLUME ["/var/lib/cleanroomsml-monitor"]
# The daemon stops polling, drains in-flight work, flushes its state and exits 0 within seconds of SIGTERM.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["/nodejs/bin/node", "-e", "fetch('http://127.0.0.1:9464/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# --memory-saver-mode (V8 of Node 24): every full GC also gives back the pages V8 would pool for
# reuse (12-18 MB at 10,000 jobs) and compacts; the cost is CPU, the gain the 200 MB target of
# docs/performance.md (bench/ starts the daemon with these flags and measures both).
ENTRYPOINT ["/nodejs/bin/node", "--memory-saver-mode", "/app/dist/cli.js"]
CMD ["run", "--config", "/etc/cleanroomsml-monitor/config.yaml"]
