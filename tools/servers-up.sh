#!/usr/bin/env bash
# Starts PostgreSQL and RabbitMQ on loopback with state under .local/ (or $NP_STATE_DIR).
# Prints the connection settings to use. Safe to run again while they run.
source "$(dirname "$0")/lib.sh"
"$ROOT_DIR/tools/install-servers.sh"
mkdir -p "$STATE_DIR"

start_postgres() {
  local bin data log
  bin="$(pg_bin)"; data="$STATE_DIR/postgres"; log="$STATE_DIR/postgres.log"
  if "$bin/pg_isready" -h 127.0.0.1 -p "$NP_PG_PORT" -q; then info "PostgreSQL already up on $NP_PG_PORT"; return; fi
  # PostgreSQL refuses to run as root, so it runs as the postgres system user.
  local as=()
  [[ $(id -u) -eq 0 ]] && as=(runuser -u postgres --)
  if [[ ! -s "$data/PG_VERSION" ]]; then
    step "initialising PostgreSQL in $data"
    mkdir -p "$data"; [[ $(id -u) -eq 0 ]] && chown postgres:postgres "$data" "$STATE_DIR"
    local pwfile; pwfile="$(mktemp)"; echo np > "$pwfile"; chmod 644 "$pwfile"
    "${as[@]}" "$bin/initdb" -D "$data" -U np --pwfile="$pwfile" -A scram-sha-256 --no-sync >/dev/null
    rm -f "$pwfile"
  fi
  [[ $(id -u) -eq 0 ]] && touch "$log" && chown postgres:postgres "$log"
  step "starting PostgreSQL on 127.0.0.1:$NP_PG_PORT"
  "${as[@]}" "$bin/pg_ctl" -D "$data" -l "$log" -w -o "-h 127.0.0.1 -p $NP_PG_PORT -k /tmp -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" start >/dev/null
  PGPASSWORD=np "$bin/psql" -h 127.0.0.1 -p "$NP_PG_PORT" -U np -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='np'" | grep -q 1 \
    || PGPASSWORD=np "$bin/createdb" -h 127.0.0.1 -p "$NP_PG_PORT" -U np np
}

start_rabbitmq() {
  local base="$STATE_DIR/rabbitmq"
  export RABBITMQ_NODENAME="$NP_AMQP_NODENAME"
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
  export RABBITMQ_NODE_PORT="$NP_AMQP_PORT"
  export RABBITMQ_DIST_PORT="$NP_AMQP_DIST_PORT"
  export RABBITMQ_MNESIA_BASE="$base/mnesia"
  export RABBITMQ_LOG_BASE="$base/log"
  export RABBITMQ_ENABLED_PLUGINS_FILE="$base/enabled_plugins"
  export RABBITMQ_CONFIG_FILE="$base/rabbitmq"
  export ERL_EPMD_ADDRESS=127.0.0.1
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
  export HOME="$NP_RABBITMQ_HOME"
  mkdir -p "$base/mnesia" "$base/log" "$NP_RABBITMQ_HOME"
  echo '[rabbitmq_management].' > "$base/enabled_plugins"
  cat > "$base/rabbitmq.conf" <<CONF
listeners.tcp.default = 127.0.0.1:$NP_AMQP_PORT
management.tcp.port = $NP_AMQP_MGMT_PORT
management.tcp.ip = 127.0.0.1
loopback_users = none
default_user = np
default_pass = np
default_vhost = np
default_permissions.configure = .*
default_permissions.read = .*
default_permissions.write = .*
CONF
  if rabbitmq_ping; then info "RabbitMQ already up on $NP_AMQP_PORT"; return; fi
  step "starting RabbitMQ on 127.0.0.1:$NP_AMQP_PORT (management on $NP_AMQP_MGMT_PORT)"
  # The packaged wrapper switches to the rabbitmq user and its HOME; the real script keeps our settings.
  nohup /usr/lib/rabbitmq/bin/rabbitmq-server > "$base/server.out" 2>&1 &
  echo $! > "$base/server.pid"
  WAIT_SECONDS=90 wait_for "RabbitMQ" rabbitmq_ping
  WAIT_SECONDS=60 wait_for "RabbitMQ management API" curl -sf -u np:np "http://127.0.0.1:$NP_AMQP_MGMT_PORT/api/overview"
}

rabbitmq_ping() { curl -sf -u np:np "http://127.0.0.1:$NP_AMQP_MGMT_PORT/api/aliveness-test/np" >/dev/null 2>&1 || (exec 3<>"/dev/tcp/127.0.0.1/$NP_AMQP_PORT") 2>/dev/null; }

start_postgres
start_rabbitmq
cat > "$STATE_DIR/servers.env" <<ENV
NP_DATABASE_URL=postgresql://np:np@127.0.0.1:$NP_PG_PORT/np
NP_AMQP_URL=amqp://np:np@127.0.0.1:$NP_AMQP_PORT/np
NP_AMQP_MANAGEMENT_URL=http://np:np@127.0.0.1:$NP_AMQP_MGMT_PORT
ENV
step "servers up; settings in $STATE_DIR/servers.env"
sed 's/^/    /' "$STATE_DIR/servers.env"
