#!/usr/bin/env bash
# versitygw (https://github.com/versity/versitygw, Apache-2.0), the S3 server the platform is tested
# against: everything about it lives here; servers-up.sh, servers-down.sh and install-servers.sh
# call it.
#
#   tools/versitygw.sh install         builds it once with `go install` into the cache (keyed by version)
#   tools/versitygw.sh start           starts it on 127.0.0.1:$NP_S3_PORT unless it answers already
#   tools/versitygw.sh stop [--purge]  stops it; --purge also deletes its buckets, users and keys
#   tools/versitygw.sh health          exits 0 when it answers
#   tools/versitygw.sh env             prints its servers.env block (URL, root keys, region)
#
# It stores buckets as folders under $STATE_DIR/versitygw/data (posix backend; object metadata in
# extended attributes, or in a sidecar folder on a filesystem without them) and its users in the
# internal IAM backend ($STATE_DIR/versitygw/iam/users.json), which the admin API
# (/create-user, /list-users, /:bucket/create, ...) edits. The admin API answers on the S3 port
# itself, signed with SigV4 by the root account. The root keys are generated once per state
# directory (root.env, 0600) and reach the server through its environment, never its argv.
source "$(dirname "$0")/lib.sh"

VERSITYGW_VERSION=1.8.0
VERSITYGW_BIN="$NP_CACHE_DIR/bin/versitygw-$VERSITYGW_VERSION/versitygw"
VGW_DIR="$(versitygw_dir)"
VGW_LOG="$VGW_DIR/versitygw.log"
VGW_PID="$VGW_DIR/versitygw.pid"
VGW_ROOT_ENV="$VGW_DIR/root.env"
# versitygw checks SigV4 signatures against this region; clients must sign for it.
NP_S3_REGION="${NP_S3_REGION:-us-east-1}"

s3_url() { echo "http://127.0.0.1:$NP_S3_PORT"; }

# The health route answers without a signature once versitygw serves requests.
versitygw_answers() { curl -sf -m 5 -o /dev/null "$(s3_url)/health"; }

install_versitygw() {
  if [[ -x "$VERSITYGW_BIN" ]]; then info "versitygw $VERSITYGW_VERSION cached ($VERSITYGW_BIN)"; return; fi
  command -v go >/dev/null || { echo "Go is needed to build versitygw $VERSITYGW_VERSION (https://go.dev/dl/)" >&2; exit 1; }
  step "building versitygw $VERSITYGW_VERSION with go install (~3 min cold on 2 cores)"
  local out; out="$(dirname "$VERSITYGW_BIN")"
  # Built into <dir>.tmp and moved into place at the end, so an interrupted build never looks cached.
  rm -rf "$out.tmp"; mkdir -p "$out.tmp"
  CGO_ENABLED=0 GOFLAGS="${GOFLAGS:--trimpath}" GOBIN="$out.tmp" with_heartbeat "versitygw" \
    go install -ldflags "-s -w -X main.Version=v$VERSITYGW_VERSION" \
    "github.com/versity/versitygw/cmd/versitygw@v$VERSITYGW_VERSION"
  rm -rf "$out"; mv "$out.tmp" "$out"
}

# Root keys: made once per state directory and kept, so buckets and users survive restarts and
# every shell that sources servers.env signs with the same keys.
ensure_root_keys() {
  if [[ -s "$VGW_ROOT_ENV" ]]; then return; fi
  mkdir -p "$VGW_DIR"
  local access secret
  access="NPROOT$(random_hex 7 | tr a-f A-F)"
  secret="$(random_hex 24)"
  (umask 077; printf 'ROOT_ACCESS_KEY=%s\nROOT_SECRET_KEY=%s\n' "$access" "$secret" > "$VGW_ROOT_ENV.tmp")
  mv "$VGW_ROOT_ENV.tmp" "$VGW_ROOT_ENV"
}

# $1 random bytes as hex (od reads exactly that many, so no pipe is cut short under pipefail).
random_hex() { od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n'; }

root_key() { sed -n "s/^$1=//p" "$VGW_ROOT_ENV"; }

# The pid recorded by start, if that process still runs and is still versitygw (pids get reused).
running_pid() {
  local pid argv0
  pid="$(cat "$VGW_PID" 2>/dev/null || true)"
  if [[ -n "$pid" ]]; then
    argv0="$(tr '\0' '\n' 2>/dev/null < "/proc/$pid/cmdline" | head -n 1)"
    [[ "${argv0##*/}" == versitygw ]] && { echo "$pid"; return 0; }
  fi
  # Without its pid file (deleted with a state folder, lost to a crash), the server of this state
  # folder is still found by its command line: a stop that left it answering would let a test of
  # an S3 outage pass against a server that never went away.
  pgrep -f -- "versitygw --port 127.0.0.1:${NP_S3_PORT} --iam-dir $VGW_DIR/iam " | head -n 1 || true
  return 0
}

# "$@": extra posix options (a sidecar folder). Returns 0 once it answers, 1 when it exits first
# (exited=1) or does not answer within 30 s.
launch() {
  local access secret deadline=$((SECONDS + 30))
  access="$(root_key ROOT_ACCESS_KEY)"; secret="$(root_key ROOT_SECRET_KEY)"
  # fd 3 (the caller's stderr in servers-up.sh) must not stay open in the server.
  # --iam-cache-disable: with its account cache on, versitygw 1.8.0 went on accepting a user's old
  # secret (and refusing the new one) after /update-user; without it a change of keys, or a deleted
  # user, counts from the next request. The internal IAM then reads users.json per request.
  ROOT_ACCESS_KEY="$access" ROOT_SECRET_KEY="$secret" VGW_REGION="$NP_S3_REGION" nohup "$VERSITYGW_BIN" \
    --port "127.0.0.1:$NP_S3_PORT" --iam-dir "$VGW_DIR/iam" --iam-cache-disable --health /health --quiet \
    posix "$@" "$VGW_DIR/data" > "$VGW_LOG" 2>&1 3>&- &
  echo $! > "$VGW_PID"
  printf '    waiting for versitygw '
  until versitygw_answers; do
    if [[ -z "$(running_pid)" ]]; then printf ' exited\n'; exited=1; return 1; fi
    if ((SECONDS > deadline)); then printf ' timed out\n'; return 1; fi
    printf '.'; sleep 0.5
  done
  printf ' up\n'
}

start_versitygw() {
  if versitygw_answers; then info "versitygw already up on $NP_S3_PORT"; return; fi
  install_versitygw
  ensure_root_keys
  mkdir -p "$VGW_DIR/data" "$VGW_DIR/iam"
  step "starting versitygw $VERSITYGW_VERSION on $(s3_url) (buckets in $VGW_DIR/data)"
  exited=0
  local sidecar=()
  [[ -d "$VGW_DIR/meta" ]] && sidecar=(--sidecar "$VGW_DIR/meta")
  if launch "${sidecar[@]}"; then return; fi
  # A filesystem without user extended attributes (some overlay or tmpfs setups): keep object
  # metadata in a sidecar folder instead, from now on for this state directory.
  if ((exited)) && grep -q 'xattr' "$VGW_LOG" && ((${#sidecar[@]} == 0)); then
    info "no extended attributes under $VGW_DIR/data; keeping metadata in $VGW_DIR/meta"
    mkdir -p "$VGW_DIR/meta"; exited=0
    if launch --sidecar "$VGW_DIR/meta"; then return; fi
  fi
  stop_versitygw
  echo "versitygw did not come up on $(s3_url)" >&2
  show_log_tail "$VGW_LOG" >&2
  exit 1
}

stop_versitygw() {
  local pid; pid="$(running_pid)"
  if [[ -n "$pid" ]]; then
    step "stopping versitygw"
    kill "$pid" 2>/dev/null || true
    # Wait for it to exit so a following start finds its port free.
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$VGW_PID"
  if [[ "${1:-}" == "--purge" ]]; then
    step "removing $VGW_DIR"
    rm -rf "$VGW_DIR"
  fi
}

print_env() {
  cat <<ENV
NP_S3_URL=$(s3_url)
NP_S3_ACCESS_KEY=$(root_key ROOT_ACCESS_KEY)
NP_S3_SECRET_KEY=$(root_key ROOT_SECRET_KEY)
NP_S3_REGION=$NP_S3_REGION
ENV
}

case "${1:-}" in
  install) install_versitygw ;;
  start) start_versitygw ;;
  stop) stop_versitygw "${2:-}" ;;
  health) versitygw_answers ;;
  env) print_env ;;
  *) echo "usage: $0 install | start | stop [--purge] | health | env" >&2; exit 2 ;;
esac
