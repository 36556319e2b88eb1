#!/usr/bin/env bash
# Stops the local Kubernetes control plane started by cluster-up.sh and its nodes, and removes its
# state (.local/cluster/, .local/kubeconfig, .local/cluster.env). Of a real node nothing remains:
# its pods' processes and cgroups, the runtime's mount namespace (with the pods' network namespaces),
# the bridge and its addresses are removed. Safe to run when nothing runs.
# `--keep-files` only stops the processes and keeps state and logs (cluster-up.sh uses it after a
# failed start).
source "$(dirname "$0")/lib.sh"
CLUSTER_DIR="$STATE_DIR/cluster"

# Exited, or a zombie its reaper has not collected yet.
gone() { ! kill -0 "$1" 2>/dev/null || [[ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" == Z ]]; }

# TERM, then KILL whatever still runs after $NP_CLUSTER_STOP_SECONDS (default 5).
stop() {
  local name pid running=()
  for name in "$@"; do
    pid="$(cluster_pid "$name")"
    [[ -n "$pid" ]] && running+=("$name:$pid")
  done
  ((${#running[@]})) || return 0
  info "stopping ${running[*]%%:*}"
  local entry deadline=$((SECONDS + ${NP_CLUSTER_STOP_SECONDS:-5}))
  for entry in "${running[@]}"; do kill -TERM "${entry##*:}" 2>/dev/null || true; done
  for entry in "${running[@]}"; do
    while ! gone "${entry##*:}" && ((SECONDS < deadline)); do sleep 0.1; done
    if ! gone "${entry##*:}"; then
      info "${entry%%:*} still running after TERM; killing it"
      kill -KILL "${entry##*:}" 2>/dev/null || true
    fi
  done
  # Wait for them to exit so a following cluster-up finds the ports free.
  for entry in "${running[@]}"; do
    for _ in $(seq 1 50); do gone "${entry##*:}" && break; sleep 0.1; done
  done
}

# Every process in the pods' cgroups (/np-node), killed; then the cgroups themselves.
remove_pod_cgroups() {
  local hierarchy pids
  for _ in 1 2 3 4 5; do
    pids="$(find /sys/fs/cgroup/*/np-node -name cgroup.procs -exec cat {} + 2>/dev/null | sort -u || true)"
    [[ -z "$pids" ]] && break
    # shellcheck disable=SC2086
    kill -KILL $pids 2>/dev/null || true
    sleep 0.3
  done
  for hierarchy in /sys/fs/cgroup/*/np-node; do
    [[ -d "$hierarchy" ]] && find "$hierarchy" -depth -type d -exec rmdir {} + 2>/dev/null || true
  done
}

# The container shims and anything else left in the runtime's mount namespace.
kill_mount_namespace() {
  local ns=$1 proc
  [[ -n "$ns" ]] || return 0
  for proc in /proc/[0-9]*; do
    [[ "$(readlink "$proc/ns/mnt" 2>/dev/null)" == "$ns" ]] && kill -KILL "${proc#/proc/}" 2>/dev/null || true
  done
}

# kube-proxy's nftables tables, ours (tools/node-up.sh), and the canary chains the kubelet writes to watch for a flush of the
# host's iptables: nothing of the node stays in the host's rules.
remove_node_rules() {
  local family table
  if command -v nft >/dev/null; then
    for family in ip ip6; do nft delete table "$family" kube-proxy 2>/dev/null || true; done
    nft delete table inet np-node 2>/dev/null || true
  fi
  for family in iptables ip6tables; do
    command -v "$family" >/dev/null || continue
    for table in mangle nat filter; do
      "$family" -t "$table" -F KUBE-KUBELET-CANARY 2>/dev/null && "$family" -t "$table" -X KUBE-KUBELET-CANARY 2>/dev/null || true
    done
  done
}

stop_real_node() {
  # One real node per machine: only the checkout whose cluster runs it (its state under
  # .local/cluster/node) takes it down, never another checkout's.
  [[ -d "$CLUSTER_DIR/node" ]] || return 0
  local runtime_ns="" pid forwarders=()
  pid="$(cluster_pid containerd)"
  [[ -n "$pid" ]] && runtime_ns="$(readlink "/proc/$pid/ns/mnt" 2>/dev/null || true)"
  for pid in "$CLUSTER_DIR"/forward-*.pid; do [[ -e "$pid" ]] && forwarders+=("$(basename "$pid" .pid)"); done
  if [[ -n "$(cluster_pid kubelet)$(cluster_pid containerd)$(cluster_pid traefik)$(cluster_pid metrics-server)$(cluster_pid kube-proxy)$(cluster_pid coredns)$(cluster_pid keda-operator)$(cluster_pid keda-adapter)" ]] || ((${#forwarders[@]})); then
    step "stopping the real node"
    stop keda-adapter keda-operator traefik metrics-server coredns kube-proxy kubelet "${forwarders[@]}"
  fi
  remove_node_rules
  if [[ -d /sys/fs/cgroup/pids/np-node || -d /sys/fs/cgroup/memory/np-node ]]; then remove_pod_cgroups; fi
  stop containerd
  kill_mount_namespace "$runtime_ns"
  if ip link show "${NP_NODE_BRIDGE}" >/dev/null 2>&1; then
    info "removing the bridge $NP_NODE_BRIDGE and its addresses"
    local veth
    for veth in $(ip -o link show master "$NP_NODE_BRIDGE" 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1); do
      ip link del "$veth" 2>/dev/null || true
    done
    ip link del "$NP_NODE_BRIDGE" 2>/dev/null || true
  fi
  if [[ -e "$CLUSTER_DIR/created-var-lib-cni" ]]; then rmdir /var/lib/cni 2>/dev/null || true; rm -f "$CLUSTER_DIR/created-var-lib-cni"; fi
}

# The real node first: its kubelet talks to the API server until it stops.
[[ $(id -u) == 0 ]] && stop_real_node

if [[ -n "$(cluster_pid etcd)$(cluster_pid kube-apiserver)$(cluster_pid kube-controller-manager)$(cluster_pid kube-scheduler)$(cluster_pid kwok)" ]]; then
  step "stopping the local Kubernetes control plane"
  # etcd last, on its own: an apiserver that loses etcd while shutting down keeps retrying its
  # final writes and does not exit for more than 10 s.
  stop kwok kube-scheduler kube-controller-manager kube-apiserver
  stop etcd
fi
rm -f "$CLUSTER_DIR"/*.pid

if [[ "${1:-}" != "--keep-files" ]] && [[ -e "$CLUSTER_DIR" || -e "$STATE_DIR/kubeconfig" || -e "$STATE_DIR/cluster.env" ]]; then
  step "removing $CLUSTER_DIR, $STATE_DIR/kubeconfig and $STATE_DIR/cluster.env"
  rm -rf "$CLUSTER_DIR" "$STATE_DIR/kubeconfig" "$STATE_DIR/cluster.env"
fi
