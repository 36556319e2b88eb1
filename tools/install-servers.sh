#!/usr/bin/env bash
# Installs the servers the distributed shape and the integration tests need, from Debian's packages:
# PostgreSQL and RabbitMQ (with its management plugin), plus what the local Kubernetes control
# plane's scripts use (openssl for its certificates, curl for health checks); and the S3 server,
# versitygw, built once with `go install` (tools/versitygw.sh). Idempotent: installs only what is
# missing.
source "$(dirname "$0")/lib.sh"
# Keycloak comes from Maven Central, cached by version (tools/keycloak.sh).
"$ROOT_DIR/tools/keycloak.sh" install

missing=()
[[ -n "$(pg_bin)" && -x "$(pg_bin)/postgres" ]] || missing+=(postgresql)
command -v rabbitmq-server >/dev/null 2>&1 || missing+=(rabbitmq-server)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v curl >/dev/null 2>&1 || missing+=(curl)
# The S3 server is built from its Go module instead (cached by version).
"$ROOT_DIR/tools/versitygw.sh" install

if ((${#missing[@]} == 0)); then
  step "servers already installed"
  exit 0
fi
step "installing ${missing[*]} (Debian packages)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# Package scripts may try to start system services; ours run under tools/servers-up.sh instead.
apt-get install -y -qq --no-install-recommends "${missing[@]}" 2>&1 | grep -v '^\(Selecting\|Preparing\|Unpacking\)' || true
for tool in postgresql rabbitmq-server; do
  case $tool in
    postgresql) [[ -x "$(pg_bin)/postgres" ]] || { echo "PostgreSQL failed to install" >&2; exit 1; } ;;
    rabbitmq-server) command -v rabbitmq-server >/dev/null || { echo "RabbitMQ failed to install" >&2; exit 1; } ;;
  esac
done
step "installed"
