#!/usr/bin/env bash
# `npm run images [-- image...]`: the platform's images without Docker or a registry (see
# tools/images/build-images.js and the root Dockerfile, which builds the same images with Docker).
# Installs Debian's mmdebstrap, umoci, skopeo and runc (for test:images) when missing (root, or sudo without a password),
# builds the workspaces (nx, cached), then builds every image whose inputs changed.
source "$(dirname "$0")/lib.sh"
cd "$ROOT_DIR"

missing=()
for tool in mmdebstrap umoci skopeo runc; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
if ((${#missing[@]} > 0)); then
  step "installing ${missing[*]} (Debian packages)"
  sudo_cmd=()
  [[ $(id -u) == 0 ]] || sudo_cmd=(sudo -n)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" 2>&1 | grep -v '^\(Selecting\|Preparing\|Unpacking\)' || true
  for tool in "${missing[@]}"; do command -v "$tool" >/dev/null 2>&1 || { echo "could not install $tool" >&2; exit 1; }; done
fi

if [[ "${NP_IMAGES_SKIP_BUILD:-0}" != 1 ]]; then
  step "building the workspaces"
  NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false npx nx run-many -t build --outputStyle=static >"$STATE_DIR/images-build.log" 2>&1 \
    || { tail -n 30 "$STATE_DIR/images-build.log" >&2; exit 1; }
fi
exec node tools/images/build-images.js "$@"
