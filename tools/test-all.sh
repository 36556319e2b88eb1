#!/usr/bin/env bash
# `npm test`: every test suite against real servers, on a bare machine.
#   1. installs (Debian packages) and starts PostgreSQL and RabbitMQ on loopback,
#   2. builds every package and lints them,
#   3. runs unit and integration suites (with coverage thresholds),
#   4. runs the end-to-end suite through the gateway's HTTP, distributed then embedded.
# Servers are stopped at the end unless NP_KEEP_SERVERS=1.
source "$(dirname "$0")/lib.sh"
cd "$ROOT_DIR"
RESULTS="$STATE_DIR/test-results"
rm -rf "$RESULTS"; mkdir -p "$RESULTS"

bash tools/servers-up.sh
[[ "${NP_KEEP_SERVERS:-0}" == 1 ]] || trap 'bash tools/servers-down.sh >/dev/null 2>&1 || true' EXIT
set -a; source "$STATE_DIR/servers.env"; set +a
export NP_ENV=test NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false

step "building"
npx nx run-many -t build --outputStyle=static
step "linting"
npx nx run-many -t lint --outputStyle=static

jest() { node --experimental-vm-modules node_modules/jest/bin/jest.js "$@"; }
status=0
step "unit and integration suites (real PostgreSQL and RabbitMQ)"
jest --selectProjects unit integration --runInBand --coverage --json --outputFile="$RESULTS/unit-integration.json" || status=1
for shape in distributed embedded; do
  step "end-to-end suite, $shape shape"
  NP_E2E_SHAPE=$shape jest --selectProjects e2e --runInBand --json --outputFile="$RESULTS/e2e-$shape.json" || status=1
done
node tools/summarise-tests.js "$RESULTS"/*.json
exit $status
