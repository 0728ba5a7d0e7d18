#!/usr/bin/env bash
# Starts a fresh tdmaker-venue on loopback, measures the matching engine
# in-process, then sustained POST /order + DELETE /order over HTTP.
# Usage: bash bench/run_venue_bench.sh [seconds] [connections]   (after a build)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$root/build/release/bin"
seconds="${1:-10}"
conns="${2:-4}"
work="$(mktemp -d)"
"$bin/tdmaker-venue" --seed 3 --clob-port 0 --gamma-port 0 --ws-port 0 --rtds-port 0 --admin-port 0 \
  --ports-file "$work/ports.json" > "$work/venue.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do [ -s "$work/ports.json" ] && break; sleep 0.05; done
port() { sed -E "s/.*\"$1\":([0-9]+).*/\\1/" "$work/ports.json"; }
token=$(curl -s "http://127.0.0.1:$(port gamma)/events?series_slug=btc-up-or-down-15m&closed=false&limit=1" \
  | sed -E 's/.*clobTokenIds":"\[\\"([0-9]+)\\".*/\1/')
"$bin/tdmaker-venue-bench" --matching-only --orders 20000
"$bin/tdmaker-venue-bench" --clob "127.0.0.1:$(port clob)" --token "$token" --seconds "$seconds" --connections "$conns"
