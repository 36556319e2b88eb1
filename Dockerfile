# syntax=docker/dockerfile:1
# One image per process of the platform: every implemented module of the module manifest
# (libs/modules: its `image` name) and the operator. Build from the repository root, which holds
# the npm workspaces, naming the workspace folder:
#
#   docker build --build-arg WORKSPACE=services/gateway -t ghcr.io/np-platform/gateway:0.1.0 .
#   docker build --build-arg WORKSPACE=services/users   -t ghcr.io/np-platform/users:0.1.0 .
#   docker build --build-arg WORKSPACE=operator          -t ghcr.io/np-platform/operator:0.1.0 .
#
# `npm run images` (tools/images.sh) builds the same images without Docker and prints these
# commands for every image of the manifest. The runtime stage holds Node, the production
# dependencies of that one workspace and the compiled output of it and the workspaces it uses; no
# sources, no compiler, no test tools, no other service's dependencies. The gateway also gets the
# `<package>/contracts` of every implemented module, which it imports by name.

ARG NODE_IMAGE=node:24.21.0-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
# npm ci checks the lockfile against every workspace's package.json, so the whole tree is copied
# (.dockerignore keeps node_modules and build output out). Install scripts are skipped: none is
# needed to compile, and some (the `node` devDependency, embedded PostgreSQL) download binaries.
COPY . .
RUN --mount=type=cache,target=/root/.npm \
    npm ci --ignore-scripts --no-audit --no-fund
# tsc -b follows each project's references and builds the libraries first.
RUN ./node_modules/.bin/tsc -b libs/* services/* operator
ARG WORKSPACE
# The app folder exactly as the daemonless build stages it (tools/images/stage-app.js): package
# manifests, production node_modules (optional platform binaries such as embedded PostgreSQL's
# left out), the dist of every workspace the process loads, and the compile cache of all of it,
# written by this stage's Node, which is the runtime stage's (tools/images/compile-cache.js).
RUN --mount=type=cache,target=/root/.npm \
    test -n "$WORKSPACE" && node tools/images/stage-app.js "$WORKSPACE" /app

FROM ${NODE_IMAGE} AS runtime
ARG WORKSPACE
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="np-platform ${WORKSPACE}" \
      org.opencontainers.image.description="NP Platform: ${WORKSPACE}" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="https://github.com/np-platform/np-platform" \
      org.opencontainers.image.licenses="UNLICENSED"
ENV NODE_ENV=production
# V8's code for the module graph, compiled at build time: a pod skips compiling it at start.
ENV NODE_COMPILE_CACHE=/app/.node-compile-cache NODE_COMPILE_CACHE_PORTABLE=1
WORKDIR /app
# Owned by root: the process cannot change its own code, and the root filesystem can be mounted
# read-only (nothing is written under /app).
COPY --from=build /app /app
# Numeric, so Kubernetes can verify runAsNonRoot without a passwd entry; matches the chart's and
# the operator's securityContext.
USER 10001:10001
# The gateway's API (PORT) or a module's ops endpoints (NP_OPS_PORT); the operator sets both.
EXPOSE 8080 9090
# node is PID 1: the services handle SIGTERM themselves (drain, close, exit 0) and start no
# children, so no init is needed to reap them. main.mjs (written by stage-app.js) imports the
# workspace's dist/main.js.
ENTRYPOINT ["node", "/app/main.mjs"]
