#!/bin/bash
# Healthy while the ingress gateway's /health answers 200, which it does once every front end
# listens (503 while it starts or stops). bash's /dev/tcp sends the one request, so the check
# needs no curl in the image.
port=${BIOMETER_INGRESS_HTTP_PORT:-8480}
exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
printf 'GET /health HTTP/1.0\r\nHost: localhost\r\nConnection: close\r\n\r\n' >&3
response=$(cat <&3)
status=${response%%$'\r'*}
body=${response##*$'\n'}
if [[ $status != *" 200 "* ]]; then
  echo "GET /health: ${status:-no answer} ${body}"
  exit 1
fi
echo "$status $body"
