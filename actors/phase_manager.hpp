#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "actors/interfaces.hpp"
#include "core/phase_policy.hpp"

namespace tdmaker {

struct phase_manager_options {
  phase initial = phase::experience; // used only when the store has no phase yet
  std::string log_dir = "logs";      // phase/phase-history.jsonl and phase-overrides.jsonl live below it
  std::chrono::milliseconds flush_every{250};
  bidding_actor bidding; // told every phase (may be null)
  order_actor orders;
  directory_actor directory; // passes it to every market (strategy sizing)
  phase_policy policy = phase_policy::defaults(); // limits, gates, downgrades, session clock, auto_upgrade
  std::chrono::milliseconds sample_every{1000};   // phase_sample to telemetry; notices the session boundary
  std::function<std::int64_t()> clock;            // wall ms; injected by tests (null: the wall clock)
  events_actor events; // gets phase_changed (may be null)
};

/// Seed 002's phase policy: owns the phase, the performance tracker (rebuilt
/// from LMDB settlements at start), the gates, the downgrades and the history.
/// Detached: an accepted switch appends to JSONL files after the LMDB commit.
phase_manager_actor spawn_phase_manager(caf::actor_system& sys, store_actor store,
                                        telemetry_actor telemetry, notifier_actor notifier,
                                        phase_manager_options opts);

} // namespace tdmaker
