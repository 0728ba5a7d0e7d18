#include "actors/telemetry_strategies.hpp"

#include "core/decimal.hpp"

namespace tdmaker {
namespace {

strategy_budget budget_of(const budget_snapshot* b, strategy_kind k) {
  if (b)
    for (auto& s : b->strategies)
      if (s.strategy == k)
        return s;
  return strategy_budget{k, false, {}, {}}; // not known yet: shown as disabled, nothing reserved
}

strategy_pnl_total pnl_of(const settlement_status& st, strategy_kind k) {
  for (auto& t : st.by_strategy)
    if (t.strategy == k)
      return t;
  return strategy_pnl_total{k, {}, {}, 0};
}

std::string money(usdc v) { return format_fixed(v.micros, 6); }

void write_market(json::object_writer& w, const strategy_sample& s) {
  w.open()
    .str("market", s.market.hex)
    .str("asset", s.asset)
    .str("side", s.side == outcome::down ? "down" : "up")
    .flag("paper", s.paper)
    .flag("holding", s.holding)
    .num("confidence_ppm", s.confidence_ppm)
    .num("peak_confidence_ppm", s.peak_confidence_ppm)
    .num("danger_score", s.danger_score)
    .open("components")
    .num("drop", s.drop_points)
    .num("velocity", s.velocity_points)
    .num("time", s.time_points)
    .num("opposite", s.opposite_points)
    .close()
    .str("reasons", s.reasons)
    .close();
}

} // namespace

void strategy_samples::apply(strategy_sample s, std::int64_t now_ms) {
  if (s.retired) {
    by_market_.erase(s.market.hex);
    return;
  }
  auto key = s.market.hex;
  by_market_[key] = std::move(s);
  for (auto it = by_market_.begin(); it != by_market_.end();)
    it = current(it->second, now_ms) ? std::next(it) : by_market_.erase(it);
}

void write_strategies(json::object_writer& w, const budget_snapshot* budget, const settlement_status& settled,
                      const strategy_samples& samples, std::int64_t now_ms) {
  w.open("strategies");
  for (auto k : all_strategies) {
    auto b = budget_of(budget, k);
    auto p = pnl_of(settled, k);
    w.open(to_string(k)).flag("enabled", b.enabled);
    w.open("budget").str("limit", money(b.limit)).str("reserved", money(b.reserved)).close();
    w.open("pnl").str("live", money(p.realised_pnl)).str("paper", money(p.paper_pnl)).close();
    if (k != strategy_kind::td_maker) { // the TD maker's markets are /status "markets"
      w.open_array("markets");
      for (auto& [cid, s] : samples.markets())
        if (s.strategy == k && strategy_samples::current(s, now_ms))
          write_market(w, s);
      w.close_array();
    }
    w.close();
  }
  w.close();
}

void strategy_metrics(prom::exposition& e, const budget_snapshot* budget, const settlement_status& settled,
                      const strategy_samples& samples, std::int64_t now_ms) {
  e.family("tdmaker_strategy_enabled", "1 while the strategy may open positions.", "gauge");
  for (auto k : all_strategies)
    e.sample("tdmaker_strategy_enabled", {{"strategy", std::string(to_string(k))}},
             std::int64_t{budget_of(budget, k).enabled ? 1 : 0});
  e.family("tdmaker_strategy_budget_micros", "A strategy's exposure cap and what it has reserved, micro-pUSD.", "gauge");
  for (auto k : all_strategies) {
    auto b = budget_of(budget, k);
    e.sample("tdmaker_strategy_budget_micros", {{"strategy", std::string(to_string(k))}, {"figure", "limit"}},
             b.limit.micros);
    e.sample("tdmaker_strategy_budget_micros", {{"strategy", std::string(to_string(k))}, {"figure", "reserved"}},
             b.reserved.micros);
  }
  e.family("tdmaker_strategy_pnl_micros", "Realised PnL of a strategy's settled markets (all runs), micro-pUSD.",
           "gauge");
  for (auto k : all_strategies) {
    auto p = pnl_of(settled, k);
    e.sample("tdmaker_strategy_pnl_micros", {{"strategy", std::string(to_string(k))}, {"book", "live"}},
             p.realised_pnl.micros);
    e.sample("tdmaker_strategy_pnl_micros", {{"strategy", std::string(to_string(k))}, {"book", "paper"}},
             p.paper_pnl.micros);
  }
  e.family("tdmaker_danger_score", "Danger score (0-100) of a held 99c-capture position.", "gauge");
  for (auto& [cid, s] : samples.markets())
    if (strategy_samples::current(s, now_ms) && s.holding && s.danger_score >= 0)
      e.sample("tdmaker_danger_score", {{"market", cid}}, std::int64_t{s.danger_score});
  e.family("tdmaker_capture_confidence_ppm", "The 99c capture's confidence in its market now, ppm.", "gauge");
  for (auto& [cid, s] : samples.markets())
    if (strategy_samples::current(s, now_ms) && s.confidence_ppm >= 0)
      e.sample("tdmaker_capture_confidence_ppm", {{"market", cid}}, s.confidence_ppm);
  e.family("tdmaker_capture_peak_confidence_ppm", "The 99c capture's confidence when its fill was booked, ppm.",
           "gauge");
  for (auto& [cid, s] : samples.markets())
    if (strategy_samples::current(s, now_ms) && s.peak_confidence_ppm >= 0)
      e.sample("tdmaker_capture_peak_confidence_ppm", {{"market", cid}}, s.peak_confidence_ppm);
}

} // namespace tdmaker
