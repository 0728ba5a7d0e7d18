#pragma once
// Seed 004's CandleAggregator for one stream: ticks in, completed one-minute
// candles out. Pure: every time is passed in (a tick's own source time, or the
// caller's clock for `complete_until`), so a replay builds the same candles.
//
// Rules (docs/candles.md):
// - A tick belongs to the minute [m, m + 60 s) that holds its time: :00.000 opens the
//   new minute, :59.999 is still the old one.
// - A tick for a later minute completes the open candle.
// - Between two candles, a gap of 1 or 2 whole minutes without a tick is filled with
//   flat candles (o = h = l = c = previous close, no tick, `candle_filled`); a gap of
//   3 minutes or more is left open (no candle; the next one starts fresh) and counted.
// - A late tick (for a minute already completed) is refused and counted: a closed
//   candle is never rewritten.
// - A tick out of order inside the open minute updates high, low, volume and the tick
//   count, never the open; the close only when its time is the newest seen (ties: the
//   later arrival).
// - `force_complete` (shutdown) completes the open candle.
#include <cstdint>
#include <vector>

#include "core/candle.hpp"

namespace tdmaker {

struct candle_counters {
  std::uint64_t ticks = 0;             // accepted into a candle
  std::uint64_t candles_completed = 0; // filled ones included
  std::uint64_t gaps_filled = 0;       // gaps of 1-2 minutes (each gap once)
  std::uint64_t gaps_left = 0;         // gaps of 3 minutes or more
  std::uint64_t late_ticks = 0;        // refused: their minute was completed
};

class candle_aggregator {
public:
  /// Adds one tick; appends every candle it completes to `out`, oldest first.
  /// Returns false when the tick was refused (late).
  bool add(std::int64_t ts_ms, std::int64_t value, std::int64_t volume, std::vector<candle>& out);
  /// Completes the open candle once `now_ms` is `grace_ms` past its minute's end (a
  /// stream gone quiet still gets its candle). Gaps are filled by the next tick.
  void complete_until(std::int64_t now_ms, std::int64_t grace_ms, std::vector<candle>& out);
  /// Completes the open candle, if any (shutdown).
  void force_complete(std::vector<candle>& out);

  const candle_counters& counters() const { return counters_; }
  bool has_open() const { return has_open_; }
  const candle& open_candle() const { return open_; }

private:
  void complete(std::vector<candle>& out);
  void bridge_gap(std::int64_t next_start, std::vector<candle>& out);
  void start(std::int64_t minute, std::int64_t ts_ms, std::int64_t value, std::int64_t volume);

  candle open_;
  bool has_open_ = false;
  std::int64_t newest_ts_ = 0;  // of the open candle's ticks
  bool has_done_ = false;       // a candle was completed
  candle last_done_;            // the last completed candle
  candle_counters counters_;
};

} // namespace tdmaker
