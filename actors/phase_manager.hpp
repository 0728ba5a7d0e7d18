#pragma once
#include <chrono>
#include <string>

#include "actors/interfaces.hpp"

namespace tdmaker {

struct phase_manager_options {
  phase initial = phase::experience; // used only when the store has no phase yet
  std::string log_dir = "logs";      // phase/phase-overrides.jsonl lives below it
  std::chrono::milliseconds flush_every{250};
  bidding_actor bidding; // told every phase (may be null)
  order_actor orders;
};

/// Detached: an accepted switch appends to a JSONL file after the LMDB commit.
phase_manager_actor spawn_phase_manager(caf::actor_system& sys, store_actor store,
                                        telemetry_actor telemetry, notifier_actor notifier,
                                        phase_manager_options opts);

} // namespace tdmaker
