#pragma once
// Client-side request pacing with the venue's published limits (protocol ref §6):
// a sliding-window-equivalent token bucket per endpoint class, so the node slows
// itself down before Cloudflare or the per-signer buckets do it with a 429.
// Pure: the caller passes the time.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tdmaker {

/// `capacity` requests per `window_ms`, refilled continuously.
struct rate_limit {
  std::string name;   // "post_order", "book", ...
  std::int64_t capacity = 0;
  std::int64_t window_ms = 10'000;
};

class token_bucket {
public:
  explicit token_bucket(rate_limit l, std::int64_t now_ms);
  /// Takes `cost` tokens if available now; otherwise returns the wait in ms
  /// (> 0) after which they will be, and takes nothing.
  std::int64_t try_take(std::int64_t now_ms, std::int64_t cost = 1);
  const rate_limit& limit() const { return limit_; }

private:
  void refill(std::int64_t now_ms);
  rate_limit limit_;
  // Tokens in units of 1/window_ms so refilling is exact integer arithmetic.
  std::int64_t scaled_ = 0;
  std::int64_t last_ms_ = 0;
};

/// Polymarket's documented per-10-s limits for the endpoints the node uses.
std::vector<rate_limit> polymarket_rate_limits();

/// The CLOB limit class of a request ("post_order" for POST /order, ..., "general").
/// Gamma has its own host and one class, "gamma".
std::string_view rate_class(std::string_view method, std::string_view path);

} // namespace tdmaker
