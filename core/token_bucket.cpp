#include "core/token_bucket.hpp"

#include <algorithm>

namespace tdmaker {

token_bucket::token_bucket(bucket_limits l, std::int64_t now_ms) : limits_(l), last_ms_(now_ms) {
  limits_.period_ms = std::max<std::int64_t>(1, limits_.period_ms);
  scaled_ = limits_.burst * unit();
}

void token_bucket::refill(std::int64_t now_ms) {
  if (now_ms <= last_ms_)
    return;
  scaled_ = std::min(limits_.burst * unit(), scaled_ + (now_ms - last_ms_) * limits_.rate);
  last_ms_ = now_ms;
}

std::int64_t token_bucket::wait_for(std::int64_t now_ms, std::int64_t cost) {
  if (cost > limits_.burst)
    return -1;
  refill(now_ms);
  const auto missing = cost * unit() - scaled_;
  if (missing <= 0)
    return 0;
  if (limits_.rate <= 0)
    return -1;
  return (missing + limits_.rate - 1) / limits_.rate;
}

std::int64_t token_bucket::try_take(std::int64_t now_ms, std::int64_t cost) {
  auto wait = wait_for(now_ms, cost);
  if (wait == 0)
    scaled_ -= cost * unit();
  return wait;
}

void token_bucket::charge(std::int64_t now_ms, std::int64_t cost) {
  refill(now_ms);
  scaled_ -= cost * unit();
  if (!limits_.allow_negative)
    scaled_ = std::max<std::int64_t>(0, scaled_);
}

std::int64_t token_bucket::tokens(std::int64_t now_ms) {
  refill(now_ms);
  // Floor toward minus infinity: a deficit of 0.4 is not a whole token held.
  const auto u = unit();
  return scaled_ >= 0 ? scaled_ / u : -((-scaled_ + u - 1) / u);
}

void token_bucket::cap_at(std::int64_t now_ms, std::int64_t tokens) {
  refill(now_ms);
  scaled_ = std::min(scaled_, tokens * unit());
}

} // namespace tdmaker
