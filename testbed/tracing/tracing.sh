#!/usr/bin/env bash
# Starts, stops and reports the local trace backend: Jaeger v2 (all-in-one, in-memory storage)
# built from the Go module proxy, on 127.0.0.1:
#   OTLP/HTTP receiver   SHOAL_OTLP_PORT          default 54318  (services export here)
#   query API and UI     SHOAL_JAEGER_QUERY_PORT  default 56686  (/api/traces, /api/services)
#   query gRPC           SHOAL_JAEGER_GRPC_PORT   default 56685
#   health               SHOAL_JAEGER_HEALTH_PORT default 53133
# Usage: testbed/tracing/tracing.sh up|down|status
# Writes .testbed/tracing.env (OTLP_ENDPOINT, JAEGER_QUERY_URL) on `up`. The binary is built
# once into $SHOAL_CACHE/jaeger/<version>/jaeger (about 6 CPU-minutes cold) and reused.
set -euo pipefail

TRACING_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# The testbed's helpers: spawn, live_pid, stop_server, wait_until_answering, logs in .testbed/.
# shellcheck source=SCRIPTDIR/../deps/common.sh
source "$TRACING_DIR/../deps/common.sh"

OTLP_PORT=${SHOAL_OTLP_PORT:-54318}
QUERY_PORT=${SHOAL_JAEGER_QUERY_PORT:-56686}
GRPC_PORT=${SHOAL_JAEGER_GRPC_PORT:-56685}
HEALTH_PORT=${SHOAL_JAEGER_HEALTH_PORT:-53133}
JAEGER_MODULE_DIR="$TRACING_DIR/jaeger"
NAME=jaeger

jaeger_version() {
  local version
  version=$(awk '$1 == "require" && $2 == "github.com/jaegertracing/jaeger" { print $3 }' "$JAEGER_MODULE_DIR/go.mod")
  [[ $version =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "no Jaeger version pinned in $JAEGER_MODULE_DIR/go.mod"
  echo "$version"
}
jaeger_binary() { echo "$SHOAL_CACHE/jaeger/$(jaeger_version)/jaeger"; }
# Any jaeger we built (whatever its ports), and ours on these ports.
jaeger_kind() { echo "/jaeger/[^ ]+/jaeger( |\$)"; }
jaeger_pattern() { echo "/jaeger/[^ ]+/jaeger --config"; }

jaeger_probe() {
  curl -sf -o /dev/null --max-time 3 "http://127.0.0.1:$HEALTH_PORT/status" &&
    curl -sf -o /dev/null --max-time 3 "http://127.0.0.1:$QUERY_PORT/api/services"
}

# Builds the pinned version once, atomically (an interrupted build leaves no binary). Not
# `go install`: Jaeger's go.mod has replace directives, which `go install pkg@version` refuses.
# So the module source is downloaded (verified against jaeger/go.sum), copied, and built in
# place with its own go.mod and go.sum (which verify every dependency).
jaeger_build() {
  local binary version
  binary=$(jaeger_binary)
  [[ -x $binary ]] && return 0
  command -v go >/dev/null 2>&1 || die "go is needed to build Jaeger (https://go.dev/dl/)"
  version=$(jaeger_version)
  mkdir -p "$(dirname "$binary")"
  (
    # Another `up` (another checkout sharing the cache) may be building the same version.
    exec 8>"$(dirname "$binary")/build.lock"
    flock 8
    [[ -x $binary ]] && exit 0
    echo "tracing: building Jaeger $version from the Go module proxy (first run only, minutes)" >&2
    export GOTOOLCHAIN=local GOFLAGS="-mod=readonly -buildvcs=false" CGO_ENABLED=0
    local log source_dir work_dir="$binary.build.$$"
    log=$(logfile_of "$NAME-build")
    trap 'chmod -R u+w "$work_dir" 2>/dev/null; rm -rf "$work_dir" "$binary.tmp.$$"' EXIT
    source_dir=$(cd "$JAEGER_MODULE_DIR" &&
      go mod download -json github.com/jaegertracing/jaeger 2>"$log" |
      sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p') && [[ -d $source_dir ]] || {
      show_log_tail "$NAME-build"
      exit 1
    }
    cp -R "$source_dir" "$work_dir" && chmod -R u+w "$work_dir" || exit 1
    # nice: the 2 cores are shared with everything else running.
    if ! (cd "$work_dir" && nice -n 10 go build -trimpath -o "$binary.tmp.$$" ./cmd/jaeger) >>"$log" 2>&1; then
      show_log_tail "$NAME-build"
      exit 1
    fi
    mv "$binary.tmp.$$" "$binary"
  ) || die "tracing: building Jaeger $version failed"
}

write_tracing_env() {
  local tmp="$STATE_DIR/tracing.env.tmp"
  {
    echo "# written by testbed/tracing/tracing.sh up"
    echo "OTLP_ENDPOINT=http://127.0.0.1:$OTLP_PORT"
    echo "JAEGER_QUERY_URL=http://127.0.0.1:$QUERY_PORT"
  } >"$tmp"
  mv "$tmp" "$STATE_DIR/tracing.env"
}

cmd_up() {
  local pid started
  if pid=$(live_pid "$NAME" "$(jaeger_pattern)"); then
    if jaeger_probe; then
      echo "jaeger: already running, query at http://127.0.0.1:$QUERY_PORT (pid $pid)"
      write_tracing_env
      return 0
    fi
    echo "jaeger: pid $pid does not answer, restarting it"
    stop_server "$NAME" "$(jaeger_kind)" TERM >/dev/null
  elif jaeger_probe 2>/dev/null; then
    die "something that tracing.sh did not start answers on port $QUERY_PORT; stop it or set SHOAL_JAEGER_QUERY_PORT"
  fi
  jaeger_build
  started=$(now_ms)
  SHOAL_OTLP_PORT=$OTLP_PORT SHOAL_JAEGER_QUERY_PORT=$QUERY_PORT SHOAL_JAEGER_GRPC_PORT=$GRPC_PORT \
    SHOAL_JAEGER_HEALTH_PORT=$HEALTH_PORT spawn "$NAME" "$(jaeger_binary)" --config "$TRACING_DIR/jaeger.yaml"
  if ! wait_until_answering "$NAME" jaeger_probe; then
    echo "jaeger: FAILED to start" >&2
    show_log_tail "$NAME"
    kill_spawned "$NAME"
    return 1
  fi
  write_tracing_env
  echo "jaeger: started in $(format_ms $(($(now_ms) - started))), OTLP/HTTP at http://127.0.0.1:$OTLP_PORT," \
    "query at http://127.0.0.1:$QUERY_PORT (pid $(live_pid "$NAME" "$(jaeger_pattern)"))"
}

cmd_down() {
  stop_server "$NAME" "$(jaeger_kind)" TERM
  rm -f "$STATE_DIR/tracing.env"
}

cmd_status() {
  local pid
  if pid=$(live_pid "$NAME" "$(jaeger_pattern)") && jaeger_probe; then
    echo "jaeger     up             OTLP 127.0.0.1:$OTLP_PORT, query 127.0.0.1:$QUERY_PORT (pid $pid)"
  else
    echo "jaeger     down           127.0.0.1:$QUERY_PORT"
    return 1
  fi
}

main() {
  local verb=${1:-}
  mkdir -p "$STATE_DIR"
  case $verb in
  up | down)
    exec 9>"$STATE_DIR/tracing.lock"
    flock 9
    "cmd_$verb"
    ;;
  status) cmd_status ;;
  build) jaeger_build ;;
  *)
    echo "usage: $0 up|down|status|build" >&2
    exit 2
    ;;
  esac
}

main "$@"
