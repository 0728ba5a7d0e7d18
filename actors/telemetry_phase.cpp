#include "actors/telemetry_phase.hpp"

#include <limits>
#include <optional>

#include "core/decimal.hpp"
#include "core/phase_status.hpp" // transition_name

namespace tdmaker {
namespace {

std::string amount(usdc a) { return format_fixed(a.micros, micro_decimals); }

/// The gate and the downgrade watch look at the phase's book: Experience trades on paper.
const char* book_of(phase p) { return is_paper_only(p) ? "paper" : "live"; }

/// A criterion's decimal text as a sample value. Undefined ("": no trades) or
/// not a decimal: no sample, so a graph shows a gap rather than a false 0.
std::optional<std::string> sample_value(std::string_view text) {
  if (text.empty())
    return std::nullopt;
  auto v = parse_fixed(text, 6, std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max());
  if (!v)
    return std::nullopt;
  return format_fixed(*v, 6);
}

void criterion_samples(prom::exposition& e, std::string_view name, const prom::labels& base, const criterion& c) {
  auto with = [&](const char* figure) {
    auto l = base;
    l.emplace_back("figure", figure);
    return l;
  };
  if (auto v = sample_value(c.value))
    e.sample(name, with("value"), *v);
  if (auto t = sample_value(c.threshold))
    e.sample(name, with("threshold"), *t);
  e.sample(name, with("pass"), std::int64_t{c.pass ? 1 : 0});
}

void sample_metrics(prom::exposition& e, const phase_sample& s) {
  constexpr auto gate = "tdmaker_phase_gate_criterion";
  e.family(gate, "The gate toward the next phase per criterion: value, threshold, pass (1 = met); "
                 "an undefined value (no trades) is absent.", "gauge");
  auto transition = transition_name(s.gate.from, s.gate.to);
  for (auto& c : s.gate.criteria)
    criterion_samples(e, gate, {{"transition", transition}, {"criterion", c.name}}, c);
  constexpr auto watch = "tdmaker_phase_downgrade_watch";
  e.family(watch, "The current phase's downgrade triggers: value, threshold, pass (1 = not fired).", "gauge");
  for (auto& c : s.downgrade.watch)
    criterion_samples(e, watch, {{"trigger", c.name}}, c);
  auto& f = s.downgrade.session;
  e.family("tdmaker_phase_session_pnl_micros", "PnL of the current session on the phase's book, micro-pUSD.", "gauge");
  e.sample("tdmaker_phase_session_pnl_micros", {{"book", book_of(s.record.current)}}, f.pnl.micros);
  e.family("tdmaker_phase_session_trades", "Trades settled in the current session on the phase's book.", "gauge");
  e.sample("tdmaker_phase_session_trades", {}, std::int64_t{f.trades});
  e.family("tdmaker_phase_session_win_rate_ppm", "Win rate of the current session, ppm (absent without a trade).",
           "gauge");
  if (f.win_rate_ppm != performance_figures::undefined)
    e.sample("tdmaker_phase_session_win_rate_ppm", {}, f.win_rate_ppm);
  e.family("tdmaker_phase_loss_streak", "Consecutive losses at the end of the current session.", "gauge");
  e.sample("tdmaker_phase_loss_streak", {}, std::int64_t{f.loss_streak});
  e.family("tdmaker_phase_upgrade_proposed", "1 while a passed gate waits for the operator's confirmation.", "gauge");
  e.sample("tdmaker_phase_upgrade_proposed", {}, std::int64_t{s.upgrade_proposed ? 1 : 0});
  e.family("tdmaker_phase_transitions_total",
           "Phase history entries written since start (upgrades, downgrades, switches, overrides, refusals, "
           "proposals).", "counter");
  e.sample("tdmaker_phase_transitions_total", {}, s.transitions);
}

void limit_metrics(prom::exposition& e, const budget_snapshot& b) {
  e.family("tdmaker_phase_trades_used", "New positions counted this session by the trade limiter.", "gauge");
  e.sample("tdmaker_phase_trades_used", {}, std::int64_t{b.session_trades});
  e.family("tdmaker_phase_trade_limit", "New positions the phase allows per session (0 = no limit).", "gauge");
  e.sample("tdmaker_phase_trade_limit", {}, std::int64_t{b.session_trade_limit});
  e.family("tdmaker_phase_trades_refused_total", "Market evaluations refused by the trade limiter since start.",
           "counter");
  e.sample("tdmaker_phase_trades_refused_total", {}, b.trades_refused);
  e.family("tdmaker_phase_limit", "The phase's limits in force for new orders, micro-units (shares or pUSD).",
           "gauge");
  e.sample("tdmaker_phase_limit", {{"limit", "shares_per_rung"}}, b.shares_per_rung.micros);
  e.sample("tdmaker_phase_limit", {{"limit", "max_exposure"}}, b.limit.micros);
  e.sample("tdmaker_phase_limit", {{"limit", "max_per_market"}}, b.max_per_market.micros);
}

} // namespace

void write_phase_limits(json::object_writer& w, const budget_snapshot& b) {
  w.str("phase", to_string(b.current_phase))
    .str("shares_per_rung", to_string(b.shares_per_rung))
    .str("max_exposure", amount(b.limit))
    .str("max_per_market", amount(b.max_per_market))
    .num("session_trades", b.session_trades)
    .num("session_trade_limit", b.session_trade_limit)
    .num("trades_refused", b.trades_refused);
}

void phase_policy_metrics(prom::exposition& e, const phase_sample* s, const budget_snapshot* b) {
  if (s)
    sample_metrics(e, *s);
  if (b)
    limit_metrics(e, *b);
}

} // namespace tdmaker
