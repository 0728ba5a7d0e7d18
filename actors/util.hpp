#pragma once
#include <chrono>
#include <cstdint>
#include <string>

#include <caf/error.hpp>
#include <caf/sec.hpp>

#include "core/result.hpp"

namespace tdmaker {

/// How long an actor waits for the store's commit or read before it treats the
/// request as failed (a commit includes the fsync of a whole group).
inline constexpr auto store_timeout = std::chrono::seconds(10);

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

/// The whole of a file, as bytes; the error names the path and the OS reason.
result<std::string> read_text_file(const std::string& path);

} // namespace tdmaker
