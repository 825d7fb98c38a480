#!/usr/bin/env bash
# Builds a kind node image for the kube testbed's Kubernetes version from sources, for hosts
# where kind's published node image (kindest/node) cannot be pulled:
#   1. kind's base image: Debian bookworm (debootstrap) + kind v0.33's base files + containerd,
#      runc and crictl built from the Go module proxy (node/base.Dockerfile).
#   2. the images the cluster runs before any workload, each from a Go build:
#      kube-apiserver, kube-controller-manager, kube-scheduler, kube-proxy (the kube testbed's
#      build of k8s.io/kubernetes), etcd (the kube testbed's), CoreDNS, pause, kube-router (the
#      pod network and NetworkPolicy agent), local-path-provisioner, and a Debian image with
#      iptables/ipset for them and for local-path's helper pods.
#   3. the node: the base plus kubeadm, kubelet and kubectl, those images imported into its
#      containerd, and the CNI and storage manifests kind applies at `kind create cluster`.
# All images are named docker.io/shoal-offline/<name>:<version>; the cluster configuration
# kind.sh generates points kubeadm at them (imageRepository). Each image carries the label
# dev.shoal.input-key; an image whose inputs have not changed is not rebuilt.
#
# Usage: testbed/kind/node-image.sh build   prints the node image's tag on its last line
#        testbed/kind/node-image.sh tag     prints the tag it would build
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=versions.sh
source "$KIND_DIR/versions.sh"
# shellcheck source=../kube/versions.sh
source "$REPO_ROOT/testbed/kube/versions.sh"

REPO=docker.io/shoal-offline
NODE_IMAGE="$REPO/kind-node:$KUBE_VERSION"
BASE_IMAGE="$REPO/kind-base:$KIND_VERSION"
NETFILTER_IMAGE="$REPO/netfilter:bookworm"
SANDBOX_IMAGE="$REPO/pause:$PAUSE_VERSION"
KIND_MODULE_DIR=""
# What the node's systemd, kubelet and containerd need (kind's base image list, less the
# rootless and network-storage packages), and the Debian CNI plugins (bridge, host-local,
# loopback, portmap) that kube-router's CNI configuration calls.
NODE_PACKAGES=systemd,systemd-sysv,dbus,conntrack,iptables,nftables,iproute2,ethtool,util-linux,mount,kmod,libseccomp2,pigz,bash,ca-certificates,curl,jq,procps,containernetworking-plugins
NETFILTER_PACKAGES=iptables,ipset,conntrack,iproute2,kmod,ca-certificates

tool() { echo "$KIND_CACHE/tools/$1-$2/${3:-$1}"; }

label_of() { docker image inspect --format '{{ index .Config.Labels "dev.shoal.input-key" }}' "$1" 2>/dev/null || true; }
# up_to_date <tag> <key>: the image exists and was built from these inputs.
up_to_date() { [[ "$(label_of "$1")" == "$2" ]]; }

# commit_as <container> <tag> <key> <docker commit --change args...>: the container becomes
# the image, under a temporary tag first so that a failure leaves no half-made <tag>.
commit_as() {
  local container="$1" tag="$2" key="$3"
  shift 3
  docker commit "$@" --change "LABEL dev.shoal.input-key=$key" "$container" "$tag.partial" >/dev/null
  docker tag "$tag.partial" "$tag"
  docker rmi "$tag.partial" >/dev/null
}

# binary_image <tag> <base image or scratch> <key> <binary> <path in image> [--change ...]:
# an image holding one static binary, on a Debian base or on nothing (plus /etc/passwd and
# /tmp, which programs expect).
binary_image() {
  local tag="$1" base="$2" key="$3" binary="$4" path="$5" dir container
  shift 5
  up_to_date "$tag" "$key" && return 0
  if [[ $base == scratch ]]; then
    dir="$(mktemp -d)"
    mkdir -p "$dir/etc" "$dir/tmp" "$dir/$(dirname "$path")" "$dir/etc/ssl/certs"
    chmod 1777 "$dir/tmp"
    printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/:/sbin/nologin\n' >"$dir/etc/passwd"
    printf 'root:x:0:\nnobody:x:65534:\n' >"$dir/etc/group"
    cp /etc/ssl/certs/ca-certificates.crt "$dir/etc/ssl/certs/"
    install -m 0755 "$binary" "$dir/$path"
    tar -C "$dir" -c . | docker import "$@" --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
      --change "LABEL dev.shoal.input-key=$key" - "$tag.partial" >/dev/null
    rm -rf "$dir"
    docker tag "$tag.partial" "$tag" && docker rmi "$tag.partial" >/dev/null
  else
    container="$(docker create "$base")"
    docker cp "$binary" "$container:$path"
    commit_as "$container" "$tag" "$key" "$@"
    docker rm "$container" >/dev/null
  fi
}

KUBE_BIN="$KUBE_BIN_DIR"

kind_module_dir() {
  (cd "$REPO_ROOT/testbed/kube/build" && GOFLAGS= go mod download -json "sigs.k8s.io/kind@$KIND_VERSION") |
    jq -r .Dir
}

build_base() {
  local key rootfs context
  key="$(content_key "$KIND_DIR/node/base.Dockerfile" "$KIND_MODULE_DIR/images/base/files" \
    "$(tool containerd "$CONTAINERD_VERSION")" "$(tool runc "$RUNC_VERSION")" "$(tool crictl "$CRICTL_VERSION")" \
    <(echo "$NODE_PACKAGES $SANDBOX_IMAGE"))"
  up_to_date "$BASE_IMAGE" "$key" && return 0
  rootfs="$REPO/kind-rootfs:$(echo "$NODE_PACKAGES" | sha256sum | cut -c1-12)"
  debian_image "$rootfs" "$NODE_PACKAGES"
  context="$(mktemp -d)"
  cp -R "$KIND_MODULE_DIR/images/base/files" "$context/files"
  chmod -R u+w "$context"
  mkdir -p "$context/bin"
  cp "$KIND_CACHE/tools/containerd-$CONTAINERD_VERSION"/* "$(tool crictl "$CRICTL_VERSION")" "$context/bin/"
  cp "$(tool runc "$RUNC_VERSION")" "$context/runc"
  DOCKER_BUILDKIT=0 docker build -f "$KIND_DIR/node/base.Dockerfile" --build-arg "ROOTFS=$rootfs" \
    --build-arg "SANDBOX_IMAGE=$SANDBOX_IMAGE" --label "dev.shoal.input-key=$key" -t "$BASE_IMAGE.partial" "$context"
  rm -rf "$context"
  docker tag "$BASE_IMAGE.partial" "$BASE_IMAGE" && docker rmi "$BASE_IMAGE.partial" >/dev/null
}

# The images kubeadm, kind and the CNI run, imported into the node.
component_images=(
  "$NETFILTER_IMAGE" "$REPO/kube-apiserver:$KUBE_VERSION" "$REPO/kube-controller-manager:$KUBE_VERSION"
  "$REPO/kube-scheduler:$KUBE_VERSION" "$REPO/kube-proxy:$KUBE_VERSION" "$REPO/etcd:$ETCD_VERSION"
  "$REPO/coredns:$COREDNS_VERSION" "$SANDBOX_IMAGE" "$REPO/kube-router:$KUBE_ROUTER_VERSION"
  "$REPO/local-path-provisioner:$LOCAL_PATH_PROVISIONER_VERSION"
)
build_components() {
  local key
  key="$(content_key <(echo "$NETFILTER_PACKAGES"))"
  if ! up_to_date "$NETFILTER_IMAGE" "$key"; then
    debian_image "$NETFILTER_IMAGE.rootfs" "$NETFILTER_PACKAGES"
    local container
    container="$(docker create "$NETFILTER_IMAGE.rootfs" /bin/true)"
    commit_as "$container" "$NETFILTER_IMAGE" "$key" --change 'CMD ["/bin/sh"]'
    docker rm "$container" >/dev/null
    docker rmi "$NETFILTER_IMAGE.rootfs" >/dev/null
  fi
  local name
  # kubeadm's static pods and DaemonSets run these by name (command: [kube-apiserver, ...]).
  for name in kube-apiserver kube-controller-manager kube-scheduler; do
    binary_image "$REPO/$name:$KUBE_VERSION" scratch "$(content_key "$KUBE_BIN/$name")" \
      "$KUBE_BIN/$name" "/usr/local/bin/$name"
  done
  # kube-proxy programs iptables: it needs the iptables tools beside it.
  binary_image "$REPO/kube-proxy:$KUBE_VERSION" "$NETFILTER_IMAGE" "$(content_key "$KUBE_BIN/kube-proxy" <(label_of "$NETFILTER_IMAGE"))" \
    "$KUBE_BIN/kube-proxy" /usr/local/bin/kube-proxy
  binary_image "$REPO/etcd:$ETCD_VERSION" scratch "$(content_key "$KUBE_BIN/etcd")" "$KUBE_BIN/etcd" /usr/local/bin/etcd
  binary_image "$REPO/coredns:$COREDNS_VERSION" scratch "$(content_key "$(tool coredns "$COREDNS_VERSION")")" \
    "$(tool coredns "$COREDNS_VERSION")" /coredns --change 'ENTRYPOINT ["/coredns"]'
  binary_image "$SANDBOX_IMAGE" scratch "$(content_key "$(tool pause "$PAUSE_VERSION")")" \
    "$(tool pause "$PAUSE_VERSION")" /pause --change 'ENTRYPOINT ["/pause"]' --change 'USER 65535:65535'
  binary_image "$REPO/kube-router:$KUBE_ROUTER_VERSION" "$NETFILTER_IMAGE" \
    "$(content_key "$(tool kube-router "$KUBE_ROUTER_VERSION")" <(label_of "$NETFILTER_IMAGE"))" \
    "$(tool kube-router "$KUBE_ROUTER_VERSION")" /usr/local/bin/kube-router --change 'ENTRYPOINT ["/usr/local/bin/kube-router"]'
  binary_image "$REPO/local-path-provisioner:$LOCAL_PATH_PROVISIONER_VERSION" scratch \
    "$(content_key "$(tool local-path-provisioner "$LOCAL_PATH_PROVISIONER_VERSION")")" \
    "$(tool local-path-provisioner "$LOCAL_PATH_PROVISIONER_VERSION")" /usr/local/bin/local-path-provisioner
}

# The manifests kind applies from the node, with the pinned versions filled in.
render_manifest() {
  sed -e "s/@KUBE_ROUTER_VERSION@/$KUBE_ROUTER_VERSION/g" \
    -e "s/@LOCAL_PATH_PROVISIONER_VERSION@/$LOCAL_PATH_PROVISIONER_VERSION/g" "$KIND_DIR/node/manifests/$1"
}

build_node() {
  local key image container
  key="$(
    {
      label_of "$BASE_IMAGE"
      for image in "${component_images[@]}"; do label_of "$image"; done
      sha256sum "$KUBE_BIN/kubeadm" "$KUBE_BIN/kubelet" "$KUBE_BIN/kubectl"
      render_manifest default-cni.yaml
      render_manifest default-storage.yaml
    } | sha256sum | cut -c1-12
  )"
  up_to_date "$NODE_IMAGE" "$key" && return 0
  # As kind's own `build node-image` does: a container of the base, binaries copied in, the
  # images imported by the node's own containerd, then committed.
  container="$(docker run -d --entrypoint=sleep --security-opt seccomp=unconfined "$BASE_IMAGE" infinity)"
  # shellcheck disable=SC2064 # expand now
  trap "docker rm -f '$container' >/dev/null 2>&1 || true" EXIT
  for image in kubeadm kubelet kubectl; do
    docker cp "$KUBE_BIN/$image" "$container:/usr/bin/$image"
  done
  docker exec "$container" sh -c "echo $KUBE_VERSION > /kind/version && mkdir -p /kind/manifests"
  render_manifest default-cni.yaml | docker exec -i "$container" sh -c 'cat > /kind/manifests/default-cni.yaml'
  render_manifest default-storage.yaml | docker exec -i "$container" sh -c 'cat > /kind/manifests/default-storage.yaml'
  docker exec "$container" bash -c 'nohup containerd >/dev/null 2>&1 &'
  docker exec "$container" bash -c 'for i in $(seq 1 30); do ctr info >/dev/null 2>&1 && exit 0; sleep 1; done; ctr info'
  docker save "${component_images[@]}" |
    docker exec -i "$container" ctr --namespace=k8s.io images import \
      --label=io.cri-containerd.pinned=pinned --all-platforms --no-unpack --digests -
  docker exec "$container" ctr --namespace=k8s.io images list -q
  docker exec "$container" pkill containerd
  # Stopped when it no longer answers (its process stays a zombie: `sleep` as PID 1 reaps nothing).
  docker exec "$container" bash -c 'for i in $(seq 1 30); do ctr info >/dev/null 2>&1 || exit 0; sleep 1; done; exit 1'
  commit_as "$container" "$NODE_IMAGE" "$key" \
    --change 'ENTRYPOINT [ "/usr/local/bin/entrypoint", "/sbin/init" ]'
}

build() {
  # The Go builds log their own steps (each a few minutes cold, nothing when cached).
  "$KIND_DIR/tools.sh" kind containerd runc crictl coredns kube-router local-path-provisioner pause
  run_step kube-binaries "$REPO_ROOT/testbed/kube/build.sh"
  [[ -x $KUBE_BIN/kubelet ]] || die "the kube testbed build has no kubelet in $KUBE_BIN"
  KIND_MODULE_DIR="$(kind_module_dir)"
  [[ -d $KIND_MODULE_DIR/images/base/files ]] || die "kind's base image files are missing from the module ($KIND_MODULE_DIR)"
  run_step node-base-image build_base
  run_step node-component-images build_components
  run_step node-image build_node
  echo "$NODE_IMAGE"
}

case "${1:-}" in
  build) build ;;
  tag) echo "$NODE_IMAGE" ;;
  *) die "usage: testbed/kind/node-image.sh build|tag" ;;
esac
