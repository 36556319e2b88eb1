#!/usr/bin/env bash
# `npm run cluster:install`: installs the platform into the local cluster with a real node
# (npm run cluster:up): the Helm chart charts/np-platform in namespace np-system, the operator from
# its image, and the Secret np-platform-servers that gives it the host's servers (npm run servers:up)
# at the node's address, where pods reach them. Then `kubectl apply -f manifests/tenant-minimal.yaml`
# and the tenant answers at $NP_INGRESS_URL with its ingress host. Safe to run again (helm upgrade).
source "$(dirname "$0")/lib.sh"
cd "$ROOT_DIR"
NAMESPACE="${NP_PLATFORM_NAMESPACE:-np-system}"
RELEASE="${NP_PLATFORM_RELEASE:-np-platform}"

[[ -s "$STATE_DIR/servers.env" ]] || { echo "no $STATE_DIR/servers.env: run npm run servers:up first" >&2; exit 1; }
[[ -s "$STATE_DIR/cluster.env" ]] || { echo "no $STATE_DIR/cluster.env: run npm run cluster:up first" >&2; exit 1; }
set -a; source "$STATE_DIR/servers.env"; source "$STATE_DIR/cluster.env"; set +a
[[ "${NP_CLUSTER_NODE_KIND:-}" == real ]] || { echo "the cluster runs fake nodes (--kwok): the platform needs the real node (npm run cluster:up)" >&2; exit 1; }

kc() { "$NP_KUBECTL" --kubeconfig "$KUBECONFIG" --request-timeout=10s "$@"; }
# The same server as on loopback, at the node's address (tools/node-up.sh forwards those ports).
at_node() { sed "s#@127\.0\.0\.1:#@$NP_NODE_IP:#; s#//127\.0\.0\.1:#//$NP_NODE_IP:#" <<< "$1"; }

step "the servers' Secret $NAMESPACE/$RELEASE-servers (addresses on the node, $NP_NODE_IP)"
kc create namespace "$NAMESPACE" --dry-run=client -o yaml | kc apply -f - >/dev/null
kc -n "$NAMESPACE" create secret generic "$RELEASE-servers" --dry-run=client -o yaml \
  --from-literal=NP_DATABASE_URL="$(at_node "$NP_DATABASE_URL")" \
  --from-literal=NP_AMQP_URL="$(at_node "$NP_AMQP_URL")" \
  --from-literal=NP_AMQP_MANAGEMENT_URL="$(at_node "$NP_AMQP_MANAGEMENT_URL")" \
  --from-literal=NP_S3_URL="$(at_node "$NP_S3_URL")" \
  --from-literal=NP_S3_ACCESS_KEY="$NP_S3_ACCESS_KEY" \
  --from-literal=NP_S3_SECRET_KEY="$NP_S3_SECRET_KEY" \
  --from-literal=NP_S3_REGION="${NP_S3_REGION:-us-east-1}" \
  --from-literal=NP_KEYCLOAK_URL="$(at_node "$NP_KEYCLOAK_URL")" \
  --from-literal=NP_KEYCLOAK_ADMIN="$NP_KEYCLOAK_ADMIN" \
  --from-literal=NP_KEYCLOAK_ADMIN_PASSWORD="$NP_KEYCLOAK_ADMIN_PASSWORD" \
  | kc apply -f - >/dev/null

step "helm upgrade --install $RELEASE charts/np-platform (namespace $NAMESPACE)"
# One replica on a one-node cluster: the second would only wait for the Lease on the same node.
"$NP_HELM" --kubeconfig "$KUBECONFIG" upgrade --install "$RELEASE" charts/np-platform \
  --namespace "$NAMESPACE" --wait --timeout "${NP_PLATFORM_INSTALL_TIMEOUT:-180s}" \
  --set replicas="${NP_OPERATOR_REPLICAS:-1}" \
  --set operator.servers.secretName="$RELEASE-servers" \
  --set operator.logLevel="${NP_OPERATOR_LOG_LEVEL:-info}" \
  "$@" >/dev/null
kc -n "$NAMESPACE" rollout status deployment --timeout=120s >/dev/null
step "platform installed: kubectl apply -f manifests/tenant-minimal.yaml, then $NP_INGRESS_URL with Host: <spec.ingress.host>"
