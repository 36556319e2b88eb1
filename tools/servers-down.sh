#!/usr/bin/env bash
# Stops the servers started by servers-up.sh. `--purge` also deletes their data.
source "$(dirname "$0")/lib.sh"
bin="$(pg_bin)"
if [[ -s "$STATE_DIR/postgres/postmaster.pid" ]]; then
  step "stopping PostgreSQL"
  as=(); [[ $(id -u) -eq 0 ]] && as=(runuser -u postgres --)
  "${as[@]}" "$bin/pg_ctl" -D "$STATE_DIR/postgres" -m fast -w stop >/dev/null || true
fi
if [[ -s "$STATE_DIR/rabbitmq/server.pid" ]]; then
  step "stopping RabbitMQ"
  pid=$(cat "$STATE_DIR/rabbitmq/server.pid")
  kill "$pid" 2>/dev/null || true
  # Wait for the broker to exit so a following servers-up finds its ports free.
  for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$STATE_DIR/rabbitmq/server.pid"
fi
if [[ "${1:-}" == "--purge" ]]; then
  step "removing $STATE_DIR/postgres and $STATE_DIR/rabbitmq"
  rm -rf "$STATE_DIR/postgres" "$STATE_DIR/rabbitmq" "$STATE_DIR/servers.env"
fi
