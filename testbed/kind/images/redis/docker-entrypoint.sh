#!/bin/sh
# shoal-offline/redis: as the official image, arguments that start with '-' (or a .conf
# file) are redis-server's; anything else is run as given (redis-cli, sh, ...).
set -e
case "${1:-}" in
  -* | *.conf) set -- redis-server "$@" ;;
esac
exec "$@"
