#pragma once
// The Chainlink reference price at a slot's start: the price the slot resolves
// against (Up wins iff the end price >= it). RTDS sends a backfill and then
// live ticks, each stamped with the oracle's time; the start reference is the
// tick stamped exactly at the start second, else the last one before it (if
// recent enough), else the first one after it.
#include <cstdint>

#include "core/market_data.hpp"

namespace tdmaker {

struct start_reference {
  std::int64_t start_ms = 0;
  std::int64_t max_gap_ms = 5'000; // a candidate older than this before the start does not count
  ref_price candidate;             // last tick at or before the start
  std::int64_t candidate_ts_ms = 0;
  ref_price captured;              // final once set
  std::int64_t captured_ts_ms = 0;
  bool done() const { return captured.e8 > 0; }
};

/// Feeds one tick (in any order); returns true when this tick completed the
/// capture. Ticks after completion change nothing.
bool observe_reference(start_reference& s, const reference_tick& t);

} // namespace tdmaker
