#!/bin/bash
# The entrypoint of shoal-offline/postgres: the part of the official postgres image's
# docker-entrypoint.sh that the platform chart relies on, for Debian's PostgreSQL 15.
#   - PGDATA (default /var/lib/postgresql/data); POSTGRES_PASSWORD for the postgres superuser,
#     required on an empty data directory; POSTGRES_INITDB_ARGS; POSTGRES_HOST_AUTH_METHOD
#     (default scram-sha-256) for connections from other hosts, trust on the socket and loopback.
#   - On an empty data directory only: initdb, then a temporary server on the Unix socket
#     alone runs /docker-entrypoint-initdb.d/* in name order (*.sh executed when executable,
#     else sourced; *.sql and *.sql.gz through psql), then stops. A restart with data skips it.
#   - Then `exec postgres`, listening on every address (5432), as PID 1.
# Not carried over: POSTGRES_USER / POSTGRES_DB other than postgres (the chart uses neither),
# *.sql.xz/zst scripts, and the root-to-postgres chown dance beyond the data directory.
# One difference on purpose: the first initialization happens beside PGDATA and is renamed
# into place at the end, so a first start that fails half-way (an init script error, a killed
# pod) leaves nothing the next start would take for a finished cluster; upstream initializes
# in place. (In place here too when PGDATA is itself a mount point.)
set -Eeuo pipefail

die() {
  echo "docker-entrypoint.sh: $*" >&2
  exit 1
}

# `docker run IMAGE -c name=value`: options for postgres, as upstream.
if [[ ${1:-} == -* ]]; then
  set -- postgres "$@"
fi
if [[ ${1:-} != postgres ]]; then
  exec "$@"
fi

export PGDATA="${PGDATA:-/var/lib/postgresql/data}"

if [[ ${POSTGRES_USER:-postgres} != postgres || ${POSTGRES_DB:-postgres} != postgres ]]; then
  die "POSTGRES_USER and POSTGRES_DB other than 'postgres' are not supported by this image"
fi

# Started as root (a plain `docker run --user 0`): hand the directories to postgres, then run
# this script again as postgres, as upstream does with gosu.
if [[ $(id -u) == 0 ]]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  chown postgres:postgres "$PGDATA" /var/run/postgresql
  chmod 700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

run_init_scripts() {
  local f
  for f in /docker-entrypoint-initdb.d/*; do
    [[ -e $f ]] || continue
    case "$f" in
      *.sh)
        if [[ -x $f ]]; then
          echo "$0: running $f"
          "$f"
        else
          echo "$0: sourcing $f"
          # shellcheck disable=SC1090 # the init scripts are the user's
          . "$f"
        fi
        ;;
      *.sql)
        echo "$0: running $f"
        psql -v ON_ERROR_STOP=1 --username postgres --no-password --no-psqlrc --dbname postgres -f "$f"
        ;;
      *.sql.gz)
        echo "$0: running $f"
        gunzip -c "$f" | psql -v ON_ERROR_STOP=1 --username postgres --no-password --no-psqlrc --dbname postgres
        ;;
      *) echo "$0: ignoring $f" ;;
    esac
  done
}

init_cluster() {
  [[ -n ${POSTGRES_PASSWORD:-} ]] ||
    die "the data directory $PGDATA is empty and POSTGRES_PASSWORD is not set (it is the postgres superuser's password)"
  local work="$PGDATA"
  if ! mountpoint -q "$PGDATA" 2>/dev/null; then
    work="$PGDATA.initializing"
    # What a failed earlier first start left behind.
    rm -rf "$work"
    if [[ -e $PGDATA ]]; then
      rmdir "$PGDATA" 2>/dev/null || die "$PGDATA has files but no PG_VERSION: not a PostgreSQL data directory (empty it, or point PGDATA elsewhere)"
    fi
  fi
  mkdir -p "$work"
  chmod 700 "$work"

  # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a list of options, as upstream
  initdb --username=postgres --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") \
    --auth-local=trust --auth-host=trust -D "$work" ${POSTGRES_INITDB_ARGS:-}
  printf '\nhost all all all %s\n' "${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}" >>"$work/pg_hba.conf"

  # The temporary server listens on the Unix socket only: nothing reaches a half-made cluster.
  pg_ctl -D "$work" -o "-c listen_addresses='' -p 5432" -w start
  export PGPASSWORD="${PGPASSWORD:-$POSTGRES_PASSWORD}"
  run_init_scripts
  unset PGPASSWORD
  pg_ctl -D "$work" -m fast -w stop

  if [[ $work != "$PGDATA" ]]; then
    mv "$work" "$PGDATA"
  fi
  echo "$0: PostgreSQL init process complete; ready for start up."
}

if [[ ! -s $PGDATA/PG_VERSION ]]; then
  init_cluster
fi

exec "$@"
