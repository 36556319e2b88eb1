#!/usr/bin/env bash
# Starts PostgreSQL, RabbitMQ, versitygw (S3, see tools/versitygw.sh) and Keycloak (tools/keycloak.sh)
# on loopback with state under .local/ (or $NP_STATE_DIR; under root PostgreSQL's data lives where its
# own user can reach it, see pg_dir in lib.sh). Prints the connection settings to use, secrets masked
# (they are in servers.env, 0600). Safe to run again while they run. Fails, with the tail of its log,
# when a server does not come up or no longer answers a few seconds after it did.
source "$(dirname "$0")/lib.sh"
"$ROOT_DIR/tools/install-servers.sh"
mkdir -p "$STATE_DIR"
started_now=0
# fd 3: the caller's stderr, also inside wait_for, which sends its probe's output to /dev/null.
# The servers must not keep it open (3>&- below), or a caller reading through a pipe would wait
# for them to stop.
exec 3>&2

# $1 what failed, then its log files.
fail_with_logs() {
  local what=$1; shift
  echo "$what" >&3
  show_log_tail "$@" >&3
  exit 1
}
fail_with_rabbitmq_logs() {
  local logs; mapfile -t logs < <(rabbitmq_logs)
  fail_with_logs "$1" "${logs[@]}"
}

start_postgres() {
  local bin dir data log
  bin="$(pg_bin)"; dir="$(pg_dir)"; data="$(pg_data_dir)"; log="$(pg_log_file)"
  if "$bin/pg_isready" -h 127.0.0.1 -p "$NP_PG_PORT" -q; then info "PostgreSQL already up on $NP_PG_PORT"; return; fi
  # PostgreSQL refuses to run as root, so under root it runs as the postgres system user.
  if [[ $(id -u) -eq 0 ]]; then
    install -d -o postgres -g postgres -m 0755 "$(dirname "$dir")"
    install -d -o postgres -g postgres -m 0700 "$dir"
  else
    mkdir -p "$dir"
  fi
  # Names the checkout the folder belongs to, for whoever finds it outside the checkout later.
  as_pg_user sh -c 'printf "%s\n" "$1" > "$2"' _ "$(realpath -m "$STATE_DIR")" "$dir/state-dir"
  if [[ ! -s "$data/PG_VERSION" ]]; then
    step "initialising PostgreSQL in $data"
    # In its own folder: a $TMPDIR of the caller may be out of the postgres user's reach too.
    local pwfile; pwfile="$(mktemp -p "$dir")"; echo np > "$pwfile"; chmod 644 "$pwfile"
    as_pg_user "$bin/initdb" -D "$data" -U np --pwfile="$pwfile" -A scram-sha-256 --no-sync >/dev/null
    rm -f "$pwfile"
  fi
  step "starting PostgreSQL on 127.0.0.1:$NP_PG_PORT (data in $data)"
  as_pg_user "$bin/pg_ctl" -D "$data" -l "$log" -w -o "-h 127.0.0.1 -p $NP_PG_PORT -k /tmp -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" start >/dev/null 3>&- \
    || fail_with_logs "PostgreSQL did not start on 127.0.0.1:$NP_PG_PORT" "$log"
  started_now=1
  PGPASSWORD=np "$bin/psql" -h 127.0.0.1 -p "$NP_PG_PORT" -U np -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='np'" | grep -q 1 \
    || PGPASSWORD=np "$bin/createdb" -h 127.0.0.1 -p "$NP_PG_PORT" -U np np
}

start_rabbitmq() {
  local base; base="$(rabbitmq_dir)"
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
# KEDA wakes a module at zero on the queue depths of the management API, so how fresh they are
# bounds how soon its first request is answered. Queues report every collect_statistics_interval
# (5 s by default) and the API answers from samples kept at the retention policies' interval (5 s
# by default): with both at 5 s a new message showed 4-6 s late, with both at 1 s 1.3-2.3 s.
collect_statistics_interval = 1000
management.sample_retention_policies.global.minute = 1
management.sample_retention_policies.basic.minute = 1
management.sample_retention_policies.detailed.10 = 1
CONF
  if amqp_answers && amqp_management_answers; then info "RabbitMQ already up on $NP_AMQP_PORT"; return; fi
  step "starting RabbitMQ on 127.0.0.1:$NP_AMQP_PORT (management on $NP_AMQP_MGMT_PORT)"
  # The packaged wrapper switches to the rabbitmq user and its HOME; the real script keeps our settings.
  nohup /usr/lib/rabbitmq/bin/rabbitmq-server > "$base/server.out" 2>&1 3>&- &
  echo $! > "$base/server.pid"
  started_now=1
  WAIT_SECONDS=90 wait_for "RabbitMQ" rabbitmq_up amqp_answers \
    || fail_with_rabbitmq_logs "RabbitMQ did not come up on 127.0.0.1:$NP_AMQP_PORT"
  WAIT_SECONDS=60 wait_for "RabbitMQ management API" rabbitmq_up amqp_management_answers \
    || fail_with_rabbitmq_logs "RabbitMQ's management API did not come up on 127.0.0.1:$NP_AMQP_MGMT_PORT"
}

# Used inside wait_for: gives up at once when the broker started here has exited.
rabbitmq_up() {
  if ! kill -0 "$(cat "$(rabbitmq_dir)/server.pid")" 2>/dev/null; then
    printf ' exited\n' >&3
    fail_with_rabbitmq_logs "RabbitMQ exited during its start on 127.0.0.1:$NP_AMQP_PORT"
  fi
  "$@"
}

start_postgres
# Before start_rabbitmq, which points HOME at RabbitMQ's folder (Keycloak's download is cached under ~).
"$ROOT_DIR/tools/keycloak.sh" start
start_rabbitmq
"$ROOT_DIR/tools/versitygw.sh" health || { "$ROOT_DIR/tools/versitygw.sh" start; started_now=1; }

# A server can print "up" and stop a moment later (a listener that fails to bind after the node
# started, for one): look again after a few seconds, so a run does not go on against a dead server.
if ((started_now)); then
  sleep "${NP_SERVERS_SETTLE_SECONDS:-3}"
  down="$(server_not_answering)"
  case $down in
    '') ;;
    PostgreSQL*) fail_with_logs "$down stopped answering after its start" "$(pg_log_file)" ;;
    S3*) fail_with_logs "$down stopped answering after its start" "$(versitygw_dir)/versitygw.log" ;;
    Keycloak*) fail_with_logs "$down stopped answering after its start" "$STATE_DIR/keycloak/keycloak.log" ;;
    *) fail_with_rabbitmq_logs "$down stopped answering after its start" ;;
  esac
fi

cat > "$STATE_DIR/servers.env" <<ENV
NP_DATABASE_URL=postgresql://np:np@127.0.0.1:$NP_PG_PORT/np
NP_AMQP_URL=amqp://np:np@127.0.0.1:$NP_AMQP_PORT/np
NP_AMQP_MANAGEMENT_URL=http://np:np@127.0.0.1:$NP_AMQP_MGMT_PORT
ENV
"$ROOT_DIR/tools/versitygw.sh" env >> "$STATE_DIR/servers.env"
"$ROOT_DIR/tools/keycloak.sh" env >> "$STATE_DIR/servers.env"
# It holds the servers' admin keys.
chmod 600 "$STATE_DIR/servers.env"
step "servers up; settings in $STATE_DIR/servers.env"
sed -e 's/^\([A-Z0-9_]*\(SECRET\|PASSWORD\)[A-Z0-9_]*=\).*/\1(see the file)/' -e 's/^/    /' "$STATE_DIR/servers.env"
