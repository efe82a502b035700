#!/bin/bash
# docker-compose.secure.yml's Kafka: the apache/kafka image's own start-up (KafkaDockerWrapper)
# formats the storage without --add-scram, and SCRAM on the controller listener needs the admin's
# credential in the metadata from the first record. So this script does what the image would, with
# that one addition:
#  1. server.properties from every KAFKA_<KEY> variable (dots as underscores, lower case; the
#     image's __ and ___ escapes are not needed here), plus the keys below whose names hold '-';
#  2. the secrets from the kafka folder of the security volume (made by security-init):
#     the key store's password and the admin's SCRAM password; they go into this container's own
#     server.properties (0600), never into the compose file or the environment;
#  3. kafka-storage.sh format --add-scram SCRAM-SHA-512=[name=admin,...] --ignore-formatted
#     (a volume formatted by the plain compose file is refused: see below);
#  4. exec kafka-server-start.sh.
set -euo pipefail
dir=${BIOMETER_SECURITY_DIR:-/run/biometer/security}/kafka
props=/opt/kafka/config/secure-server.properties
secret() { sed -n "s/^$1=//p" "$dir/secrets.properties" | head -n 1; }
store=$(secret tls.store.password)
admin=$(secret admin.password)
if [ -z "$store" ] || [ -z "$admin" ]; then
  echo "biometer-kafka: no secrets in $dir/secrets.properties; did security-init run?" >&2
  exit 1
fi
jaas="org.apache.kafka.common.security.scram.ScramLoginModule required username=\"admin\" password=\"$admin\";"
umask 077
{
  echo "# written by secure-start.sh at $(date -u +%FT%TZ)"
  for var in $(compgen -e); do
    case $var in
      KAFKA_HEAP_OPTS | KAFKA_OPTS | KAFKA_JMX_OPTS | KAFKA_LOG4J_OPTS | KAFKA_JVM_PERFORMANCE_OPTS | KAFKA_GC_LOG_OPTS) ;;
      KAFKA_*)
        key=${var#KAFKA_}
        key=${key,,}
        echo "${key//_/.}=${!var}"
        ;;
    esac
  done
  echo "ssl.keystore.type=PKCS12"
  echo "ssl.keystore.location=$dir/kafka.p12"
  echo "ssl.keystore.password=$store"
  echo "ssl.key.password=$store"
  echo "ssl.truststore.type=PKCS12"
  echo "ssl.truststore.location=$dir/truststore.p12"
  echo "ssl.truststore.password=$store"
  for listener in internal external controller; do
    echo "listener.name.$listener.scram-sha-512.sasl.jaas.config=$jaas"
  done
} >"$props"
marker=${KAFKA_LOG_DIRS:-/var/lib/kafka/data}/.biometer-secure
if [ -f "${KAFKA_LOG_DIRS:-/var/lib/kafka/data}/meta.properties" ] && [ ! -f "$marker" ]; then
  echo "biometer-kafka: ${KAFKA_LOG_DIRS:-/var/lib/kafka/data} was formatted by the plain compose file: its metadata has no SCRAM credential for admin. Drop the volume (docker compose down -v) to start secured." >&2
  exit 1
fi
/opt/kafka/bin/kafka-storage.sh format --cluster-id "${CLUSTER_ID:?set CLUSTER_ID}" -c "$props" \
  --add-scram "SCRAM-SHA-512=[name=admin,password=$admin]" --ignore-formatted
touch "$marker"
unset store admin jaas
exec /opt/kafka/bin/kafka-server-start.sh "$props"
