#!/bin/bash
# The platform chart's PostgreSQL init script (templates/postgresql.yaml.tpl) for one service,
# auth, as `images.sh check` mounts it into /docker-entrypoint-initdb.d.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username postgres -v pw="$DB_PASSWORD_AUTH" <<'SQL'
CREATE ROLE "auth" LOGIN PASSWORD :'pw';
CREATE DATABASE "auth" OWNER "auth";
REVOKE ALL ON DATABASE "auth" FROM PUBLIC;
SQL
