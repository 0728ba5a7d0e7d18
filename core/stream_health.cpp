#include "core/stream_health.hpp"

#include "core/event_history.hpp"

namespace tdmaker {

bool record_tick(stream_counter& c, std::int64_t now_ms, std::int64_t sample_every_ms) {
  if (c.last_tick_ms >= 0 && now_ms - c.last_tick_ms >= stream_gap_ms)
    ++c.gaps;
  ++c.ticks;
  c.last_tick_ms = now_ms;
  return sample_due(c.last_sample_ms, now_ms, sample_every_ms);
}

std::int64_t last_tick_age_ms(const stream_counter& c, std::int64_t now_ms) {
  if (c.last_tick_ms < 0)
    return -1;
  return now_ms > c.last_tick_ms ? now_ms - c.last_tick_ms : 0;
}

} // namespace tdmaker
