# Shared helpers for the tools/ scripts. Source it; do not run it.
set -euo pipefail

ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE_DIR="${NP_STATE_DIR:-$ROOT_DIR/.local}"
# Servers started by these scripts listen on loopback only, on ports apart from any system ones.
export NP_PG_PORT="${NP_PG_PORT:-54320}"
export NP_AMQP_PORT="${NP_AMQP_PORT:-56720}"
export NP_AMQP_MGMT_PORT="${NP_AMQP_MGMT_PORT:-15673}"
export NP_AMQP_DIST_PORT="${NP_AMQP_DIST_PORT:-25673}"
export NP_AMQP_NODENAME="${NP_AMQP_NODENAME:-np@localhost}"
# The local Kubernetes control plane (cluster-up.sh): etcd client and peer ports, kube-apiserver.
export NP_ETCD_PORT="${NP_ETCD_PORT:-23790}"
export NP_ETCD_PEER_PORT="${NP_ETCD_PEER_PORT:-23800}"
export NP_KUBE_APISERVER_PORT="${NP_KUBE_APISERVER_PORT:-16443}"
# The Erlang cookie lives in one place per machine, so rabbitmqctl from any checkout can reach the
# broker that another checkout started.
export NP_RABBITMQ_HOME="${NP_RABBITMQ_HOME:-${HOME:-/root}/.cache/np-platform/rabbitmq-home}"

step() { printf '\033[1m==> %s\033[0m\n' "$*"; }
info() { printf '    %s\n' "$*"; }

# Waits until "$@" succeeds, printing a dot per try; gives up after $WAIT_SECONDS (default 60).
# Tries every $WAIT_INTERVAL seconds (default 1).
wait_for() {
  local what=$1; shift
  local deadline=$((SECONDS + ${WAIT_SECONDS:-60}))
  printf '    waiting for %s ' "$what"
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS > deadline)); then printf ' timed out\n'; return 1; fi
    printf '.'; sleep "${WAIT_INTERVAL:-1}"
  done
  printf ' up\n'
}

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
