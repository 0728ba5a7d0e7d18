#include "actors/telemetry_candles.hpp"

namespace tdmaker {

void candle_metrics(prom::exposition& e, const candle_stats& s) {
  e.family("tdmaker_candles_completed_total", "One-minute candles completed, filled ones included, per stream kind.",
           "counter");
  e.sample("tdmaker_candles_completed_total", {{"kind", "ref"}}, s.completed_ref);
  e.sample("tdmaker_candles_completed_total", {{"kind", "mid"}}, s.completed_mid);
  e.sample("tdmaker_candles_completed_total", {{"kind", "last"}}, s.completed_last);
  e.family("tdmaker_candles_persisted_total", "Completed candles whose LMDB write was acknowledged.", "counter");
  e.sample("tdmaker_candles_persisted_total", {}, s.persisted);
  e.family("tdmaker_candle_gaps_total", "Gaps between candles: filled (1-2 minutes, flat candles) or left (longer).",
           "counter");
  e.sample("tdmaker_candle_gaps_total", {{"filled", "true"}}, s.gaps_filled);
  e.sample("tdmaker_candle_gaps_total", {{"filled", "false"}}, s.gaps_left);
  e.family("tdmaker_candle_late_ticks_total", "Ticks refused because their minute's candle was already completed.",
           "counter");
  e.sample("tdmaker_candle_late_ticks_total", {}, s.late_ticks);
  e.family("tdmaker_candle_ticks_total", "Ticks taken into a candle.", "counter");
  e.sample("tdmaker_candle_ticks_total", {}, s.ticks);
}

} // namespace tdmaker
