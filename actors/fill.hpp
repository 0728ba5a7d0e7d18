#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "actors/interfaces.hpp"

namespace tdmaker {

struct fill_options {
  std::chrono::milliseconds reconcile_every{60'000}; // REST reconciliation (seed 003: ~60 s)
  std::int64_t lookback_s = 7'200;                  // `after=` of the reconciliation query
  std::int64_t forget_settled_ms = 30 * 60'000;     // dedup keys of a settled market leave memory
  std::int64_t forget_note_ms = 6 * 3'600'000;      // after its note (or slot end) an order leaves the strategy index
  std::chrono::milliseconds flush_every{250};
  std::function<std::int64_t()> clock; // wall ms; injected by tests
  /// One `GET /data/trades` page (cursor "" = first); answers on any thread.
  /// Empty: no venue (paper mode without a key), nothing to reconcile.
  std::function<void(std::string after_s, std::string cursor, std::function<void(trades_done)>)> fetch_trades;
};

struct fill_peers {
  store_actor store;
  order_actor orders;
  telemetry_actor telemetry;
  notifier_actor notifier;
  audit_actor audit;
};

/// Spawns the fill actor. It loads the fills of unsettled markets from the
/// store before it handles any report, so a replay after a restart is a duplicate.
fill_actor spawn_fill(caf::actor_system& sys, fill_peers peers, fill_options opts);

} // namespace tdmaker
