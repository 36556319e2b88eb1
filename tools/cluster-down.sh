#!/usr/bin/env bash
# Stops the local Kubernetes control plane started by cluster-up.sh and removes its state
# (.local/cluster/, .local/kubeconfig, .local/cluster.env). Safe to run when nothing runs.
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
