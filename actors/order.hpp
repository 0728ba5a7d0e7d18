#pragma once
#include <chrono>
#include <functional>
#include <memory>
#include <optional>

#include "actors/interfaces.hpp"
#include "core/order_lifecycle.hpp"
#include "core/phase_policy.hpp"
#include "core/risk_guard.hpp"

namespace tdmaker {

class order_venue;

struct order_options {
  order_timeouts timeouts;
  std::int64_t cancel_before_end_ms = 10'000; // everything of a market is cancelled this long before its end
  std::size_t batch_max = 15;                 // POST /orders limit
  std::uint32_t lookups_before_rejected = 3;  // 404s before a timed-out placement counts as never placed
  risk_limits risk;
  bool paper = true; // node mode paper: orders are recorded, never sent
  std::optional<phase_policy> phases; // set: a phase change cancels resting buys above its limits
  bool heartbeat_required = false; // live with a key: no new order unless the CLOB heartbeat is healthy
  std::chrono::milliseconds sweep_every{1'000};
  std::chrono::milliseconds balance_every{0}; // > 0: read the collateral balance for auto-sizing
  std::chrono::milliseconds flush_every{250};
  std::function<std::int64_t()> clock;        // wall ms; injected by tests
  events_actor events; // gets order_placed, order_filled, order_rejected (may be null)
};

struct order_peers {
  store_actor store;
  bidding_actor bidding;
  telemetry_actor telemetry;
  notifier_actor notifier;
  audit_actor audit;
};

/// Spawns the order actor. It loads the ledger from the store, reconciles it
/// with the venue as soon as the venue is ready, and refuses new orders until
/// then. `venue` may be null (no key): every order is then refused unless paper.
order_actor spawn_order(caf::actor_system& sys, std::shared_ptr<order_venue> venue, order_peers peers,
                        order_options opts);

} // namespace tdmaker
