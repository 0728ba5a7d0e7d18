#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include <caf/error.hpp>
#include <caf/sec.hpp>

#include "core/result.hpp"

namespace tdmaker {

/// How long an actor waits for the store's commit or read before it treats the
/// request as failed (a commit includes the fsync of a whole group).
inline constexpr auto store_timeout = std::chrono::seconds(10);

namespace detail {
/// The replay's virtual time (unix ms), or -1 live. Written only by the replay
/// driver (app/replay), between runs of its single-threaded scheduler, while no
/// actor runs: every actor then reads the same instant, and time moves only when
/// the recording does. Atomic so that a stray thread can never tear it.
inline std::atomic<std::int64_t> virtual_ms{-1};
} // namespace detail

/// The node's one clock: wall time live, the recording's time in a replay.
inline std::int64_t wall_ms() {
  if (auto v = detail::virtual_ms.load(std::memory_order_relaxed); v >= 0)
    return v;
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

/// Monotonic nanoseconds, for ages and latencies (never for wall time); in a
/// replay the virtual time, so ages (a stale feed, a quiet stream) age with it.
inline std::int64_t steady_ns() {
  if (auto v = detail::virtual_ms.load(std::memory_order_relaxed); v >= 0)
    return v * 1'000'000;
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
           std::chrono::steady_clock::now().time_since_epoch())
    .count();
}

/// The replay driver's only way to move the clock (never called live).
inline void set_virtual_clock(std::int64_t unix_ms) { detail::virtual_ms.store(unix_ms, std::memory_order_relaxed); }

/// Errors we raise carry their text as context so callers can show it verbatim.
inline caf::error op_error(std::string text) {
  return caf::make_error(caf::sec::runtime_error, std::move(text));
}

/// The human part of an error built with op_error (or CAF's own rendering).
std::string error_text(const caf::error& e);

/// The whole of a file, as bytes; the error names the path and the OS reason.
result<std::string> read_text_file(const std::string& path);
/// Writes (replacing) a whole file; the error names the path and the OS reason.
result<bool> write_text_file(const std::string& path, std::string_view text);

} // namespace tdmaker
