#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "actors/interfaces.hpp"
#include "core/settlement.hpp"

namespace tdmaker {

/// Where resolutions come from; each answers on any thread. An empty function
/// is a source the node does not have.
struct resolution_sources {
  /// Gamma `GET /events?slug=`.
  std::function<void(condition_id, std::string slug, std::function<void(resolution_done)>)> gamma;
  /// CLOB `GET /markets/{condition_id}` (also the end of a market never discovered).
  std::function<void(condition_id, std::function<void(resolution_done)>)> clob;
  /// CLOB `GET /book?token_id=`: the token's best bid, for the forced fallback.
  std::function<void(condition_id, token_id, std::function<void(resolution_done)>)> book;
};

struct settlement_options {
  settlement_rules rules;
  std::chrono::milliseconds tick_every{5'000};
  std::int64_t retry_ms = 15'000; // a market that is due but unresolved is asked again this often
  std::chrono::milliseconds flush_every{250};
  std::function<std::int64_t()> clock; // wall ms; injected by tests
};

struct settlement_peers {
  store_actor store;
  fill_actor fills;
  order_actor orders; // realised PnL for the risk guard's loss limit
  directory_actor directory; // a settled market is retired
  phase_manager_actor phases;
  telemetry_actor telemetry;
  notifier_actor notifier;
  audit_actor audit;
};

settlement_actor spawn_settlement(caf::actor_system& sys, settlement_peers peers, resolution_sources sources,
                                  settlement_options opts);

} // namespace tdmaker
