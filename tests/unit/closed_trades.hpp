#pragma once
// Test helpers shared by the performance and phase policy tests: settled
// trades on 100 s sessions, built from plain ms values.
#include <cstdint>
#include <string>

#include "core/performance.hpp"

namespace tdmaker::test {

inline constexpr std::int64_t len_ms = 100'000; // 100 s sessions

/// "<prefix><n>" (GCC 12 warns falsely on `const char* + std::string&&` at -O3).
inline std::string key(const char* prefix, std::int64_t n) {
  std::string s(prefix);
  s += std::to_string(n);
  return s;
}

inline closed_trade trade(std::string key, std::int64_t pnl_micros, std::int64_t ts_ms, bool paper = false) {
  return {std::move(key), usdc{pnl_micros}, ts_ms, paper};
}

} // namespace tdmaker::test
