#!/usr/bin/env bash
# rabbitmqctl against the broker started by servers-up.sh, e.g. `tools/rabbitmq-ctl.sh stop_app`.
source "$(dirname "$0")/lib.sh"
export HOME="$NP_RABBITMQ_HOME" RABBITMQ_NODENAME="$NP_AMQP_NODENAME" ERL_EPMD_ADDRESS=127.0.0.1
exec /usr/lib/rabbitmq/bin/rabbitmqctl -n "$NP_AMQP_NODENAME" "$@"
