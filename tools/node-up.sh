# The real node of the local cluster; sourced by cluster-up.sh once the control plane is up (it
# uses that script's start, kc, require_alive, $PKI and $CLUSTER_DIR). As root only.
#
#   network   a bridge of its own ($NP_NODE_BRIDGE) holding the node's address ($NP_NODE_IP); pods
#             get addresses on it from the bridge CNI plugin and a route to the Service range through
#             it, nothing else: no default route, no route out. kube-proxy (nftables mode, tables of
#             its own) turns a Service address into a pod's on the same bridge; forwarding is on for
#             this bridge only (the host's net.ipv4.ip_forward stays as it is) and our `inet np-node`
#             table drops anything forwarded between it and another interface. The only address
#             kube-proxy masquerades to is the node's own, for a pod reaching itself through its
#             Service. CoreDNS on $NP_NODE_IP:53 answers `cluster.local` names and nothing else.
#   runtime   containerd v2 + runc in a private mount namespace (its /run, /var/log and state are
#             its own), and the kubelet in the same namespace; pods' cgroups under /np-node.
#   services  kube-proxy, CoreDNS, metrics-server (the resource metrics API, for the HPAs),
#             Traefik (the ingress controller, on 127.0.0.1:$NP_INGRESS_PORT) and KEDA (queue-depth
#             scaling and scale to zero; tools/node-keda.sh) as host processes;
#             socat forwarders give pods the API server (the `kubernetes` Service's endpoint,
#             $NP_NODE_IP:443) and the host's servers at the node's address, on the ports they have
#             on loopback.
# cluster-down.sh undoes all of it.

source "$ROOT_DIR/tools/node-keda.sh"

NODE_DIR="$CLUSTER_DIR/node"
NODE_NAME=np-node-0
CONTAINERD_BIN="$NP_CACHE_DIR/bin/containerd-$CONTAINERD_VERSION"
KUBELET="$NP_CACHE_DIR/bin/kubelet-$KUBERNETES_VERSION/kubelet"
KUBE_PROXY="$NP_CACHE_DIR/bin/kube-proxy-$KUBERNETES_VERSION/kube-proxy"
COREDNS="$NP_CACHE_DIR/bin/coredns-$COREDNS_VERSION/coredns"
CLUSTER_DOMAIN=cluster.local
METRICS_SERVER="$NP_CACHE_DIR/bin/metrics-server-$METRICS_SERVER_VERSION/metrics-server"
TRAEFIK="$NP_CACHE_DIR/bin/traefik-$TRAEFIK_VERSION/traefik"
PAUSE_IMAGE=np.local/pause:1
CNI_BIN_DIR=/usr/lib/cni
# The host servers pods reach at the node's address (same port as on loopback).
FORWARDED_PORTS=("$NP_PG_PORT" "$NP_AMQP_PORT" "$NP_AMQP_MGMT_PORT" "$NP_S3_PORT" "$NP_KEYCLOAK_PORT")

install_node_packages() {
  local missing=()
  command -v runc >/dev/null || missing+=(runc)
  command -v socat >/dev/null || missing+=(socat)
  command -v nft >/dev/null || missing+=(nftables)
  [[ -x "$CNI_BIN_DIR/bridge" ]] || missing+=(containernetworking-plugins)
  for tool in umoci skopeo; do command -v "$tool" >/dev/null || missing+=("$tool"); done
  ((${#missing[@]})) || return 0
  step "installing ${missing[*]} (Debian packages)"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" 2>&1 \
    | grep -v '^\(Selecting\|Preparing\|Unpacking\)' || true
}

# A pod reaching a Service: kube-proxy turns the Service's address into a pod's, and the kernel
# then routes the packet from the bridge back onto it. That needs forwarding on this bridge alone
# (net.ipv4.ip_forward, the host's, stays as it is), and a table of ours drops whatever would be
# forwarded between the bridge and any other interface: pods reach each other and the node only.
contain_node_forwarding() {
  nft -f - <<NFT
table inet np-node
delete table inet np-node
table inet np-node {
  chain forward {
    type filter hook forward priority filter; policy accept;
    iifname "$NP_NODE_BRIDGE" oifname != "$NP_NODE_BRIDGE" drop
    oifname "$NP_NODE_BRIDGE" iifname != "$NP_NODE_BRIDGE" drop
  }
}
NFT
  echo 1 > "/proc/sys/net/ipv4/conf/$NP_NODE_BRIDGE/forwarding"
}

# The node's network: a bridge with the node's address, nothing routed beyond it.
create_node_network() {
  step "creating the node's bridge $NP_NODE_BRIDGE ($NP_NODE_IP/24)"
  ip link show "$NP_NODE_BRIDGE" >/dev/null 2>&1 || ip link add "$NP_NODE_BRIDGE" type bridge
  ip addr replace "$NP_NODE_IP/24" dev "$NP_NODE_BRIDGE"
  ip link set "$NP_NODE_BRIDGE" up
  contain_node_forwarding
  mkdir -p "$NODE_DIR/cni/net.d" "$NODE_DIR/cni/ipam"
  # isGateway false: the plugin would otherwise turn on the host's IP forwarding. The bridge already
  # holds the gateway address; pods get a route to the Service range through it, and no default route.
  cat > "$NODE_DIR/cni/net.d/10-np-node.conflist" <<JSON
{
  "cniVersion": "1.0.0",
  "name": "np-node",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$NP_NODE_BRIDGE",
      "isGateway": false,
      "isDefaultGateway": false,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "$NODE_DIR/cni/ipam",
        "ranges": [[{ "subnet": "$NP_NODE_SUBNET_PREFIX.0/24", "rangeStart": "$NP_NODE_SUBNET_PREFIX.10", "rangeEnd": "$NP_NODE_SUBNET_PREFIX.250", "gateway": "$NP_NODE_IP" }]],
        "routes": [{ "dst": "${NP_KUBERNETES_SERVICE_IP%.*.*}.0.0/16" }]
      }
    },
    { "type": "loopback" }
  ]
}
JSON
}

# Pods' cgroups live under /np-node in every cgroup v1 hierarchy, so cluster-down finds them all.
create_node_cgroups() {
  local hierarchy
  for hierarchy in /sys/fs/cgroup/*/; do
    [[ -f "$hierarchy/cgroup.procs" && "$hierarchy" != */unified/ ]] || continue
    mkdir -p "$hierarchy/np-node"
    if [[ -f "$hierarchy/cpuset.cpus" ]]; then
      cat "$hierarchy/cpuset.cpus" > "$hierarchy/np-node/cpuset.cpus"
      cat "$hierarchy/cpuset.mems" > "$hierarchy/np-node/cpuset.mems"
    fi
  done
}

write_containerd_config() {
  mkdir -p "$NODE_DIR/containerd"
  cat > "$NODE_DIR/containerd/config.toml" <<TOML
version = 3
root = "$NODE_DIR/containerd/root"
state = "/run/containerd"

[grpc]
  address = "/run/containerd/containerd.sock"
[ttrpc]
  address = "/run/containerd/containerd.sock.ttrpc"

[plugins."io.containerd.nri.v1.nri"]
  disable = true
[plugins."io.containerd.internal.v1.opt"]
  path = "$NODE_DIR/containerd/opt"
[plugins."io.containerd.cri.v1.images"]
  [plugins."io.containerd.cri.v1.images".pinned_images]
    sandbox = "$PAUSE_IMAGE"
[plugins."io.containerd.cri.v1.runtime"]
  # The node runs without CAP_SYS_RESOURCE: without this every sandbox fails to start.
  restrict_oom_score_adj = true
  # cgroup v1 without a hugetlb hierarchy (it sits on the unified one).
  tolerate_missing_hugetlb_controller = true
  disable_hugetlb_controller = true
  netns_mounts_under_state_dir = true
  [plugins."io.containerd.cri.v1.runtime".cni]
    bin_dirs = ["$CNI_BIN_DIR"]
    conf_dir = "$NODE_DIR/cni/net.d"
  [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc]
    runtime_type = "io.containerd.runc.v2"
    [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc.options]
      BinaryName = "$(command -v runc)"
      SystemdCgroup = false
[plugins."io.containerd.grpc.v1.cri"]
  stream_server_address = "127.0.0.1"
TOML
}

# containerd in a mount namespace of its own: a tmpfs on /run (its sockets, the shims', the pods'
# network namespaces) and on /var/log (the kubelet's container log links), gone with the namespace.
start_containerd() {
  step "starting containerd $CONTAINERD_VERSION (private mount namespace)"
  write_containerd_config
  # libcni keeps its cache in /var/lib/cni; a tmpfs covers it inside the namespace, and a folder made
  # here only to hold that mount is removed again by cluster-down.
  if [[ ! -d /var/lib/cni ]]; then mkdir -p /var/lib/cni; touch "$CLUSTER_DIR/created-var-lib-cni"; fi
  start containerd env PATH="$CONTAINERD_BIN:$PATH" unshare --mount --propagation private \
    bash -c 'mount -t tmpfs -o mode=755 np-node-run /run && mount -t tmpfs -o mode=755 np-node-log /var/log && mount -t tmpfs -o mode=755 np-node-cni /var/lib/cni && exec "$0" "$@"' \
    "$CONTAINERD_BIN/containerd" --config "$NODE_DIR/containerd/config.toml"
  containerd_ready() { require_alive containerd; in_node ctr version; }
  WAIT_INTERVAL=0.2 wait_for "containerd" containerd_ready
}

# Runs a command inside the node's mount namespace (where containerd's socket is).
in_node() {
  local pid; pid="$(cluster_pid containerd)"
  [[ -n "$pid" ]] || return 1
  PATH="$CONTAINERD_BIN:$PATH" nsenter --mount="/proc/$pid/ns/mnt" -- "$@"
}

# The sandbox image: the pause program alone, packaged as the service images are.
build_pause_image() {
  local out="$NODE_DIR/images/pause.tar" work="$NODE_DIR/images/pause"
  [[ -s "$out" ]] && return
  rm -rf "$work"; mkdir -p "$work/rootfs"
  cp "$NP_CACHE_DIR/bin/pause-1/pause" "$work/rootfs/pause"
  tar -C "$work/rootfs" --owner=0 --group=0 -cf "$work/layer.tar" pause
  umoci init --layout "$work/oci"
  umoci new --image "$work/oci:pause"
  umoci raw add-layer --image "$work/oci:pause" "$work/layer.tar"
  umoci config --image "$work/oci:pause" --config.entrypoint /pause --config.user 65535:65535
  skopeo copy --quiet "oci:$work/oci:pause" "docker-archive:$out:$PAUSE_IMAGE"
}

# The platform's images (npm run images builds those whose inputs changed) and the pause image.
load_node_images() {
  step "loading images into the node"
  build_pause_image
  if [[ "${NP_NODE_SKIP_IMAGES:-0}" != 1 ]]; then
    NP_IMAGES_SKIP_BUILD="${NP_IMAGES_SKIP_BUILD:-0}" bash "$ROOT_DIR/tools/images.sh" >"$NODE_DIR/images.log" 2>&1 \
      || { tail -n 30 "$NODE_DIR/images.log" >&2; echo "building the images failed (log: $NODE_DIR/images.log)" >&2; exit 1; }
  fi
  local archive
  for archive in "$NODE_DIR/images/pause.tar" "$STATE_DIR"/images/*.tar; do
    [[ -s "$archive" ]] || continue
    # ctr warns on every call that containerd's cgroup v1 support is deprecated: kept in the log.
    in_node ctr -n k8s.io images import "$archive" >/dev/null 2>>"$NODE_DIR/images.log"
    info "$(basename "$archive" .tar)"
  done
}

node_certificates() {
  (
    cd "$PKI"
    cat > node.cnf <<CNF
[node]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
authorityKeyIdentifier = keyid
subjectAltName = IP:$NP_NODE_IP, DNS:$NODE_NAME
[metrics]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
authorityKeyIdentifier = keyid
# The name the aggregator verifies: its Service's.
subjectAltName = IP:$NP_NODE_IP, DNS:metrics-server.kube-system.svc
CNF
    cat openssl.cnf node.cnf > node-openssl.cnf
    sign_with() {
      openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null
      openssl req -new -key "$1.key" -subj "$2" -config node-openssl.cnf \
        | openssl x509 -req -CA ca.crt -CAkey ca.key -set_serial "0x$(openssl rand -hex 16)" -days 365 \
            -extfile node-openssl.cnf -extensions "$3" -out "$1.crt" 2>/dev/null
      chmod 600 "$1.key"
    }
    sign_with kubelet-serving "/CN=$NODE_NAME" node
    sign_with kubelet-client "/O=system:nodes/CN=system:node:$NODE_NAME" client
    sign_with metrics-server-serving "/CN=metrics-server" metrics
    sign_with metrics-server-client "/CN=np:metrics-server" client
    # system:kube-proxy is the user the API server's default system:node-proxier binding names.
    sign_with kube-proxy-client "/CN=system:kube-proxy" client
    sign_with coredns-client "/CN=np:coredns" client
  )
}

# A kubeconfig for a component: its user given as YAML (a client certificate, or a token).
write_kubeconfig_as() {
  local file=$1 user=$2
  (umask 077; cat > "$file" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
- name: np-local
  cluster: {server: "$APISERVER_URL", certificate-authority: "$PKI/ca.crt"}
users:
- name: component
  user: $user
contexts:
- name: np-local
  context: {cluster: np-local, user: component}
current-context: np-local
KUBECONFIG
  )
}

# A kubeconfig for a component's client certificate.
write_kubeconfig() { write_kubeconfig_as "$1" "{client-certificate: \"$PKI/$2.crt\", client-key: \"$PKI/$2.key\"}"; }

start_kubelet() {
  step "starting the kubelet $KUBERNETES_VERSION (node $NODE_NAME on $NP_NODE_IP)"
  mkdir -p "$NODE_DIR/kubelet" "$NODE_DIR/pod-logs"
  write_kubeconfig "$NODE_DIR/kubelet/kubeconfig" kubelet-client
  # Pods resolve through CoreDNS (clusterDNS); this file is what the kubelet would add from the
  # host's resolver: nothing, so no pod ever learns or asks the host's.
  : > "$NODE_DIR/kubelet/resolv.conf"
  cat > "$NODE_DIR/kubelet/config.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NP_NODE_IP
port: $NP_KUBELET_PORT
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: $NP_KUBELET_HEALTHZ_PORT
tlsCertFile: $PKI/kubelet-serving.crt
tlsPrivateKeyFile: $PKI/kubelet-serving.key
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $PKI/ca.crt}
authorization: {mode: Webhook}
containerRuntimeEndpoint: unix:///run/containerd/containerd.sock
cgroupDriver: cgroupfs
cgroupRoot: /np-node
failCgroupV1: false
failSwapOn: false
podLogsDir: $NODE_DIR/pod-logs
resolvConf: $NODE_DIR/kubelet/resolv.conf
clusterDNS: [$NP_NODE_IP]
clusterDomain: $CLUSTER_DOMAIN
registerNode: true
maxPods: 110
serializeImagePulls: false
# A test node: evict nothing for the disk the host's other work fills.
evictionHard: {memory.available: "100Mi", nodefs.available: "1%", imagefs.available: "1%"}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
nodeStatusReportFrequency: 10s
# Mounted ConfigMaps (the module status backoffice reads) are refreshed on a pod's sync: every
# 10 s instead of every minute.
syncFrequency: 10s
YAML
  start kubelet nsenter --mount="/proc/$(cluster_pid containerd)/ns/mnt" -- "$KUBELET" \
    --config "$NODE_DIR/kubelet/config.yaml" --kubeconfig "$NODE_DIR/kubelet/kubeconfig" \
    --root-dir "$NODE_DIR/kubelet/root" --hostname-override "$NODE_NAME" --node-ip "$NP_NODE_IP" \
    --node-labels "type=real,node.np.dev/real=true"
  node_ready() {
    require_alive containerd; require_alive kubelet
    [[ "$(kc get node "$NODE_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" == True ]]
  }
  WAIT_INTERVAL=0.5 wait_for "node $NODE_NAME Ready" node_ready
}

# What the host processes of the node need from the API: metrics-server's aggregated API and
# RBAC (as its upstream manifests grant), Traefik's service account and RBAC, the default
# IngressClass.
apply_node_objects() {
  # kubectl warns that v1 Endpoints are deprecated (the aggregator still reads them): warnings
  # are dropped, errors still reach the terminal.
  kc apply -f - >/dev/null 2> >(grep -v '^Warning: ' >&2) <<YAML
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "np:metrics-server"}
rules:
- apiGroups: [""]
  resources: [nodes/metrics]
  verbs: [get]
- apiGroups: [""]
  resources: [pods, nodes]
  verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "np:metrics-server"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "np:metrics-server"}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: "np:metrics-server"}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "np:metrics-server:auth-delegator"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:auth-delegator"}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: "np:metrics-server"}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: "np:metrics-server:auth-reader", namespace: kube-system}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: extension-apiserver-authentication-reader}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: "np:metrics-server"}]
---
apiVersion: v1
kind: Service
metadata: {name: metrics-server, namespace: kube-system}
spec:
  ports: [{name: https, port: 443, targetPort: $NP_METRICS_SERVER_PORT, protocol: TCP}]
---
apiVersion: v1
kind: Endpoints
metadata: {name: metrics-server, namespace: kube-system}
subsets: [{addresses: [{ip: "$NP_NODE_IP"}], ports: [{name: https, port: $NP_METRICS_SERVER_PORT, protocol: TCP}]}]
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1beta1.metrics.k8s.io}
spec:
  group: metrics.k8s.io
  version: v1beta1
  groupPriorityMinimum: 100
  versionPriority: 100
  service: {name: metrics-server, namespace: kube-system, port: 443}
  caBundle: $(base64 -w0 < "$PKI/ca.crt")
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: traefik, namespace: kube-system}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "np:traefik"}
rules:
- apiGroups: [""]
  resources: [services, secrets, nodes]
  verbs: [get, list, watch]
- apiGroups: [discovery.k8s.io]
  resources: [endpointslices]
  verbs: [list, watch]
- apiGroups: [networking.k8s.io]
  resources: [ingresses, ingressclasses]
  verbs: [get, list, watch]
- apiGroups: [networking.k8s.io]
  resources: [ingresses/status]
  verbs: [update]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "np:traefik"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "np:traefik"}
subjects: [{kind: ServiceAccount, name: traefik, namespace: kube-system}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "np:coredns"}
rules:
- apiGroups: [""]
  resources: [services, namespaces]
  verbs: [list, watch]
- apiGroups: [discovery.k8s.io]
  resources: [endpointslices]
  verbs: [list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "np:coredns"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "np:coredns"}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: "np:coredns"}]
---
# The API server runs with --endpoint-reconciler-type none (its advertise address is loopback): the
# kubernetes Service's endpoint is written here: the forwarder on the node's address.
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: kubernetes
  namespace: default
  labels: {kubernetes.io/service-name: kubernetes, endpointslice.kubernetes.io/managed-by: np-node}
addressType: IPv4
endpoints: [{addresses: ["$NP_NODE_IP"], conditions: {ready: true}}]
ports: [{name: https, port: 443, protocol: TCP}]
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: traefik
  annotations: {ingressclass.kubernetes.io/is-default-class: "true"}
spec:
  controller: traefik.io/ingress-controller
YAML
}

# kube-proxy in nftables mode, in the host's network namespace, which the bridge lives in: its rules
# sit in tables of its own (`ip kube-proxy`, `ip6 kube-proxy`; cluster-down deletes them) and match
# only Service addresses. The conntrack settings are zeros: the host's stay as they are.
start_kube_proxy() {
  step "starting kube-proxy $KUBERNETES_VERSION (nftables mode)"
  write_kubeconfig "$NODE_DIR/kube-proxy.kubeconfig" kube-proxy-client
  cat > "$NODE_DIR/kube-proxy.yaml" <<YAML
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: nftables
clientConnection: {kubeconfig: $NODE_DIR/kube-proxy.kubeconfig}
hostnameOverride: $NODE_NAME
clusterCIDR: $NP_NODE_SUBNET_PREFIX.0/24
nodePortAddresses: ["$NP_NODE_IP/32"]
healthzBindAddress: 127.0.0.1:$NP_KUBE_PROXY_HEALTHZ_PORT
metricsBindAddress: 127.0.0.1:$NP_KUBE_PROXY_METRICS_PORT
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s, udpTimeout: 0s, udpStreamTimeout: 0s}
YAML
  start kube-proxy "$KUBE_PROXY" --config "$NODE_DIR/kube-proxy.yaml"
  kube_proxy_ready() { require_alive kube-proxy; curl -sf "http://127.0.0.1:$NP_KUBE_PROXY_HEALTHZ_PORT/healthz" >/dev/null; }
  WAIT_INTERVAL=0.5 wait_for "kube-proxy /healthz" kube_proxy_ready
}

# CoreDNS answers the cluster's zone only; any other name is refused (pods have no way out).
start_coredns() {
  step "starting CoreDNS $COREDNS_VERSION on $NP_NODE_IP:53 ($CLUSTER_DOMAIN)"
  write_kubeconfig "$NODE_DIR/coredns.kubeconfig" coredns-client
  cat > "$NODE_DIR/Corefile" <<COREFILE
$CLUSTER_DOMAIN:53 {
    bind $NP_NODE_IP
    errors
    health 127.0.0.1:$NP_DNS_HEALTH_PORT
    ready 127.0.0.1:$NP_DNS_READY_PORT
    kubernetes $CLUSTER_DOMAIN {
        kubeconfig $NODE_DIR/coredns.kubeconfig
        pods disabled
    }
    cache 5
}
COREFILE
  start coredns "$COREDNS" -conf "$NODE_DIR/Corefile"
  coredns_ready() { require_alive coredns; curl -sf "http://127.0.0.1:$NP_DNS_READY_PORT/ready" >/dev/null; }
  WAIT_INTERVAL=0.5 wait_for "CoreDNS /ready" coredns_ready
}

start_metrics_server() {
  step "starting metrics-server $METRICS_SERVER_VERSION on $NP_NODE_IP:$NP_METRICS_SERVER_PORT"
  write_kubeconfig "$NODE_DIR/metrics-server.kubeconfig" metrics-server-client
  start metrics-server "$METRICS_SERVER" \
    --kubeconfig "$NODE_DIR/metrics-server.kubeconfig" \
    --authentication-kubeconfig "$NODE_DIR/metrics-server.kubeconfig" \
    --authorization-kubeconfig "$NODE_DIR/metrics-server.kubeconfig" \
    --bind-address "$NP_NODE_IP" --secure-port "$NP_METRICS_SERVER_PORT" \
    --tls-cert-file "$PKI/metrics-server-serving.crt" --tls-private-key-file "$PKI/metrics-server-serving.key" \
    --kubelet-certificate-authority "$PKI/ca.crt" --kubelet-preferred-address-types InternalIP \
    --kubelet-port "$NP_KUBELET_PORT" --metric-resolution 15s
  metrics_available() {
    require_alive metrics-server
    [[ "$(kc get apiservice v1beta1.metrics.k8s.io -o jsonpath='{.status.conditions[?(@.type=="Available")].status}')" == True ]]
  }
  WAIT_INTERVAL=0.5 wait_for "the metrics API (v1beta1.metrics.k8s.io Available)" metrics_available
}

# allowEmptyServices: a tenant whose gateway has no ready pod answers 503, not 404 as if it did not exist.
start_traefik() {
  step "starting Traefik $TRAEFIK_VERSION (ingress on 127.0.0.1:$NP_INGRESS_PORT)"
  # A token of its own service account; the node lives as long as a test run.
  (umask 077; kc -n kube-system create token traefik --duration 48h > "$NODE_DIR/traefik.token")
  start traefik "$TRAEFIK" \
    --global.checknewversion=false --global.sendanonymoususage=false \
    --entrypoints.web.address="127.0.0.1:$NP_INGRESS_PORT" \
    --entrypoints.traefik.address="127.0.0.1:$NP_INGRESS_ADMIN_PORT" \
    --ping=true --api=false --log.level=INFO \
    --providers.kubernetesingress=true \
    --providers.kubernetesingress.allowemptyservices=true \
    --providers.kubernetesingress.endpoint="$APISERVER_URL" \
    --providers.kubernetesingress.token="$(cat "$NODE_DIR/traefik.token")" \
    --providers.kubernetesingress.certauthfilepath="$PKI/ca.crt"
  traefik_ready() { require_alive traefik; curl -sf "http://127.0.0.1:$NP_INGRESS_ADMIN_PORT/ping" >/dev/null; }
  WAIT_INTERVAL=0.2 wait_for "Traefik /ping" traefik_ready
}

# socat: one process per address, one connection to loopback per connection accepted.
start_forwarders() {
  step "forwarding $NP_NODE_IP:443 to the API server and $NP_NODE_IP:{${FORWARDED_PORTS[*]}} to the host's servers"
  start forward-apiserver socat "TCP-LISTEN:443,bind=$NP_NODE_IP,fork,reuseaddr" "TCP:127.0.0.1:$NP_KUBE_APISERVER_PORT"
  local port
  for port in "${FORWARDED_PORTS[@]}"; do
    start "forward-$port" socat "TCP-LISTEN:$port,bind=$NP_NODE_IP,fork,reuseaddr" "TCP:127.0.0.1:$port"
  done
}

# Forwarder components are named by what they forward; their program is socat.
node_forwarders() { echo forward-apiserver; local port; for port in "${FORWARDED_PORTS[@]}"; do echo "forward-$port"; done; }

start_real_node() {
  [[ $(id -u) == 0 ]] || { echo "the real node runs containers and needs root; as another user start fake nodes: npm run cluster:up -- --kwok" >&2; exit 1; }
  # Its bridge, addresses and cgroups have fixed names: one real node per machine.
  if ip link show "$NP_NODE_BRIDGE" >/dev/null 2>&1; then
    echo "the bridge $NP_NODE_BRIDGE exists: another checkout's real node runs on this machine (npm run cluster:down there first), or use --kwok" >&2
    exit 1
  fi
  install_node_packages
  mkdir -p "$NODE_DIR"
  node_certificates
  create_node_network
  create_node_cgroups
  start_forwarders
  start_containerd
  load_node_images
  start_kubelet
  apply_node_objects
  start_kube_proxy
  start_coredns
  start_metrics_server
  start_traefik
  start_keda
}
