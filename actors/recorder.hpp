#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "actors/interfaces.hpp"
#include "actors/util.hpp"

namespace tdmaker {

struct recorder_options {
  std::string dir; // <node.data_dir>/recording
  std::chrono::milliseconds flush_every{1'000};
  std::size_t block_bytes = 1 << 20;
  std::uint64_t segment_bytes = 256ULL << 20;
  std::int64_t segment_ms = 3'600'000;
  std::int64_t retention_ms = 168LL * 3'600'000; // 0: no age limit
  std::uint64_t retention_bytes = 10ULL << 30;   // 0: no size limit
  std::size_t buffer_size = 10'000;
  std::int64_t buffer_ttl_ms = 60'000;
  std::function<std::int64_t()> clock = [] { return wall_ms(); }; // wall ms; tests move it
};

/// Spawns the recorder on its own thread (caf::detached: an fsync never stalls a
/// scheduler worker). At start it makes the last segment whole (a torn tail is
/// cut off and logged); frames wait in a bounded buffer (core/tick_buffer) and
/// go to disk as one block each flush (docs/recording.md). A failed write is
/// logged and counted; its frames are lost, the node carries on.
recorder_actor spawn_recorder(caf::actor_system& sys, telemetry_actor telemetry, recorder_options opts);

} // namespace tdmaker
