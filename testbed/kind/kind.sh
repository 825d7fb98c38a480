#!/usr/bin/env bash
# The real kind cluster of kind-config.yaml on this machine, registry or not.
#
#   up      a Docker engine (engine.sh), kind, and the cluster `shoal` with working pod networking,
#           NetworkPolicies, DNS, a default StorageClass. When no container registry answers,
#           the node image (node-image.sh) and the offline image set (images.sh) are built
#           here and loaded. Idempotent: a second `up` checks and returns.
#   down    deletes the cluster and stops the Docker engine if `up` started it.
#   status  the engine, the nodes and kube-system's pods; non-zero when not healthy.
#   tool-path  the directory of the kind binary it uses (for PATH).
#
# State in .testbed/kind/: kind-config.yaml (what the cluster was created from: the users'
# file plus this host's needs, see testbed/src/kind-cluster-config.ts), kubeconfig, logs/.
# kind also writes the cluster's context (kind-shoal) into the default kubeconfig, as usual.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=versions.sh
source "$KIND_DIR/versions.sh"
# shellcheck source=../kube/versions.sh
source "$REPO_ROOT/testbed/kube/versions.sh"

USERS_CONFIG="$REPO_ROOT/kind-config.yaml"
GENERATED_CONFIG="$KIND_STATE/kind-config.yaml"
KUBECONFIG_OUT="$KIND_STATE/kubeconfig"
LOCK_FILE="$KIND_STATE/up.lock"
CLUSTER="$(awk '/^name:/ {print $2; exit}' "$USERS_CONFIG")"
CLUSTER="${CLUSTER:-kind}"
# The registry kind's node image and the Dockerfile's base come from.
REGISTRY_PROBE_URL="${SHOAL_REGISTRY_PROBE_URL:-https://registry-1.docker.io/v2/}"

kind_bin() {
  if command -v kind >/dev/null && kind version 2>/dev/null | grep -q "kind ${KIND_VERSION%.*}"; then
    command -v kind
  else
    echo "$KIND_CACHE/tools/kind-$KIND_VERSION/kind"
  fi
}
KIND="$(kind_bin)"

cluster_exists() { [[ -x $KIND ]] && "$KIND" get clusters 2>/dev/null | grep -qx "$CLUSTER"; }

# Every node container of the cluster is running. After the Docker engine stopped (a reboot, the
# end of a CI job) kind's node containers remain, stopped, and a kind cluster does not come
# back from that reliably (its nodes' addresses may change): such a cluster is made anew.
cluster_running() {
  local nodes
  nodes="$("$KIND" get nodes --name "$CLUSTER" 2>/dev/null)"
  [[ -n $nodes ]] || return 1
  # shellcheck disable=SC2086 # one argument per node name
  ! docker inspect --format '{{.State.Running}}' $nodes 2>/dev/null | grep -qv '^true$'
}

# A registry answers when its /v2/ endpoint gives any HTTP status (Docker Hub: 401).
registry_answers() {
  local code
  code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$REGISTRY_PROBE_URL" 2>/dev/null || true)"
  [[ $code =~ ^[1-5][0-9][0-9]$ ]]
}

# The process listening on a host TCP port, as "name (pid N)", or nothing.
port_holder() {
  ss -Htlnp "sport = :$1" 2>/dev/null | sed -nE 's/.*users:\(\("([^"]+)",pid=([0-9]+).*/\1 (pid \2)/p' | head -n 1
}

# The host ports the users' config maps onto the control plane (80 and 443 for the gateway).
mapped_host_ports() { grep -E '^\s*hostPort:' "$USERS_CONFIG" | awk '{print $2}'; }

check_ports_free() {
  local port holder
  for port in $(mapped_host_ports); do
    holder="$(port_holder "$port")"
    [[ -z $holder ]] && continue
    die "host port $port is taken by $holder; kind maps it to the gateway: stop that process, then run again"
  done
}

take_lock() {
  exec 8>>"$LOCK_FILE"
  if ! flock -n 8; then
    die "another kind-up is running (holder: $(cat "$LOCK_FILE" 2>/dev/null || echo unknown)); wait for it or stop it"
  fi
  : >"$LOCK_FILE"
  echo "pid $$ ($(tr '\0' ' ' </proc/$PPID/cmdline 2>/dev/null | cut -c1-60)) since $(date +%H:%M:%S)" >"$LOCK_FILE"
}

host_is_cgroup_v1() { [[ ! -f /sys/fs/cgroup/cgroup.controllers ]]; }
# CAP_SYS_RESOURCE (bit 24) missing from the bounding set: raising oom_score_adj fails.
host_lacks_sys_resource() { (((16#$(awk '/^CapBnd:/ {print $2}' /proc/self/status) >> 24 & 1) == 0)); }

write_config() {
  local args=("$USERS_CONFIG")
  if [[ $offline == yes ]]; then
    args+=(--offline-node-image "$node_image" --offline-image-repository docker.io/shoal-offline
      --offline-etcd-tag "$ETCD_VERSION")
  fi
  host_is_cgroup_v1 && args+=(--cgroup-v1)
  host_lacks_sys_resource && args+=(--restrict-oom-score-adj)
  node "$REPO_ROOT/testbed/kind/cluster-config.ts" "${args[@]}" >"$GENERATED_CONFIG.partial"
  mv "$GENERATED_CONFIG.partial" "$GENERATED_CONFIG"
}

# A cluster keeps the configuration it was created from. When the one kind-up would write
# now differs (kind-config.yaml or this host's needs changed), say so; recreating the cluster
# loses what runs on it, so that is the operator's call.
warn_if_config_changed() {
  [[ -f $GENERATED_CONFIG ]] || return 0
  local created="$GENERATED_CONFIG.created"
  cp "$GENERATED_CONFIG" "$created"
  [[ $offline == yes ]] && node_image="$("$KIND_DIR/node-image.sh" tag)"
  write_config
  if ! cmp -s "$created" "$GENERATED_CONFIG"; then
    log "cluster $CLUSTER was created from another configuration than kind-up writes now (kind-config.yaml or this host changed): run make kind-down kind-up to apply it (what runs on the cluster is lost)"
  fi
  mv "$created" "$GENERATED_CONFIG"
}

create_cluster() {
  "$KIND" create cluster --name "$CLUSTER" --config "$GENERATED_CONFIG" --wait 5m
}

# kubectl: the machine's, else the kube testbed's build (the offline path builds it anyway).
kubectl_kind() {
  local kubectl
  kubectl="$(command -v kubectl || echo "$KUBE_BIN_DIR/kubectl")"
  "$kubectl" --kubeconfig "$KUBECONFIG_OUT" "$@"
}

# Every node Ready, and the system's Deployments and DaemonSets (CoreDNS, kube-proxy, the CNI,
# the storage provisioner) rolled out.
wait_healthy() {
  kubectl_kind wait --for=condition=Ready nodes --all --timeout=300s
  local namespace object
  for namespace in kube-system local-path-storage; do
    for object in $(kubectl_kind get deployments,daemonsets -n "$namespace" -o name); do
      kubectl_kind rollout status "$object" -n "$namespace" --timeout=300s
    done
  done
}

# The cluster's Service addresses are virtual: kube-proxy translates them inside the nodes.
# A connection a node opens to a Service before kube-proxy has its rules leaves the node
# untranslated; where the host's egress answers every address (a TLS-intercepting proxy, as
# here), it gets a 404 from the proxy, and a long-lived client (the API server's connection
# to metrics-server) stays on it. So such traffic is refused at the host: the client retries
# and finds the Service. On a host whose egress drops it the rule changes nothing. (Pod
# addresses are real: they cross the kind network between nodes and must pass.)
service_subnet() {
  local subnet
  subnet="$(awk '/serviceSubnet:/ {print $2; exit}' "$GENERATED_CONFIG" 2>/dev/null | tr -d "\"'")"
  echo "${subnet:-10.96.0.0/16}"
}
# refuse_leaks add|remove: the host's DOCKER-USER rule for that subnet (root, iptables).
refuse_leaks() {
  command -v iptables >/dev/null && iptables -L DOCKER-USER -n >/dev/null 2>&1 || return 0
  local subnet rule
  subnet="$(service_subnet)"
  rule=(DOCKER-USER -d "$subnet" -m comment --comment "shoal kind: Services stay in the cluster" -j REJECT)
  case "$1" in
    add) iptables -C "${rule[@]}" 2>/dev/null || iptables -I "${rule[@]}" ;;
    remove) while iptables -D "${rule[@]}" 2>/dev/null; do :; done ;;
  esac
}

load_offline_images() {
  local image
  for image in $("$KIND_DIR/images.sh" list); do
    "$KIND" load docker-image "$image" --name "$CLUSTER"
  done
}

up() {
  take_lock
  started=$SECONDS
  "$KIND_DIR/engine.sh" up
  [[ -x $KIND ]] || run_step build-kind "$KIND_DIR/tools.sh" kind
  offline=no
  if ! registry_answers; then
    offline=yes
    log "no container registry answers ($REGISTRY_PROBE_URL): building the node image and the offline image set here"
  fi
  if cluster_exists && ! cluster_running; then
    log "cluster $CLUSTER exists but its nodes are not running (the Docker engine was stopped): making it anew"
    run_step delete-stopped-cluster "$KIND" delete cluster --name "$CLUSTER"
  fi
  if ! cluster_exists; then
    check_ports_free
    if [[ $offline == yes ]]; then
      "$KIND_DIR/node-image.sh" build >/dev/null
      node_image="$("$KIND_DIR/node-image.sh" tag)"
    fi
    write_config
    run_step create-cluster create_cluster
  else
    log "cluster $CLUSTER exists"
    warn_if_config_changed
  fi
  refuse_leaks add
  "$KIND" get kubeconfig --name "$CLUSTER" >"$KUBECONFIG_OUT.partial" && mv "$KUBECONFIG_OUT.partial" "$KUBECONFIG_OUT"
  if [[ $offline == yes ]]; then
    run_step offline-images "$KIND_DIR/images.sh" build
    run_step load-offline-images load_offline_images
  fi
  run_step cluster-healthy wait_healthy
  log "kind cluster $CLUSTER is up ($(kubectl_kind get nodes --no-headers | wc -l) nodes) in $((SECONDS - started))s; kubeconfig: $KUBECONFIG_OUT (context kind-$CLUSTER)"
}

down() {
  if cluster_exists; then
    log "deleting kind cluster $CLUSTER"
    "$KIND" delete cluster --name "$CLUSTER" >"$KIND_LOGS/delete-cluster.log" 2>&1 ||
      die "kind delete cluster failed; log: $KIND_LOGS/delete-cluster.log"
  fi
  refuse_leaks remove
  rm -f "$KUBECONFIG_OUT"
  "$KIND_DIR/engine.sh" down
}

status() {
  "$KIND_DIR/engine.sh" status || return 1
  if ! cluster_exists; then
    echo "kind cluster $CLUSTER: absent"
    return 1
  fi
  echo "kind cluster $CLUSTER: kubeconfig $KUBECONFIG_OUT"
  kubectl_kind get nodes -o wide
  kubectl_kind get pods -n kube-system -o wide
  kubectl_kind wait --for=condition=Ready nodes --all --timeout=5s >/dev/null
}

# The directory of the kind binary kind.sh uses, for PATH (`make deploy` runs shoal up with it).
tool_path() { dirname "$KIND"; }

case "${1:-}" in
  up | down | status) "$1" ;;
  tool-path) tool_path ;;
  *) die "usage: testbed/kind/kind.sh up|down|status|tool-path" ;;
esac
