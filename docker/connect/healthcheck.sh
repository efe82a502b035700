#!/bin/bash
# Healthy when the worker's REST API answers GET /health (KIP-1017) with 200: the worker has
# started, joined its group and its herder is running. The image has no curl: bash's /dev/tcp
# sends the one request. With REST Basic auth on (docker-compose.secure.yml), the header comes from
# $CONNECT_REST_AUTHORIZATION_FILE ("Basic ..."), so the check sends credentials as any client must.
auth=
if [ -n "${CONNECT_REST_AUTHORIZATION_FILE:-}" ]; then
  auth="Authorization: $(cat "$CONNECT_REST_AUTHORIZATION_FILE")"$'\r\n'
fi
exec 3<>/dev/tcp/127.0.0.1/8083 || exit 1
printf 'GET /health HTTP/1.0\r\nHost: localhost\r\n%sConnection: close\r\n\r\n' "$auth" >&3
status=$(head -n 1 <&3)
if [[ $status != *" 200 "* ]]; then
  echo "GET /health: ${status:-no answer}"
  exit 1
fi
echo "$status"
