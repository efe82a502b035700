#!/bin/sh
# docker-compose.yml's one-shot connector-setup: submits the QuestDB sink to the Connect cluster
# with PUT /connectors/$CONNECTOR_NAME/config (create or update, so a second `up` is harmless),
# then waits until the connector and all its tasks run. Exits 1 with Connect's answer if Connect
# refuses the config or a task fails.
#
# The config is the local run's, sink-connectors/config/questdb-sink.json, with the addresses of
# the compose network instead of 127.0.0.1 and tasks.max=$TASKS_MAX, so that several Connect
# workers (docker compose up --scale connect=2) share the tasks.
# POSIX sh and busybox tools: it runs in the curl image.
#
# Secure variant (docker-compose.secure.yml): CURL_CONFIG names a curl config file holding the REST
# login (user = "admin:..."), so no password is on a command line; CONNECTOR_SECRETS_FILE names the
# worker-side secrets file, and the config then holds only ${file:<that file>:<key>} placeholders
# (QuestDB's ILP login, the converter's registry login), which the worker's FileConfigProvider
# resolves: GET /connectors/<name>/config shows the placeholders, never the secrets.
set -eu

src=${CONNECTOR_CONFIG:-/config/questdb-sink.json}
connect=${CONNECT_URL:-http://connect:8083}
name=${CONNECTOR_NAME:-questdb-sink}
registry=${SCHEMA_REGISTRY_URL:-http://schema-registry:8081}
questdb=${QUESTDB_ADDR:-questdb:9000}
tasks=${TASKS_MAX:-3}
config=/tmp/$name.json
secrets=${CONNECTOR_SECRETS_FILE:-}
auth=
if [ -n "${CURL_CONFIG:-}" ]; then
  auth="-K $CURL_CONFIG"
fi

say() { echo "connector-setup: $*"; }

sed -e "s#\"value.converter.schema.registry.url\": *\"[^\"]*\"#\"value.converter.schema.registry.url\": \"$registry\"#" \
  -e "s#http::addr=[^;\"]*#http::addr=$questdb#" \
  -e "s#\"tasks.max\": *\"[^\"]*\"#\"tasks.max\": \"$tasks\"#" \
  "$src" >"$config"
if [ -n "$secrets" ]; then
  questdb_ref="\${file:$secrets:questdb.client.conf}"
  registry_ref="\${file:$secrets:registry.user.info}"
  sed -i -e "s#\"client.conf.string\": *\"[^\"]*\"#\"client.conf.string\": \"$questdb_ref\"#" \
    -e "s#\"value.converter.schema.registry.url\": *\"[^\"]*\"#&, \"value.converter.basic.auth.credentials.source\": \"USER_INFO\", \"value.converter.basic.auth.user.info\": \"$registry_ref\"#" \
    "$config"
fi
# A changed source file must not slip through with the local run's addresses.
if [ -n "$secrets" ]; then
  wants="\"client.conf.string\": \"$questdb_ref\"|\"value.converter.basic.auth.user.info\": \"$registry_ref\""
else
  wants="http::addr=$questdb"
fi
wants="$wants|\"value.converter.schema.registry.url\": \"$registry\"|\"tasks.max\": \"$tasks\""
old_ifs=$IFS
IFS='|'
for want in $wants; do
  if ! grep -qF "$want" "$config"; then
    say "could not set $want in $src; fix this script or the config"
    exit 1
  fi
done
IFS=$old_ifs
if grep -qE '127\.0\.0\.1|localhost' "$config"; then
  say "$src still names a loopback address after the rewrite:"
  grep -nE '127\.0\.0\.1|localhost' "$config"
  exit 1
fi

# 409: the workers are rebalancing; 5xx or no answer: the leader is not ready yet. Both pass.
tries=0
while :; do
  # shellcheck disable=SC2086 # $auth is empty or -K FILE
  code=$(curl $auth -sS -o /tmp/answer -w '%{http_code}' -X PUT -H 'Content-Type: application/json' \
    --data-binary "@$config" "$connect/connectors/$name/config") || code=000
  case $code in
    200 | 201) break ;;
    409 | 5?? | 000) ;;
    *)
      say "Connect refused the config of $name (HTTP $code): $(cat /tmp/answer 2>/dev/null)"
      exit 1
      ;;
  esac
  tries=$((tries + 1))
  if [ "$tries" -ge 90 ]; then
    say "Connect at $connect did not take the config in 180 s (HTTP $code): $(cat /tmp/answer 2>/dev/null)"
    exit 1
  fi
  sleep 2
done
say "submitted $name (HTTP $code, tasks.max=$tasks); waiting for it to run"

tries=0
while :; do
  # shellcheck disable=SC2086
  status=$(curl $auth -sS "$connect/connectors/$name/status" 2>/dev/null) || status=
  running=$(printf '%s' "$status" | grep -o '"state":"RUNNING"' | wc -l | tr -d ' ')
  case $status in
    *'"state":"FAILED"'*)
      say "$name failed: $status"
      exit 1
      ;;
  esac
  # The connector's own state plus one per task.
  if [ "$running" -ge $((tasks + 1)) ]; then
    say "$name and its $tasks tasks are RUNNING: $status"
    exit 0
  fi
  tries=$((tries + 1))
  if [ "$tries" -ge 60 ]; then
    say "$name is not running after 120 s: $status"
    exit 1
  fi
  sleep 2
done
