#include "core/phase_policy.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "core/decimal.hpp"

namespace tdmaker {
namespace {

constexpr auto undefined = performance_figures::undefined;

/// Book a phase trades on: Experience is paper, every later phase live.
trade_filter book_of(phase p, std::int64_t since_ms) { return {is_paper_only(p), since_ms}; }

criterion count_criterion(std::string name, std::int64_t value, std::int64_t threshold, bool pass) {
  return {std::move(name), std::to_string(value), std::to_string(threshold), pass, value, threshold};
}

/// A ppm or micro-unit figure; an undefined ratio shows as "" (and -1 in micros).
criterion fixed_criterion(std::string name, std::int64_t value, bool defined, std::int64_t threshold, bool pass) {
  return {std::move(name), defined ? format_micros6(value) : std::string(), format_micros6(threshold), pass,
          defined ? value : undefined, threshold};
}

/// The criteria of one gate rule over figures `f` (the order is the contract's).
std::vector<criterion> gate_criteria(const gate_rule& r, const performance_figures& f) {
  std::vector<criterion> out;
  out.push_back(count_criterion("min_sessions", f.sessions, r.min_sessions, f.sessions >= r.min_sessions));
  out.push_back(count_criterion("min_trades", f.trades, r.min_trades, f.trades >= r.min_trades));
  bool wr_defined = f.win_rate_ppm != undefined;
  out.push_back(fixed_criterion("min_win_rate", f.win_rate_ppm, wr_defined, r.min_win_rate_ppm,
                                wr_defined && f.win_rate_ppm >= r.min_win_rate_ppm));
  // R:R is undefined without a loss: winning without ever losing passes, an empty window does not.
  bool rr_defined = f.rr_ppm != undefined;
  bool rr_pass = rr_defined ? f.rr_ppm >= r.min_rr_ppm : (f.wins > 0 && f.losses == 0);
  out.push_back(fixed_criterion("min_rr", f.rr_ppm, rr_defined, r.min_rr_ppm, rr_pass));
  if (r.require_positive_pnl)
    out.push_back(fixed_criterion("positive_pnl", f.pnl.micros, true, 0, f.pnl.micros > 0));
  if (r.max_drawdown)
    out.push_back(fixed_criterion("max_drawdown", f.max_drawdown.micros, true, r.max_drawdown->micros,
                                  f.max_drawdown <= *r.max_drawdown));
  return out;
}

/// Gate `from` -> next over `book`'s trades (the book the node actually traded on).
gate_report gate_over(phase from, const trade_filter& book, std::int64_t now_ms, const performance_tracker& t,
                      const phase_policy& p) {
  gate_report g;
  g.from = from;
  g.to = from;
  auto to = next_phase(from);
  if (!to)
    return g; // Scaling: nothing above, pass = false
  g.to = *to;
  const auto& rule = p.gates[static_cast<std::size_t>(from)];
  g.figures = t.window(rule.window_sessions, now_ms, book);
  g.criteria = gate_criteria(rule, g.figures);
  g.pass = std::all_of(g.criteria.begin(), g.criteria.end(), [](const criterion& c) { return c.pass; });
  return g;
}

bool newer(const resting_buy* a, const resting_buy* b) {
  if (a->created_ms != b->created_ms)
    return a->created_ms > b->created_ms;
  return a->order_id > b->order_id;
}

/// Cancels the newest of `orders` until their reserved total is within `cap`.
void trim_newest(std::vector<const resting_buy*> orders, usdc cap, std::set<std::string>& cancel) {
  __int128 total = 0; // many large orders must not wrap the sum
  for (auto* o : orders)
    total += o->reserved.micros;
  std::sort(orders.begin(), orders.end(), newer);
  for (auto* o : orders) {
    if (total <= cap.micros)
      break;
    total -= o->reserved.micros;
    cancel.insert(o->order_id);
  }
}

} // namespace

std::string format_micros6(std::int64_t micros) {
  auto s = format_fixed(micros, micro_decimals);
  auto dot = s.find('.');
  if (dot == std::string::npos) {
    dot = s.size();
    s += '.';
  }
  s.append(static_cast<std::size_t>(micro_decimals) - (s.size() - dot - 1), '0');
  return s;
}

phase_policy phase_policy::defaults() {
  phase_policy p;
  p.limits[static_cast<std::size_t>(phase::proof_of_concept)].max_trades_per_session = 1;
  return p;
}

std::optional<phase> next_phase(phase p) {
  if (p == phase::scaling)
    return std::nullopt;
  return static_cast<phase>(static_cast<std::uint8_t>(p) + 1);
}

std::optional<phase> prev_phase(phase p) {
  if (p == phase::experience)
    return std::nullopt;
  return static_cast<phase>(static_cast<std::uint8_t>(p) - 1);
}

gate_report evaluate_gate(phase current, std::int64_t since_ms, std::int64_t now_ms, const performance_tracker& t,
                          const phase_policy& p) {
  return gate_over(current, book_of(current, since_ms), now_ms, t, p);
}

gate_report evaluate_switch(phase from, phase to, std::int64_t since_ms, std::int64_t now_ms,
                            const performance_tracker& t, const phase_policy& p) {
  if (to <= from) {
    gate_report g;
    g.from = from;
    g.to = to;
    g.pass = true;
    return g;
  }
  // A jump of several steps must clear every gate on the way, all judged on the
  // figures the node earned in `from` (the only book it traded on since then).
  gate_report g;
  for (auto step = from; step < to; step = *next_phase(step)) {
    g = gate_over(step, book_of(from, since_ms), now_ms, t, p);
    if (!g.pass)
      break;
  }
  return g;
}

downgrade_report evaluate_downgrade(phase current, std::int64_t since_ms, std::int64_t now_ms,
                                    const performance_tracker& t, const phase_policy& p) {
  const auto& rule = p.downgrade;
  auto book = book_of(current, since_ms);
  downgrade_report d;
  d.session = t.session(t.clock().index(now_ms), book);
  if (rule.consecutive_losses > 0) {
    auto streak = t.all(book).loss_streak;
    d.watch.push_back(count_criterion("consecutive_losses", streak, rule.consecutive_losses,
                                      streak < rule.consecutive_losses));
  }
  auto w = t.window(rule.win_rate_window_sessions, now_ms, book);
  bool wr_defined = w.win_rate_ppm != undefined;
  bool wr_fires = w.trades >= rule.win_rate_min_trades && wr_defined && w.win_rate_ppm < rule.min_win_rate_ppm;
  d.watch.push_back(fixed_criterion("rolling_win_rate", w.win_rate_ppm, wr_defined, rule.min_win_rate_ppm, !wr_fires));
  if (rule.max_session_loss_ppm > 0) {
    auto capital = p.limits_of(current).capital.micros;
    auto limit = static_cast<std::int64_t>(static_cast<__int128>(rule.max_session_loss_ppm) * capital / 1'000'000);
    d.watch.push_back(fixed_criterion("session_loss", d.session.pnl.micros, true, -limit,
                                      !(d.session.pnl.micros < -limit)));
  }
  if (!rule.enabled || !prev_phase(current))
    return d; // the watch is still shown; Experience is the floor
  for (const auto& c : d.watch)
    if (!c.pass) {
      d.fire = true;
      d.trigger = c.name;
      break;
    }
  return d;
}

std::vector<std::string> orders_above_limits(const std::vector<resting_buy>& open, phase to, const phase_limits& l) {
  std::set<std::string> cancel;
  const bool paper = is_paper_only(to);
  std::map<std::string, std::vector<const resting_buy*>> by_market;
  for (const auto& o : open) {
    if (o.paper != paper || o.size > l.shares_per_rung)
      cancel.insert(o.order_id);
    else
      by_market[o.market].push_back(&o);
  }
  for (const auto& [market, orders] : by_market)
    trim_newest(orders, l.max_per_market, cancel);
  std::vector<const resting_buy*> kept;
  for (const auto& [market, orders] : by_market)
    for (auto* o : orders)
      if (!cancel.count(o->order_id))
        kept.push_back(o);
  trim_newest(kept, l.max_exposure, cancel);
  return {cancel.begin(), cancel.end()}; // sorted by order id: deterministic
}

std::vector<std::size_t> entries_above_limits(const std::vector<resting_buy>& open,
                                              const std::vector<resting_buy>& entries, phase current,
                                              const phase_limits& l) {
  // The entries are the newest (trimmed first); an id no order can have names each.
  constexpr std::string_view tag = "<entry>#";
  std::int64_t newest = 0;
  for (const auto& o : open)
    newest = std::max(newest, o.created_ms);
  auto all = open;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    auto e = entries[i];
    e.order_id = std::string(tag) + std::to_string(i);
    e.created_ms = std::max(e.created_ms, newest) + static_cast<std::int64_t>(i) + 1;
    all.push_back(std::move(e));
  }
  std::vector<std::size_t> refused;
  for (const auto& id : orders_above_limits(all, current, l))
    if (id.starts_with(tag))
      refused.push_back(std::stoul(id.substr(tag.size())));
  std::sort(refused.begin(), refused.end());
  return refused;
}

} // namespace tdmaker
