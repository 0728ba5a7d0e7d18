#pragma once
#include <chrono>
#include <array>
#include <optional>

#include "actors/interfaces.hpp"
#include "core/ladder.hpp"
#include "core/phase_policy.hpp"

namespace tdmaker {

/// One strategy's switch and its cap inside the global budget (issue 17).
struct strategy_cap {
  bool enabled = false;
  usdc max_exposure; // 0 = no cap of its own: the global budget only
};

struct bidding_options {
  ladder_rules ladder; // the rung size when no phase is in force (phase limits replace it)
  usdc max_exposure{50 * micros_per_unit};
  usdc max_per_market{15 * micros_per_unit};
  std::int64_t auto_fraction_ppm = 0; // > 0: limit = min(max_exposure, fraction x balance)
  // Seed 002: when set, the phase in force (a phase_record) sets the exposure
  // limit, the per-market cap and the shares per rung, and limits new trades per
  // session; no order goes out before a phase is known. Unset: the fixed limits above.
  std::optional<phase_policy> phases;
  bool paper = true; // node mode paper: every phase trades on the paper book
  std::array<strategy_cap, strategy_count> strategies{{{true, usdc{0}}, {false, usdc{0}}}};
  std::chrono::milliseconds publish_every{1'000};
  std::chrono::milliseconds flush_every{250};
};

/// Spawns bidding: the only owner of the global exposure budget and of each
/// strategy's cap inside it. It answers a market's strategies' proposals with
/// the orders it admits (each with its budget reserved), in order: the phase's
/// rung size, the trade limiter, the global and per-market limits, the cap. The trade
/// limiter's counts live in `store` (LMDB `phase`, "trades/<book>"): loaded before
/// any market is answered, committed before a market's first order is. A null
/// store keeps the counts in memory only (benchmarks).
bidding_actor spawn_bidding(caf::actor_system& sys, telemetry_actor telemetry, audit_actor audit,
                            store_actor store, bidding_options opts);

} // namespace tdmaker
