#pragma once
#include <chrono>
#include <memory>

#include "actors/interfaces.hpp"
#include "db/lmdb_env.hpp"

namespace tdmaker {

struct store_options {
  std::size_t max_group_writes = 512; // commit early once a group holds this many writes
  std::chrono::milliseconds flush_every{250};
};

/// Spawns the store (detached writer) and its reader (detached) over `env`.
store_actor spawn_store(caf::actor_system& sys, std::shared_ptr<lmdb_env> env,
                        telemetry_actor telemetry, store_options opts);

} // namespace tdmaker
