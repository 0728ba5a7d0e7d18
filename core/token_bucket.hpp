#pragma once
// The one token bucket: `rate` tokens per `period_ms` refilled continuously up to
// `burst`. It paces the node's own requests per endpoint class (Polymarket's
// per-10-s limits, core/rate_limiter), models Polymarket's per-signer order and
// cancel buckets (protocol ref §6: the node's pacer and the venue's enforcement),
// and paces the notifier. Exact integer arithmetic (tokens x period_ms, so any
// rate per period refills exactly); pure: the caller passes the time.
#include <cstdint>

namespace tdmaker {

struct bucket_limits {
  std::int64_t rate = 40;         // tokens refilled per period
  std::int64_t burst = 60;        // most tokens the bucket holds
  bool allow_negative = false;    // cancel-all may leave a deficit (some tiers)
  std::int64_t period_ms = 1000;  // > 0
};

class token_bucket {
public:
  token_bucket() : token_bucket({}, 0) {}
  token_bucket(bucket_limits l, std::int64_t now_ms);

  /// Takes `cost` tokens if the bucket holds them now and returns 0; otherwise
  /// takes nothing and returns the wait in ms (> 0) until it will. A cost over
  /// the burst can never be met: returns -1.
  std::int64_t try_take(std::int64_t now_ms, std::int64_t cost = 1);
  /// Takes `cost` unconditionally (cancel-all's charge per cancelled order):
  /// floors at 0 unless the limits allow a deficit.
  void charge(std::int64_t now_ms, std::int64_t cost);
  /// Whole tokens held now (may be negative with a deficit).
  std::int64_t tokens(std::int64_t now_ms);
  /// Lowers the balance to `tokens` if it is above (the venue's word is lower).
  void cap_at(std::int64_t now_ms, std::int64_t tokens);
  /// Ms until `cost` tokens are held (0 when they are now); -1 over the burst.
  std::int64_t wait_for(std::int64_t now_ms, std::int64_t cost);
  const bucket_limits& limits() const { return limits_; }

private:
  void refill(std::int64_t now_ms);
  std::int64_t unit() const { return limits_.period_ms; } // one token in scaled units
  bucket_limits limits_;
  std::int64_t scaled_ = 0; // tokens x period_ms: refill is `rate` per ms
  std::int64_t last_ms_ = 0;
};

} // namespace tdmaker
