#pragma once
// Per-stream statistics (seed 004 health monitor, issue 18 item 6): ticks, gaps
// and the last tick of one stream (a reference symbol), with the sampling of
// that stream's ticks into the event history. Pure: times are passed in (the
// receive time of the frame), so a replay counts what the live node counted.
#include <cstdint>

namespace tdmaker {

/// A silence this long between two ticks of one stream counts as a gap.
inline constexpr std::int64_t stream_gap_ms = 10'000;

struct stream_counter {
  std::uint64_t ticks = 0;
  std::uint64_t gaps = 0;
  std::int64_t last_tick_ms = -1;   // receive time of the last tick (-1: none yet)
  std::int64_t last_sample_ms = -1; // receive time of the last tick sampled as an event
};

/// Counts one tick received at `now_ms`. True when it is also to be sampled as a
/// tick_sampled event (at most one per `sample_every_ms`).
bool record_tick(stream_counter& c, std::int64_t now_ms, std::int64_t sample_every_ms);

/// Milliseconds since the stream's last tick at `now_ms`; -1 before the first.
std::int64_t last_tick_age_ms(const stream_counter& c, std::int64_t now_ms);

} // namespace tdmaker
