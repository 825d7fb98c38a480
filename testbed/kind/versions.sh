# shellcheck shell=bash disable=SC2034  # sourced: the variables are used by the kind scripts
# The pins of the kind testbed's own tools and node components, built from the Go module
# proxy when no registry can give us kind's published images. The Kubernetes version is the
# kube testbed's (testbed/kube/versions.sh): both testbeds share one Go build of it.
KIND_VERSION=v0.33.0
BUILDX_VERSION=v0.39.1
# What kind v0.33.0's base image carries.
CONTAINERD_VERSION=v2.3.4
RUNC_VERSION=v1.4.3
CRICTL_VERSION=v1.36.0
# What kubeadm 1.35 deploys (cmd/kubeadm/app/constants): CoreDNS, and the pause image.
COREDNS_VERSION=v1.13.1
PAUSE_VERSION=3.10.1
# The pod network and NetworkPolicy agent (the newest release on the module proxy).
KUBE_ROUTER_VERSION=v2.1.0
# The PersistentVolume provisioner kind's default StorageClass runs.
LOCAL_PATH_PROVISIONER_VERSION=v0.0.30
