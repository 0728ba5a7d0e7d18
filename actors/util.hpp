#pragma once
#include <chrono>
#include <cstdint>

#include <caf/error.hpp>
#include <caf/sec.hpp>

namespace tdmaker {

inline std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

/// Monotonic nanoseconds, for ages and latencies (never for wall time).
inline std::int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
           std::chrono::steady_clock::now().time_since_epoch())
    .count();
}

/// Errors we raise carry their text as context so callers can show it verbatim.
inline caf::error op_error(std::string text) {
  return caf::make_error(caf::sec::runtime_error, std::move(text));
}

/// The human part of an error built with op_error (or CAF's own rendering).
std::string error_text(const caf::error& e);

} // namespace tdmaker
