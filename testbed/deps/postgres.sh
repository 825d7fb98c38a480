# PostgreSQL from the Debian packages: a private cluster in .testbed/postgres, superuser role
# shoal/shoal, database shoal, listening on 127.0.0.1 only. Sourced by testbed/deps.sh.
# PostgreSQL refuses to run as root, so under root it runs as the `postgres` system user.

PG_PORT=${SHOAL_PG_PORT:-55432}
PG_HOME="$STATE_DIR/postgres"
PG_DATA="$PG_HOME/data"
PG_SOCKET_DIR="$PG_HOME/run"

# Patterns (extended regex) for the server's command line: this kind of server (of this
# checkout) at all, and the one with the settings asked for now.
postgres_kind() { echo "postgres -D $PG_DATA( |\$)"; }
postgres_pattern() { echo "postgres -D $PG_DATA .*-c port=$PG_PORT( |\$)"; }
postgres_address() { echo "127.0.0.1:$PG_PORT"; }
postgres_url() { echo "postgres://shoal:shoal@127.0.0.1:$PG_PORT/shoal"; }
postgres_stop_signal() { echo INT; } # "fast" shutdown: does not wait for clients to leave

# The newest PostgreSQL server installed by Debian (/usr/lib/postgresql/<major>/bin).
postgres_bin_dir() {
  local dir
  dir=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  [[ -n $dir && -x $dir/postgres ]] || return 1
  echo "$dir"
}

# Runs a command as the user that owns the cluster (postgres when we are root). setpriv
# execs in place, so a spawned server keeps the pid that spawn recorded.
as_pg_owner() {
  if [[ $EUID -eq 0 ]]; then
    setpriv --reuid=postgres --regid=postgres --init-groups --reset-env -- "$@"
  else
    "$@"
  fi
}
pg_owner_prefix() {
  if [[ $EUID -eq 0 ]]; then
    echo "setpriv --reuid=postgres --regid=postgres --init-groups --reset-env --"
  fi
}

postgres_install() {
  postgres_bin_dir >/dev/null && return 0
  ensure_binary pg_ctlcluster postgresql
  postgres_bin_dir >/dev/null || die "the postgresql package installed no server under /usr/lib/postgresql"
}

postgres_probe() {
  local bin
  bin=$(postgres_bin_dir) || return 1
  "$bin/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -d shoal -U shoal -t 2
}

# Creates the cluster on first use: role shoal (password shoal) as its superuser.
postgres_prepare() {
  local bin
  bin=$(postgres_bin_dir) || die "PostgreSQL is not installed"
  mkdir -p "$PG_HOME" "$PG_SOCKET_DIR"
  if [[ $EUID -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || die "the 'postgres' system user is missing (reinstall postgresql-common)"
    chown postgres:postgres "$PG_HOME" "$PG_SOCKET_DIR"
    as_pg_owner test -w "$PG_HOME" ||
      die "user postgres cannot write $PG_HOME; make the directories above it traversable (chmod o+x)"
  fi
  [[ -f $PG_DATA/PG_VERSION ]] && return 0
  rm -rf "$PG_DATA" # a half-made cluster from an interrupted initdb
  local pwfile="$PG_HOME/initdb-password"
  echo shoal >"$pwfile"
  [[ $EUID -eq 0 ]] && chown postgres:postgres "$pwfile"
  as_pg_owner "$bin/initdb" -D "$PG_DATA" -U shoal --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256 >"$(logfile_of postgres)" 2>&1 || {
    rm -f "$pwfile"
    show_log_tail postgres
    die "initdb failed"
  }
  rm -f "$pwfile"
}

# Settings are passed on the command line so a changed port needs no edit of the cluster.
# fsync and friends are off: test data is disposable and speed matters.
postgres_launch() {
  local bin
  bin=$(postgres_bin_dir)
  # postmaster.pid survives a kill -9, and PostgreSQL refuses to start while the pid in it is
  # alive, even when a container reused that pid for something else. Remove it only then.
  local lock_pid
  lock_pid=$(head -n 1 "$PG_DATA/postmaster.pid" 2>/dev/null || true)
  if [[ $lock_pid =~ ^[0-9]+$ ]] && tr '\0' ' ' <"/proc/$lock_pid/cmdline" 2>/dev/null | grep -q postgres; then
    echo "postgres: pid $lock_pid still runs a PostgreSQL on $PG_DATA; stop it first" >"$(logfile_of postgres)"
    return 1
  fi
  rm -f "$PG_DATA/postmaster.pid"
  # shellcheck disable=SC2046 # the prefix is a fixed list of words without spaces inside
  spawn postgres $(pg_owner_prefix) "$bin/postgres" -D "$PG_DATA" \
    -c listen_addresses=127.0.0.1 -c port="$PG_PORT" -c unix_socket_directories="$PG_SOCKET_DIR" \
    -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 \
    -c log_min_messages=warning
}

postgres_after_start() {
  local bin exists
  bin=$(postgres_bin_dir)
  exists=$("$bin/psql" -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U shoal -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = 'shoal'") || return 1
  [[ $exists == 1 ]] || "$bin/createdb" -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U shoal shoal
}
