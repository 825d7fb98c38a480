#!/usr/bin/env bash
# Starts, stops and reports the real data dependencies that tests talk to, all on 127.0.0.1:
#   postgres  PostgreSQL (Debian)            SHOAL_PG_PORT     default 55432
#   redis     Redis (Debian)                 SHOAL_REDIS_PORT  default 56379
#   elasticmq ElasticMQ, SQS (Maven Central) SHOAL_SQS_PORT    default 59324
#   ferretdb  FerretDB, MongoDB wire (Go)    SHOAL_MONGO_PORT  default 57017
# Usage: testbed/deps.sh up|down|status
# State (data, pids, logs, deps.env) lives in .testbed/; builds and downloads in $SHOAL_CACHE.
set -euo pipefail

DEPS_SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=deps/common.sh
source "$DEPS_SCRIPT_DIR/deps/common.sh"

SERVERS=(postgres redis elasticmq ferretdb)
for server in postgres redis elasticmq ferretdb; do
  # shellcheck source=/dev/null
  source "$DEPS_DIR/$server.sh"
done

# Brings one server up unless it already answers. Runs in a subshell per server, in parallel.
# On failure it explains why (with the log tail) and leaves nothing of that server running.
ensure_up() {
  local name=$1 pattern kind address pid started elapsed
  pattern=$("${name}_pattern")
  kind=$("${name}_kind")
  address=$("${name}_address")
  if pid=$(live_pid "$name" "$pattern"); then
    if "${name}_probe" 2>/dev/null; then
      echo "$name: already running at $address (pid $pid)"
      return 0
    fi
    echo "$name: pid $pid does not answer at $address, restarting it"
    stop_server "$name" "$kind" "$("${name}_stop_signal")" >/dev/null
  elif pid=$(live_pid "$name" "$kind"); then
    # Others may be using it: never restart a server under them just because settings differ.
    echo "$name: FAILED: pid $pid already runs with other settings (another port?);" \
      "run \`make deps-down\` first" >&2
    return 1
  elif "${name}_probe" 2>/dev/null; then
    echo "$name: FAILED: something that deps-up did not start answers at $address;" \
      "stop it or pick another port (see testbed/README.md)" >&2
    return 1
  fi
  "${name}_prepare" || {
    echo "$name: FAILED to prepare (see above)" >&2
    return 1
  }
  started=$(now_ms)
  if ! "${name}_launch"; then
    echo "$name: FAILED to launch" >&2
    show_log_tail "$name"
    return 1
  fi
  if ! wait_until_answering "$name" "${name}_probe" || ! "${name}_after_start"; then
    echo "$name: FAILED to start at $address" >&2
    show_log_tail "$name"
    kill_spawned "$name"
    return 1
  fi
  elapsed=$(($(now_ms) - started))
  echo "$name: started in $(format_ms "$elapsed") at $address (pid $(live_pid "$name" "$pattern"))"
}

# The connection settings tests read (testbed/src/deps-env.ts), written whole or not at all.
write_deps_env() {
  local tmp="$STATE_DIR/deps.env.tmp"
  {
    echo "# written by testbed/deps.sh up; read by loadDepsEnv() from @shoal/testbed"
    echo "PG_URL=$(postgres_url)"
    echo "REDIS_URL=$(redis_url)"
    echo "MONGO_URL=$(ferretdb_url)"
    echo "SQS_ENDPOINT=$(elasticmq_url)"
    echo "AWS_REGION=us-east-1"
    echo "AWS_ACCESS_KEY_ID=x"
    echo "AWS_SECRET_ACCESS_KEY=x"
  } >"$tmp"
  mv "$tmp" "$STATE_DIR/deps.env"
}

cmd_up() {
  local name failed=0
  declare -A jobs=()
  # Installing packages touches the dpkg lock, so it happens one at a time, before the
  # parallel part; fetching, building and starting then overlap (the JVM start is slow).
  for name in "${SERVERS[@]}"; do
    "${name}_install"
  done
  # Each server's report is collected and printed in a fixed order; progress notes for slow
  # first-time work (downloads, builds) go straight to the terminal through fd 3.
  exec 3>&2
  for name in "${SERVERS[@]}"; do
    ensure_up "$name" >"$STATE_DIR/$name.up.out" 2>&1 &
    jobs[$name]=$!
  done
  for name in "${SERVERS[@]}"; do
    wait "${jobs[$name]}" || failed=1
    cat "$STATE_DIR/$name.up.out"
    rm -f "$STATE_DIR/$name.up.out"
  done
  if ((failed)); then
    # deps.env keeps describing the last complete testbed, which others may be using.
    echo "deps: some servers failed to start (see above); the others are left running" >&2
    return 1
  fi
  write_deps_env
  echo "deps: connection settings in $STATE_DIR/deps.env"
}

cmd_down() {
  local name pattern leftovers=0
  # Stops whatever this checkout started, whatever its settings (ports) were.
  for name in "${SERVERS[@]}"; do
    stop_server "$name" "$("${name}_kind")" "$("${name}_stop_signal")" &
  done
  wait
  # A server whose pidfile was lost would survive the loop above: say so rather than hide it.
  for name in "${SERVERS[@]}"; do
    pattern=$("${name}_pattern")
    if pgrep -f -- "$pattern" >/dev/null; then
      echo "$name: still running without a pidfile: pid $(pgrep -f -- "$pattern" | tr '\n' ' ')" >&2
      leftovers=1
    fi
  done
  return "$leftovers"
}

cmd_status() {
  local name pattern address pid down=0
  for name in "${SERVERS[@]}"; do
    pattern=$("${name}_pattern")
    address=$("${name}_address")
    if pid=$(live_pid "$name" "$pattern"); then
      if "${name}_probe" 2>/dev/null; then
        printf '%-10s %-14s %s (pid %s)\n' "$name" up "$address" "$pid"
      else
        printf '%-10s %-14s %s (pid %s, log %s)\n' "$name" not-answering "$address" "$pid" "$(logfile_of "$name")"
        down=1
      fi
    elif pid=$(live_pid "$name" "$("${name}_kind")"); then
      printf '%-10s %-14s %s (pid %s runs with other settings)\n' "$name" other-settings "$address" "$pid"
      down=1
    else
      printf '%-10s %-14s %s\n' "$name" down "$address"
      down=1
    fi
  done
  return "$down"
}

main() {
  local verb=${1:-}
  mkdir -p "$STATE_DIR"
  case $verb in
  up | down)
    # One `up` or `down` at a time: several engineers and test runs share this testbed.
    exec 9>"$STATE_DIR/deps.lock"
    flock 9
    "cmd_$verb"
    ;;
  status) cmd_status ;;
  *)
    echo "usage: $0 up|down|status" >&2
    exit 2
    ;;
  esac
}

main "$@"
