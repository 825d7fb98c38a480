# ElasticMQ: an SQS-compatible server (the AWS JSON protocol of @aws-sdk/client-sqs v3) from
# Maven Central, at the version pinned in testbed/deps/elasticmq/pom.xml, its jars cached in
# $SHOAL_CACHE/elasticmq/<version>/lib. Queues are in memory. Sourced by testbed/deps.sh.

SQS_PORT=${SHOAL_SQS_PORT:-59324}
ELASTICMQ_POM="$DEPS_DIR/elasticmq/pom.xml"
ELASTICMQ_CONF="$DEPS_DIR/elasticmq/elasticmq.conf"

elasticmq_address() { echo "127.0.0.1:$SQS_PORT"; }
elasticmq_url() { echo "http://127.0.0.1:$SQS_PORT"; }
elasticmq_kind() { echo "org\\.elasticmq\\.server\\.Main"; }
elasticmq_pattern() { echo "-Drest-sqs\\.bind-port=$SQS_PORT .*org\\.elasticmq\\.server\\.Main"; }
elasticmq_stop_signal() { echo TERM; }

elasticmq_version() {
  local version
  version=$(sed -n 's:.*<elasticmq.version>\(.*\)</elasticmq.version>.*:\1:p' "$ELASTICMQ_POM")
  [[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "no elasticmq.version pinned in $ELASTICMQ_POM"
  echo "$version"
}
elasticmq_lib_dir() { echo "$SHOAL_CACHE/elasticmq/$(elasticmq_version)/lib"; }

elasticmq_install() {
  ensure_binary java default-jre-headless
  ensure_binary mvn maven
  ensure_binary curl curl
}

# A real SQS call (ListQueues, AWS JSON protocol), the way the SDK makes it.
elasticmq_probe() {
  curl -sf -o /dev/null --max-time 3 -X POST "$(elasticmq_url)/" \
    -H 'Content-Type: application/x-amz-json-1.0' -H 'X-Amz-Target: AmazonSQS.ListQueues' -d '{}'
}

# Resolves the pinned server and its dependencies once, into a directory that appears whole.
elasticmq_fetch() {
  local lib version tmp
  lib=$(elasticmq_lib_dir)
  [[ -f $lib/.complete ]] && return 0
  version=$(elasticmq_version)
  mkdir -p "$(dirname "$lib")"
  (
    exec 8>"$(dirname "$lib")/fetch.lock"
    flock 8
    [[ -f $lib/.complete ]] && exit 0
    progress "elasticmq: fetching $version from Maven Central (first run only)"
    tmp="$lib.tmp.$$"
    rm -rf "$tmp"
    # -B: no colours or prompts (CI has no terminal); the local repository stays outside the repo.
    if ! mvn -B -q -f "$ELASTICMQ_POM" -Dmaven.repo.local="$SHOAL_CACHE/m2" \
      dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp" \
      >"$(logfile_of elasticmq)" 2>&1; then
      rm -rf "$tmp"
      show_log_tail elasticmq
      exit 1
    fi
    touch "$tmp/.complete"
    rm -rf "$lib"
    mv "$tmp" "$lib"
  ) || die "elasticmq: fetching $version failed"
}

elasticmq_prepare() {
  elasticmq_fetch
}

elasticmq_launch() {
  # A small heap and a tiered JIT that stops early: start-up time matters more than peak speed.
  spawn elasticmq java -Xms64m -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    -Dconfig.file="$ELASTICMQ_CONF" \
    -Drest-sqs.bind-port="$SQS_PORT" -Dnode-address.port="$SQS_PORT" \
    -cp "$(elasticmq_lib_dir)/*" org.elasticmq.server.Main
}

elasticmq_after_start() { :; }
