#pragma once
// Client-side request pacing with the venue's published limits (protocol ref §6):
// a sliding-window-equivalent token bucket per endpoint class, so the node slows
// itself down before Cloudflare or the per-signer buckets do it with a 429.
// Pure: the caller passes the time.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/token_bucket.hpp"

namespace tdmaker {

/// `capacity` requests per `window_ms`, refilled continuously.
struct rate_limit {
  std::string name;   // "post_order", "book", ...
  std::int64_t capacity = 0;
  std::int64_t window_ms = 10'000;
};

/// The bucket pacing one class: its capacity per window, refilled continuously
/// (core/token_bucket). A class with no capacity (0) is not paced.
bucket_limits bucket_of(const rate_limit& l);

/// Polymarket's documented per-10-s limits for the endpoints the node uses.
std::vector<rate_limit> polymarket_rate_limits();

/// The CLOB limit class of a request ("post_order" for POST /order, ..., "general").
/// Gamma has its own host and one class, "gamma".
std::string_view rate_class(std::string_view method, std::string_view path);

} // namespace tdmaker
