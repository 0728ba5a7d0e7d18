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

/// The store-health rule's settings (core/store_health), apart from store_options
/// so the callers that set only the commit knobs keep their two-field initialisers.
struct store_health_options {
  std::chrono::milliseconds probe_every{5'000}; // while failing: one probe write this often
  store_health_rules rules;                     // headroom alert and recovery thresholds
};

/// Spawns the store (detached writer) and its reader (detached) over `env`. The store
/// keeps the node's store health (core/store_health): the first failed commit trips
/// it, and only its own probe write, committed with room left in the map, recovers
/// it. Watchers (watch_atom) hear every transition.
store_actor spawn_store(caf::actor_system& sys, std::shared_ptr<lmdb_env> env,
                        telemetry_actor telemetry, store_options opts,
                        store_health_options health = {});

} // namespace tdmaker
