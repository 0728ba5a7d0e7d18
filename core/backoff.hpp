#pragma once
// Reconnect and retry delays: exponential from `min` to `max`, with jitter so a
// fleet of clients that lost the venue together does not return together.
// Pure: the random draw in [0, 1) is passed in.
#include <chrono>
#include <cstdint>

namespace tdmaker {

struct backoff_policy {
  std::chrono::milliseconds min{1000};
  std::chrono::milliseconds max{60000};
};

/// Delay before attempt `attempt` (0 = first retry): min * 2^attempt capped at
/// max, then scaled into [d/2, d) by `unit_random` ("equal jitter").
std::chrono::milliseconds backoff_delay(const backoff_policy& p, std::uint32_t attempt,
                                        double unit_random);

} // namespace tdmaker
