#pragma once
// The candles actor's figures in /metrics (issue 18), kept out of the telemetry actor.
#include "core/prometheus.hpp"
#include "messages/candles.hpp"

namespace tdmaker {

/// tdmaker_candles_completed_total{kind}, tdmaker_candles_persisted_total,
/// tdmaker_candle_gaps_total{filled}, tdmaker_candle_late_ticks_total, tdmaker_candle_ticks_total.
void candle_metrics(prom::exposition& e, const candle_stats& s);

} // namespace tdmaker
