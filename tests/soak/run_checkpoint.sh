#!/usr/bin/env bash
# Seed 004's checkpoint (issue 18), apart from CI for long runs: the real node in
# paper mode against a fresh tdmaker-venue (4 assets, 60 s slots) for MINUTES, read
# every 2 s; prints a pass/fail report (100 % uptime, every stream connected or
# back within its reconnect budget, ticks and candles on every stream, candles
# persisted == completed at shutdown). CI runs it for 2 minutes (ctest -R checkpoint).
# Usage: bash tests/soak/run_checkpoint.sh [MINUTES=10] [RECONNECT_BUDGET_S=60]
# Needs the Release build (bash deploy/setup.sh build) and `npm ci` in tests/conformance.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bin="$root/build/release/bin"
[ -x "$bin/tdmaker" ] && [ -x "$bin/tdmaker-venue" ] || { echo "build first: bash deploy/setup.sh build" >&2; exit 1; }
CHECKPOINT_MINUTES="${1:-10}" CHECKPOINT_RECONNECT_S="${2:-60}" CHECKPOINT_SLOT_SECONDS=60 TDMAKER_BIN="$bin/tdmaker" \
  exec bash "$root/tests/conformance/run_with_venue.sh" "$bin/tdmaker-venue" node_checkpoint.mjs --slot-seconds 60
