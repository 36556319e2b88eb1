#!/usr/bin/env bash
# Starts a local Kubernetes control plane on 127.0.0.1 (etcd, kube-apiserver with the aggregation
# layer, kube-controller-manager, kube-scheduler) and its nodes:
#   (default)  one real node, as root: kubelet + containerd + runc + the bridge CNI, metrics-server
#              and the Traefik ingress controller, the platform's images loaded (tools/node-up.sh);
#   --kwok     $NP_KWOK_NODES (default 3) fake nodes played by kwok: pods are scheduled and reported
#              Running without containers (the operator's suites and the 100-tenant benchmark).
# State, logs and pids live under .local/cluster/; the admin kubeconfig is .local/kubeconfig and the
# settings to use are in .local/cluster.env (NP_INGRESS_URL with a real node). Safe to run again
# while it runs; asking for the other kind of node restarts the cluster.
source "$(dirname "$0")/lib.sh"
source "$ROOT_DIR/tools/cluster-versions.sh"
started=$SECONDS

mkdir -p "$STATE_DIR"
STATE_DIR="$(cd "$STATE_DIR" && pwd)"
CLUSTER_DIR="$STATE_DIR/cluster"
PKI="$CLUSTER_DIR/pki"
KUBECONFIG_FILE="$STATE_DIR/kubeconfig"
ENV_FILE="$STATE_DIR/cluster.env"
NODE_COUNT="${NP_KWOK_NODES:-3}"
NODE_KIND=real
[[ "${1:-}" == --kwok ]] && NODE_KIND=kwok
MODE_FILE="$CLUSTER_DIR/node-kind"

KUBE_BIN="$NP_CACHE_DIR/bin/kubernetes-$KUBERNETES_VERSION"
ETCD_BIN="$NP_CACHE_DIR/bin/etcd-$ETCD_VERSION/etcd"
KWOK_DIR="$NP_CACHE_DIR/bin/kwok-$KWOK_VERSION"
KUBECTL="$KUBE_BIN/kubectl"
HELM="$NP_CACHE_DIR/bin/helm-$HELM_VERSION/helm"
APISERVER_URL="https://127.0.0.1:$NP_KUBE_APISERVER_PORT"

# Certificates need openssl and health checks curl; tools/install-servers.sh installs them when missing.
command -v openssl >/dev/null && command -v curl >/dev/null || bash "$ROOT_DIR/tools/install-servers.sh"

# A no-op when every binary is cached (and then needs no Go toolchain).
if [[ $NODE_KIND == kwok ]]; then bash "$ROOT_DIR/tools/cluster-build.sh" --control-plane; else bash "$ROOT_DIR/tools/cluster-build.sh"; fi
source "$ROOT_DIR/tools/node-up.sh"

kc() { "$KUBECTL" --kubeconfig "$KUBECONFIG_FILE" --request-timeout=5s "$@"; }

pid_of() { cat "$CLUSTER_DIR/$1.pid" 2>/dev/null || true; }

# True while the process recorded for $1 runs and is still that component (pids get reused).
alive() { [[ -n "$(cluster_pid "$1")" ]]; }

apiserver_ready() { [[ -s "$KUBECONFIG_FILE" ]] && [[ "$(kc get --raw /readyz 2>/dev/null)" == ok ]]; }

write_env() {
  cat > "$ENV_FILE" <<ENV
KUBECONFIG=$KUBECONFIG_FILE
NP_KUBE_APISERVER_URL=$APISERVER_URL
NP_KUBE_APISERVER_PORT=$NP_KUBE_APISERVER_PORT
NP_ETCD_PORT=$NP_ETCD_PORT
NP_ETCD_PEER_PORT=$NP_ETCD_PEER_PORT
NP_KUBECTL=$KUBECTL
NP_HELM=$HELM
NP_CLUSTER_NODE_KIND=$NODE_KIND
ENV
  [[ $NODE_KIND == real ]] && cat >> "$ENV_FILE" <<ENV
NP_INGRESS_URL=http://127.0.0.1:$NP_INGRESS_PORT
NP_NODE_IP=$NP_NODE_IP
NP_NODE_NAME=$NODE_NAME
ENV
  return 0
}

show_env() {
  step "$1; settings in $ENV_FILE"
  sed 's/^/    /' "$ENV_FILE"
}

components() {
  printf '%s\n' "${CLUSTER_COMPONENTS[@]}"
  if [[ $NODE_KIND == kwok ]]; then echo kwok; else printf '%s\n' "${NODE_COMPONENTS[@]}"; node_forwarders; fi
}
not_running() { local c; for c in $(components); do alive "$c" || printf '%s ' "$c"; done; }

# Already running with the same kind of node: nothing to do. A plane under load may answer /readyz
# late, so a running apiserver gets some time before it is judged broken.
if [[ "$(cat "$MODE_FILE" 2>/dev/null)" == "$NODE_KIND" && -z "$(not_running)" ]] && { apiserver_ready || WAIT_SECONDS=30 wait_for "the running kube-apiserver" apiserver_ready; }; then
  info "Kubernetes control plane already up on $APISERVER_URL"
  write_env
  show_env "cluster up"
  exit 0
fi

# Leftovers of an earlier start that is no longer whole (a crash, a reboot, a failed start): clear
# them so this start begins from a known state.
if [[ -d "$CLUSTER_DIR" || -e "$KUBECONFIG_FILE" ]]; then
  stopped="$(not_running)"; stopped="${stopped% }"
  if [[ "$(cat "$MODE_FILE" 2>/dev/null)" != "$NODE_KIND" ]]; then stopped="a cluster with other nodes runs"; fi
  step "the cluster in $CLUSTER_DIR is not healthy (${stopped:+not running: }${stopped:-kube-apiserver not ready}); starting afresh"
  bash "$ROOT_DIR/tools/cluster-down.sh"
fi

for port_var in NP_ETCD_PORT NP_ETCD_PEER_PORT NP_KUBE_APISERVER_PORT; do
  if (exec 3<>"/dev/tcp/127.0.0.1/${!port_var}") 2>/dev/null; then
    echo "port ${!port_var} is already in use by another process; choose another one with $port_var=..." >&2
    exit 1
  fi
done

mkdir -p "$PKI" "$CLUSTER_DIR/etcd"
echo "$NODE_KIND" > "$MODE_FILE"
# etcd warns about a data directory others can read; the keys are private too.
chmod 700 "$CLUSTER_DIR" "$CLUSTER_DIR/etcd"

# From here on a failure stops what was started and points at the logs, which are kept.
exec 3>&2
failed_component=""
on_exit() {
  local status=$?
  ((status == 0)) && return
  # fd 3: a failure inside wait_for happens while its output goes to /dev/null.
  if [[ -n "$failed_component" ]]; then
    echo "--- last lines of $CLUSTER_DIR/$failed_component.log" >&3
    tail -n 25 "$CLUSTER_DIR/$failed_component.log" >&3 || true
  fi
  echo "cluster start failed; logs are in $CLUSTER_DIR/ (npm run cluster:down removes them)" >&3
  bash "$ROOT_DIR/tools/cluster-down.sh" --keep-files >/dev/null 2>&1 || true
}
trap on_exit EXIT

# Used inside wait_for: gives up at once when the component being waited for has exited.
require_alive() {
  if ! alive "$1"; then
    failed_component=$1
    printf ' %s exited\n' "$1" >&3
    exit 1
  fi
}

step "generating certificates in $PKI"
(
  cd "$PKI"
  cat > openssl.cnf <<'CNF'
[req]
distinguished_name = dn
[dn]
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign, digitalSignature
subjectKeyIdentifier = hash
[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
authorityKeyIdentifier = keyid
# 10.96.0.1 is the `kubernetes` Service in --service-cluster-ip-range, the address in-cluster
# clients are given.
subjectAltName = IP:127.0.0.1, DNS:localhost, IP:10.96.0.1, DNS:kubernetes, DNS:kubernetes.default, DNS:kubernetes.default.svc, DNS:kubernetes.default.svc.cluster.local
[client]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
authorityKeyIdentifier = keyid
CNF
  newkey() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
  # $1 name, $2 subject, $3 extension section
  sign() {
    newkey "$1.key"
    openssl req -new -key "$1.key" -subj "$2" -config openssl.cnf \
      | openssl x509 -req -CA ca.crt -CAkey ca.key -set_serial "0x$(openssl rand -hex 16)" -days 365 \
          -extfile openssl.cnf -extensions "$3" -out "$1.crt" 2>/dev/null
  }
  newkey ca.key
  openssl req -x509 -new -key ca.key -subj "/CN=np-local-kubernetes-ca" -days 3650 \
    -config openssl.cnf -extensions ca -out ca.crt
  sign apiserver "/CN=kube-apiserver" server
  # O=system:masters is bound to cluster-admin by the apiserver itself, without any RBAC object.
  sign admin "/O=system:masters/CN=np-admin" client
  # The API server's identity towards kubelets (logs, exec, metrics).
  sign apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" client
  # The aggregation layer: a CA of its own for the front proxy's client certificate, which
  # extension API servers (metrics-server) trust for the user it forwards.
  newkey front-proxy-ca.key
  openssl req -x509 -new -key front-proxy-ca.key -subj "/CN=np-local-front-proxy-ca" -days 3650 \
    -config openssl.cnf -extensions ca -out front-proxy-ca.crt
  newkey front-proxy-client.key
  openssl req -new -key front-proxy-client.key -subj "/CN=front-proxy-client" -config openssl.cnf \
    | openssl x509 -req -CA front-proxy-ca.crt -CAkey front-proxy-ca.key -set_serial "0x$(openssl rand -hex 16)" -days 365 \
        -extfile openssl.cnf -extensions client -out front-proxy-client.crt 2>/dev/null
  # The key pair that signs and verifies service-account tokens.
  newkey sa.key
  openssl pkey -in sa.key -pubout -out sa.pub
  chmod 600 ./*.key
)

b64() { base64 -w0 < "$1"; }
umask_was=$(umask); umask 077
cat > "$KUBECONFIG_FILE" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
- name: np-local
  cluster:
    server: $APISERVER_URL
    certificate-authority-data: $(b64 "$PKI/ca.crt")
users:
- name: np-admin
  user:
    client-certificate-data: $(b64 "$PKI/admin.crt")
    client-key-data: $(b64 "$PKI/admin.key")
contexts:
- name: np-local
  context:
    cluster: np-local
    user: np-admin
current-context: np-local
KUBECONFIG
umask "$umask_was"

# Each component runs in its own session so it outlives the shell or CI step that started it and a
# Ctrl-C there does not reach it. The pid is written by the process itself, just before exec.
# No descriptor of this script stays open in them (3>&-), or a caller reading its output through a
# pipe would wait for the cluster to stop.
start() {
  local name=$1; shift
  setsid bash -c 'echo $$ > "$0"; exec "$@"' "$CLUSTER_DIR/$name.pid" "$@" \
    > "$CLUSTER_DIR/$name.log" 2>&1 < /dev/null 3>&- &
  local tries=0 pid
  until alive "$name"; do
    pid="$(pid_of "$name")"
    if ((++tries > 50)) || { [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; }; then
      failed_component=$name; echo "$name exited at start" >&2; exit 1
    fi
    sleep 0.1
  done
}

step "starting etcd on 127.0.0.1:$NP_ETCD_PORT (peer port $NP_ETCD_PEER_PORT)"
t=$SECONDS
# --unsafe-no-fsync: the data is thrown away with the cluster, and fsync dominates write latency.
start etcd "$ETCD_BIN" --name np-local --data-dir "$CLUSTER_DIR/etcd" \
  --listen-client-urls "http://127.0.0.1:$NP_ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$NP_ETCD_PORT" \
  --listen-peer-urls "http://127.0.0.1:$NP_ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$NP_ETCD_PEER_PORT" \
  --initial-cluster "np-local=http://127.0.0.1:$NP_ETCD_PEER_PORT" --initial-cluster-state new \
  --unsafe-no-fsync --log-level warn
etcd_ready() { require_alive etcd; curl -sf "http://127.0.0.1:$NP_ETCD_PORT/health" | grep -q '"health":"true"'; }
WAIT_INTERVAL=0.2 wait_for "etcd" etcd_ready
info "etcd ready in $((SECONDS - t)) s"

step "starting kube-apiserver on $APISERVER_URL"
t=$SECONDS
# --endpoint-reconciler-type none: with a loopback --advertise-address the default reconciler
# refuses to start, and nothing in-cluster needs endpoints for the `kubernetes` Service.
# --allow-privileged: charts under test may ask for privileged containers; none ever runs here.
start kube-apiserver "$KUBE_BIN/kube-apiserver" \
  --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$NP_KUBE_APISERVER_PORT" \
  --etcd-servers "http://127.0.0.1:$NP_ETCD_PORT" \
  --endpoint-reconciler-type none \
  --tls-cert-file "$PKI/apiserver.crt" --tls-private-key-file "$PKI/apiserver.key" \
  --client-ca-file "$PKI/ca.crt" \
  --service-account-key-file "$PKI/sa.pub" --service-account-signing-key-file "$PKI/sa.key" \
  --service-account-issuer https://kubernetes.default.svc.cluster.local \
  --service-cluster-ip-range 10.96.0.0/16 \
  --authorization-mode Node,RBAC \
  --kubelet-client-certificate "$PKI/apiserver-kubelet-client.crt" --kubelet-client-key "$PKI/apiserver-kubelet-client.key" \
  --kubelet-certificate-authority "$PKI/ca.crt" --kubelet-preferred-address-types InternalIP \
  --requestheader-client-ca-file "$PKI/front-proxy-ca.crt" --requestheader-allowed-names front-proxy-client \
  --requestheader-username-headers X-Remote-User --requestheader-group-headers X-Remote-Group \
  --requestheader-extra-headers-prefix X-Remote-Extra- \
  --proxy-client-cert-file "$PKI/front-proxy-client.crt" --proxy-client-key-file "$PKI/front-proxy-client.key" \
  --enable-aggregator-routing=true \
  --allow-privileged=true \
  --profiling=false
apiserver_up() { require_alive kube-apiserver; apiserver_ready; }
WAIT_INTERVAL=0.25 wait_for "kube-apiserver /readyz" apiserver_up
info "kube-apiserver ready in $((SECONDS - t)) s"

step "starting kube-controller-manager and kube-scheduler"
# The controllers create hundreds of pods in the benchmark; with the default client limit (20 qps)
# 700 pods of one Deployment took 36 s to be Running instead of 13 s, the controller manager and not
# the operator being the bottleneck.
start kube-controller-manager "$KUBE_BIN/kube-controller-manager" \
  --kubeconfig "$KUBECONFIG_FILE" --leader-elect=false --secure-port 0 \
  --service-account-private-key-file "$PKI/sa.key" --root-ca-file "$PKI/ca.crt" \
  --use-service-account-credentials \
  --kube-api-qps 100 --kube-api-burst 200 \
  --horizontal-pod-autoscaler-sync-period 10s \
  --horizontal-pod-autoscaler-downscale-stabilization "${NP_HPA_DOWNSCALE_STABILIZATION:-30s}"
start kube-scheduler "$KUBE_BIN/kube-scheduler" \
  --kubeconfig "$KUBECONFIG_FILE" --leader-elect=false --secure-port 0
all_alive() { local c; for c in $(components); do require_alive "$c"; done; }

start_kwok_nodes() {
  step "starting kwok"
  # kwok serves nothing itself (no --server-address/--node-port). --node-ip 127.0.0.1 keeps any
  # apiserver-to-"kubelet" connection (logs, exec) on loopback. Pod IPs come from a /16 so the
  # benchmark's ~700 pods stay inside the range. Node leases renewed every 10 s, as a kubelet does:
  # without them the only heartbeat is the heartbeat stage's status update every 20-45 s, close to
  # the controller manager's 50 s grace period, and a late one under load would mark a node NotReady.
  start kwok "$KWOK_DIR/kwok" \
    --kubeconfig "$KUBECONFIG_FILE" -c "$KWOK_DIR/stages.yaml" \
    --manage-all-nodes=false --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
    --node-lease-duration-seconds 40 \
    --node-ip 127.0.0.1 --cidr 10.244.0.0/16

  step "creating $NODE_COUNT fake nodes"
  # No taints, so ordinary pods schedule; capacity for the benchmark's ~700 pods with room to spare.
  local i
  for ((i = 0; i < NODE_COUNT; i++)); do
    cat <<NODE
apiVersion: v1
kind: Node
metadata:
  name: kwok-node-$i
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    type: kwok
    kubernetes.io/hostname: kwok-node-$i
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
status:
  allocatable: {cpu: "64", memory: 256Gi, pods: "1000"}
  capacity: {cpu: "64", memory: 256Gi, pods: "1000"}
---
NODE
  done | kc apply -f - >/dev/null
  nodes_ready() {
    all_alive
    local ready
    ready="$(kc get nodes -l type=kwok -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' | grep -c True)"
    ((ready == NODE_COUNT))
  }
  WAIT_INTERVAL=0.25 wait_for "$NODE_COUNT nodes Ready (kwok)" nodes_ready
}

default_sa() { require_alive kube-controller-manager; kc -n default get serviceaccount default; }
WAIT_INTERVAL=0.25 wait_for "the default ServiceAccount (kube-controller-manager)" default_sa
if [[ $NODE_KIND == kwok ]]; then start_kwok_nodes; else start_real_node; fi

# A component can come up and exit a moment later (a port taken after all, for one): look again
# after a few seconds, so the caller does not go on against a plane that is already gone.
sleep "${NP_CLUSTER_SETTLE_SECONDS:-3}"
all_alive
apiserver_ready || WAIT_SECONDS=15 WAIT_INTERVAL=0.5 wait_for "kube-apiserver /readyz again" apiserver_up \
  || { failed_component=kube-apiserver; echo "kube-apiserver stopped answering /readyz after its start" >&2; exit 1; }

write_env
show_env "cluster up in $((SECONDS - started)) s"
