# KEDA on the real node: its operator and its metrics adapter as host processes, like
# metrics-server; sourced by node-up.sh (it uses cluster-up.sh's start, kc, require_alive, wait_for,
# $PKI and node-up.sh's $NODE_DIR).
#
#   operator  watches ScaledObjects, reads each trigger (the RabbitMQ management API) every polling
#             interval, scales a Deployment between 0 and 1 itself and creates the HPA that scales
#             it from 1 to N. Serves the metrics it read over gRPC (mTLS) on $NP_NODE_IP.
#   adapter   the external metrics API (v1beta1.external.metrics.k8s.io, aggregated by the API
#             server through a selectorless Service whose Endpoints name the node's address), which
#             the HPA controller asks; it gets each value from the operator over gRPC.
# Both run as the ServiceAccount keda/keda-operator with the RBAC KEDA's own manifests grant it
# (copied from its module by cluster-build.sh), one certificate (server and client, signed by the
# cluster CA) for the gRPC link and the adapter's serving port. Without webhooks and without
# certificate rotation: this script makes the certificates and sets the APIService's CA itself.

KEDA_DIR="$NP_CACHE_DIR/bin/keda-$KEDA_VERSION"
KEDA_NAMESPACE=keda
KEDA_OPERATOR_AUTHORITY="keda-operator.$KEDA_NAMESPACE.svc.cluster.local"

keda_certificates() {
  local dir="$NODE_DIR/keda-certs"
  mkdir -p "$dir"
  (
    cd "$PKI"
    cat > keda.cnf <<CNF
[keda]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth, clientAuth
authorityKeyIdentifier = keyid
# The operator's gRPC name the adapter checks, and the adapter's Service name the aggregator checks.
subjectAltName = IP:$NP_NODE_IP, DNS:$KEDA_OPERATOR_AUTHORITY, DNS:keda-metrics-apiserver.$KEDA_NAMESPACE.svc
CNF
    cat openssl.cnf keda.cnf > keda-openssl.cnf
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$dir/tls.key" 2>/dev/null
    openssl req -new -key "$dir/tls.key" -subj "/CN=keda" -config keda-openssl.cnf \
      | openssl x509 -req -CA ca.crt -CAkey ca.key -set_serial "0x$(openssl rand -hex 16)" -days 365 \
          -extfile keda-openssl.cnf -extensions keda -out "$dir/tls.crt" 2>/dev/null
    chmod 600 "$dir/tls.key"
    cp ca.crt "$dir/ca.crt"
  )
}

# KEDA's CRDs, its namespace and ServiceAccount, its RBAC, and the external metrics API.
apply_keda_objects() {
  kc apply --server-side --force-conflicts -f "$KEDA_DIR/crds" >/dev/null
  kc apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Namespace
metadata: {name: $KEDA_NAMESPACE}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: keda-operator, namespace: $KEDA_NAMESPACE}
YAML
  kc apply -f "$KEDA_DIR/rbac" >/dev/null
  kc apply -f - >/dev/null 2> >(grep -v '^Warning: ' >&2) <<YAML
apiVersion: v1
kind: Service
metadata: {name: keda-metrics-apiserver, namespace: $KEDA_NAMESPACE}
spec:
  ports: [{name: https, port: 443, targetPort: $NP_KEDA_METRICS_API_PORT, protocol: TCP}]
---
apiVersion: v1
kind: Endpoints
metadata: {name: keda-metrics-apiserver, namespace: $KEDA_NAMESPACE}
subsets: [{addresses: [{ip: "$NP_NODE_IP"}], ports: [{name: https, port: $NP_KEDA_METRICS_API_PORT, protocol: TCP}]}]
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1beta1.external.metrics.k8s.io}
spec:
  group: external.metrics.k8s.io
  version: v1beta1
  groupPriorityMinimum: 100
  versionPriority: 100
  service: {name: keda-metrics-apiserver, namespace: $KEDA_NAMESPACE, port: 443}
  caBundle: $(base64 -w0 < "$PKI/ca.crt")
YAML
  keda_crds_established() { kc wait --for=condition=Established --timeout=2s crd/scaledobjects.keda.sh crd/triggerauthentications.keda.sh >/dev/null 2>&1; }
  WAIT_INTERVAL=0.5 wait_for "KEDA's CRDs established" keda_crds_established
}

# A kubeconfig with a token of keda-operator's ServiceAccount; the node lives as long as a test run.
write_keda_kubeconfig() {
  write_kubeconfig_as "$NODE_DIR/keda.kubeconfig" "{token: \"$(kc -n "$KEDA_NAMESPACE" create token keda-operator --duration 48h)\"}"
}

start_keda() {
  step "starting KEDA $KEDA_VERSION (operator, metrics adapter on $NP_NODE_IP:$NP_KEDA_METRICS_API_PORT)"
  keda_certificates
  apply_keda_objects
  write_keda_kubeconfig
  local certs="$NODE_DIR/keda-certs" kubeconfig="$NODE_DIR/keda.kubeconfig"
  start keda-operator env KUBECONFIG="$kubeconfig" POD_NAMESPACE="$KEDA_NAMESPACE" WATCH_NAMESPACE="" \
    KEDA_CLUSTER_OBJECT_NAMESPACE="$KEDA_NAMESPACE" \
    "$KEDA_DIR/keda-operator" \
    --leader-elect=false --zap-log-level=info --zap-encoder=console \
    --metrics-bind-address "127.0.0.1:$NP_KEDA_OPERATOR_METRICS_PORT" \
    --health-probe-bind-address "127.0.0.1:$NP_KEDA_OPERATOR_HEALTH_PORT" \
    --metrics-service-bind-address "$NP_NODE_IP:$NP_KEDA_GRPC_PORT" \
    --cert-dir "$certs" --enable-cert-rotation=false \
    --enable-webhook-patching=false --enable-apiservice-patching=false \
    --ca-dir "$certs"
  keda_operator_ready() { require_alive keda-operator; curl -sf "http://127.0.0.1:$NP_KEDA_OPERATOR_HEALTH_PORT/readyz" >/dev/null; }
  WAIT_INTERVAL=0.5 wait_for "the KEDA operator /readyz" keda_operator_ready
  start keda-adapter env KUBECONFIG="$kubeconfig" POD_NAMESPACE="$KEDA_NAMESPACE" WATCH_NAMESPACE="" \
    KEDA_CLUSTER_OBJECT_NAMESPACE="$KEDA_NAMESPACE" \
    "$KEDA_DIR/keda-adapter" \
    --lister-kubeconfig "$kubeconfig" --authentication-kubeconfig "$kubeconfig" --authorization-kubeconfig "$kubeconfig" \
    --bind-address "$NP_NODE_IP" --secure-port "$NP_KEDA_METRICS_API_PORT" \
    --tls-cert-file "$certs/tls.crt" --tls-private-key-file "$certs/tls.key" --cert-dir "$certs" \
    --metrics-service-address "$NP_NODE_IP:$NP_KEDA_GRPC_PORT" \
    --metrics-service-grpc-authority "$KEDA_OPERATOR_AUTHORITY" \
    --port "$NP_KEDA_ADAPTER_METRICS_PORT" --zap-log-level=info
  external_metrics_available() {
    require_alive keda-operator; require_alive keda-adapter
    [[ "$(kc get apiservice v1beta1.external.metrics.k8s.io -o jsonpath='{.status.conditions[?(@.type=="Available")].status}')" == True ]]
  }
  WAIT_INTERVAL=0.5 wait_for "the external metrics API (v1beta1.external.metrics.k8s.io Available)" external_metrics_available
}
