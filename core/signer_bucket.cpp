#include "core/signer_bucket.hpp"

#include <algorithm>

namespace tdmaker {

signer_bucket::signer_bucket(signer_bucket_limits l, std::int64_t now_ms)
    : limits_(l), milli_(l.burst * 1000), last_ms_(now_ms) {}

void signer_bucket::refill(std::int64_t now_ms) {
  if (now_ms <= last_ms_)
    return;
  milli_ = std::min(limits_.burst * 1000, milli_ + (now_ms - last_ms_) * limits_.rate_per_s);
  last_ms_ = now_ms;
}

std::int64_t signer_bucket::wait_for(std::int64_t now_ms, std::int64_t cost) {
  if (cost > limits_.burst)
    return -1;
  refill(now_ms);
  const auto missing = cost * 1000 - milli_;
  if (missing <= 0)
    return 0;
  if (limits_.rate_per_s <= 0)
    return -1;
  return (missing + limits_.rate_per_s - 1) / limits_.rate_per_s;
}

std::int64_t signer_bucket::try_take(std::int64_t now_ms, std::int64_t cost) {
  auto wait = wait_for(now_ms, cost);
  if (wait == 0)
    milli_ -= cost * 1000;
  return wait;
}

void signer_bucket::charge(std::int64_t now_ms, std::int64_t cost) {
  refill(now_ms);
  milli_ -= cost * 1000;
  if (!limits_.allow_negative)
    milli_ = std::max<std::int64_t>(0, milli_);
}

std::int64_t signer_bucket::tokens(std::int64_t now_ms) {
  refill(now_ms);
  // Floor toward minus infinity: a deficit of 0.4 is not a whole token held.
  return milli_ >= 0 ? milli_ / 1000 : -((-milli_ + 999) / 1000);
}

void signer_bucket::cap_at(std::int64_t now_ms, std::int64_t tokens) {
  refill(now_ms);
  milli_ = std::min(milli_, tokens * 1000);
}

} // namespace tdmaker
