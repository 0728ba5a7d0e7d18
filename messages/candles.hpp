#pragma once
// Messages of the candles actor (issue 18): the feed's tap, the completed-candle
// event, the statistics for /metrics and the bounded range read of the store.
#include <cstdint>
#include <string>
#include <vector>

#include "core/candle.hpp"
#include "core/candle_tap.hpp" // candle_sample, candle_samples
#include "messages/messages.hpp"

namespace tdmaker {

/// A candle was completed (for the event history; the lead wires who hears it).
struct candle_completed {
  std::string stream;
  candle c;
};
template <class Inspector>
auto inspect(Inspector& f, candle_completed& x) { return f(x.stream, x.c); }

/// Candles completed of one reference stream (its symbol), for the per-stream health.
struct stream_candles {
  std::string stream;
  std::uint64_t completed = 0;
};
template <class Inspector>
auto inspect(Inspector& f, stream_candles& x) { return f(x.stream, x.completed); }

/// The candles actor's counters (tdmaker_candles_*, tdmaker_candle_*).
struct candle_stats {
  std::uint64_t ticks = 0;
  std::uint64_t completed_ref = 0;
  std::uint64_t completed_mid = 0;
  std::uint64_t completed_last = 0;
  std::uint64_t persisted = 0; // completed candles whose write was acknowledged
  std::uint64_t gaps_filled = 0;
  std::uint64_t gaps_left = 0;
  std::uint64_t late_ticks = 0;
  std::uint64_t streams = 0;
  // Reference streams only: a token's streams come and go with its market (a label
  // per token would grow without end); their candles are in completed_mid/last.
  std::vector<stream_candles> by_reference;
};
template <class Inspector>
auto inspect(Inspector& f, candle_stats& x) {
  return f(x.ticks, x.completed_ref, x.completed_mid, x.completed_last, x.persisted, x.gaps_filled, x.gaps_left,
           x.late_ticks, x.streams, x.by_reference);
}

/// Keys in [from_key, to_key) of one database, in key order, at most `limit` rows.
struct store_range {
  record_db db = record_db::meta;
  std::string from_key;
  std::string to_key;
  std::uint32_t limit = 0;
};
template <class Inspector>
auto inspect(Inspector& f, store_range& x) { return f(x.db, x.from_key, x.to_key, x.limit); }

} // namespace tdmaker
