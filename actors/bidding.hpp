#pragma once
#include <chrono>
#include <optional>

#include "actors/interfaces.hpp"
#include "core/entry_filters.hpp"
#include "core/ladder.hpp"

namespace tdmaker {

struct bidding_options {
  entry_rules entry;
  std::optional<entry_model> model; // replaces the move and fair-value filters when set
  ladder_rules ladder;
  usdc max_exposure{50 * micros_per_unit};
  usdc max_per_market{15 * micros_per_unit};
  std::int64_t auto_fraction_ppm = 0; // > 0: limit = min(max_exposure, fraction x balance)
  std::chrono::milliseconds publish_every{1'000};
  std::chrono::milliseconds flush_every{250};
};

/// Spawns bidding: the only owner of the global exposure budget. It answers a
/// market's view with the orders to place (each with its budget reserved) and
/// writes every change of a market's entry decision to the audit log.
bidding_actor spawn_bidding(caf::actor_system& sys, telemetry_actor telemetry, audit_actor audit,
                            bidding_options opts);

} // namespace tdmaker
