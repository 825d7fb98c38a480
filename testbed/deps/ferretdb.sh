# FerretDB: a MongoDB wire-protocol server, built from the Go module proxy, on SQLite.
# Sourced by testbed/deps.sh.

MONGO_PORT=${SHOAL_MONGO_PORT:-57017}

ferretdb_address() { echo "127.0.0.1:$MONGO_PORT"; }
ferretdb_url() { echo "mongodb://127.0.0.1:$MONGO_PORT/"; }
