# Redis from the Debian package, without persistence (no RDB snapshots, no AOF): test data
# is disposable. Listens on 127.0.0.1 only. Sourced by testbed/deps.sh.

REDIS_PORT=${SHOAL_REDIS_PORT:-56379}
REDIS_HOME="$STATE_DIR/redis"

# Redis retitles itself "redis-server 127.0.0.1:<port>" once running.
redis_kind() { echo "^redis-server "; }
redis_pattern() { echo "redis-server (127\\.0\\.0\\.1:|--bind 127\\.0\\.0\\.1 --port )$REDIS_PORT"; }
redis_address() { echo "127.0.0.1:$REDIS_PORT"; }
redis_url() { echo "redis://127.0.0.1:$REDIS_PORT"; }
redis_stop_signal() { echo TERM; }

redis_install() {
  ensure_binary redis-server redis-server
  ensure_binary redis-cli redis-tools
}

redis_probe() {
  [[ $(timeout 3 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]]
}

redis_prepare() {
  mkdir -p "$REDIS_HOME"
}

redis_launch() {
  spawn redis redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$REDIS_HOME" \
    --save '' --appendonly no --daemonize no --protected-mode yes --loglevel warning
}

redis_after_start() { :; }
