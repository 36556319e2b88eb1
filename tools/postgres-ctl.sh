#!/usr/bin/env bash
# Stops, starts or restarts the test PostgreSQL that servers-up.sh runs, for suites that take the
# database away under a running platform. `start` brings it back with exactly the options it last
# ran with (PostgreSQL keeps them in postmaster.opts), so the port and settings never drift.
#   tools/postgres-ctl.sh stop|start|restart
source "$(dirname "$0")/lib.sh"
bin="$(pg_bin)"; data="$(pg_data_dir)"; log="$(pg_log_file)"
[[ -s "$data/postmaster.opts" ]] || { echo "no PostgreSQL has run in $data; run tools/servers-up.sh first" >&2; exit 1; }

case "${1:-}" in
  stop)
    as_pg_user "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null ;;
  start)
    "$bin/pg_isready" -h 127.0.0.1 -p "$NP_PG_PORT" -q && exit 0
    # postmaster.opts is the server's command line, arguments double-quoted: keep all but the
    # program and the data folder (pg_ctl passes that itself).
    opts="$(sed -E 's/^[^ ]+ //; s/"-D" "[^"]*" ?//g' "$data/postmaster.opts")"
    as_pg_user "$bin/pg_ctl" -D "$data" -l "$log" -w -o "$opts" start >/dev/null ;;
  restart)
    as_pg_user "$bin/pg_ctl" -D "$data" -l "$log" -m fast -w restart >/dev/null ;;
  *)
    echo "usage: $0 stop|start|restart" >&2; exit 2 ;;
esac
