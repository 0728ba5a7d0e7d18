#pragma once
#include <chrono>
#include <map>
#include <string>

#include "actors/interfaces.hpp"
#include "actors/market.hpp"

namespace tdmaker {

struct directory_options {
  int max_live = 64;
  int max_restarts = 5;                      // within restart_window ...
  std::chrono::seconds restart_window{60};   // ... before a market is given up
  market_options market;
  /// Per series key ("btc-4h", core/series.hpp): the options of its markets, when
  /// discovery.series sets any of them differently; other markets take `market`.
  std::map<std::string, market_options> by_series;
  std::chrono::milliseconds flush_every{250};
};

/// Spawns the market directory. At start it recreates a market actor for every
/// persisted market that is not retired.
directory_actor spawn_directory(caf::actor_system& sys, store_actor store,
                                telemetry_actor telemetry, notifier_actor notifier,
                                directory_options opts);

} // namespace tdmaker
