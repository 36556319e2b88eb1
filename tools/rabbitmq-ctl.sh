#!/usr/bin/env bash
# rabbitmqctl against the broker started by servers-up.sh, e.g. `tools/rabbitmq-ctl.sh stop_app`.
source "$(dirname "$0")/lib.sh"
export HOME="$STATE_DIR/rabbitmq" RABBITMQ_NODENAME="np@localhost" ERL_EPMD_ADDRESS=127.0.0.1
exec /usr/lib/rabbitmq/bin/rabbitmqctl -n np@localhost "$@"
