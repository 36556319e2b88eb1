#!/usr/bin/env bash
# Stops the servers started by servers-up.sh. `--purge` also deletes their data (including
# PostgreSQL's folder outside the checkout when it runs as root; see pg_dir in lib.sh).
source "$(dirname "$0")/lib.sh"
bin="$(pg_bin)"
for data in "$(pg_data_dir)" "$LEGACY_PG_DATA_DIR"; do
  if [[ -s "$data/postmaster.pid" ]]; then
    step "stopping PostgreSQL ($data)"
    as_pg_user "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null || true
  fi
done
pidfile="$(rabbitmq_dir)/server.pid"
if [[ -s "$pidfile" ]]; then
  step "stopping RabbitMQ"
  pid=$(cat "$pidfile")
  kill "$pid" 2>/dev/null || true
  # Wait for the broker to exit so a following servers-up finds its ports free.
  for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$pidfile"
fi
"$ROOT_DIR/tools/versitygw.sh" stop "${1:-}"
"$ROOT_DIR/tools/keycloak.sh" stop
if [[ "${1:-}" == "--purge" ]]; then
  "$ROOT_DIR/tools/keycloak.sh" purge
  step "removing $(pg_dir), $LEGACY_PG_DATA_DIR and $(rabbitmq_dir)"
  rm -rf "$(pg_dir)" "$LEGACY_PG_DATA_DIR" "$STATE_DIR/postgres.log" "$(rabbitmq_dir)" "$STATE_DIR/servers.env"
fi
