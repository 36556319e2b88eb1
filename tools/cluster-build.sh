#!/usr/bin/env bash
# Builds the control-plane binaries the operator is developed and tested against, from their official
# Go modules, once per version: kube-apiserver, kube-controller-manager, kube-scheduler and kubectl
# (Kubernetes), etcd, kwok (fake nodes) and helm; and the real node's: kubelet, containerd v2 with
# its runc shim, metrics-server, Traefik (the ingress controller) and the pause image's program.
# Results are cached under ~/.cache/np-platform/bin/, keyed by version, so later runs take no time.
# A cold build takes about 30 minutes on 2 cores. `--control-plane` builds only the first group.
source "$(dirname "$0")/lib.sh"
source "$ROOT_DIR/tools/cluster-versions.sh"

export GOFLAGS="${GOFLAGS:--trimpath}"
export CGO_ENABLED=0
SRC_CACHE="$NP_CACHE_DIR/src"

need_go() { command -v go >/dev/null || { echo "Go is needed to build the control plane (https://go.dev/dl/)" >&2; exit 1; }; }

# A cached build counts only if it was made by the same recipe (version and link flags); the stamp
# file records it, so changing either rebuilds.
cached() { [[ -f "$1/.stamp" && "$(cat "$1/.stamp")" == "$2" ]]; }
# Moves a finished build from <dir>.tmp into place with its stamp, so an interrupted build never
# looks cached.
publish() { printf '%s' "$2" > "$1.tmp/.stamp"; rm -rf "$1"; mv "$1.tmp" "$1"; }

# k8s.io/kubernetes points its k8s.io/* dependencies at its own staging/ folders, so it cannot be
# installed directly. A small wrapper module requires it and pins each staging module to the release
# published under the same minor version (v1.X.Y -> v0.X.Y).
write_kubernetes_wrapper() {
  local dir=$1 staging_version="v0.${KUBERNETES_VERSION#1.}"
  local upstream_mod
  mkdir -p "$dir"
  go mod download -json "k8s.io/kubernetes@v$KUBERNETES_VERSION" >/dev/null
  upstream_mod="$(go env GOMODCACHE)/cache/download/k8s.io/kubernetes/@v/v$KUBERNETES_VERSION.mod"
  {
    echo "module np.local/kube-tools"
    echo
    echo "go $(sed -n 's/^go //p' "$upstream_mod")"
    echo
    echo "require k8s.io/kubernetes v$KUBERNETES_VERSION"
    echo
    echo "replace ("
    sed -n 's#^\s*\(k8s.io/[a-z0-9./-]*\) => ./staging/.*#\t\1 => \1 '"$staging_version"'#p' "$upstream_mod"
    echo ")"
  } > "$dir/go.mod"
  cat > "$dir/tools.go" <<'GO'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-proxy"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
	_ "k8s.io/kubernetes/cmd/kubelet"
)
GO
}

# Release builds stamp their version at link time; without it the binaries report v0.0.0-master,
# kubectl version fails and helm refuses charts with a kubeVersion constraint.
kubernetes_ldflags() {
  local minor="${KUBERNETES_VERSION#*.}"; minor="${minor%%.*}"
  local pkg flags="-s -w"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    flags+=" -X $pkg.gitVersion=v$KUBERNETES_VERSION -X $pkg.gitMajor=${KUBERNETES_VERSION%%.*} -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
  done
  echo "$flags"
}

build_kubernetes() {
  local out="$NP_CACHE_DIR/bin/kubernetes-$KUBERNETES_VERSION" flags; flags="$(kubernetes_ldflags)"
  cached "$out" "$flags" && { info "Kubernetes $KUBERNETES_VERSION cached"; return; }
  need_go
  step "building Kubernetes $KUBERNETES_VERSION (apiserver, controller-manager, scheduler, kubectl; ~10 min cold)"
  local dir="$SRC_CACHE/kubernetes-$KUBERNETES_VERSION"
  write_kubernetes_wrapper "$dir"
  (cd "$dir" && go mod tidy)
  mkdir -p "$out.tmp"
  (cd "$dir" && with_heartbeat "kubernetes" go build -ldflags "$flags" -o "$out.tmp/" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl)
  publish "$out" "$flags"
}

# etcd's server module also replaces its siblings with local paths; the same wrapper trick applies.
build_etcd() {
  local out="$NP_CACHE_DIR/bin/etcd-$ETCD_VERSION"
  cached "$out" "$ETCD_VERSION" && { info "etcd $ETCD_VERSION cached"; return; }
  need_go
  step "building etcd $ETCD_VERSION (~1 min cold)"
  local dir="$SRC_CACHE/etcd-$ETCD_VERSION"
  mkdir -p "$dir"
  printf 'module np.local/etcd-tools\n\ngo 1.26.0\n\nrequire go.etcd.io/etcd/server/v3 v%s\n' "$ETCD_VERSION" > "$dir/go.mod"
  printf '//go:build tools\n\npackage tools\n\nimport _ "go.etcd.io/etcd/server/v3"\n' > "$dir/tools.go"
  (cd "$dir" && go mod tidy)
  mkdir -p "$out.tmp"
  (cd "$dir" && with_heartbeat "etcd" go build -ldflags "-s -w" -o "$out.tmp/etcd" go.etcd.io/etcd/server/v3)
  publish "$out" "$ETCD_VERSION"
}

# kwok installs directly. Its node and pod lifecycle stages ship in the module; kwok refuses to run
# without them, so they are kept beside the binary.
build_kwok() {
  local out="$NP_CACHE_DIR/bin/kwok-$KWOK_VERSION"
  cached "$out" "$KWOK_VERSION" && { info "kwok $KWOK_VERSION cached"; return; }
  need_go
  step "building kwok $KWOK_VERSION (~2 min cold)"
  mkdir -p "$out.tmp"
  GOBIN="$out.tmp" with_heartbeat "kwok" go install -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@v$KWOK_VERSION"
  local module_dir; module_dir="$(go env GOMODCACHE)/sigs.k8s.io/kwok@v$KWOK_VERSION"
  local stage
  for stage in node/fast node/heartbeat pod/fast; do
    for file in "$module_dir/kustomize/stage/$stage"/*.yaml; do
      [[ "$(basename "$file")" == kustomization.yaml ]] && continue
      cat "$file"; echo "---"
    done
  done > "$out.tmp/stages.yaml"
  publish "$out" "$KWOK_VERSION"
}

build_helm() {
  local out="$NP_CACHE_DIR/bin/helm-$HELM_VERSION"
  local flags="-s -w -X helm.sh/helm/v3/internal/version.version=v$HELM_VERSION"
  cached "$out" "$flags" && { info "helm $HELM_VERSION cached"; return; }
  need_go
  step "building helm $HELM_VERSION (~2 min cold)"
  mkdir -p "$out.tmp"
  GOBIN="$out.tmp" with_heartbeat "helm" go install -ldflags "$flags" "helm.sh/helm/v3/cmd/helm@v$HELM_VERSION"
  publish "$out" "$flags"
}

# The node's kubelet and kube-proxy come from the same wrapper module as the control plane, so they
# share its module and build caches; each is kept apart so adding one never rebuilds the others.
# $1: the command under k8s.io/kubernetes/cmd, $2: how long it takes once the control plane is built.
build_node_component() {
  local cmd=$1 takes=$2
  local out="$NP_CACHE_DIR/bin/$cmd-$KUBERNETES_VERSION" flags; flags="$(kubernetes_ldflags)"
  cached "$out" "$flags" && { info "$cmd $KUBERNETES_VERSION cached"; return; }
  need_go
  step "building $cmd $KUBERNETES_VERSION ($takes after the control plane)"
  local dir="$SRC_CACHE/kubernetes-$KUBERNETES_VERSION"
  write_kubernetes_wrapper "$dir"
  (cd "$dir" && go mod tidy)
  mkdir -p "$out.tmp"
  (cd "$dir" && with_heartbeat "$cmd" go build -ldflags "$flags" -o "$out.tmp/" "k8s.io/kubernetes/cmd/$cmd")
  publish "$out" "$flags"
}

# CoreDNS answers the cluster's names (`files.tenant-a.svc.cluster.local`). Built from a main of our
# own that compiles in only the plugins the node's Corefile uses: CoreDNS's own main imports every
# plugin, and with them cloud SDKs the module proxy here does not all serve.
COREDNS_PLUGINS=(bind ready health errors cache kubernetes)
build_coredns() {
  local out="$NP_CACHE_DIR/bin/coredns-$COREDNS_VERSION" recipe="$COREDNS_VERSION ${COREDNS_PLUGINS[*]}"
  cached "$out" "$recipe" && { info "CoreDNS $COREDNS_VERSION cached"; return; }
  need_go
  step "building CoreDNS $COREDNS_VERSION with the plugins ${COREDNS_PLUGINS[*]} (~3 min cold)"
  local dir="$SRC_CACHE/coredns-$COREDNS_VERSION" plugin
  rm -rf "$dir"; mkdir -p "$dir"
  printf 'module np.local/coredns\n\ngo 1.26\n\nrequire github.com/coredns/coredns v%s\n' "$COREDNS_VERSION" > "$dir/go.mod"
  {
    printf 'package main\n\nimport (\n\t"github.com/coredns/coredns/core/dnsserver"\n\t"github.com/coredns/coredns/coremain"\n\n'
    for plugin in "${COREDNS_PLUGINS[@]}"; do printf '\t_ "github.com/coredns/coredns/plugin/%s"\n' "$plugin"; done
    printf ')\n\n// The plugins in the order CoreDNS runs them (its plugin.cfg order).\nfunc init() {\n\tdnsserver.Directives = []string{'
    printf '"%s", ' "${COREDNS_PLUGINS[@]}"
    printf '}\n}\n\nfunc main() { coremain.Run() }\n'
  } > "$dir/main.go"
  (cd "$dir" && gofmt -w main.go && go mod tidy)
  mkdir -p "$out.tmp"
  (cd "$dir" && CGO_ENABLED=0 with_heartbeat "coredns" go build -ldflags "-s -w" -o "$out.tmp/coredns" .)
  publish "$out" "$recipe"
}

# containerd v2 and its runc shim; the build tags leave out snapshotters that need cgo or kernel
# features the node does not use (overlayfs and native remain).
build_containerd() {
  local out="$NP_CACHE_DIR/bin/containerd-$CONTAINERD_VERSION"
  local tags="no_btrfs no_devmapper no_zfs"
  cached "$out" "$CONTAINERD_VERSION $tags" && { info "containerd $CONTAINERD_VERSION cached"; return; }
  need_go
  step "building containerd $CONTAINERD_VERSION (containerd, containerd-shim-runc-v2, ctr; ~3 min cold)"
  mkdir -p "$out.tmp"
  local cmd
  for cmd in containerd containerd-shim-runc-v2 ctr; do
    GOBIN="$out.tmp" with_heartbeat "$cmd" go install -tags "$tags" -ldflags "-s -w" \
      "github.com/containerd/containerd/v2/cmd/$cmd@v$CONTAINERD_VERSION"
  done
  publish "$out" "$CONTAINERD_VERSION $tags"
}

build_metrics_server() {
  local out="$NP_CACHE_DIR/bin/metrics-server-$METRICS_SERVER_VERSION"
  cached "$out" "$METRICS_SERVER_VERSION" && { info "metrics-server $METRICS_SERVER_VERSION cached"; return; }
  need_go
  step "building metrics-server $METRICS_SERVER_VERSION (~6 min cold)"
  mkdir -p "$out.tmp"
  GOBIN="$out.tmp" with_heartbeat "metrics-server" go install -ldflags "-s -w" \
    "sigs.k8s.io/metrics-server/cmd/metrics-server@v$METRICS_SERVER_VERSION"
  publish "$out" "$METRICS_SERVER_VERSION"
}

# Traefik is built from a copy of its module's source, with three changes the module proxy here
# forces (its go.mod and its code are otherwise untouched):
#   - github.com/traefik/traefik/dynamic/ext, a nested module its zip leaves out and no proxy
#     serves, written back: two empty extension types, as the open-source edition defines them;
#   - the containous fork of github.com/abbot/go-http-auth at the commit Traefik v2 used (the same
#     API; the module proxy does not serve the newer commit v3.7 asks for);
#   - lego (ACME) without the DNS-challenge providers whose SDKs the module proxy does not serve;
#     the node's ingress never asks for certificates.
TRAEFIK_REFUSED_DNS_PROVIDERS=(alidns aliesa azion dnsimple edgedns edgeone huaweicloud oraclecloud regfish sakuracloud tencentcloud ucloud yandexcloud)
TRAEFIK_HTTP_AUTH=v0.4.1-0.20200324110947-a37a7636d23e
build_traefik() {
  local out="$NP_CACHE_DIR/bin/traefik-$TRAEFIK_VERSION"
  local flags="-s -w -X github.com/traefik/traefik/v3/pkg/version.Version=$TRAEFIK_VERSION"
  local recipe="$flags ${TRAEFIK_REFUSED_DNS_PROVIDERS[*]} $TRAEFIK_HTTP_AUTH"
  cached "$out" "$recipe" && { info "Traefik $TRAEFIK_VERSION cached"; return; }
  need_go
  step "building Traefik $TRAEFIK_VERSION (~10 min cold)"
  local module_dir dir="$SRC_CACHE/traefik-$TRAEFIK_VERSION"
  module_dir="$(go mod download -json "github.com/traefik/traefik/v3@v$TRAEFIK_VERSION" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')"
  rm -rf "$dir"; mkdir -p "$(dirname "$dir")"
  cp -r "$module_dir" "$dir"; chmod -R u+w "$dir"
  mkdir -p "$dir/pkg/config/dynamic/ext"
  printf 'module github.com/traefik/traefik/dynamic/ext\n\ngo 1.24\n' > "$dir/pkg/config/dynamic/ext/go.mod"
  cat > "$dir/pkg/config/dynamic/ext/ext.go" <<'GO'
// Package ext holds the extension points of Traefik's dynamic configuration; empty here.
package ext

// HTTP is a dynamic.HTTP extension.
type HTTP struct{}

// Router is a dynamic.Router extension.
type Router struct{}
GO
  local lego_version lego_dir
  lego_version="$(sed -n 's#^\s*github.com/go-acme/lego/v5 \(v[^ ]*\).*#\1#p' "$dir/go.mod" | head -n 1)"
  lego_dir="$(cd "$dir" && go mod download -json "github.com/go-acme/lego/v5@$lego_version" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')"
  mkdir -p "$dir/third_party"; cp -r "$lego_dir" "$dir/third_party/lego"; chmod -R u+w "$dir/third_party/lego"
  local providers="$dir/third_party/lego/providers/dns" provider
  rm -f "$providers/dns_providers_test.go"
  for provider in "${TRAEFIK_REFUSED_DNS_PROVIDERS[@]}"; do
    # Its import, and its `case "name":` line with the `return provider.NewDNSProvider()` after it.
    sed -i -e "/\"github.com\/go-acme\/lego\/v5\/providers\/dns\/$provider\"$/d" \
      -e "/^\tcase .*:$/{N;/\n\t\treturn $provider\.NewDNSProvider()$/d}" "$providers/zz_gen_dns_providers.go"
    rm -rf "${providers:?}/$provider"
  done
  local auth_sums
  auth_sums="$(cd "$dir" && go mod download -json "github.com/containous/go-http-auth@$TRAEFIK_HTTP_AUTH")"
  (cd "$dir" && go mod edit -replace github.com/go-acme/lego/v5=./third_party/lego \
      -replace "github.com/abbot/go-http-auth=github.com/containous/go-http-auth@$TRAEFIK_HTTP_AUTH")
  {
    echo "github.com/containous/go-http-auth $TRAEFIK_HTTP_AUTH $(sed -n 's/^\s*"Sum": "\(.*\)",\{0,1\}$/\1/p' <<< "$auth_sums")"
    echo "github.com/containous/go-http-auth $TRAEFIK_HTTP_AUTH/go.mod $(sed -n 's/^\s*"GoModSum": "\(.*\)",\{0,1\}$/\1/p' <<< "$auth_sums")"
  } >> "$dir/go.sum"
  mkdir -p "$out.tmp"
  (cd "$dir" && with_heartbeat "traefik" go build -ldflags "$flags" -o "$out.tmp/traefik" ./cmd/traefik)
  publish "$out" "$recipe"
}

# KEDA (operator and metrics adapter) from a wrapper module: its go.mod's `replace` and `exclude`
# lines make `go install` refuse it, and apply only to its own builds, so the wrapper repeats them.
KEDA_NEXUS_ANNOTATIONS=v0.1.1-0.20260629224316-835bd8d49cb4
build_keda() {
  local out="$NP_CACHE_DIR/bin/keda-$KEDA_VERSION" recipe="$KEDA_VERSION $KEDA_NEXUS_ANNOTATIONS crds rbac"
  cached "$out" "$recipe" && { info "KEDA $KEDA_VERSION cached"; return; }
  need_go
  step "building KEDA $KEDA_VERSION (operator, metrics adapter; ~10 min cold)"
  local dir="$SRC_CACHE/keda-$KEDA_VERSION"
  rm -rf "$dir"; mkdir -p "$dir"
  cat > "$dir/go.mod" <<GOMOD
module np.local/keda

go 1.26.0

require github.com/kedacore/keda/v2 v$KEDA_VERSION

replace github.com/nexus-rpc/nexus-proto-annotations v0.1.0 => github.com/nexus-rpc/nexus-proto-annotations $KEDA_NEXUS_ANNOTATIONS

exclude github.com/go-chi/chi/v5 v5.2.3
GOMOD
  cat > "$dir/tools.go" <<'GO'
//go:build tools

package tools

import (
	_ "github.com/kedacore/keda/v2/cmd/adapter"
	_ "github.com/kedacore/keda/v2/cmd/operator"
)
GO
  (cd "$dir" && go mod tidy)
  mkdir -p "$out.tmp"
  local cmd
  for cmd in operator adapter; do
    (cd "$dir" && with_heartbeat "keda-$cmd" go build -ldflags "-s -w -X github.com/kedacore/keda/v2/version.Version=$KEDA_VERSION" -o "$out.tmp/keda-$cmd" "github.com/kedacore/keda/v2/cmd/$cmd")
  done
  # Its CustomResourceDefinitions and the RBAC its manifests grant its operator and metrics
  # adapter (both as the keda-operator ServiceAccount), from the same module.
  local module_dir
  module_dir="$(cd "$dir" && go list -m -f '{{.Dir}}' github.com/kedacore/keda/v2)"
  cp -r "$module_dir/config/crd/bases" "$out.tmp/crds"
  mkdir -p "$out.tmp/rbac"
  cp "$module_dir/config/rbac/role.yaml" "$out.tmp/rbac/operator-role.yaml"
  cp "$module_dir/config/rbac/role_binding.yaml" "$out.tmp/rbac/operator-role-binding.yaml"
  cp "$module_dir/config/metrics-server/role.yaml" "$out.tmp/rbac/metrics-role.yaml"
  cp "$module_dir/config/metrics-server/role_binding.yaml" "$out.tmp/rbac/metrics-role-binding.yaml"
  chmod -R u+w "$out.tmp/crds" "$out.tmp/rbac"
  publish "$out" "$recipe"
}

# The sandbox (pause) container's program: sleeps until a signal, reaps nothing. Static, no libc.
build_pause() {
  local out="$NP_CACHE_DIR/bin/pause-1" src="$ROOT_DIR/tools/node/pause"
  local stamp; stamp="$(sha256sum "$src/main.go" | cut -c1-16)"
  cached "$out" "$stamp" && { info "pause cached"; return; }
  need_go
  step "building the pause program"
  mkdir -p "$out.tmp"
  (cd "$src" && go build -ldflags "-s -w" -o "$out.tmp/pause" .)
  publish "$out" "$stamp"
}

mkdir -p "$NP_CACHE_DIR/bin" "$SRC_CACHE"
started=$SECONDS
build_etcd
build_kwok
build_helm
build_kubernetes
if [[ "${1:-}" != --control-plane ]]; then
  build_node_component kubelet "~3 min"
  # kube-proxy (nftables mode) routes the node's Service addresses.
  build_node_component kube-proxy "~2 min"
  build_containerd
  build_pause
  build_metrics_server
  build_coredns
  build_traefik
  build_keda
fi
info "control-plane binaries ready in $((SECONDS - started)) s under $NP_CACHE_DIR/bin"
