#!/usr/bin/env bash
# Builds the Kubernetes testbed binaries from the Go module proxy, once per pin:
#   build/         kube-apiserver kube-controller-manager kube-scheduler kubectl, and the
#                  node binaries kind's node image needs (kubeadm kubelet kube-proxy)
#                  (k8s.io/kubernetes v1.35), etcd (go.etcd.io/etcd/server/v3)
#   build-addons/  kwok (sigs.k8s.io/kwok), metrics-server (sigs.k8s.io/metrics-server),
#                  on the Kubernetes v0.33 libraries their releases were made with
# The pins are the two wrapper modules' go.mod + go.sum. Binaries land in
# $SHOAL_CACHE/kube/<kubernetes version>/bin with a stamp of everything that decides them,
# so a second run is a no-op and a changed pin rebuilds.
# Each module is ONE `go build` of all its main packages: they share most of their packages
# (client-go, apiserver, grpc, ...), which Go then compiles once.
#
# Usage: testbed/kube/build.sh [--force]    prints the bin directory on its last line.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.sh
source "$here/versions.sh"

force=no
[[ "${1:-}" == "--force" ]] && force=yes

# The Go toolchain of this machine image lives in /usr/local/go; a non-login shell (CI,
# make) may not have it on PATH.
command -v go >/dev/null || PATH="/usr/local/go/bin:$PATH"

bin_dir="$KUBE_BIN_DIR"
stamp_file="$KUBE_CACHE_DIR/build.stamp"

# Kubernetes reads its own version from these (kube-apiserver derives its emulation and
# compatibility versions from it; kubectl prints it).
control_plane_flags=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  control_plane_flags+=" -X $pkg.gitVersion=$KUBE_VERSION -X $pkg.gitMajor=$KUBE_MAJOR -X $pkg.gitMinor=$KUBE_MINOR"
  control_plane_flags+=" -X $pkg.gitTreeState=clean"
done
control_plane_packages=(
  k8s.io/kubernetes/cmd/kube-apiserver
  k8s.io/kubernetes/cmd/kube-controller-manager
  k8s.io/kubernetes/cmd/kube-scheduler
  k8s.io/kubernetes/cmd/kubectl
  k8s.io/kubernetes/cmd/kubeadm
  k8s.io/kubernetes/cmd/kubelet
  k8s.io/kubernetes/cmd/kube-proxy
  go.etcd.io/etcd/server/v3
)
addons_flags=" -X sigs.k8s.io/kwok/pkg/consts.Version=${KWOK_VERSION#v} -X k8s.io/client-go/pkg/version.gitVersion=$METRICS_SERVER_VERSION"
addons_packages=(sigs.k8s.io/kwok/cmd/kwok sigs.k8s.io/metrics-server/cmd/metrics-server)

binaries=(kube-apiserver kube-controller-manager kube-scheduler kubectl kubeadm kubelet kube-proxy etcd metrics-server kwok)

# The stamp covers everything that decides the output: the module pins, the packages, the
# link flags and the Go toolchain. Comments and log lines can change without a rebuild.
stamp_inputs() {
  cat "$here/build/go.mod" "$here/build/go.sum" "$here/build-addons/go.mod" "$here/build-addons/go.sum"
  printf '%s\n' "${control_plane_packages[@]}" "$control_plane_flags" "${addons_packages[@]}" "$addons_flags"
  go env GOVERSION 2>/dev/null || echo "no go"
}
wanted_stamp="$(stamp_inputs | sha256sum | cut -c1-32)"

all_present() {
  local b
  for b in "${binaries[@]}"; do [[ -x "$bin_dir/$b" ]] || return 1; done
}

if [[ "$force" == no && -f "$stamp_file" && "$(cat "$stamp_file")" == "$wanted_stamp" ]] && all_present; then
  echo "kube binaries up to date in $bin_dir"
  echo "$bin_dir"
  exit 0
fi

command -v go >/dev/null || { echo "build.sh: go is not on PATH (need Go >= 1.26 to build the kube testbed)" >&2; exit 1; }

tmp_out="$KUBE_CACHE_DIR/bin.partial"
rm -rf "$tmp_out"
mkdir -p "$tmp_out"
build_started=$SECONDS

# go_build <module dir> <link flags> <packages...>: one `go build -v` in the background,
# reporting every 30 s how many packages it compiled and which one came last, since a cold
# build is long and would otherwise look hung.
go_build() {
  local module="$1" flags="$2" log start total pid status=0
  shift 2
  log="$KUBE_CACHE_DIR/build-$(basename "$module").log"
  start=$SECONDS
  # How many packages the build needs at most (cached ones are not compiled again).
  total="$(cd "$module" && CGO_ENABLED=0 GOFLAGS=-mod=readonly go list -deps "$@" 2>/dev/null | grep -c . || echo '?')"
  echo "  go build in $(basename "$module")/: $* (log: $log)"
  (
    cd "$module"
    CGO_ENABLED=0 GOFLAGS="-mod=readonly -buildvcs=false" \
      go build -v -trimpath -ldflags "-s -w$flags" -o "$tmp_out/" "$@"
  ) >"$log" 2>&1 &
  pid=$!
  trap 'kill "$pid" 2>/dev/null || true' INT TERM
  while kill -0 "$pid" 2>/dev/null; do
    # Sleep in short steps so the loop ends promptly with the build.
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    if kill -0 "$pid" 2>/dev/null; then
      printf '  [%3dm%02ds] %5s/%s packages compiled, then linking; latest: %.80s\n' \
        $(((SECONDS - start) / 60)) $(((SECONDS - start) % 60)) "$(grep -c '' "$log" || true)" "$total" "$(tail -n 1 "$log")"
    fi
  done
  wait "$pid" || status=$?
  trap - INT TERM
  if [[ $status -ne 0 ]]; then
    echo "go build in $module failed (exit $status); errors from $log:" >&2
    grep -v '^[A-Za-z0-9._~/-]*$' "$log" | tail -n 30 >&2 || tail -n 30 "$log" >&2
    exit 1
  fi
  echo "  done in $(((SECONDS - start) / 60))m$(((SECONDS - start) % 60))s"
}

echo "building the kube testbed binaries: Kubernetes $KUBE_VERSION, etcd $ETCD_VERSION, metrics-server $METRICS_SERVER_VERSION, kwok $KWOK_VERSION"
echo "  into $bin_dir; a cold build takes a long while on 2 cores"
go_build "$here/build" "$control_plane_flags" "${control_plane_packages[@]}"
go_build "$here/build-addons" "$addons_flags" "${addons_packages[@]}"

# go build names etcd's binary after its package path minus the /v3 suffix: "server".
mv "$tmp_out/server" "$tmp_out/etcd"
for b in "${binaries[@]}"; do
  [[ -x "$tmp_out/$b" ]] || { echo "build.sh: $b missing from the build output" >&2; exit 1; }
done
rm -rf "$bin_dir"
mv "$tmp_out" "$bin_dir"
echo "$wanted_stamp" >"$stamp_file"
elapsed=$((SECONDS - build_started))
echo "built ${binaries[*]} in $((elapsed / 60))m$((elapsed % 60))s ($(du -sh "$bin_dir" | cut -f1))"
echo "$bin_dir"
