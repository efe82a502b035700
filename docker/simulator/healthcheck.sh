#!/bin/bash
# Healthy while the simulator makes progress and reaches Kafka: its latest progress line (kept by
# run.sh, one a second) is at most 15 s old and does not say "(Kafka unreachable)", which it does
# while records go to the on-disk spool. Prints that line, so docker inspect shows it.
progress=${BIOMETER_SIM_PROGRESS_FILE:-/tmp/biometer-sim.progress}
if [ ! -f "$progress" ]; then
  echo "no progress line yet"
  exit 1
fi
age=$(($(date +%s) - $(stat -c %Y "$progress")))
line=$(cat "$progress")
if [ "$age" -gt 15 ]; then
  echo "no progress line for ${age} s; last: $line"
  exit 1
fi
if [[ $line == *"Kafka unreachable"* ]]; then
  echo "spooling to disk, Kafka unreachable: $line"
  exit 1
fi
echo "$line"
