#!/usr/bin/env bash
# The feed-memory soak (issue 14, defect 1), apart from CI: the real node in paper
# mode streams MARKETS live markets from a fresh tdmaker-venue (MARKETS/2 assets,
# each with its current and next slot; day-long slots so the count stays flat),
# and its resident memory (VmRSS) is sampled every SOAK_INTERVAL_S seconds. It
# passes when, after WARMUP minutes, RSS never rises more than BOUND_MB above the
# first sample after the warm-up. Before the fix the node grew ~3.5 MB a minute.
# Usage: bash tests/soak/run_rss_soak.sh [MINUTES=30] [MARKETS=64] [WARMUP=5] [BOUND_MB=8]
# Needs the Release build (bash deploy/setup.sh build) and curl. Mostly waits: little CPU.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
minutes="${1:-30}"
markets="${2:-64}"
warmup="${3:-5}"
bound_mb="${4:-8}"
interval="${SOAK_INTERVAL_S:-30}"
bin="${SOAK_BIN:-$root/build/release/bin}"
[ -x "$bin/tdmaker" ] && [ -x "$bin/tdmaker-venue" ] || { echo "build first: bash deploy/setup.sh build" >&2; exit 1; }
(( minutes > warmup )) || { echo "MINUTES ($minutes) must exceed WARMUP ($warmup)" >&2; exit 2; }
(( markets >= 2 && markets % 2 == 0 )) || { echo "MARKETS must be even and >= 2 (two slots per asset)" >&2; exit 2; }

work="$(mktemp -d)"
venue_pid=""
node_pid=""
cleanup() {
  for p in "$node_pid" "$venue_pid"; do
    if [ -n "$p" ]; then kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; fi
  done
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "soak: FAILED: $*" >&2
  echo "--- node log (last 20 lines)" >&2; tail -n 20 "$work/node.log" >&2 || true
  echo "--- venue log (last 10 lines)" >&2; tail -n 10 "$work/venue.log" >&2 || true
  exit 1
}

# MARKETS/2 asset names of 2-8 lower-case letters (both the node and the venue accept them).
assets=()
for a in {a..z}{a..z}; do
  [ ${#assets[@]} -ge $((markets / 2)) ] && break
  assets+=("s$a")
done
assets_json="$(printf '"%s",' "${assets[@]}")"
assets_json="[${assets_json%,}]"
slot_s=86400 # one slot boundary a day: the market count does not move during the run

printf '{"assets":%s}\n' "$assets_json" > "$work/venue.json"
"$bin/tdmaker-venue" --config "$work/venue.json" --seed 7 --slot-seconds "$slot_s" --lead-slots 1 \
  --clob-port 0 --gamma-port 0 --admin-port 0 --ws-port 0 --rtds-port 0 \
  --ports-file "$work/ports.json" > "$work/venue.log" 2>&1 &
venue_pid=$!
for _ in $(seq 400); do
  [ -s "$work/ports.json" ] && break
  kill -0 "$venue_pid" 2>/dev/null || break
  sleep 0.05
done
[ -s "$work/ports.json" ] || fail "venue did not start"
port() { sed -E "s/.*\"$1\":([0-9]+).*/\\1/" "$work/ports.json"; }

# Paper mode, no key: market data only. Bids at 0.99 are never joined, so the run
# measures the market-data path; trading state has the fills soak.
cat > "$work/node.json" <<EOF
{
  "node": { "data_dir": "$work/data", "log_dir": "$work/logs", "mode": "paper" },
  "http": { "listen": "127.0.0.1:0" },
  "markets": { "max_live": $((markets + 16)) },
  "venue": { "clob_url": "http://127.0.0.1:$(port clob)", "gamma_url": "http://127.0.0.1:$(port gamma)",
             "market_ws_url": "ws://127.0.0.1:$(port ws)/ws/market", "user_ws_url": "ws://127.0.0.1:$(port ws)/ws/user",
             "rtds_url": "ws://127.0.0.1:$(port rtds)" },
  "discovery": { "assets": $assets_json, "slot_seconds": $slot_s, "lookahead_slots": 1, "interval_ms": 5000 },
  "entry": { "target_bid": "0.99", "max_bid": "0.99" }
}
EOF
"$bin/tdmaker" --config "$work/node.json" > "$work/node.log" 2>&1 &
node_pid=$!
http_port=""
for _ in $(seq 200); do
  http_port="$(sed -nE 's/.*listening on 127\.0\.0\.1:([0-9]+).*/\1/p' "$work/node.log" | head -n 1)"
  [ -n "$http_port" ] && break
  kill -0 "$node_pid" 2>/dev/null || fail "node exited at start"
  sleep 0.1
done
[ -n "$http_port" ] || fail "node HTTP did not come up"

metric() { # metric NAME [LABEL_MATCH]: the value of the first matching sample
  curl -fsS "http://127.0.0.1:$http_port/metrics" | awk -v n="$1" -v l="${2:-}" \
    '!done && ($1 == n || index($1, n "{") == 1) && index($1, l) { print $2; done = 1 }'
}
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$node_pid/status"; }

for _ in $(seq 120); do
  [ "$(metric tdmaker_markets_live)" = "$markets" ] && break
  kill -0 "$node_pid" 2>/dev/null || fail "node exited"
  sleep 0.5
done
[ "$(metric tdmaker_markets_live)" = "$markets" ] || fail "markets_live is $(metric tdmaker_markets_live), not $markets"

echo "soak: $markets markets ($((markets / 2)) assets x 2 slots), $minutes min, warm-up $warmup min, bound $bound_mb MB, sample every $interval s"
printf '%8s %10s %8s %14s %12s\n' "t_s" "rss_kb" "markets" "market_frames" "rtds_frames"
start=$(date +%s)
baseline=""
peak_after=0
last=0
while :; do
  kill -0 "$node_pid" 2>/dev/null || fail "node exited during the run"
  t=$(( $(date +%s) - start ))
  rss="$(rss_kb)"
  live="$(metric tdmaker_markets_live)"
  frames="$(metric tdmaker_feed_messages_total 'channel="market"')"
  rtds="$(metric tdmaker_feed_messages_total 'channel="rtds"')"
  printf '%8d %10d %8s %14s %12s\n' "$t" "$rss" "$live" "$frames" "$rtds"
  [ "$live" = "$markets" ] || fail "markets_live moved to $live"
  if (( t >= warmup * 60 )); then
    [ -n "$baseline" ] || { baseline=$rss; first_frames=$frames; }
    (( rss > peak_after )) && peak_after=$rss
  fi
  last=$rss
  (( t >= minutes * 60 )) && break
  sleep "$interval"
done

frames_after=$(( ${frames%.*} - ${first_frames%.*} ))
growth_kb=$(( peak_after - baseline ))
echo "soak: after warm-up: baseline ${baseline} kB, peak ${peak_after} kB, last ${last} kB, growth ${growth_kb} kB" \
     "over $frames_after market frames (bound $((bound_mb * 1024)) kB)"
(( frames_after > 0 )) || fail "no market frames after the warm-up: nothing was measured"
(( growth_kb <= bound_mb * 1024 )) || fail "RSS grew ${growth_kb} kB after the warm-up"
echo "soak: passed"
