#include "core/backoff.hpp"

#include <algorithm>

namespace tdmaker {

std::chrono::milliseconds backoff_delay(const backoff_policy& p, std::uint32_t attempt,
                                        double unit_random) {
  std::int64_t d = std::max<std::int64_t>(p.min.count(), 1);
  const std::int64_t cap = std::max<std::int64_t>(p.max.count(), d);
  for (std::uint32_t i = 0; i < attempt && d < cap; ++i)
    d *= 2;
  d = std::min(d, cap);
  const double r = std::clamp(unit_random, 0.0, 0.999999);
  // A delay is a duration, not an amount: the double here never touches money.
  const auto half = d / 2;
  return std::chrono::milliseconds(half + static_cast<std::int64_t>(static_cast<double>(d - half) * r));
}

} // namespace tdmaker
