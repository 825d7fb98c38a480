#!/usr/bin/env bash
# The Docker engine the kind cluster runs on.
#   up      use the engine that answers; otherwise, as root on Debian, install docker.io and
#           start dockerd ourselves (with --pidfile .testbed/kind/dockerd.pid: that marks it ours).
#           On a host whose capability bounding set is short, dockerd gets the runc-capfilter
#           runtime as its default (see that file); a normal host runs docker as it is.
#   down    stop dockerd only if `up` started it.
#   status  one line: which engine answers, and whether it is ours.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

pid_file="$KIND_STATE/dockerd.pid"
engine_log="$KIND_LOGS/dockerd.log"
runtime_name=shoal-runc
runtime_path="$KIND_CACHE/bin/$runtime_name"

answers() { docker info --format '{{.ServerVersion}}' >/dev/null 2>&1; }

# The dockerd we started, if it is still running: the one whose command line names our pid
# file (dockerd writes and removes that file itself; the flag marks it ours even if the file
# was removed).
our_pid() {
  pgrep -o -f "^dockerd .*--pidfile $pid_file( |\$)"
}

# Capabilities a privileged container asks for that this host cannot grant: CapBnd's bits
# below the highest one the kernel knows (cap_last_cap) that are not set.
bounding_set_is_short() {
  local last bounding full
  last="$(cat /proc/sys/kernel/cap_last_cap)"
  bounding=$((16#$(awk '/^CapBnd:/ { print $2 }' /proc/self/status)))
  full=$(((1 << (last + 1)) - 1))
  [[ $((bounding & full)) -ne $full ]]
}

install_engine() {
  command -v dockerd >/dev/null && command -v jq >/dev/null && return 0
  if [[ $EUID -ne 0 ]] || ! command -v apt-get >/dev/null; then
    die "no Docker engine answers and none can be installed here (needs root and apt): install Docker Engine (https://docs.docker.com/engine/install/) and start it, then run again"
  fi
  log "installing Debian's docker.io (no Docker engine answers)"
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 update -qq >"$KIND_LOGS/apt-docker.log" 2>&1 &&
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends \
      docker.io jq iptables >>"$KIND_LOGS/apt-docker.log" 2>&1 ||
    die "installing docker.io failed; log: $KIND_LOGS/apt-docker.log"
  # The package's service is not ours to start (no init system here); we run dockerd below.
}

# The docker CLI (23+) builds with BuildKit only through its buildx plugin, and the Dockerfile
# needs BuildKit (RUN --mount). Where the plugin is missing, build it from the Go module proxy
# and install it for this user, as Docker's docs do (~/.docker/cli-plugins).
ensure_buildx() {
  docker buildx version >/dev/null 2>&1 && return 0
  "$KIND_DIR/tools.sh" buildx
  # shellcheck source=versions.sh
  source "$KIND_DIR/versions.sh"
  mkdir -p "${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins"
  install -m 0755 "$KIND_CACHE/tools/buildx-$BUILDX_VERSION/buildx" "${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins/docker-buildx"
  docker buildx version >/dev/null || die "the buildx plugin does not run: $(docker buildx version 2>&1 | head -n 1)"
  log "installed the buildx plugin $BUILDX_VERSION into ${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins"
}

up() {
  start_engine
  ensure_buildx
}

start_engine() {
  if answers; then
    our_pid >/dev/null && log "dockerd (ours, pid $(our_pid)) answers" || log "using the Docker engine that answers"
    return 0
  fi
  install_engine
  local args=()
  if bounding_set_is_short; then
    # The wrapper is copied out of the checkout: dockerd keeps using it after the clone goes.
    mkdir -p "$(dirname "$runtime_path")"
    install -m 0755 "$KIND_DIR/runc-capfilter" "$runtime_path"
    args+=(--add-runtime "$runtime_name=$runtime_path" --default-runtime "$runtime_name")
    log "this host's capability bounding set is short: privileged containers run through $runtime_name"
  fi
  log "starting dockerd (log: $engine_log)"
  setsid nohup dockerd --pidfile "$pid_file" "${args[@]}" >"$engine_log" 2>&1 </dev/null 8>&- 9>&- &
  local deadline=$((SECONDS + 60))
  until answers; do
    if ! our_pid >/dev/null; then
      tail -n 15 "$engine_log" | sed 's/^/    /' >&2
      die "dockerd exited at start; log: $engine_log"
    fi
    ((SECONDS < deadline)) || die "dockerd did not answer within 60 s; log: $engine_log"
    sleep 1
  done
  log "dockerd $(docker info --format '{{.ServerVersion}}') answers"
}

down() {
  local pid
  pid="$(our_pid)" || return 0
  log "stopping dockerd (pid $pid)"
  kill -TERM "$pid"
  for _ in $(seq 1 30); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

status() {
  if answers; then
    local owner="not started by kind-up"
    our_pid >/dev/null && owner="ours, pid $(our_pid)"
    echo "docker engine: $(docker info --format '{{.ServerVersion}}') answers ($owner)"
  else
    echo "docker engine: none answers"
    return 1
  fi
}

case "${1:-}" in
  up | down | status) "$1" ;;
  *) die "usage: testbed/kind/engine.sh up|down|status" ;;
esac
