#!/usr/bin/env bash
# `npm run cluster:images`: builds the images whose inputs changed (npm run images) and loads them
# into the running real node, so pods started from now on run the current code. Pods already
# running keep their image: restart them (kubectl rollout restart) or re-create the Tenant.
source "$(dirname "$0")/lib.sh"
source "$ROOT_DIR/tools/cluster-versions.sh"
CLUSTER_DIR="$STATE_DIR/cluster"
source "$ROOT_DIR/tools/node-up.sh"
[[ "$(cat "$CLUSTER_DIR/node-kind" 2>/dev/null)" == real && -n "$(cluster_pid containerd)" ]] \
  || { echo "no real node runs: npm run cluster:up" >&2; exit 1; }
load_node_images
