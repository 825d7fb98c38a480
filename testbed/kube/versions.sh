# shellcheck shell=bash disable=SC2034  # sourced: the variables are used by build.sh and kube.sh
# The pinned versions of the Kubernetes testbed, and where their binaries are cached.
# Sourced by build.sh and kube.sh. The Go module pins themselves live in build/go.mod and
# build-kwok/go.mod (keep them in step with this file); kind-config.yaml pins the same
# Kubernetes minor for users.
KUBE_VERSION=v1.35.4
KUBE_MAJOR=1
KUBE_MINOR=35
ETCD_VERSION=v3.6.16
KWOK_VERSION=v0.7.0
METRICS_SERVER_VERSION=v0.8.0

SHOAL_CACHE="${SHOAL_CACHE:-$HOME/.cache/shoal}"
KUBE_CACHE_DIR="$SHOAL_CACHE/kube/$KUBE_VERSION"
KUBE_BIN_DIR="$KUBE_CACHE_DIR/bin"
mkdir -p "$KUBE_CACHE_DIR"
