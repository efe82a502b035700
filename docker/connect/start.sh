#!/bin/bash
# Starts one Kafka Connect worker in distributed mode with /opt/biometer/connect/worker.properties,
# plus:
#  - rest.advertised.host.name: this container's own IP address. A worker forwards some REST calls
#    (a connector's config, a restart) to the group's leader at the address the leader advertises,
#    and the replicas of a scaled service share one DNS name, so each must advertise its own.
#  - CONNECT_<KEY>=value for any worker setting, dots written as underscores
#    (CONNECT_OFFSET_FLUSH_INTERVAL_MS=10000 sets offset.flush.interval.ms=10000).
#  - the Prometheus JMX exporter agent on $JMX_EXPORTER_PORT (set it empty to leave it out).
set -euo pipefail

props=/tmp/connect-worker.properties
own_address() {
  local ip
  ip=$(awk -v h="$HOSTNAME" '$2 == h { print $1; exit }' /etc/hosts)
  echo "${ip:-$HOSTNAME}"
}
{
  cat /opt/biometer/connect/worker.properties
  echo
  echo "# added by start.sh"
  echo "rest.advertised.host.name=$(own_address)"
  for var in $(compgen -e); do
    if [[ $var == CONNECT_* ]]; then
      key=${var#CONNECT_}
      key=${key,,}
      echo "${key//_/.}=${!var}"
    fi
  done
} >"$props"

if [ -n "${JMX_EXPORTER_PORT:-}" ]; then
  export KAFKA_OPTS="${KAFKA_OPTS:-} -javaagent:/opt/biometer/jmx/jmx_prometheus_javaagent.jar=${JMX_EXPORTER_PORT}:/opt/biometer/connect/jmx-exporter.yaml"
fi
echo "biometer-connect: starting a worker of group biometer-connect with $props:" >&2
grep -v '^#' "$props" | grep -v '^$' | sed 's/^/  /' >&2
exec /opt/kafka/bin/connect-distributed.sh "$props"
