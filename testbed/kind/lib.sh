# shellcheck shell=bash disable=SC2034  # sourced by the testbed/kind scripts
# What every kind testbed script shares: paths, logging, one-line errors, the step runner
# that logs each long step to its own file, and content keys for the build cache.
KIND_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$KIND_DIR/../.." && pwd)"
SHOAL_CACHE="${SHOAL_CACHE:-$HOME/.cache/shoal}"
export SHOAL_CACHE
# Runtime state (pid files, logs, the generated cluster config, kubeconfig): per checkout.
KIND_STATE="${SHOAL_KIND_STATE:-$REPO_ROOT/.testbed/kind}"
KIND_LOGS="$KIND_STATE/logs"
# Build outputs shared by every checkout on this machine.
KIND_CACHE="$SHOAL_CACHE/kind"
mkdir -p "$KIND_LOGS" "$KIND_CACHE"

# The Go toolchain of this machine image lives in /usr/local/go; make's shell may not have it.
command -v go >/dev/null || PATH="/usr/local/go/bin:$PATH"
# make puts a Node.js >= 22.15 first on PATH (the Makefile provisions one when the machine's is
# older); run directly, these scripts use the one make provisioned.
node_is_new_enough() {
  node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 22 || (a === 22 && b >= 15) ? 0 : 1)' 2>/dev/null
}
if ! node_is_new_enough; then
  provisioned_node="$(ls -d "$SHOAL_CACHE"/node-*/node_modules/.bin 2>/dev/null | sort -V | tail -n 1)"
  [[ -n $provisioned_node ]] && PATH="$provisioned_node:$PATH"
fi

log() { printf '[kind %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() {
  printf 'kind: %s\n' "$*" >&2
  exit 1
}

# run_step <name> <command...>: runs a long step with its output in $KIND_LOGS/<name>.log,
# prints its elapsed time, and on failure names the log and shows its last lines.
# The step runs as a background subshell that is waited for: that keeps `set -e` in force
# inside it (bash ignores -e in anything run as the left side of `||`), and means a step's
# variables do not reach the caller.
run_step() {
  local name="$1" started=$SECONDS status=0
  shift
  local logfile="$KIND_LOGS/$name.log"
  log "$name ... (log: $logfile)"
  "$@" >"$logfile" 2>&1 </dev/null &
  wait $! || status=$?
  if [[ $status -ne 0 ]]; then
    tail -n 25 "$logfile" | sed 's/^/    /' >&2
    die "$name failed (exit $status); full log: $logfile"
  fi
  log "$name done in $((SECONDS - started))s"
}

# content_key <files or directories...>: a short hash of their contents (and names), for
# cache tags that change exactly when an input does.
content_key() {
  local path
  for path in "$@"; do
    if [[ -d $path ]]; then
      (cd "$path" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
    else
      sha256sum "$path"
    fi
  done | sha256sum | cut -c1-12
}

image_present() { docker image inspect "$1" >/dev/null 2>&1; }

# The Debian mirror this machine's apt uses (debootstrap reads the same packages): the first
# active source (*.list or *.sources) that serves the bookworm suite itself.
debian_mirror() {
  local uri
  uri="$(
    {
      grep -hE '^deb +https?://[^ ]+ +bookworm ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
        awk '{print $2}'
      for f in /etc/apt/sources.list.d/*.sources; do
        [[ -f $f ]] || continue
        awk '/^URIs:/ {u=$2} /^Suites:/ {for (i=2;i<=NF;i++) if ($i=="bookworm") print u}' "$f"
      done
    } | head -n 1
  )"
  echo "${uri:-http://deb.debian.org/debian}"
}

# debian_image <tag> <comma-separated extra packages>: a Debian bookworm root filesystem made
# by debootstrap (minbase plus the packages) and imported as an image, when <tag> is absent.
# For images no registry can give us; the caller derives <tag> from the package list.
debian_image() {
  local tag="$1" packages="$2" dir
  image_present "$tag" && return 0
  command -v debootstrap >/dev/null || {
    [[ $EUID -eq 0 ]] && command -v apt-get >/dev/null || die "debootstrap is missing (Debian package debootstrap)"
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends debootstrap >&2
  }
  dir="$(mktemp -d "$KIND_CACHE/rootfs.XXXXXX")"
  # shellcheck disable=SC2064 # expand now: the trap must remove this directory
  trap "rm -rf '$dir'" RETURN
  debootstrap --variant=minbase ${packages:+--include="$packages"} bookworm "$dir" "$(debian_mirror)"
  # Keep images small: no apt lists, caches or docs.
  rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/* "$dir"/usr/share/doc/* "$dir"/usr/share/man/*
  tar -C "$dir" -c . | docker import - "$tag"
}
