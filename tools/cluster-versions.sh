# The versions of the control plane the operator is built and tested against. Source it.
# Changing one rebuilds only that binary (the cache is keyed by version).
KUBERNETES_VERSION=1.37.2
ETCD_VERSION=3.7.3
KWOK_VERSION=0.8.0
HELM_VERSION=3.22.0
# The real node (cluster-up.sh without --kwok): container runtime, metrics, ingress, DNS.
CONTAINERD_VERSION=2.4.2
METRICS_SERVER_VERSION=0.9.0
TRAEFIK_VERSION=3.7.13
COREDNS_VERSION=1.15.0
# Scaling on queue depth and to zero: the KEDA operator and its metrics adapter.
KEDA_VERSION=2.21.0
NP_CACHE_DIR="${NP_CACHE_DIR:-${HOME:-/root}/.cache/np-platform}"
