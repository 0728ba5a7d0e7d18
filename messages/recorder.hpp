#pragma once
// The recorder's messages (issue 18): what it is told to record besides the
// WebSocket frames (which it receives as the same ws_frame the feed gets), and
// what it tells telemetry.
#include <cstdint>
#include <string>
#include <vector>

#include "core/record_channel.hpp"

namespace tdmaker {

/// A REST reply that changes state (I/O thread -> recorder). `text` is
/// "<status> <request target>\n<body>" (docs/recording.md).
struct record_frame {
  record_channel channel = record_channel::gamma;
  std::int64_t recv_ms = 0; // wall clock
  std::int64_t recv_ns = 0; // steady clock
  std::string text;
};
template <class Inspector>
auto inspect(Inspector& f, record_frame& x) { return f(x.channel, x.recv_ms, x.recv_ns, x.text); }

/// The recorder's totals since start (recorder -> telemetry, after each flush).
struct recorder_sample {
  std::vector<std::uint64_t> frames; // by record_channel
  std::uint64_t dropped_overflow = 0;
  std::uint64_t dropped_ttl = 0;
  std::uint64_t dropped_write = 0; // records lost to a failed write
  std::uint64_t bytes = 0;         // compressed bytes written (headers included)
  std::uint64_t utilisation_ppm = 0;
  std::uint64_t segments = 0;      // segment files on disk
  std::uint64_t write_errors = 0;
};
template <class Inspector>
auto inspect(Inspector& f, recorder_sample& x) {
  return f(x.frames, x.dropped_overflow, x.dropped_ttl, x.dropped_write, x.bytes, x.utilisation_ppm, x.segments,
           x.write_errors);
}

} // namespace tdmaker
