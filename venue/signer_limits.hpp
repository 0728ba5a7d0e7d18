#pragma once
// Polymarket's per-signer token buckets (protocol ref §6, since 2026-07-24), as
// the venue enforces them: per signer address an order bucket (1 token per
// order, a batch N) and a cancel bucket (1 per id; cancel-all and
// cancel-market-orders 1 up front plus 1 per order cancelled). A request that
// needs more tokens than the bucket holds gets 429 with Retry-After; one that
// needs more than the burst can never pass and gets 429 without it. Mode `warn`
// processes everything and marks would-be refusals Poly-RateLimit-Warning: true
// (the two weeks of warning mode); `off` disables the buckets.
#include <cstdint>
#include <map>
#include <string>

#include "core/eth_address.hpp"
#include "core/token_bucket.hpp"
#include "venue/http_listener.hpp"

namespace tdmaker::venue {

enum class limit_mode : std::uint8_t { off, warn, enforce };
enum class limit_bucket : std::uint8_t { order, cancel };

struct signer_limits_config {
  limit_mode mode = limit_mode::enforce;
  std::string tier = "standard";
  bucket_limits order{40, 60, false};
  bucket_limits cancel{80, 120, false};
};

struct limit_verdict {
  bool evaluated = false; // false with mode off: no headers
  bool admitted = true;
  bool over_burst = false;
  bool warning = false;
  std::int64_t remaining = 0;
  std::int64_t reset_s = 0;         // Unix seconds, rounded up
  std::int64_t retry_after_s = 0;   // 429 within the burst only
  limit_bucket bucket = limit_bucket::order;
  std::int64_t cost = 0;
};

class signer_limits {
public:
  explicit signer_limits(signer_limits_config c = {}) : cfg_(std::move(c)) {}
  /// Takes `cost` tokens of the signer's bucket, or says why not.
  limit_verdict admit(const address20& signer, limit_bucket b, std::int64_t cost, std::int64_t now_ms);
  /// A charge known only afterwards (orders cancel-all cancelled); updates `v`.
  void charge(const address20& signer, limit_verdict& v, std::int64_t cost, std::int64_t now_ms);
  /// The Poly-RateLimit-* headers of `v` on `rep`.
  void stamp(http_reply& rep, const limit_verdict& v) const;
  /// The 429 reply for a refused `v`.
  http_reply refusal(const limit_verdict& v) const;
  std::uint64_t refused(limit_bucket b) const { return refused_[static_cast<int>(b)]; }
  const signer_limits_config& config() const { return cfg_; }

private:
  token_bucket& bucket_of(const address20& signer, limit_bucket b, std::int64_t now_ms);
  signer_limits_config cfg_;
  std::map<address20, token_bucket> buckets_[2];
  std::uint64_t refused_[2] = {0, 0};
};

} // namespace tdmaker::venue
