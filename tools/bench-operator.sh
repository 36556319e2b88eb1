#!/usr/bin/env bash
# `npm run bench:operator`: the operator's benchmarks, each against a baseline measured in the same run.
#   1. Tenants created at once on fake nodes (kwok), to Ready, against kubectl and server-side
#      apply of the same objects (bench/operator-tenants.js);
#   2. as root, on the real node with KEDA: cold start from zero and queued bursts with and
#      without scale-out (bench/scale-to-zero.js), the platform installed from its images.
source "$(dirname "$0")/lib.sh"
cd "$ROOT_DIR"
bash tools/servers-up.sh
npm run build
status=0
bash tools/cluster-up.sh --kwok
node --env-file="$STATE_DIR/cluster.env" --env-file="$STATE_DIR/servers.env" bench/operator-tenants.js || status=1
if [[ $(id -u) -eq 0 ]]; then
  # The kwok nodes give way to the real node (cluster-up restarts the cluster for it).
  bash tools/cluster-up.sh
  bash tools/platform-install.sh
  node --env-file="$STATE_DIR/servers.env" --env-file="$STATE_DIR/cluster.env" bench/scale-to-zero.js || status=1
else
  step "scaling with traffic: skipped (the real node runs containers as root only)"
fi
exit $status
