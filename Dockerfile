# One image recipe for every Shoal service; the build argument picks which:
#
#   docker build --build-arg SERVICE=auth -t shoal/auth:0.1.0 .
#   (SERVICE: auth, user, event, notification, reporting or gateway)
#
# The image runs the service's TypeScript sources directly: Node.js 24 strips the types
# (`--conditions=shoal-source` picks the workspace packages' src/ entries), so there is no
# compile step whose output could drift from what the tests ran. Only production
# dependencies of that one service are installed. The tests re-enact the `deps` and `app`
# stages' RUN lines in a temporary directory and start the service from the result
# (charts/test/dockerfile.test.ts): keep their paths (/src, /manifests, /app, /out) as they are.
#
# No `# syntax=` line on purpose: it makes BuildKit pull the dockerfile frontend image from a
# registry, which fails where none answers (the offline kind testbed: testbed/kind/README.md,
# with NODE_IMAGE=shoal-offline/node:...). The frontend built into Docker >= 20.10 already
# supports the RUN --mount below.

ARG NODE_IMAGE=docker.io/library/node:24.21.0-bookworm-slim

# 1. Only the package manifests and the lock file: the dependency layer below is rebuilt
#    when dependencies change, not on every source edit.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN mkdir -p /manifests \
 && find . -name package.json -not -path '*/node_modules/*' -exec cp --parents {} /manifests/ \; \
 && cp package-lock.json /manifests/

# 2. Workspace-aware `npm ci` of the one service: its production dependencies and the
#    workspace packages it uses (@shoal/kit), no dev dependencies, no lifecycle scripts.
FROM ${NODE_IMAGE} AS deps
ARG SERVICE
WORKDIR /app
COPY --from=manifests /manifests/ ./
RUN --mount=type=cache,target=/root/.npm \
    case "$SERVICE" in auth|user|event|notification|reporting|gateway) ;; \
      *) echo "build with --build-arg SERVICE=<auth|user|event|notification|reporting|gateway> (got '$SERVICE')" >&2; exit 1 ;; \
    esac \
 && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --workspace "@shoal/$SERVICE"

# 3. The sources the service runs: the kit and the service's own package (src/ and
#    contract files), under /out/<its directory>, with /out/service pointing at it.
FROM ${NODE_IMAGE} AS app
ARG SERVICE
WORKDIR /src
COPY . .
RUN dir="services/$SERVICE"; if [ "$SERVICE" = gateway ]; then dir=ingress; fi \
 && for package in services/kit "$dir"; do \
      mkdir -p "/out/$package" \
      && cp -R "$package/package.json" "$package/src" "/out/$package/" \
      && find "$package" -maxdepth 1 -name '*.yaml' -exec cp {} "/out/$package/" \; ; \
    done \
 && ln -s "$dir" /out/service

# 4. The runtime: node_modules from `deps`, sources from `app`, read-only, as `node` (uid 1000).
FROM ${NODE_IMAGE} AS runtime
ARG SERVICE
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="shoal-${SERVICE}" \
      org.opencontainers.image.description="Shoal ${SERVICE} service" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="https://github.com/shoal/shoal" \
      org.opencontainers.image.base.name="${NODE_IMAGE}"
ENV NODE_ENV=production \
    SERVICE_NAME=${SERVICE}
WORKDIR /app
COPY --from=deps /app/ ./
COPY --from=app /out/ ./
USER node
EXPOSE 8080
# node is PID 1 itself, so SIGTERM reaches the kit's graceful shutdown (never `npm start`,
# which would stand between them).
CMD ["node", "--conditions=shoal-source", "--import", "@shoal/kit/telemetry/register", "/app/service/src/main.ts"]
