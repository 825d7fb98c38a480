#!/usr/bin/env bash
# Builds the kind testbed's Go tools from the Go module proxy, once per pin (versions.sh),
# into $SHOAL_CACHE/kind/tools/<name>-<version>/. `go install <package>@<version>` checks every
# module against the Go checksum database; the Go build cache makes a re-pin quick.
#
# Usage: testbed/kind/tools.sh [name...]   (default: all)   prints nothing but progress.
#   kind buildx containerd runc crictl coredns kube-router local-path-provisioner pause
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=versions.sh
source "$KIND_DIR/versions.sh"

tools_dir="$KIND_CACHE/tools"

# tool_dir <name> <version>: where a tool's binaries live.
tool_dir() { echo "$tools_dir/$1-$2"; }

# go_install <name> <version> <env...> -- <packages@version...>: builds into a temporary
# directory and renames it into place, so an interrupted build leaves nothing half-made.
go_install() {
  local name="$1" version="$2" dir
  shift 2
  dir="$(tool_dir "$name" "$version")"
  [[ -d $dir ]] && return 0
  local env=()
  while [[ $1 != -- ]]; do env+=("$1"); shift; done
  shift
  rm -rf "$dir.partial"
  mkdir -p "$dir.partial"
  env GOBIN="$dir.partial" GOFLAGS="-buildvcs=false" GOTOOLCHAIN=local "${env[@]}" \
    go install -trimpath -ldflags "-s -w" "$@"
  mv "$dir.partial" "$dir"
}

build_kind() { go_install kind "$KIND_VERSION" CGO_ENABLED=0 -- "sigs.k8s.io/kind@$KIND_VERSION"; }
build_buildx() { go_install buildx "$BUILDX_VERSION" CGO_ENABLED=0 -- "github.com/docker/buildx/cmd/buildx@$BUILDX_VERSION"; }
build_containerd() {
  local m="github.com/containerd/containerd/v2"
  go_install containerd "$CONTAINERD_VERSION" CGO_ENABLED=0 \
    GOFLAGS="-buildvcs=false -tags=no_aufs,no_zfs,no_btrfs,no_devmapper" -- \
    "$m/cmd/containerd@$CONTAINERD_VERSION" "$m/cmd/containerd-shim-runc-v2@$CONTAINERD_VERSION" "$m/cmd/ctr@$CONTAINERD_VERSION"
}
# runc needs cgo and libseccomp for its seccomp filters (pods run with RuntimeDefault).
build_runc() {
  [[ -e /usr/include/seccomp.h ]] || die "runc needs libseccomp's headers: apt-get install libseccomp-dev"
  go_install runc "$RUNC_VERSION" CGO_ENABLED=1 GOFLAGS="-buildvcs=false -tags=seccomp" -- \
    "github.com/opencontainers/runc@$RUNC_VERSION"
}
build_crictl() { go_install crictl "$CRICTL_VERSION" CGO_ENABLED=0 -- "sigs.k8s.io/cri-tools/cmd/crictl@$CRICTL_VERSION"; }
build_coredns() { go_install coredns "$COREDNS_VERSION" CGO_ENABLED=0 -- "github.com/coredns/coredns@$COREDNS_VERSION"; }
build_kube_router() {
  go_install kube-router "$KUBE_ROUTER_VERSION" CGO_ENABLED=0 -- \
    "github.com/cloudnativelabs/kube-router/v2/cmd/kube-router@$KUBE_ROUTER_VERSION"
}
build_local_path_provisioner() {
  go_install local-path-provisioner "$LOCAL_PATH_PROVISIONER_VERSION" CGO_ENABLED=0 -- \
    "github.com/rancher/local-path-provisioner@$LOCAL_PATH_PROVISIONER_VERSION"
}
# The pause container: Kubernetes' own pause.c, linked statically.
build_pause() {
  local dir source
  dir="$(tool_dir pause "$PAUSE_VERSION")"
  source="$(cd "$REPO_ROOT/testbed/kube/build" && GOFLAGS=-mod=readonly go list -m -f '{{.Dir}}' k8s.io/kubernetes)/build/pause/linux/pause.c"
  [[ -f $source ]] || die "pause.c not found in the k8s.io/kubernetes module ($source)"
  rm -rf "$dir.partial"
  mkdir -p "$dir.partial"
  gcc -Os -static -DVERSION="v$PAUSE_VERSION-shoal" -o "$dir.partial/pause" "$source"
  mv "$dir.partial" "$dir"
}

# One build at a time per cache: parallel kind-ups wait here instead of racing.
exec 9>"$KIND_CACHE/tools.lock"
flock 9
all=(kind buildx containerd runc crictl coredns kube-router local-path-provisioner pause)
wanted=("${@:-${all[@]}}")
for name in "${wanted[@]}"; do
  case " ${all[*]} " in *" $name "*) ;; *) die "unknown tool '$name' (one of: ${all[*]})" ;; esac
  # Each tool's pin is <NAME>_VERSION in versions.sh; its directory exists once it is built.
  pin="${name//-/_}"
  pin="${pin^^}_VERSION"
  [[ -d "$(tool_dir "$name" "${!pin}")" ]] && continue
  run_step "build-$name" "build_${name//-/_}"
done
