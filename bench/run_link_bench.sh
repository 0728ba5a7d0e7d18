#!/usr/bin/env bash
# The exchange link's numbers (issue 5), in one run:
#  - order build + sign + JSON: the node vs the official TypeScript client
#  - market-channel price_change parse + book apply, with and without the hash check
#  - feed-frame -> market-actor latency with 4 and 64 live markets, recorder off and on
#  - book update -> order intent latency (feed, market, bidding, back) with 4 and 64 markets
#  - book update -> 99c capture order on the wire (loopback CLOB), signed ahead vs on demand
# Usage: bash bench/run_link_bench.sh [orders]   (after a build and `npm ci` in tests/conformance)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$root/build/release/bin"
orders="${1:-5000}"
ours=$("$bin/tdmaker-link-bench" --sign "$orders")
theirs=$(node "$root/tests/conformance/sign_bench.mjs" "$orders")
echo "$ours"
echo "{\"bench\":\"sign_official_ts_client\",${theirs#\{}"
rate_ours=$(sed -E 's/.*"orders_per_s":([0-9.]+).*/\1/' <<<"$ours")
rate_theirs=$(sed -E 's/.*"orders_per_s":([0-9.]+).*/\1/' <<<"$theirs")
awk -v a="$rate_ours" -v b="$rate_theirs" 'BEGIN { printf "{\"bench\":\"sign_ratio\",\"node_over_ts\":%.1f}\n", a / b }'
"$bin/tdmaker-link-bench" --book 200000
"$bin/tdmaker-link-bench" --latency-markets 4 --rate 5000 --seconds 3 --record both
"$bin/tdmaker-link-bench" --latency-markets 64 --rate 5000 --seconds 3 --record both
"$bin/tdmaker-link-bench" --intent-markets 4 --rate 5000 --seconds 3
"$bin/tdmaker-link-bench" --intent-markets 64 --rate 5000 --seconds 3
"$bin/tdmaker-capture-bench" --n 20
