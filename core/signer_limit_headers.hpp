#pragma once
// The per-signer rate-limit headers of a CLOB trading reply (protocol ref §6;
// docs.polymarket.com/api-reference/trading-rate-limits):
//   Poly-RateLimit-Remaining  whole tokens left in the bucket the request drew
//                             from (negative after a cancel-all deficit)
//   Poly-RateLimit-Reset      Unix time (seconds, an optional fraction) when
//                             enough tokens for the request are expected;
//                             "now" on an accepted request
//   Poly-RateLimit-Tier       the signer's tier name ("standard", ...)
//   Poly-RateLimit-Warning    "true": warning mode, this request would be refused
//   Retry-After (429)         whole seconds before a retry can succeed
// Validated here so nothing from the wire is trusted blindly: a field that does
// not parse is absent and counted in `malformed`. Pure.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tdmaker {

struct signer_limit_headers {
  std::optional<std::int64_t> remaining;
  std::optional<std::int64_t> reset_ms;       // Unix ms
  std::optional<std::int64_t> retry_after_ms;
  std::string tier;                           // lower-case; "" when absent or malformed
  bool warning = false;
  int malformed = 0;                          // fields present but unreadable
  bool any() const { return remaining || reset_ms || retry_after_ms || !tier.empty() || warning; }
};

inline constexpr std::string_view remaining_header = "Poly-RateLimit-Remaining";
inline constexpr std::string_view reset_header = "Poly-RateLimit-Reset";
inline constexpr std::string_view tier_header = "Poly-RateLimit-Tier";
inline constexpr std::string_view warning_header = "Poly-RateLimit-Warning";

/// Each argument is the raw header value, "" when the header is absent.
signer_limit_headers parse_signer_limit_headers(std::string_view remaining, std::string_view reset,
                                                std::string_view tier, std::string_view retry_after,
                                                std::string_view warning);

} // namespace tdmaker
