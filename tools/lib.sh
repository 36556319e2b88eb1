# Shared helpers for the tools/ scripts. Source it; do not run it.
set -euo pipefail

ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE_DIR="${NP_STATE_DIR:-$ROOT_DIR/.local}"
# Servers started by these scripts listen on loopback only, on ports apart from any system ones and
# below the ephemeral range (32768-60999 on Linux), where outgoing connections take their source
# ports: a listener there can find its port taken. libs/testing's default-ports.spec.ts checks it.
export NP_PG_PORT="${NP_PG_PORT:-17432}"
export NP_AMQP_PORT="${NP_AMQP_PORT:-17672}"
export NP_AMQP_MGMT_PORT="${NP_AMQP_MGMT_PORT:-17673}"
export NP_AMQP_DIST_PORT="${NP_AMQP_DIST_PORT:-17674}"
export NP_AMQP_NODENAME="${NP_AMQP_NODENAME:-np@localhost}"
# versitygw, the S3 server (tools/versitygw.sh): S3 API and its admin API on one port.
export NP_S3_PORT="${NP_S3_PORT:-17470}"
# rabbitmqctl runs as an Erlang node of its own that listens on a port of this range; RabbitMQ's
# default range (35672-35682) lies in the ephemeral range.
export RABBITMQ_CTL_DIST_PORT_MIN="${RABBITMQ_CTL_DIST_PORT_MIN:-$((NP_AMQP_DIST_PORT + 1))}"
export RABBITMQ_CTL_DIST_PORT_MAX="${RABBITMQ_CTL_DIST_PORT_MAX:-$((NP_AMQP_DIST_PORT + 10))}"
# Keycloak (tools/keycloak.sh): HTTP, and its management interface (health).
export NP_KEYCLOAK_PORT="${NP_KEYCLOAK_PORT:-17880}"
export NP_KEYCLOAK_MANAGEMENT_PORT="${NP_KEYCLOAK_MANAGEMENT_PORT:-17881}"
# The local Kubernetes control plane (cluster-up.sh): etcd client and peer ports, kube-apiserver.
export NP_ETCD_PORT="${NP_ETCD_PORT:-23790}"
export NP_ETCD_PEER_PORT="${NP_ETCD_PEER_PORT:-23800}"
export NP_KUBE_APISERVER_PORT="${NP_KUBE_APISERVER_PORT:-16443}"
# Downloads and builds, keyed by version. Fixed here because start_rabbitmq (servers-up.sh) points
# HOME elsewhere, and what runs after it must still find the cache.
export NP_CACHE_DIR="${NP_CACHE_DIR:-${HOME:-/root}/.cache/np-platform}"
# The Erlang cookie lives in one place per machine, so rabbitmqctl from any checkout can reach the
# broker that another checkout started.
export NP_RABBITMQ_HOME="${NP_RABBITMQ_HOME:-${HOME:-/root}/.cache/np-platform/rabbitmq-home}"
# The processes of the control plane, in start order (cluster-up.sh), without the node: kwok for
# fake nodes, or the real node's (tools/node-up.sh).
CLUSTER_COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler)
# The real node: its runtime and kubelet, metrics, the ingress controller, KEDA, and the forwarders that
# give pods the host's servers and the API server (one per address; see tools/node-up.sh).
NODE_COMPONENTS=(containerd kubelet kube-proxy coredns metrics-server traefik keda-operator keda-adapter)
# The real node's network (tools/node-up.sh): a bridge of its own; the node's and the pods' addresses
# exist only on it. 10.96.0.1 is the `kubernetes` Service in --service-cluster-ip-range.
export NP_NODE_BRIDGE="${NP_NODE_BRIDGE:-np-node0}"
export NP_NODE_SUBNET_PREFIX="${NP_NODE_SUBNET_PREFIX:-10.244.0}"
export NP_NODE_IP="${NP_NODE_IP:-$NP_NODE_SUBNET_PREFIX.1}"
export NP_KUBERNETES_SERVICE_IP="${NP_KUBERNETES_SERVICE_IP:-10.96.0.1}"
export NP_KUBELET_PORT="${NP_KUBELET_PORT:-10250}"
export NP_KUBELET_HEALTHZ_PORT="${NP_KUBELET_HEALTHZ_PORT:-10248}"
export NP_METRICS_SERVER_PORT="${NP_METRICS_SERVER_PORT:-17444}"
# kube-proxy's and CoreDNS's health and metrics, on loopback; CoreDNS answers on $NP_NODE_IP:53.
export NP_KUBE_PROXY_HEALTHZ_PORT="${NP_KUBE_PROXY_HEALTHZ_PORT:-17256}"
export NP_KUBE_PROXY_METRICS_PORT="${NP_KUBE_PROXY_METRICS_PORT:-17249}"
export NP_DNS_HEALTH_PORT="${NP_DNS_HEALTH_PORT:-17180}"
export NP_DNS_READY_PORT="${NP_DNS_READY_PORT:-17181}"
# Traefik: where requests for the tenants' ingress hosts enter (NP_INGRESS_URL), and its API/ping.
export NP_INGRESS_PORT="${NP_INGRESS_PORT:-17080}"
export NP_INGRESS_ADMIN_PORT="${NP_INGRESS_ADMIN_PORT:-17081}"
# KEDA (tools/node-keda.sh): the operator's gRPC metrics service and the external metrics API on
# $NP_NODE_IP; its health and metrics on loopback (the adapter's metrics on every address: it takes no host).
export NP_KEDA_GRPC_PORT="${NP_KEDA_GRPC_PORT:-17666}"
export NP_KEDA_METRICS_API_PORT="${NP_KEDA_METRICS_API_PORT:-17445}"
export NP_KEDA_OPERATOR_HEALTH_PORT="${NP_KEDA_OPERATOR_HEALTH_PORT:-17282}"
export NP_KEDA_OPERATOR_METRICS_PORT="${NP_KEDA_OPERATOR_METRICS_PORT:-17283}"
export NP_KEDA_ADAPTER_METRICS_PORT="${NP_KEDA_ADAPTER_METRICS_PORT:-17285}"

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

# Shows that a long build is alive: a line every 30 s with the elapsed time.
with_heartbeat() {
  local what=$1; shift
  local started=$SECONDS
  "$@" &
  local pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 5
    if (( (SECONDS - started) % 30 < 5 )) && kill -0 "$pid" 2>/dev/null; then info "$what: still building ($((SECONDS - started)) s)"; fi
  done
  wait "$pid"
  info "$what: done in $((SECONDS - started)) s"
}

# Prints the last lines of each log file given that exists, under a header naming it.
show_log_tail() {
  local file
  for file in "$@"; do
    [[ -s "$file" ]] || continue
    echo "--- last lines of $file"
    tail -n "${NP_LOG_TAIL_LINES:-25}" "$file"
  done
}

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

# Where servers-up.sh keeps PostgreSQL's data directory and log. PostgreSQL refuses to run as
# root, so under root it runs as the postgres system user, which must be able to enter every folder
# above its data: a checkout in root's home (0700) or in a `mktemp -d` folder is out of its reach.
# Under root the data therefore lives in the postgres user's home, in a folder named after this
# state directory: reruns reuse it and two checkouts never share one. NP_PG_DIR overrides it.
pg_dir() {
  if [[ -n "${NP_PG_DIR:-}" ]]; then echo "$NP_PG_DIR"; return; fi
  if [[ $(id -u) -ne 0 ]]; then echo "$STATE_DIR/postgresql"; return; fi
  local home state
  home="$(getent passwd postgres | cut -d: -f6)"
  [[ -n "$home" ]] || { echo "no postgres system user; run tools/install-servers.sh" >&2; return 1; }
  state="$(realpath -m "$STATE_DIR")"
  echo "$home/np-platform/$(basename "$ROOT_DIR")-$(printf '%s' "$state" | sha256sum | cut -c1-12)"
}
pg_data_dir() { echo "$(pg_dir)/data"; }
# Runs "$@" as the user PostgreSQL runs as: the postgres system user under root (from /, since the
# caller's folder may be out of its reach), else the caller.
as_pg_user() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- env -C / "$@"; else "$@"; fi
}
pg_log_file() { echo "$(pg_dir)/postgres.log"; }
# PostgreSQL's data directory from before pg_dir existed: still stopped and purged by servers-down.sh.
LEGACY_PG_DATA_DIR="$STATE_DIR/postgres"

rabbitmq_dir() { echo "$STATE_DIR/rabbitmq"; }
# The broker's own log is named after its node; server.out holds what it printed before logging.
rabbitmq_logs() { printf '%s\n' "$(rabbitmq_dir)/log/$NP_AMQP_NODENAME.log" "$(rabbitmq_dir)/server.out"; }

# versitygw's buckets, users, root keys and log (tools/versitygw.sh).
versitygw_dir() { echo "$STATE_DIR/versitygw"; }

# Whether each server of servers-up.sh answers: a query as np, the AMQP 0-9-1 handshake (the broker
# replies to the protocol header with a Connection.Start method frame, type 1) and the management API.
pg_answers() {
  PGPASSWORD=np PGCONNECT_TIMEOUT=5 "$(pg_bin)/psql" -h 127.0.0.1 -p "$NP_PG_PORT" -U np -d postgres -tAc 'SELECT 1' 2>/dev/null | grep -qx 1
}
amqp_answers() {
  local reply
  reply="$(timeout 5 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" && printf "AMQP\x00\x00\x09\x01" >&3 && head -c 1 <&3 | od -An -tx1' _ "$NP_AMQP_PORT" 2>/dev/null)" || return 1
  [[ "${reply// /}" == 01 ]]
}
amqp_management_answers() { curl -sf -m 5 -u np:np "http://127.0.0.1:$NP_AMQP_MGMT_PORT/api/overview" >/dev/null 2>&1; }

# The first server of servers-up.sh that does not answer, with where its log is; nothing when all do.
server_not_answering() {
  if ! pg_answers; then echo "PostgreSQL on 127.0.0.1:$NP_PG_PORT (log: $(pg_log_file))"
  elif ! amqp_answers; then echo "RabbitMQ on 127.0.0.1:$NP_AMQP_PORT (log: $(rabbitmq_dir)/log/)"
  elif ! amqp_management_answers; then echo "RabbitMQ management API on 127.0.0.1:$NP_AMQP_MGMT_PORT (log: $(rabbitmq_dir)/log/)"
  elif ! "$ROOT_DIR/tools/versitygw.sh" health; then echo "S3 (versitygw) on 127.0.0.1:$NP_S3_PORT (log: $(versitygw_dir)/versitygw.log)"
  elif ! "$ROOT_DIR/tools/keycloak.sh" health; then echo "Keycloak on 127.0.0.1:$NP_KEYCLOAK_PORT (log: $STATE_DIR/keycloak/keycloak.log)"
  fi
}

# The pid recorded for a control-plane component, if that process still runs and is still that
# component (pids get reused); nothing otherwise. $2: the program's name when it differs from the
# component's (the forwarders are socat).
cluster_pid() {
  local pid argv0 program=${2:-$1}
  [[ $1 == forward-* ]] && program=socat
  pid="$(cat "$STATE_DIR/cluster/$1.pid" 2>/dev/null || true)"
  [[ -n "$pid" ]] || return 0
  argv0="$(tr '\0' '\n' 2>/dev/null < "/proc/$pid/cmdline" | head -n 1)"
  [[ "${argv0##*/}" == "$program" ]] && echo "$pid"
  return 0
}
