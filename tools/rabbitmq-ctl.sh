#!/usr/bin/env bash
# rabbitmqctl against the broker started by servers-up.sh, e.g. `tools/rabbitmq-ctl.sh stop_app`.
# rabbitmqctl is an Erlang node itself: it listens on loopback, on a port of the range lib.sh sets.
source "$(dirname "$0")/lib.sh"
export HOME="$NP_RABBITMQ_HOME" RABBITMQ_NODENAME="$NP_AMQP_NODENAME" ERL_EPMD_ADDRESS=127.0.0.1
export RABBITMQ_CTL_ERL_ARGS="${RABBITMQ_CTL_ERL_ARGS:-} -kernel inet_dist_use_interface {127,0,0,1}"
exec /usr/lib/rabbitmq/bin/rabbitmqctl -n "$NP_AMQP_NODENAME" "$@"
