#!/usr/bin/env bash
# ctest entry: start a fresh tdmaker-venue on free loopback ports, run a node
# script against it with the official client, stop the venue.
# Usage: run_with_venue.sh VENUE_BIN SCRIPT.mjs [extra venue flags...]
# The script gets: CLOB_URL GAMMA_URL WS_URL RTDS_URL ADMIN_URL.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venue="$1"
script="$2"
shift 2
if [ ! -d "$here/node_modules/@polymarket/clob-client-v2" ]; then
  echo "node_modules missing; run: (cd tests/conformance && npm ci)" >&2
  exit 1
fi
work="$(mktemp -d)"
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
export TDMAKER_VENUE_ADMIN_TOKEN="test-admin-$$"
"$venue" --seed 7 --clob-port 0 --gamma-port 0 --admin-port 0 --ws-port 0 --rtds-port 0 \
  --ports-file "$work/ports.json" "$@" > "$work/venue.log" 2>&1 &
pid=$!
# The ports file appears (renamed into place, whole) once every port is bound.
# Bounded; a venue that exits first is reported at once.
for _ in $(seq 400); do
  [ -s "$work/ports.json" ] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.05
done
[ -s "$work/ports.json" ] || { cat "$work/venue.log"; echo "venue did not start" >&2; exit 1; }
port() { sed -E "s/.*\"$1\":([0-9]+).*/\\1/" "$work/ports.json"; }
status=0
node "$here/$script" "http://127.0.0.1:$(port clob)" "http://127.0.0.1:$(port gamma)" \
  "ws://127.0.0.1:$(port ws)" "ws://127.0.0.1:$(port rtds)" "http://127.0.0.1:$(port admin)" || status=$?
if [ $status -ne 0 ]; then echo "--- venue log"; tail -n 40 "$work/venue.log"; fi
exit $status
