#!/bin/bash
# Runs SimulatorApp with the container's arguments (run, then any options or key=value). Its
# settings come from the simulator's own variables, BIOMETER_SIMULATOR_<KEY> (e.g.
# BIOMETER_SIMULATOR_PATIENTS, set by docker-compose.yml), which it reads itself; nothing here
# maps variables to options.
# Its output goes to the container's log as usual; the latest progress line ("t=  12s sim=...")
# is also kept in $BIOMETER_SIM_PROGRESS_FILE for healthcheck.sh, since the simulator has no HTTP
# endpoint to ask. exec: the JVM becomes PID 1 and gets docker stop's SIGTERM, so its shutdown
# hook stops the run and drains the spool.
set -euo pipefail
progress=${BIOMETER_SIM_PROGRESS_FILE:-/tmp/biometer-sim.progress}
keep_progress() {
  local line
  while IFS= read -r line; do
    printf '%s\n' "$line"
    if [[ $line == t=* ]]; then
      printf '%s\n' "$line" >"$progress.tmp" && mv -f "$progress.tmp" "$progress"
    fi
  done
}
# shellcheck disable=SC2086 # JAVA_OPTS holds several options
exec java ${JAVA_OPTS:-} -cp '/opt/biometer/lib/*' io.biometer.simulator.SimulatorApp "$@" \
  > >(keep_progress)
