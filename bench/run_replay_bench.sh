#!/usr/bin/env bash
# Replay speed and the recorder's cost on the feed -> market path (issue 18), in one
# run; a benchmark, never in CI.
#   bash bench/run_replay_bench.sh [MINUTES=10]
# 1. records a paper session of MINUTES against a fresh tdmaker-venue (4 assets, 60 s
#    slots) and replays it at full speed: recorded seconds / replay seconds;
# 2. tdmaker-link-bench --record both: the feed -> market latency, recorder off and on.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$root/build/release/bin"
REPLAY_BENCH_MINUTES="${1:-10}" REPLAY_BENCH_SLOT_SECONDS=60 TDMAKER_BIN="$bin/tdmaker" \
  bash "$root/tests/conformance/run_with_venue.sh" "$bin/tdmaker-venue" replay_bench.mjs --slot-seconds 60
"$bin/tdmaker-link-bench" --latency-markets 4 --rate 5000 --seconds 5 --record both
