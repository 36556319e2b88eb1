#!/usr/bin/env bash
# Builds the control-plane binaries the operator is developed and tested against, from their official
# Go modules, once per version: kube-apiserver, kube-controller-manager, kube-scheduler and kubectl
# (Kubernetes), etcd, kwok (fake nodes) and helm. Results are cached under ~/.cache/np-platform/bin/,
# keyed by version, so later runs take no time. A cold build takes about 15 minutes on 2 cores.
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
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
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

mkdir -p "$NP_CACHE_DIR/bin" "$SRC_CACHE"
started=$SECONDS
build_etcd
build_kwok
build_helm
build_kubernetes
info "control-plane binaries ready in $((SECONDS - started)) s under $NP_CACHE_DIR/bin"
