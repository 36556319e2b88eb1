#!/usr/bin/env bash
# `npm run bench`: every request benchmark, each against a baseline measured in the same run.
#   1. GET /v1/users/:id through the gateway, embedded and distributed shapes (bench/gateway-get-user.js),
#      files through the gateway against straight S3 (bench/files-throughput.js), form
#      submissions through the gateway against ajv + pg (bench/forms-submissions.js), and a CSV
#      export of 1,000,000 rows against COPY plus audit ingestion (bench/reports-export.js);
#   2. as root: the cluster shape on the real node (bench/cluster-shape.js): the same request
#      through the ingress, and kubectl apply of a new Tenant to its first login.
# Set BENCH_SHAPES=embedded,distributed (or cluster) to run only some.
source "$(dirname "$0")/lib.sh"
cd "$ROOT_DIR"
SHAPES="${BENCH_SHAPES:-embedded,distributed,cluster}"
bash tools/servers-up.sh
npm run build
status=0
process_shapes="$(tr ',' '\n' <<< "$SHAPES" | grep -v '^cluster$' | paste -sd, -)"
if [[ -n "$process_shapes" ]]; then
  BENCH_TARGETS="$process_shapes" node --env-file="$STATE_DIR/servers.env" bench/gateway-get-user.js || status=1
  node --env-file="$STATE_DIR/servers.env" bench/files-throughput.js || status=1
  BENCH_TARGETS="$process_shapes" node --env-file="$STATE_DIR/servers.env" bench/forms-submissions.js || status=1
  node --env-file="$STATE_DIR/servers.env" bench/reports-export.js || status=1
fi
if grep -qx cluster <<< "$(tr ',' '\n' <<< "$SHAPES")"; then
  if [[ $(id -u) -eq 0 ]]; then
    bash tools/cluster-up.sh
    bash tools/platform-install.sh
    node --env-file="$STATE_DIR/servers.env" --env-file="$STATE_DIR/cluster.env" bench/cluster-shape.js || status=1
  else
    step "cluster shape: skipped (the real node runs containers as root only)"
  fi
fi
exit $status
