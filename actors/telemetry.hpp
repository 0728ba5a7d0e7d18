#pragma once
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "actors/instrumented.hpp"
#include "core/config.hpp"
#include "core/prometheus.hpp"

namespace tdmaker {

struct telemetry_options {
  std::chrono::milliseconds flush_every{250};
  trading_mode mode = trading_mode::paper;
  std::string market_connection = "none"; // shown in /status
  /// Singleton kinds that must be alive for /health to say 200.
  std::vector<std::string> required_kinds;
  std::chrono::milliseconds status_every{30'000}; // the status line in the log (0: off)
  std::string wallet_type = "EOA";                 // config wallet.signature_type, shown in /metrics
  /// Families rendered from the I/O side's atomic counters (the CLOB client's
  /// signer pacer); called on the telemetry actor at each /metrics request.
  std::function<void(prom::exposition&)> io_metrics;
};

/// Spawns the telemetry actor: aggregates actor samples and renders /metrics,
/// /status and /health.
telemetry_actor spawn_telemetry(caf::actor_system& sys, telemetry_options opts);

} // namespace tdmaker
