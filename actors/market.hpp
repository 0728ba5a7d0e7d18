#pragma once
#include <chrono>

#include "actors/interfaces.hpp"

namespace tdmaker {

struct market_options {
  bool fault_injection = false;
  bool book_hash_check = true; // verify price_change hashes; re-fetch on mismatch
  feed_actor feed;             // where re-fetch requests go (may be null in tests)
  std::chrono::milliseconds flush_every{250};
};

/// Spawns the actor that alone owns market `id`. It loads its persisted record
/// before handling anything else, so a restarted actor resumes where it stopped.
market_actor spawn_market(caf::local_actor* parent, condition_id id, std::uint32_t incarnation,
                          store_actor store, telemetry_actor telemetry, market_options opts);

} // namespace tdmaker
