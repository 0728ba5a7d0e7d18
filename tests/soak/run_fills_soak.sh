#!/usr/bin/env bash
# The fills-and-settlement soak (issue 7), apart from CI: the real node against a
# fresh tdmaker-venue with every fault kind on, over SLOTS slot periods of 20 s of
# four assets, with RESTARTS SIGKILLs at random moments; at the end the node's
# fills, settlements and PnL must equal the venue's ground truth exactly.
# Usage: bash tests/soak/run_fills_soak.sh [SLOTS=24] [RESTARTS=12] [SEED=7] [MODE=live|paper]
# Needs the Release build (bash deploy/setup.sh build) and tests/conformance/node_modules.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
slots="${1:-24}"
restarts="${2:-12}"
seed="${3:-7}"
mode="${4:-live}"
bin="$root/build/release/bin"
[ -x "$bin/tdmaker" ] && [ -x "$bin/tdmaker-venue" ] || { echo "build first: bash deploy/setup.sh build" >&2; exit 1; }
echo "soak: $slots slots of 20 s x 4 assets, $restarts SIGKILL restarts, seed $seed, $mode"
start=$(date +%s)
FILLS_MODE="$mode" FILLS_SLOTS="$slots" FILLS_RESTARTS="$restarts" FILLS_SLOT_SECONDS=20 FILLS_SEED="$seed" \
TDMAKER_BIN="$bin/tdmaker" \
  bash "$root/tests/conformance/run_with_venue.sh" "$bin/tdmaker-venue" node_fills_check.mjs \
  --slot-seconds 20 --sim-taker-rate 1 --resolution-delay 3
echo "soak: passed in $(( $(date +%s) - start )) s"
