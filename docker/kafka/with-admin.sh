#!/bin/bash
# docker-compose.secure.yml's topics one-shot: runs docker-compose.yml's topics script (this
# container's command, $1) with the admin's Kafka client settings ($ADMIN_PROPERTIES) added to its
# one --bootstrap-server line, so the topic list stays in one place. Refuses a script without
# that line rather than run it unauthenticated.
set -euo pipefail
line='b="--bootstrap-server kafka:19092"'
script=${1:?the topics script is the command}
if [[ $script != *"$line"* ]]; then
  echo "topics: the script has no line $line; fix docker/kafka/with-admin.sh" >&2
  exit 1
fi
exec /bin/bash -c "${script/"$line"/"b=\"--bootstrap-server kafka:19092 --command-config ${ADMIN_PROPERTIES:?}\""}"
