#pragma once
// The candles actor (issue 18): owns one core/candle_aggregator per stream, fed by
// the feed's tap (candle_samples), and writes the completed candles to LMDB
// `candles` in batches. docs/candles.md.
#include <chrono>
#include <cstdint>
#include <functional>

#include "actors/interfaces.hpp"

namespace tdmaker {

struct candles_options {
  std::chrono::milliseconds tick_every{1'000}; // quiet streams, the write batch, the stats
  std::int64_t grace_ms = 5'000;  // a quiet stream's candle completes this long after its minute
  std::size_t max_batch = 512;    // candles per write
  std::size_t max_pending = 100'000; // completed, not yet written: past it the oldest are dropped
  std::chrono::milliseconds flush_every{250};
  std::chrono::milliseconds health_log_every{60'000}; // the per-stream health lines (seed 004)
  std::function<std::int64_t()> clock; // wall ms for quiet streams; tests and a replay inject theirs
  events_actor events; // each completed candle, as a candle_completed event (may be null)
};

candles_actor spawn_candles(caf::actor_system& sys, store_actor store, telemetry_actor telemetry,
                            candles_options opts);

} // namespace tdmaker
