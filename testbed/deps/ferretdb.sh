# FerretDB: a MongoDB wire-protocol server on SQLite (data in .testbed/ferretdb), built from
# the Go module proxy at the version pinned in testbed/deps/ferretdb/go.mod and cached in
# $SHOAL_CACHE/ferretdb/<version>/ferretdb. Telemetry is off. Sourced by testbed/deps.sh.

MONGO_PORT=${SHOAL_MONGO_PORT:-57017}
FERRETDB_MODULE_DIR="$DEPS_DIR/ferretdb"
FERRETDB_HOME="$STATE_DIR/ferretdb"

ferretdb_address() { echo "127.0.0.1:$MONGO_PORT"; }
ferretdb_url() { echo "mongodb://127.0.0.1:$MONGO_PORT/"; }
ferretdb_kind() { echo "/ferretdb/[^ ]+/ferretdb( |\$)"; }
ferretdb_pattern() { echo "ferretdb/[^ ]+/ferretdb .*--listen-addr=127\\.0\\.0\\.1:$MONGO_PORT( |\$)"; }
ferretdb_stop_signal() { echo TERM; }

ferretdb_version() {
  local version
  version=$(awk '$1 == "github.com/FerretDB/FerretDB" { print $2 }' "$FERRETDB_MODULE_DIR/go.mod")
  [[ $version =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "no FerretDB version pinned in $FERRETDB_MODULE_DIR/go.mod"
  echo "$version"
}
ferretdb_binary() { echo "$SHOAL_CACHE/ferretdb/$(ferretdb_version)/ferretdb"; }

ferretdb_install() {
  command -v go >/dev/null 2>&1 || die "go is needed to build FerretDB (https://go.dev/dl/; Debian's golang-go is too old)"
}

# A real MongoDB command over the wire protocol, without a mongo shell on the machine:
# OP_MSG { ping: 1, $db: "admin" }, then look for { ok: 1.0 } in the reply.
ferretdb_probe() {
  local ping reply
  # header: length 51, requestID 1, responseTo 0, opCode 2013 (OP_MSG); flags 0; section kind 0;
  # BSON { ping: int32 1, $db: "admin" } (30 bytes)
  ping='\x33\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\xdd\x07\x00\x00\x00\x00\x00\x00\x00'
  # shellcheck disable=SC2016 # "$db" is the BSON field name, not a variable
  ping+='\x1e\x00\x00\x00\x10ping\x00\x01\x00\x00\x00\x02$db\x00\x06\x00\x00\x00admin\x00\x00'
  # shellcheck disable=SC2016 # the inner script gets port and bytes as $1 and $2
  reply=$(timeout 3 bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf "$2" >&3
    dd bs=4096 count=1 <&3 2>/dev/null | od -An -v -tx1 | tr -d " \n"
  ' ferretdb-probe "$MONGO_PORT" "$ping") || return 1
  # element type 0x01 (double), name "ok", value 1.0
  [[ $reply == *016f6b00000000000000f03f* ]]
}

# Builds the pinned version once (atomically, so an interrupted build leaves no binary).
# Not `go build` of the package through the wrapper module: FerretDB's binary refuses to start
# without build/version/version.txt, which its release process generates with git. So the
# module source is downloaded (verified against ferretdb/go.sum), copied, given that file,
# and built in place with its own go.mod and go.sum.
ferretdb_build() {
  local binary version
  binary=$(ferretdb_binary)
  [[ -x $binary ]] && return 0
  version=$(ferretdb_version)
  mkdir -p "$(dirname "$binary")"
  (
    # Another `up` (another checkout sharing the cache) may be building the same version.
    exec 8>"$(dirname "$binary")/build.lock"
    flock 8
    [[ -x $binary ]] && exit 0
    progress "ferretdb: building $version from the Go module proxy (first run only, a few minutes)"
    export GOTOOLCHAIN=local GOFLAGS="-mod=readonly -buildvcs=false" CGO_ENABLED=0
    local log source_dir work_dir="$binary.build.$$"
    log=$(logfile_of ferretdb)
    trap 'chmod -R u+w "$work_dir" 2>/dev/null; rm -rf "$work_dir" "$binary.tmp.$$"' EXIT
    source_dir=$(cd "$FERRETDB_MODULE_DIR" &&
      go mod download -json github.com/FerretDB/FerretDB 2>"$log" |
      sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p') && [[ -d $source_dir ]] || {
      show_log_tail ferretdb
      exit 1
    }
    cp -R "$source_dir" "$work_dir" && chmod -R u+w "$work_dir" || exit 1
    echo "$version" >"$work_dir/build/version/version.txt"
    echo "shoal-testbed" >"$work_dir/build/version/package.txt"
    # nice: the 2 cores are shared; CGO off: the SQLite driver (modernc.org/sqlite) is pure Go.
    if ! (cd "$work_dir" && nice -n 10 go build -trimpath -o "$binary.tmp.$$" ./cmd/ferretdb) >>"$log" 2>&1; then
      show_log_tail ferretdb
      exit 1
    fi
    mv "$binary.tmp.$$" "$binary"
  ) || die "ferretdb: building $version failed"
}

ferretdb_prepare() {
  ferretdb_build
  mkdir -p "$FERRETDB_HOME/data"
}

ferretdb_launch() {
  # --telemetry=disable and DO_NOT_TRACK: never phone home; --debug-addr=-: no extra port.
  spawn ferretdb env DO_NOT_TRACK=1 "$(ferretdb_binary)" \
    --listen-addr="127.0.0.1:$MONGO_PORT" --handler=sqlite \
    --sqlite-url="file:$FERRETDB_HOME/data/" --state-dir="$FERRETDB_HOME" \
    --telemetry=disable --debug-addr=- --log-level=warn --log-format=console
}

ferretdb_after_start() { :; }
