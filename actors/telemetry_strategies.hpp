#pragma once
// What /status and /metrics show per strategy (issue 17): each strategy's
// budget (bidding's budget_snapshot), its realised PnL by book (the settlement
// status) and, for the 99c capture, the latest sample of each of its markets.
// Pure rendering and bookkeeping, kept out of the telemetry actor.
#include <cstdint>
#include <map>
#include <string>

#include "core/json_write.hpp"
#include "core/prometheus.hpp"
#include "messages/messages.hpp"

namespace tdmaker {

/// The latest strategy_sample of each market. A market leaves when it says it
/// is retired, or 10 minutes after its slot end (a market actor that died
/// without saying so leaves no figure behind for ever).
class strategy_samples {
public:
  static constexpr std::int64_t keep_after_end_ms = 10 * 60'000;
  void apply(strategy_sample s, std::int64_t now_ms);
  /// True while `s` is shown at `now_ms`.
  static bool current(const strategy_sample& s, std::int64_t now_ms) {
    return now_ms < s.slot_end_s * 1000 + keep_after_end_ms;
  }
  const std::map<std::string, strategy_sample>& markets() const { return by_market_; }

private:
  std::map<std::string, strategy_sample> by_market_; // condition id -> latest sample
};

/// /status "strategies": one object per strategy (`budget` null: no snapshot yet).
void write_strategies(json::object_writer& w, const budget_snapshot* budget, const settlement_status& settled,
                      const strategy_samples& samples, std::int64_t now_ms);

/// The per-strategy families of /metrics.
void strategy_metrics(prom::exposition& e, const budget_snapshot* budget, const settlement_status& settled,
                      const strategy_samples& samples, std::int64_t now_ms);

} // namespace tdmaker
