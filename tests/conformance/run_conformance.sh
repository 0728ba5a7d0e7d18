#!/usr/bin/env bash
# ctest entry: start a fresh tdmaker-venue on free loopback ports, drive it with
# Polymarket's official client, stop it. Usage: run_conformance.sh VENUE_BIN
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venue="$1"
if [ ! -d "$here/node_modules/@polymarket/clob-client-v2" ]; then
  echo "conformance: node_modules missing; run: (cd tests/conformance && npm ci)" >&2
  exit 1
fi
work="$(mktemp -d)"
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
"$venue" --seed 7 --slot-seconds 60 --clob-port 0 --gamma-port 0 --admin-port 0 \
  --ports-file "$work/ports.json" > "$work/venue.log" 2>&1 &
pid=$!
for _ in $(seq 100); do [ -s "$work/ports.json" ] && break; sleep 0.05; done
[ -s "$work/ports.json" ] || { cat "$work/venue.log"; echo "conformance: venue did not start" >&2; exit 1; }
clob=$(sed -E 's/.*"clob":([0-9]+).*/\1/' "$work/ports.json")
gamma=$(sed -E 's/.*"gamma":([0-9]+).*/\1/' "$work/ports.json")
node "$here/clob_conformance.mjs" "http://127.0.0.1:$clob" "http://127.0.0.1:$gamma"
