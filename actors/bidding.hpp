#pragma once
#include <chrono>
#include <optional>

#include "actors/interfaces.hpp"
#include "core/entry_filters.hpp"
#include "core/ladder.hpp"
#include "core/phase_policy.hpp"

namespace tdmaker {

struct bidding_options {
  entry_rules entry;
  std::optional<entry_model> model; // replaces the move and fair-value filters when set
  ladder_rules ladder;
  usdc max_exposure{50 * micros_per_unit};
  usdc max_per_market{15 * micros_per_unit};
  std::int64_t auto_fraction_ppm = 0; // > 0: limit = min(max_exposure, fraction x balance)
  // Seed 002: when set, the phase in force (a phase_record) sets the exposure
  // limit, the per-market cap and the shares per rung, and limits new trades per
  // session; no order goes out before a phase is known. Unset: the fixed limits above.
  std::optional<phase_policy> phases;
  bool paper = true; // node mode paper: every phase trades on the paper book
  std::chrono::milliseconds publish_every{1'000};
  std::chrono::milliseconds flush_every{250};
};

/// Spawns bidding: the only owner of the global exposure budget. It answers a
/// market's view with the orders to place (each with its budget reserved) and
/// writes every change of a market's entry decision to the audit log. The trade
/// limiter's counts live in `store` (LMDB `phase`, "trades/<book>"): loaded before
/// any market is answered, committed before a market's first order is. A null
/// store keeps the counts in memory only (benchmarks).
bidding_actor spawn_bidding(caf::actor_system& sys, telemetry_actor telemetry, audit_actor audit,
                            store_actor store, bidding_options opts);

} // namespace tdmaker
