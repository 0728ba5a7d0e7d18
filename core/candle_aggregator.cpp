#include "core/candle_aggregator.hpp"

#include <algorithm>

namespace tdmaker {

bool candle_aggregator::add(std::int64_t ts_ms, std::int64_t value, std::int64_t volume, std::vector<candle>& out) {
  const auto minute = candle_minute(ts_ms);
  if (has_open_ && minute == open_.start_ms) {
    open_.high = std::max(open_.high, value);
    open_.low = std::min(open_.low, value);
    open_.volume += volume;
    ++open_.ticks;
    if (ts_ms >= newest_ts_) {
      open_.close = value;
      newest_ts_ = ts_ms;
    }
    ++counters_.ticks;
    return true;
  }
  const bool late = has_open_ ? minute < open_.start_ms : has_done_ && minute <= last_done_.start_ms;
  if (late) {
    ++counters_.late_ticks;
    return false;
  }
  if (has_open_)
    complete(out);
  if (has_done_)
    bridge_gap(minute, out);
  start(minute, ts_ms, value, volume);
  ++counters_.ticks;
  return true;
}

void candle_aggregator::bridge_gap(std::int64_t next_start, std::vector<candle>& out) {
  const auto missing = (next_start - last_done_.start_ms) / candle_minute_ms - 1;
  if (missing <= 0)
    return;
  if (missing > 2) {
    ++counters_.gaps_left;
    return;
  }
  ++counters_.gaps_filled;
  const auto px = last_done_.close;
  for (std::int64_t i = 1; i <= missing; ++i) {
    candle flat{last_done_.start_ms + candle_minute_ms, px, px, px, px, 0, 0, candle_filled};
    out.push_back(flat);
    last_done_ = flat;
    ++counters_.candles_completed;
  }
}

void candle_aggregator::start(std::int64_t minute, std::int64_t ts_ms, std::int64_t value, std::int64_t volume) {
  open_ = candle{minute, value, value, value, value, volume, 1, 0};
  newest_ts_ = ts_ms;
  has_open_ = true;
}

void candle_aggregator::complete(std::vector<candle>& out) {
  out.push_back(open_);
  last_done_ = open_;
  has_done_ = true;
  has_open_ = false;
  ++counters_.candles_completed;
}

void candle_aggregator::complete_until(std::int64_t now_ms, std::int64_t grace_ms, std::vector<candle>& out) {
  if (has_open_ && now_ms >= open_.start_ms + candle_minute_ms + grace_ms)
    complete(out);
}

void candle_aggregator::force_complete(std::vector<candle>& out) {
  if (has_open_)
    complete(out);
}

} // namespace tdmaker
