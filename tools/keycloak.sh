#!/usr/bin/env bash
# Keycloak for development and the tests: everything about it in one place.
#   tools/keycloak.sh install   download the distribution once (Maven Central, checksum verified) into
#                               ~/.cache/np-platform/keycloak-<version>/ (or $NP_CACHE_DIR)
#   tools/keycloak.sh start     start-dev on 127.0.0.1:$NP_KEYCLOAK_PORT in the background, data and
#                               log under the state directory; returns when it is ready
#   tools/keycloak.sh stop      stop it (waits for the process to exit)
#   tools/keycloak.sh health    exit 0 when the management port reports it ready
#   tools/keycloak.sh env       the NP_KEYCLOAK_* settings for .local/servers.env
#   tools/keycloak.sh purge     delete its state (data, log, bootstrap admin); stop it first
source "$(dirname "$0")/lib.sh"

KEYCLOAK_VERSION=26.7.3
KEYCLOAK_ARTIFACT="org.keycloak:keycloak-quarkus-dist:$KEYCLOAK_VERSION"
# SHA-512 of keycloak-quarkus-dist-26.7.3.zip as Maven Central publishes it (the .sha512 beside the
# zip); the download must match both this and the file fetched at install time.
KEYCLOAK_SHA512=15c764765576eef267cf15cc5225a5826b5394a25a83d9bfa5b8544e4bbba690cb743c9d384200b93bb71ee4c4a328e1dd8c0a00f822fd3e6e154f14b1e47216
NP_CACHE_DIR="${NP_CACHE_DIR:-${HOME:-/root}/.cache/np-platform}"
KEYCLOAK_DIST="$NP_CACHE_DIR/keycloak-$KEYCLOAK_VERSION"
KEYCLOAK_STATE="$(realpath -m "$STATE_DIR")/keycloak"
# The checkout's own Keycloak home: hard links to the cached distribution (copies where links are
# impossible) plus its own data/ and lib/quarkus/ (rewritten when start-dev re-augments), so two
# checkouts never share a database or race on the build files.
KEYCLOAK_HOME="$KEYCLOAK_STATE/home"
KEYCLOAK_LOG="$KEYCLOAK_STATE/keycloak.log"
KEYCLOAK_PID="$KEYCLOAK_STATE/keycloak.pid"
KEYCLOAK_ADMIN_FILE="$KEYCLOAK_STATE/bootstrap-admin"
# Two cores are shared with PostgreSQL, RabbitMQ, the object store and the platform: a small heap
# (Keycloak's default is 512 MB) keeps it around 450 MB resident with the tests' realms.
export JAVA_OPTS_KC_HEAP="${JAVA_OPTS_KC_HEAP:--Xms64m -Xmx320m}"

keycloak_url() { echo "http://127.0.0.1:$NP_KEYCLOAK_PORT"; }
keycloak_answers() { curl -sf -m 5 "http://127.0.0.1:$NP_KEYCLOAK_MANAGEMENT_PORT/health/ready" >/dev/null 2>&1; }

# The pid recorded for this checkout's Keycloak, if that process still runs from its home: kc.sh,
# or the java it replaces itself with after a re-augmentation (-Dkc.home.dir=<home>/bin/..).
keycloak_pid() {
  local pid
  pid="$(cat "$KEYCLOAK_PID" 2>/dev/null || true)"
  [[ -n "$pid" && -r "/proc/$pid/cmdline" ]] || return 0
  tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF "$KEYCLOAK_HOME/bin/" && echo "$pid"
  return 0
}

# Prints "<major> <java>" for the newest JDK under /usr/lib/jvm ($NP_KEYCLOAK_JAVA_HOME wins), or
# for the java on PATH when that folder has none.
pick_java() {
  local home major best_major=0 best=""
  if [[ -n "${NP_KEYCLOAK_JAVA_HOME:-}" ]]; then
    echo "$(java_major "$NP_KEYCLOAK_JAVA_HOME/bin/java") $NP_KEYCLOAK_JAVA_HOME/bin/java"; return
  fi
  for home in /usr/lib/jvm/*/; do
    [[ -x "$home/bin/java" ]] || continue
    major="$(java_major "$home/bin/java")"
    if ((major > best_major)); then best_major=$major; best="$(realpath "$home/bin/java")"; fi
  done
  if [[ -z "$best" ]] && command -v java >/dev/null; then best="$(command -v java)"; best_major="$(java_major "$best")"; fi
  [[ -n "$best" ]] && echo "$best_major $best"
}
# The feature version of a java binary: from the JDK's release file, else from the binary itself.
java_major() {
  local release version
  release="$(dirname "$(dirname "$(realpath "$1")")")/release"
  if [[ -r "$release" ]]; then version="$(sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$release")"; fi
  [[ -n "${version:-}" ]] || version="$("$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p')"
  echo "${version:-0}"
}

need_tools() {
  local missing=()
  command -v mvn >/dev/null 2>&1 || missing+=(maven)
  command -v unzip >/dev/null 2>&1 || missing+=(unzip)
  [[ -n "$(pick_java)" ]] || missing+=(openjdk-17-jre-headless)
  ((${#missing[@]} == 0)) && return
  step "installing ${missing[*]} for Keycloak (Debian packages)"
  [[ $(id -u) -eq 0 ]] || { echo "Keycloak's download needs ${missing[*]}; install them (as root: tools/install-servers.sh)" >&2; exit 1; }
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Prints the size of what Maven has received so far, every 5 s, until the file $1 exists.
download_progress() {
  local repo=$1 done_file=$2 started=$SECONDS
  while [[ ! -e "$done_file" ]]; do
    sleep 5
    printf '    %3d s: %s MB received (Maven plugins, then the zip)\n' "$((SECONDS - started))" "$(du -sm "$repo" 2>/dev/null | cut -f1 || echo 0)"
  done
}

dist_cached() { [[ -f "$KEYCLOAK_DIST/.stamp" && "$(cat "$KEYCLOAK_DIST/.stamp")" == "$KEYCLOAK_SHA512" ]]; }

install_keycloak() {
  if dist_cached; then info "Keycloak $KEYCLOAK_VERSION cached in $KEYCLOAK_DIST"; return; fi
  # Two checkouts installing at once: the second waits for the first and finds it cached.
  mkdir -p "$NP_CACHE_DIR"
  exec 9> "$KEYCLOAK_DIST.lock"
  flock 9
  if dist_cached; then info "Keycloak $KEYCLOAK_VERSION cached in $KEYCLOAK_DIST"; exec 9>&-; return; fi
  need_tools
  local work="$KEYCLOAK_DIST.tmp" started=$SECONDS
  rm -rf "$work"; mkdir -p "$work/zip"
  step "downloading Keycloak $KEYCLOAK_VERSION (about 170 MB) from Maven Central"
  # Maven's own client, its repository settings and its SHA-1 check (--strict-checksums); its local
  # repository is a scratch folder, removed below, so the zip is not kept twice.
  local mvn_args=(-B -q "-Dmaven.repo.local=$work/m2" dependency:copy "-DoutputDirectory=$work/zip")
  download_progress "$work/m2" "$work/zip/.done" &
  local progress=$!
  if ! { mvn "${mvn_args[@]}" --strict-checksums "-Dartifact=$KEYCLOAK_ARTIFACT:zip" \
      && mvn "${mvn_args[@]}" "-Dartifact=$KEYCLOAK_ARTIFACT:zip.sha512"; } > "$work/mvn.log" 2>&1; then
    touch "$work/zip/.done"; wait "$progress" || true
    echo "Maven could not download $KEYCLOAK_ARTIFACT:" >&2; tail -n 20 "$work/mvn.log" >&2; exit 1
  fi
  touch "$work/zip/.done"; wait "$progress" || true
  local zip="$work/zip/keycloak-quarkus-dist-$KEYCLOAK_VERSION.zip" actual published
  actual="$(sha512sum "$zip" | cut -d' ' -f1)"
  published="$(tr -d ' \n' < "$zip.sha512" | cut -c1-128)"
  if [[ "$actual" != "$published" || "$actual" != "$KEYCLOAK_SHA512" ]]; then
    echo "checksum mismatch for $zip: sha512 $actual, published $published, expected $KEYCLOAK_SHA512" >&2; exit 1
  fi
  info "downloaded in $((SECONDS - started)) s, SHA-512 matches the published one; unpacking"
  unzip -q "$zip" -d "$work/unpacked"
  rm -rf "$KEYCLOAK_DIST"
  mv "$work/unpacked/keycloak-$KEYCLOAK_VERSION" "$KEYCLOAK_DIST"
  printf '%s' "$KEYCLOAK_SHA512" > "$KEYCLOAK_DIST/.stamp"
  rm -rf "$work"
  exec 9>&-
  info "Keycloak $KEYCLOAK_VERSION ready in $KEYCLOAK_DIST ($((SECONDS - started)) s)"
}

# (Re)builds the checkout's home from the cached distribution when it is missing or of another
# version; data/ survives a version change.
prepare_home() {
  [[ -f "$KEYCLOAK_HOME/.stamp" && "$(cat "$KEYCLOAK_HOME/.stamp")" == "$KEYCLOAK_SHA512" ]] && return
  mkdir -p "$KEYCLOAK_HOME"
  find "$KEYCLOAK_HOME" -mindepth 1 -maxdepth 1 ! -name data -exec rm -rf {} +
  local entry
  for entry in "$KEYCLOAK_DIST"/*; do
    [[ "$(basename "$entry")" == lib ]] && continue
    cp -al "$entry" "$KEYCLOAK_HOME/" 2>/dev/null || cp -a "$entry" "$KEYCLOAK_HOME/"
  done
  mkdir -p "$KEYCLOAK_HOME/lib"
  for entry in "$KEYCLOAK_DIST"/lib/*; do
    if [[ "$(basename "$entry")" == quarkus ]]; then cp -a "$entry" "$KEYCLOAK_HOME/lib/"
    else cp -al "$entry" "$KEYCLOAK_HOME/lib/" 2>/dev/null || cp -a "$entry" "$KEYCLOAK_HOME/lib/"; fi
  done
  printf '%s' "$KEYCLOAK_SHA512" > "$KEYCLOAK_HOME/.stamp"
}

# The bootstrap admin: KC_BOOTSTRAP_ADMIN_USERNAME/_PASSWORD when set, else `np` with a password
# generated once. Keycloak creates it only on the first start of an empty database, so what was used
# then is kept (0600) beside the data and reused.
bootstrap_admin() {
  if [[ ! -s "$KEYCLOAK_ADMIN_FILE" ]]; then
    if [[ -d "$KEYCLOAK_HOME/data/h2" && -z "${KC_BOOTSTRAP_ADMIN_PASSWORD:-}" ]]; then
      echo "Keycloak's data in $KEYCLOAK_HOME/data has no $KEYCLOAK_ADMIN_FILE; set KC_BOOTSTRAP_ADMIN_USERNAME/_PASSWORD or run tools/keycloak.sh purge" >&2
      exit 1
    fi
    mkdir -p "$KEYCLOAK_STATE"
    (umask 077; printf '%s\n%s\n' "${KC_BOOTSTRAP_ADMIN_USERNAME:-np}" "${KC_BOOTSTRAP_ADMIN_PASSWORD:-$(openssl rand -hex 16)}" > "$KEYCLOAK_ADMIN_FILE")
  fi
  ADMIN_USERNAME="$(sed -n 1p "$KEYCLOAK_ADMIN_FILE")"
  ADMIN_PASSWORD="$(sed -n 2p "$KEYCLOAK_ADMIN_FILE")"
  if [[ -n "${KC_BOOTSTRAP_ADMIN_PASSWORD:-}" && "$KC_BOOTSTRAP_ADMIN_PASSWORD" != "$ADMIN_PASSWORD" ]]; then
    info "warning: KC_BOOTSTRAP_ADMIN_PASSWORD differs from the admin created at the first start; keeping that one ($KEYCLOAK_ADMIN_FILE)"
  fi
}

start_keycloak() {
  install_keycloak
  bootstrap_admin
  if keycloak_answers; then info "Keycloak already up on $NP_KEYCLOAK_PORT"; return; fi
  local running; running="$(keycloak_pid)"
  [[ -z "$running" ]] || { echo "Keycloak (pid $running) runs but its management port $NP_KEYCLOAK_MANAGEMENT_PORT does not answer; tools/keycloak.sh stop first" >&2; exit 1; }
  local java major
  read -r major java <<< "$(pick_java)"
  [[ -n "${java:-}" ]] || { echo "no Java found for Keycloak (it needs 21 or 25; 17 works, deprecated)" >&2; exit 1; }
  if ((major < 21)); then
    info "warning: Keycloak runs on Java $major ($java), the newest found; Keycloak $KEYCLOAK_VERSION deprecates Java 17: install 21 or 25"
  fi
  prepare_home
  step "starting Keycloak $KEYCLOAK_VERSION on $(keycloak_url) (management $NP_KEYCLOAK_MANAGEMENT_PORT, Java $major, log $KEYCLOAK_LOG)"
  local started=$SECONDS
  # start-dev: H2 database in home/data, local caches, HTTP on loopback only. The caller's stderr
  # is not handed on (3>&-, see servers-up.sh), or a caller reading through a pipe would wait for
  # Keycloak to stop.
  JAVA_HOME="$(dirname "$(dirname "$java")")" \
  KC_BOOTSTRAP_ADMIN_USERNAME="$ADMIN_USERNAME" KC_BOOTSTRAP_ADMIN_PASSWORD="$ADMIN_PASSWORD" \
    nohup "$KEYCLOAK_HOME/bin/kc.sh" start-dev \
      --http-host=127.0.0.1 --http-port="$NP_KEYCLOAK_PORT" \
      --http-management-port="$NP_KEYCLOAK_MANAGEMENT_PORT" --health-enabled=true \
      > "$KEYCLOAK_LOG" 2>&1 < /dev/null 3>&- &
  echo $! > "$KEYCLOAK_PID"
  printf '    waiting for Keycloak '
  local deadline=$((SECONDS + ${NP_KEYCLOAK_START_SECONDS:-240})) mark=10
  until keycloak_answers; do
    if [[ -z "$(keycloak_pid)" ]]; then
      printf ' exited\n'; echo "Keycloak exited during its start" >&2; show_log_tail "$KEYCLOAK_LOG" >&2; exit 1
    fi
    if ((SECONDS > deadline)); then
      printf ' timed out\n'; echo "Keycloak did not become ready on $NP_KEYCLOAK_MANAGEMENT_PORT" >&2; show_log_tail "$KEYCLOAK_LOG" >&2; exit 1
    fi
    if ((SECONDS - started >= mark)); then printf '%d s' "$mark"; mark=$((mark + 10)); else printf '.'; fi
    sleep 1
  done
  printf ' up in %d s\n' "$((SECONDS - started))"
}

stop_keycloak() {
  local pid java; pid="$(keycloak_pid)"
  if [[ -z "$pid" ]]; then rm -f "$KEYCLOAK_PID"; return; fi
  step "stopping Keycloak (pid $pid)"
  java="$(pgrep -P "$pid" java || true)"
  # kc.sh hands TERM on to its java process; wait for both, so the ports are free afterwards.
  kill "$pid" 2>/dev/null || true
  local _ alive
  for _ in $(seq 1 30); do
    alive=0
    kill -0 "$pid" 2>/dev/null && alive=1
    [[ -n "$java" ]] && kill -0 "$java" 2>/dev/null && alive=1
    ((alive)) || break
    sleep 1
  done
  kill -9 "$pid" $java 2>/dev/null || true
  rm -f "$KEYCLOAK_PID"
}

case "${1:-}" in
  install) install_keycloak ;;
  start) start_keycloak ;;
  stop) stop_keycloak ;;
  health) keycloak_answers ;;
  env)
    bootstrap_admin
    printf 'NP_KEYCLOAK_URL=%s\nNP_KEYCLOAK_ADMIN=%s\nNP_KEYCLOAK_ADMIN_PASSWORD=%s\n' "$(keycloak_url)" "$ADMIN_USERNAME" "$ADMIN_PASSWORD"
    ;;
  purge)
    [[ -z "$(keycloak_pid)" ]] || { echo "Keycloak still runs; tools/keycloak.sh stop first" >&2; exit 1; }
    rm -rf "$KEYCLOAK_STATE"
    ;;
  *) echo "usage: $0 install|start|stop|health|env|purge" >&2; exit 2 ;;
esac
