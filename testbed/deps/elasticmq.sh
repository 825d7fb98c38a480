# ElasticMQ: an SQS-compatible server (AWS JSON and query protocols) from Maven Central.
# Sourced by testbed/deps.sh.

SQS_PORT=${SHOAL_SQS_PORT:-59324}

elasticmq_address() { echo "127.0.0.1:$SQS_PORT"; }
elasticmq_url() { echo "http://127.0.0.1:$SQS_PORT"; }
