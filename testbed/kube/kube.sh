#!/usr/bin/env bash
# The Kubernetes testbed: a real control plane on 127.0.0.1 with simulated nodes.
#
#   etcd 3.6  ->  kube-apiserver (RBAC, PodSecurity admission, aggregation)
#             ->  kube-controller-manager (all default controllers, per-controller
#                 service-account credentials), kube-scheduler
#             ->  kwok (3 simulated nodes; pods become Running/Ready, or misbehave on
#                 request, see kwok/kwok.yaml; simulated CPU/memory usage)
#             ->  metrics-server (scrapes kwok, serves metrics.k8s.io for the HPA)
#
# The processes are run by hand rather than through kwokctl: every flag is visible here,
# nothing is downloaded, and the components get the identities and controllers we need.
# Binaries come from build.sh (cached per pin); state lives in .testbed/kube:
#   pki/ certificates and kubeconfigs   etcd/ data   run/ pid files   logs/ one log each
# .testbed/kubeconfig is the admin kubeconfig; .testbed/kube.env names it and kubectl.
#
# Usage: testbed/kube/kube.sh up|down|status|reset     (all idempotent)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
# shellcheck source=versions.sh
source "$here/versions.sh"

state="$repo/.testbed/kube"
pki="$state/pki"
run_dir="$state/run"
log_dir="$state/logs"
etcd_data="$state/etcd"
kubeconfig_out="$repo/.testbed/kubeconfig"
env_out="$repo/.testbed/kube.env"
bin="$KUBE_BIN_DIR"

etcd_client_port=23790
etcd_peer_port=23800
apiserver_port=16443
controller_manager_port=10257
scheduler_port=10259
kwok_port=10247
metrics_server_port=14443
apiserver_url="https://127.0.0.1:$apiserver_port"
node_count=3

components=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok metrics-server)

log() { printf '[kube %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { printf '[kube] error: %s\n' "$*" >&2; exit 1; }

# Prints the pid of a component we started, if it is still that component.
pid_of() {
  local name="$1" pid exe
  [[ -f "$run_dir/$name.pid" ]] || return 1
  pid="$(cat "$run_dir/$name.pid")"
  [[ -n "$pid" && -d "/proc/$pid" ]] || return 1
  exe="$(readlink "/proc/$pid/exe" 2>/dev/null || true)"
  # A recycled pid belongs to some other program: then ours is gone.
  [[ "${exe% (deleted)}" == "$bin/$name" || "$(basename "${exe% (deleted)}")" == "$name" ]] || return 1
  echo "$pid"
}

# Pids of processes running our binary <name> with our state dir on their command line,
# pid file or not (e.g. after an interrupted `up`). Never anyone else's.
stray_pids_of() {
  local name="$1" p exe
  for p in /proc/[0-9]*; do
    exe="$(readlink "$p/exe" 2>/dev/null || true)"
    [[ "${exe% (deleted)}" == "$bin/$name" ]] || continue
    tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -qF "$state/" && echo "${p#/proc/}"
  done
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# start <name> <args...>: runs a component in the background with its own log file.
start() {
  local name="$1"
  shift
  if pid_of "$name" >/dev/null; then
    return 0
  fi
  [[ -x "$bin/$name" ]] || die "$bin/$name is missing (run testbed/kube/build.sh)"
  setsid "$bin/$name" "$@" >>"$log_dir/$name.log" 2>&1 </dev/null &
  echo $! >"$run_dir/$name.pid"
  log "started $name (pid $!, log .testbed/kube/logs/$name.log)"
}

# wait_until <what> <seconds> <component whose log explains a failure> <command...>
wait_until() {
  local what="$1" timeout="$2" component="$3" deadline=$((SECONDS + $2))
  shift 3
  until "$@" >/dev/null 2>&1; do
    if ! pid_of "$component" >/dev/null; then
      tail -n 25 "$log_dir/$component.log" >&2 || true
      die "$component exited while waiting for $what (log: $log_dir/$component.log)"
    fi
    if ((SECONDS >= deadline)); then
      tail -n 25 "$log_dir/$component.log" >&2 || true
      die "timed out after ${timeout}s waiting for $what (log: $log_dir/$component.log)"
    fi
    sleep 0.5
  done
}

kubectl() { "$bin/kubectl" --kubeconfig "$pki/admin.kubeconfig" "$@"; }
curl_api() { curl -fsS --max-time 5 --cacert "$pki/ca.crt" --cert "$pki/admin.crt" --key "$pki/admin.key" "$apiserver_url$1"; }
etcd_healthy() { curl -fsS --max-time 5 "http://127.0.0.1:$etcd_client_port/health" | grep -q '"health":"true"'; }
nodes_ready() {
  local ready
  ready="$(kubectl get nodes -l type=kwok -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' | grep -c '^True$' || true)"
  ((ready >= node_count))
}
default_service_account() { kubectl get serviceaccount default -n default; }
metrics_available() { kubectl get apiservice v1beta1.metrics.k8s.io -o jsonpath='{.status.conditions[?(@.type=="Available")].status}' | grep -q True; }

check_port_free() {
  local name="$1" port="$2"
  pid_of "$name" >/dev/null && return 0
  port_busy "$port" && die "port $port (for $name) is already taken by another process"
  return 0
}

up() {
  local started=$SECONDS
  mkdir -p "$run_dir" "$log_dir" "$etcd_data"
  # build.sh ends by printing the bin dir (for scripts); progress lines pass through live.
  "$here/build.sh" | { grep --line-buffered -vxF "$bin" || true; }
  "$here/pki.sh" "$pki" "$apiserver_url"

  check_port_free etcd "$etcd_client_port"
  check_port_free kube-apiserver "$apiserver_port"
  check_port_free kube-controller-manager "$controller_manager_port"
  check_port_free kube-scheduler "$scheduler_port"
  check_port_free kwok "$kwok_port"
  check_port_free metrics-server "$metrics_server_port"

  # No fsync: this etcd holds throw-away test state, and fsync latency on a busy disk
  # is what makes a testbed apiserver time out.
  start etcd \
    --name=testbed --data-dir="$etcd_data" \
    --listen-client-urls="http://127.0.0.1:$etcd_client_port" \
    --advertise-client-urls="http://127.0.0.1:$etcd_client_port" \
    --listen-peer-urls="http://127.0.0.1:$etcd_peer_port" \
    --initial-advertise-peer-urls="http://127.0.0.1:$etcd_peer_port" \
    --initial-cluster="testbed=http://127.0.0.1:$etcd_peer_port" \
    --auto-compaction-retention=1 --quota-backend-bytes=2147483648 \
    --unsafe-no-fsync=true --log-level=warn
  wait_until "etcd health" 60 etcd etcd_healthy

  # No endpoint reconciler: it would publish 127.0.0.1 as the `kubernetes` Service's
  # endpoint, which Endpoints validation refuses; nothing in the testbed dials it.
  start kube-apiserver \
    --advertise-address=127.0.0.1 --bind-address=127.0.0.1 --secure-port="$apiserver_port" \
    --etcd-servers="http://127.0.0.1:$etcd_client_port" \
    --service-cluster-ip-range=10.96.0.0/16 \
    --endpoint-reconciler-type=none \
    --authorization-mode=Node,RBAC \
    --enable-admission-plugins=NodeRestriction \
    --allow-privileged=true \
    --client-ca-file="$pki/ca.crt" \
    --tls-cert-file="$pki/apiserver.crt" --tls-private-key-file="$pki/apiserver.key" \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-account-key-file="$pki/sa.pub" --service-account-signing-key-file="$pki/sa.key" \
    --proxy-client-cert-file="$pki/front-proxy-client.crt" --proxy-client-key-file="$pki/front-proxy-client.key" \
    --requestheader-client-ca-file="$pki/front-proxy-ca.crt" --requestheader-allowed-names=front-proxy-client \
    --requestheader-username-headers=X-Remote-User --requestheader-group-headers=X-Remote-Group \
    --requestheader-extra-headers-prefix=X-Remote-Extra- \
    --profiling=false --v=1 \
    --watch-cache-sizes=configmaps#0
  # ConfigMaps skip the watch cache: their watches read etcd itself, so once etcd is compacted
  # an old resourceVersion gets 410 Gone at once, as on a long-running cluster. (A fresh
  # cache replays its whole state instead; tests of 410 handling watch ConfigMaps.)
  wait_until "kube-apiserver /readyz" 180 kube-apiserver curl_api /readyz
  cp "$pki/admin.kubeconfig" "$kubeconfig_out.tmp" && mv "$kubeconfig_out.tmp" "$kubeconfig_out"
  printf 'KUBECONFIG=%s\nKUBECTL=%s\nKUBE_BIN_DIR=%s\nKUBE_VERSION=%s\nETCD_URL=%s\n' \
    "$kubeconfig_out" "$bin/kubectl" "$bin" "$KUBE_VERSION" "http://127.0.0.1:$etcd_client_port" >"$env_out"

  start kube-controller-manager \
    --kubeconfig="$pki/controller-manager.kubeconfig" \
    --authentication-kubeconfig="$pki/controller-manager.kubeconfig" \
    --authorization-kubeconfig="$pki/controller-manager.kubeconfig" \
    --bind-address=127.0.0.1 --secure-port="$controller_manager_port" \
    --leader-elect=false --use-service-account-credentials=true \
    --controllers='*' \
    --service-account-private-key-file="$pki/sa.key" --root-ca-file="$pki/ca.crt" \
    --cluster-signing-cert-file="$pki/ca.crt" --cluster-signing-key-file="$pki/ca.key" \
    --horizontal-pod-autoscaler-sync-period=5s \
    --kube-api-qps=100 --kube-api-burst=200 --profiling=false --v=1
  start kube-scheduler \
    --kubeconfig="$pki/scheduler.kubeconfig" \
    --authentication-kubeconfig="$pki/scheduler.kubeconfig" \
    --authorization-kubeconfig="$pki/scheduler.kubeconfig" \
    --bind-address=127.0.0.1 --secure-port="$scheduler_port" \
    --leader-elect=false --kube-api-qps=100 --kube-api-burst=200 --profiling=false --v=1
  # kwok serves each node's "kubelet" endpoint (metrics) on 127.0.0.1:$kwok_port.
  start kwok \
    --kubeconfig="$pki/admin.kubeconfig" \
    --config="$here/kwok/kwok.yaml" \
    --manage-all-nodes=false --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
    --node-ip=127.0.0.1 --node-port="$kwok_port" --server-address="127.0.0.1:$kwok_port" \
    --tls-cert-file="$pki/loopback-serving.crt" --tls-private-key-file="$pki/loopback-serving.key" \
    --node-lease-duration-seconds=40 --cidr=10.244.0.0/16
  start metrics-server \
    --kubeconfig="$pki/admin.kubeconfig" \
    --authentication-kubeconfig="$pki/admin.kubeconfig" \
    --authorization-kubeconfig="$pki/admin.kubeconfig" \
    --bind-address=127.0.0.1 --secure-port="$metrics_server_port" \
    --tls-cert-file="$pki/loopback-serving.crt" --tls-private-key-file="$pki/loopback-serving.key" \
    --kubelet-preferred-address-types=InternalIP --kubelet-use-node-status-port \
    --kubelet-insecure-tls --metric-resolution=10s --kubelet-request-timeout=5s --profiling=false

  render_cluster_objects | kubectl apply --server-side --field-manager=shoal-testbed --force-conflicts -f - >/dev/null
  wait_until "$node_count kwok nodes Ready" 120 kwok nodes_ready
  wait_until "the default ServiceAccount" 120 kube-controller-manager default_service_account
  if ! (wait_until "metrics.k8s.io (metrics-server)" 90 metrics-server metrics_available 2>/dev/null); then
    pid_of metrics-server >/dev/null || die "metrics-server exited (log: $log_dir/metrics-server.log)"
    log "warning: metrics.k8s.io is not Available after 90s; HPAs on CPU will wait for it"
  fi
  log "Kubernetes $KUBE_VERSION testbed up in $((SECONDS - started))s: $apiserver_url, KUBECONFIG=$kubeconfig_out"
}

# The cluster objects the testbed itself owns: simulated nodes, metrics API registration.
render_cluster_objects() {
  local i
  for ((i = 0; i < node_count; i++)); do
    cat <<EOF
---
apiVersion: v1
kind: Node
metadata:
  name: kwok-node-$i
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
    metrics.k8s.io/resource-metrics-path: /metrics/nodes/kwok-node-$i/metrics/resource
  labels:
    type: kwok
    kubernetes.io/arch: amd64
    kubernetes.io/os: linux
    kubernetes.io/hostname: kwok-node-$i
    topology.kubernetes.io/zone: zone-$i
    node-role.kubernetes.io/agent: ""
spec:
  podCIDR: 10.244.$i.0/24
  podCIDRs: [10.244.$i.0/24]
EOF
  done
  cat <<EOF
---
# metrics-server runs outside the cluster: an ExternalName service points the aggregator
# at it on loopback.
apiVersion: v1
kind: Service
metadata:
  name: metrics-server
  namespace: kube-system
spec:
  type: ExternalName
  externalName: localhost
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata:
  name: v1beta1.metrics.k8s.io
spec:
  group: metrics.k8s.io
  version: v1beta1
  groupPriorityMinimum: 100
  versionPriority: 100
  insecureSkipTLSVerify: true
  service:
    name: metrics-server
    namespace: kube-system
    port: $metrics_server_port
EOF
}

stop_pid() {
  local pid="$1" name="$2" i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 60; i++)); do
    [[ -d "/proc/$pid" ]] || return 0
    sleep 0.5
  done
  log "$name (pid $pid) ignored SIGTERM for 30s; killing it"
  kill -KILL "$pid" 2>/dev/null || true
}

down() {
  local i name pid
  # Reverse start order: clients before the apiserver, the apiserver before etcd.
  for ((i = ${#components[@]} - 1; i >= 0; i--)); do
    name="${components[$i]}"
    if pid="$(pid_of "$name")"; then
      stop_pid "$pid" "$name"
      log "stopped $name"
    fi
    rm -f "$run_dir/$name.pid"
    for pid in $(stray_pids_of "$name"); do
      stop_pid "$pid" "$name"
      log "stopped $name (pid $pid, had no pid file)"
    done
  done
  log "Kubernetes testbed is down"
}

status() {
  local name pid rss total=0 running=0
  printf '%-24s %-8s %s\n' COMPONENT PID RSS
  for name in "${components[@]}"; do
    if pid="$(pid_of "$name")"; then
      rss="$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")"
      total=$((total + rss))
      running=$((running + 1))
      printf '%-24s %-8s %d MiB\n' "$name" "$pid" $((rss / 1024))
    else
      printf '%-24s %-8s\n' "$name" stopped
    fi
  done
  printf '%-24s %-8s %d MiB\n' total "" $((total / 1024))
  if ((running == 0)); then
    echo "Kubernetes testbed: down (make kube-up starts it)"
    return 0
  fi
  if curl_api /readyz >/dev/null 2>&1; then
    echo "API: $apiserver_url ready (KUBECONFIG=$kubeconfig_out, kubectl: $bin/kubectl)"
    kubectl get nodes -o wide 2>/dev/null | sed 's/^/  /' || true
    metrics_available 2>/dev/null && echo "metrics.k8s.io: Available" || echo "metrics.k8s.io: not Available"
  else
    echo "API: $apiserver_url not answering"
  fi
  ((running == ${#components[@]})) || { echo "Kubernetes testbed: partly running ($running/${#components[@]})"; return 1; }
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  reset) down && rm -rf "$state" "$kubeconfig_out" "$env_out" && log "testbed state removed" ;;
  *) echo "usage: $0 up|down|status|reset" >&2; exit 2 ;;
esac
