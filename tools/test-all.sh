#!/usr/bin/env bash
# `npm test`: every test suite against real servers, on a bare machine.
#   1. installs (Debian packages, go install) and starts PostgreSQL, RabbitMQ and versitygw (S3) on loopback,
#   2. builds (once, cached under ~/.cache) and starts a Kubernetes control plane on loopback,
#   3. builds every package, lints them and type-checks every file (tests included),
#   4. runs unit, integration and cluster (operator) suites (with coverage thresholds),
#   5. runs the end-to-end suite through the gateway's HTTP, distributed then embedded,
#   6. tests the module generator (tools/test-new-module.js), the delivery files and (as root) the
#      images, built without Docker and run by runc,
#   7. (as root) restarts the cluster with a real node (its binaries built in the background since
#      step 2) and runs the cluster shape's suite on it: the operator from its image, a Tenant's
#      pods from theirs, requests through the ingress, scaling with traffic (KEDA); then the whole
#      end-to-end suite against the cluster shape, a Tenant per spec.
# Servers and the control plane are stopped at the end unless NP_KEEP_SERVERS=1. Before each suite
# the servers are checked: the run stops at the first one that does not answer, naming it.
source "$(dirname "$0")/lib.sh"
cd "$ROOT_DIR"
RESULTS="$STATE_DIR/test-results"
rm -rf "$RESULTS"; mkdir -p "$RESULTS"

[[ "${NP_KEEP_SERVERS:-0}" == 1 ]] || trap 'bash tools/servers-down.sh >/dev/null 2>&1 || true; bash tools/cluster-down.sh >/dev/null 2>&1 || true' EXIT
bash tools/servers-up.sh
bash tools/cluster-up.sh --kwok
# The real node's binaries (kubelet, containerd, kube-proxy, CoreDNS, metrics-server, Traefik, KEDA)
# build in the background, at the lowest priority, while the suites below wait on their servers
# (on a fresh machine that is most of half an hour of Go builds); step 7 waits for them.
NODE_BUILD_PID=""
if [[ $(id -u) -eq 0 ]]; then
  nice -n 19 bash tools/cluster-build.sh > "$STATE_DIR/node-build.log" 2>&1 &
  NODE_BUILD_PID=$!
fi
set -a; source "$STATE_DIR/servers.env"; source "$STATE_DIR/cluster.env"; set +a
export NP_ENV=test NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false

step "building"
npx nx run-many -t build --outputStyle=static
step "linting"
npx nx run-many -t lint --outputStyle=static
step "type-checking every file, tests included"
npm run typecheck

jest() { node --experimental-vm-modules node_modules/jest/bin/jest.js "$@"; }

# One line naming the first server or control-plane component that is gone, then stop: suites run
# against a dead server only report hundreds of refused connections.
require_servers() {
  local down c
  down="$(server_not_answering)"
  [[ -z "$down" ]] || stop_tests "$down is not answering"
  for c in "${CLUSTER_COMPONENTS[@]}"; do
    [[ -n "$(cluster_pid "$c")" ]] || stop_tests "$c of the control plane is not running (log: $STATE_DIR/cluster/$c.log)"
  done
  [[ "$("$NP_KUBECTL" --kubeconfig "$KUBECONFIG" --request-timeout=10s get --raw /readyz 2>/dev/null)" == ok ]] \
    || stop_tests "kube-apiserver on $NP_KUBE_APISERVER_URL is not ready (log: $STATE_DIR/cluster/kube-apiserver.log)"
}
stop_tests() { echo "$1; stopping the tests" >&2; exit 1; }
status=0
step "unit, integration and cluster suites (real PostgreSQL, RabbitMQ and kube-apiserver)"
require_servers
jest --selectProjects unit integration cluster --runInBand --coverage --json --outputFile="$RESULTS/unit-integration.json" || status=1
for shape in distributed embedded; do
  step "end-to-end suite, $shape shape"
  require_servers
  NP_E2E_SHAPE=$shape jest --selectProjects e2e --runInBand --json --outputFile="$RESULTS/e2e-$shape.json" || status=1
done
step "the module generator: a new module in a copy of the checkout, built, tested, served in both shapes"
require_servers
node tools/test-new-module.js inventory || status=1
step "delivery files (compose, skaffold, Azure Pipelines, Dockerfile) against their parsers and schemas"
jest --selectProjects delivery --json --outputFile="$RESULTS/delivery.json" || status=1
if [[ $(id -u) -eq 0 ]]; then
  step "images: built without Docker (npm run images), run by runc against the real servers"
  require_servers
  { NP_IMAGES_SKIP_BUILD=1 bash tools/images.sh && jest --selectProjects images --runInBand --json --outputFile="$RESULTS/images.json"; } || status=1
else
  step "images: skipped (runc runs them as root only; npm run test:images as root)"
fi
if [[ $(id -u) -eq 0 ]]; then
  step "the cluster shape on a real node: kubelet, containerd, Traefik, KEDA; the operator and a Tenant from the images"
  require_servers
  if [[ -n "$NODE_BUILD_PID" ]] && ! wait "$NODE_BUILD_PID"; then
    echo "building the real node's binaries failed (log: $STATE_DIR/node-build.log)" >&2; status=1
  fi
  # The kwok nodes give way to the real node (cluster-up restarts the cluster for it).
  if NP_IMAGES_SKIP_BUILD=1 bash tools/cluster-up.sh; then
    set -a; source "$STATE_DIR/cluster.env"; set +a
    jest --selectProjects node --runInBand --json --outputFile="$RESULTS/node.json" || status=1
    step "end-to-end suite, cluster shape: a Tenant per spec on the real node, every request through the ingress"
    require_servers
    # The platform the node suite installed stays. Every spec runs: the spine's (test/e2e/*.spec.ts)
    # and each module's (*.e2e-spec.ts), modules reaching each other through their Services.
    NP_E2E_SHAPE=cluster jest --selectProjects e2e --runInBand --json --outputFile="$RESULTS/e2e-cluster.json" || status=1
  else
    echo "the real node did not start (logs in $STATE_DIR/cluster/)" >&2; status=1
  fi
else
  step "the real node: skipped (it runs containers as root only; npm run cluster:up && npm run test:node as root)"
fi
node tools/summarise-tests.js "$RESULTS"/*.json
exit $status
