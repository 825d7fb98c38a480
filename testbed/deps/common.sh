# Shared helpers for testbed/deps.sh and the per-server scripts beside this file.
# Sourced, not executed. Every server keeps its runtime state under $STATE_DIR (.testbed/):
#   <name>.pid  the pid of the server process (its own process group, started with setsid)
#   <name>.log  its stdout/stderr for the current run (truncated at each start)

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
STATE_DIR="$REPO_ROOT/.testbed"
# shellcheck disable=SC2034 # used by the per-server scripts that deps.sh sources next
DEPS_DIR="$REPO_ROOT/testbed/deps"
SHOAL_CACHE=${SHOAL_CACHE:-$HOME/.cache/shoal}
export SHOAL_CACHE

# How long a server may take to answer after it was launched, and to exit after a stop signal.
START_TIMEOUT_SECONDS=${SHOAL_DEPS_START_TIMEOUT:-60}
STOP_TIMEOUT_SECONDS=${SHOAL_DEPS_STOP_TIMEOUT:-20}

die() {
  echo "deps: $*" >&2
  exit 1
}

# A progress note for slow first-time work, shown right away even while `up` collects each
# server's report (deps.sh opens fd 3 on the terminal's stderr); stderr otherwise.
progress() {
  { echo "$*" >&3; } 2>/dev/null || echo "$*" >&2
}

# Milliseconds since the epoch, for "started in 1.4s" lines.
now_ms() {
  echo $(($(date +%s%N) / 1000000))
}

# Formats a duration given in milliseconds as seconds with one decimal.
format_ms() {
  local ms=$1
  printf '%d.%ds' $((ms / 1000)) $((ms % 1000 / 100))
}

# Installs a Debian package when the binary it provides is absent (CI machines start bare).
ensure_binary() {
  local binary=$1 package=$2
  command -v "$binary" >/dev/null 2>&1 && return 0
  [[ $EUID -eq 0 ]] || die "'$binary' is missing; install the Debian package '$package' (needs root)"
  echo "deps: installing $package (provides $binary)"
  # Wait for the dpkg lock instead of failing when another engineer's apt-get is running.
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 update -qq >/dev/null ||
    die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq \
    --no-install-recommends "$package" >/dev/null || die "apt-get install $package failed"
  command -v "$binary" >/dev/null 2>&1 || die "'$package' is installed but '$binary' is still not on PATH"
}

pidfile_of() { echo "$STATE_DIR/$1.pid"; }
logfile_of() { echo "$STATE_DIR/$1.log"; }

# Prints the recorded pid of a server when that process is alive AND is still the server
# (its command line matches the extended regex), so a recycled pid is never mistaken for it.
live_pid() {
  local name=$1 pattern=$2 pidfile pid
  pidfile=$(pidfile_of "$name")
  [[ -s $pidfile ]] || return 1
  pid=$(<"$pidfile")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [[ -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qE -- "$pattern" || return 1
  echo "$pid"
}

# Starts a command in the background in its own session and process group, logging to
# .testbed/<name>.log, and records its pid. The command must not daemonize itself.
spawn() {
  local name=$1
  shift
  local log
  log=$(logfile_of "$name")
  echo "=== $(date -u +%FT%TZ) starting: $*" >"$log"
  # Non-interactive bash does not give background jobs their own group, so setsid execs in
  # place (no fork) and $! is the server's own pid, which is also its process group id.
  # fd 9 is deps.sh's lock (a server holding it would block every later `up`), fd 3 its tty.
  setsid nohup "$@" >>"$log" 2>&1 </dev/null 3>&- 9>&- &
  echo $! >"$(pidfile_of "$name")"
}

# The server just spawned is still there: its recorded pid is alive and not a zombie waiting
# for its parent. During start-up the recorded pid is trusted, as kill_spawned does: matching
# its command line would race the exec that turns the forked shell into the server (under
# load the first check came before it, and a healthy server was killed as "exited").
spawned_alive() {
  local pid state
  pid=$(cat "$(pidfile_of "$1")" 2>/dev/null) || return 1
  state=$(sed -E 's/.*\) ([A-Za-z]).*/\1/' "/proc/$pid/stat" 2>/dev/null) || return 1
  [[ -n $state && $state != Z ]]
}

# Waits until probe_fn succeeds; fails early when the server process has already exited.
wait_until_answering() {
  local name=$1 probe_fn=$2 deadline
  deadline=$(($(date +%s) + START_TIMEOUT_SECONDS))
  while ! "$probe_fn" 2>/dev/null; do
    if ! spawned_alive "$name"; then
      echo "$name exited during start-up" >&2
      return 1
    fi
    if (($(date +%s) >= deadline)); then
      echo "$name did not answer within ${START_TIMEOUT_SECONDS}s" >&2
      return 1
    fi
    sleep 0.2
  done
}

# Kills a server that was just spawned and failed to come up: its recorded pid is trusted
# even when the command line does not look like a running server yet.
kill_spawned() {
  local name=$1 pidfile pid
  pidfile=$(pidfile_of "$name")
  if [[ -s $pidfile ]]; then
    pid=$(<"$pidfile")
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

# Prints the last 30 lines of a server's log, to explain why it failed.
show_log_tail() {
  local name=$1 log
  log=$(logfile_of "$name")
  echo "---- last 30 lines of $log ----" >&2
  tail -n 30 "$log" >&2 2>/dev/null || echo "(no log)" >&2
  echo "----" >&2
}

# Stops a server: the graceful signal first, then SIGKILL to its whole process group after
# STOP_TIMEOUT_SECONDS. Prints what it did; a server that is not running is fine.
stop_server() {
  local name=$1 pattern=$2 signal=$3 pid deadline
  if ! pid=$(live_pid "$name" "$pattern"); then
    rm -f "$(pidfile_of "$name")"
    echo "$name: not running"
    return 0
  fi
  kill "-$signal" "$pid" 2>/dev/null || true
  deadline=$(($(date +%s) + STOP_TIMEOUT_SECONDS))
  while kill -0 "$pid" 2>/dev/null && (($(date +%s) < deadline)); do
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "$name: did not stop within ${STOP_TIMEOUT_SECONDS}s of SIG$signal, killing it"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  # Children left in the group (postgres backends, a JVM's helpers) go with their leader.
  kill -KILL -- "-$pid" 2>/dev/null || true
  rm -f "$(pidfile_of "$name")"
  echo "$name: stopped (pid $pid)"
}
