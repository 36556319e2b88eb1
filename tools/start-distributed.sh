#!/usr/bin/env bash
# `npm run start:distributed`: each service in its own process against the RabbitMQ and PostgreSQL
# that tools/servers-up.sh installs and starts on loopback. Ctrl-C stops the services (the
# servers keep running; `npm run servers:down` stops them).
source "$(dirname "$0")/lib.sh"
cd "$ROOT_DIR"
bash tools/servers-up.sh
set -a; source "$STATE_DIR/servers.env"; set +a
# One public URL and issuer for auth (which signs tokens and serves discovery) and the gateway (which checks them).
export NP_PUBLIC_URL="${NP_PUBLIC_URL:-http://localhost:${PORT:-3000}}"
export NP_ISSUER="${NP_ISSUER:-$NP_PUBLIC_URL}"
export NP_BOOTSTRAP_ADMIN_EMAIL="${NP_BOOTSTRAP_ADMIN_EMAIL:-admin@np.local}"
if [[ -z "${NP_BOOTSTRAP_ADMIN_PASSWORD:-}" ]]; then
  pwfile="$STATE_DIR/initial-admin-password"
  [[ -s "$pwfile" ]] || (umask 077; head -c 18 /dev/urandom | base64 | tr '+/' '-_' > "$pwfile")
  export NP_BOOTSTRAP_ADMIN_PASSWORD="$(cat "$pwfile")"
  info "first admin: $NP_BOOTSTRAP_ADMIN_EMAIL, password in $pwfile"
fi
if [[ -z "${NP_SIGNING_KEY_ENCRYPTION_KEY:-}" ]]; then
  # auth encrypts its signing keys with it; kept so a restart can still read them.
  keyfile="$STATE_DIR/signing-key-encryption-key"
  [[ -s "$keyfile" ]] || (umask 077; head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=' > "$keyfile")
  export NP_SIGNING_KEY_ENCRYPTION_KEY="$(cat "$keyfile")"
fi

# "<name> <ops port>" for every module with a service process, in start order (the gateway last),
# from the module manifest (libs/modules, built by `npm run build`).
mapfile -t modules < <(node --input-type=module -e "import { PROCESS_MODULES, moduleEntry } from '@np/modules'; for (const name of PROCESS_MODULES) console.log(name, moduleEntry(name).localOpsPort);")
names=("${modules[@]%% *}")
env_key() { local key="${1^^}"; echo "${key//-/_}"; } # form-builder -> FORM_BUILDER

step "giving each service its own RabbitMQ user"
urls="$(node tools/provision-rabbitmq-users.js "${names[@]}")"
amqp_url_of() { grep "^NP_AMQP_URL_$(env_key "$1")=" <<<"$urls" | cut -d= -f2-; }

pids=()
start() { # name script ops-port
  step "starting $1"
  NP_OPS_PORT=$3 NP_AMQP_URL="$(amqp_url_of "$1")" node "$2" > "$STATE_DIR/$1.log" 2>&1 &
  pids+=($!)
  info "pid $!, logs in $STATE_DIR/$1.log, ops on 127.0.0.1:$3"
}
trap 'kill "${pids[@]}" 2>/dev/null; wait' INT TERM EXIT
for module in "${modules[@]}"; do
  name="${module%% *}"
  ops_port_var="NP_$(env_key "$name")_OPS_PORT" # NP_AUTH_OPS_PORT, NP_USERS_OPS_PORT, ... override the manifest's
  start "$name" "services/$name/dist/main.js" "${!ops_port_var:-${module##* }}"
done
WAIT_SECONDS=60 wait_for "the gateway on port ${PORT:-3000}" curl -sf "http://127.0.0.1:${PORT:-3000}/readyz"
step "NP Platform (distributed) is up: http://127.0.0.1:${PORT:-3000}  (API docs at /docs)"
wait
