#pragma once
// One of Polymarket's per-signer token buckets (protocol ref §6): `rate` tokens
// per second refilled continuously up to `burst`. The venue keeps one per signer
// and kind (orders, cancels); the node keeps a model of its own to pace itself.
// Exact integer arithmetic (tokens in thousandths); pure: the caller passes the time.
#include <cstdint>

namespace tdmaker {

struct signer_bucket_limits {
  std::int64_t rate_per_s = 40; // tokens refilled per second
  std::int64_t burst = 60;      // most tokens the bucket holds
  bool allow_negative = false;  // cancel-all may leave a deficit (some tiers)
};

class signer_bucket {
public:
  signer_bucket() : signer_bucket({}, 0) {}
  signer_bucket(signer_bucket_limits l, std::int64_t now_ms);

  /// Takes `cost` tokens if the bucket holds them now and returns 0; otherwise
  /// takes nothing and returns the wait in ms (> 0) until it will. A cost over
  /// the burst can never be met: returns -1.
  std::int64_t try_take(std::int64_t now_ms, std::int64_t cost);
  /// Takes `cost` unconditionally (cancel-all's charge per cancelled order):
  /// floors at 0 unless the limits allow a deficit.
  void charge(std::int64_t now_ms, std::int64_t cost);
  /// Whole tokens held now (may be negative with a deficit).
  std::int64_t tokens(std::int64_t now_ms);
  /// Lowers the balance to `tokens` if it is above (the venue's word is lower).
  void cap_at(std::int64_t now_ms, std::int64_t tokens);
  /// Ms until `cost` tokens are held (0 when they are now); -1 over the burst.
  std::int64_t wait_for(std::int64_t now_ms, std::int64_t cost);
  const signer_bucket_limits& limits() const { return limits_; }

private:
  void refill(std::int64_t now_ms);
  signer_bucket_limits limits_;
  std::int64_t milli_ = 0; // tokens x 1000: refill is rate_per_s per ms
  std::int64_t last_ms_ = 0;
};

} // namespace tdmaker
