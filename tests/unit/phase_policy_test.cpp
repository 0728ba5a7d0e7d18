// Seed 002's phase policy: each gate criterion at, just above and just below
// its threshold, each downgrade trigger, the Experience floor, and which
// resting buys a phase change cancels. Plain ms values as the clock.
#include <doctest/doctest.h>

#include <algorithm>

#include "core/phase_policy.hpp"
#include "tests/unit/closed_trades.hpp"

using namespace tdmaker;
using namespace tdmaker::test;

namespace {

phase_policy short_policy() {
  auto p = phase_policy::defaults();
  p.session = {0, 100};
  return p;
}

/// Five paper trades over sessions 0, 0, 1, 2, 2: +1, -0.5, +1, +0.5, -0.5.
/// wins 3, losses 2 -> win rate 3/5 = 0.6; avg win 2.5/3 = 0.833333 (floor),
/// avg loss 0.5 -> R:R floor(0.833333 / 0.5 * 1e6) = 1666666; pnl 1.5;
/// cumulative 1, 0.5, 1.5, 2, 1.5 -> max drawdown 0.5.
performance_tracker five_paper(bool paper = true) {
  performance_tracker t(session_clock{0, 100});
  t.add(trade("a", 1'000'000, 1'000, paper));
  t.add(trade("b", -500'000, 2'000, paper));
  t.add(trade("c", 1'000'000, len_ms + 1'000, paper));
  t.add(trade("d", 500'000, 2 * len_ms + 1'000, paper));
  t.add(trade("e", -500'000, 2 * len_ms + 2'000, paper));
  return t;
}

constexpr std::int64_t now = 2 * len_ms + 50'000;

gate_rule rule_at_figures() {
  gate_rule r;
  r.window_sessions = 10;
  r.min_sessions = 3;
  r.min_trades = 5;
  r.min_win_rate_ppm = 600'000;
  r.min_rr_ppm = 1'666'666;
  r.require_positive_pnl = true;
  r.max_drawdown = usdc{500'000};
  return r;
}

const criterion& named(const std::vector<criterion>& cs, std::string_view name) {
  auto it = std::find_if(cs.begin(), cs.end(), [&](auto& c) { return c.name == name; });
  REQUIRE(it != cs.end());
  return *it;
}

bool has(const std::vector<criterion>& cs, std::string_view name) {
  return std::any_of(cs.begin(), cs.end(), [&](auto& c) { return c.name == name; });
}

/// The Experience gate over five_paper() with one criterion's rule changed.
gate_report gate_with(void (*edit)(gate_rule&, std::int64_t), std::int64_t v) {
  auto p = short_policy();
  p.gates[0] = rule_at_figures();
  edit(p.gates[0], v);
  return evaluate_gate(phase::experience, 0, now, five_paper(), p);
}

} // namespace

TEST_CASE("phase policy: next and previous phase, Experience is the floor") {
  CHECK(next_phase(phase::experience) == phase::proof_of_concept);
  CHECK(next_phase(phase::proof_of_concept) == phase::real_money_trial);
  CHECK(next_phase(phase::real_money_trial) == phase::scaling);
  CHECK_FALSE(next_phase(phase::scaling));
  CHECK_FALSE(prev_phase(phase::experience));
  CHECK(prev_phase(phase::proof_of_concept) == phase::experience);
  CHECK(prev_phase(phase::scaling) == phase::real_money_trial);
}

TEST_CASE("phase policy: defaults are the ladder and budget sizes, ProofOfConcept one trade a session") {
  auto p = phase_policy::defaults();
  for (auto ph : all_phases) {
    CHECK(p.limits_of(ph).shares_per_rung == shares{5'000'000});
    CHECK(p.limits_of(ph).max_exposure == usdc{50'000'000});
    CHECK(p.limits_of(ph).max_per_market == usdc{15'000'000});
    CHECK(p.limits_of(ph).capital == usdc{50'000'000});
  }
  CHECK(p.limits_of(phase::proof_of_concept).max_trades_per_session == 1);
  CHECK(p.limits_of(phase::experience).max_trades_per_session == 0);
  CHECK(p.limits_of(phase::scaling).max_trades_per_session == 0);
  CHECK_FALSE(p.auto_upgrade);
  CHECK(p.downgrade.enabled);
  CHECK(p.downgrade.consecutive_losses == 3);
  CHECK(p.downgrade.min_win_rate_ppm == 550'000);
  CHECK(p.downgrade.max_session_loss_ppm == 50'000);
}

TEST_CASE("phase policy: criterion text has 6 decimals, counts are integers") {
  CHECK(format_micros6(600'000) == "0.600000");
  CHECK(format_micros6(12'500'000) == "12.500000");
  CHECK(format_micros6(-2'500'000) == "-2.500000");
  CHECK(format_micros6(0) == "0.000000");
  CHECK(format_micros6(7'000'000) == "7.000000");
  CHECK(format_micros6(1) == "0.000001");
}

TEST_CASE("phase policy: the gate at its thresholds passes, criteria in order with their figures") {
  auto p = short_policy();
  p.gates[0] = rule_at_figures();
  auto g = evaluate_gate(phase::experience, 0, now, five_paper(), p);
  CHECK(g.from == phase::experience);
  CHECK(g.to == phase::proof_of_concept);
  REQUIRE(g.criteria.size() == 6);
  const char* order[] = {"min_sessions", "min_trades", "min_win_rate", "min_rr", "positive_pnl", "max_drawdown"};
  for (std::size_t i = 0; i < 6; ++i)
    CHECK(g.criteria[i].name == order[i]);
  CHECK(g.pass);
  CHECK(g.figures.trades == 5);
  auto& s = g.criteria[0];
  CHECK(s.value == "3");
  CHECK(s.threshold == "3");
  CHECK(s.value_micros == 3);
  auto& wr = g.criteria[2];
  CHECK(wr.value == "0.600000");
  CHECK(wr.threshold == "0.600000");
  CHECK(wr.value_micros == 600'000);
  CHECK(g.criteria[3].value == "1.666666");
  CHECK(g.criteria[4].value == "1.500000");
  CHECK(g.criteria[4].threshold == "0.000000");
  CHECK(g.criteria[5].value == "0.500000");
  CHECK(g.criteria[5].threshold_micros == 500'000);
}

TEST_CASE("phase policy: each gate criterion just below, at and just above its threshold") {
  // Minimums: a threshold one below the figure and at it pass, one above fails.
  auto sessions = [](gate_rule& r, std::int64_t v) { r.min_sessions = static_cast<std::uint32_t>(v); };
  auto trades = [](gate_rule& r, std::int64_t v) { r.min_trades = static_cast<std::uint32_t>(v); };
  auto win_rate = [](gate_rule& r, std::int64_t v) { r.min_win_rate_ppm = v; };
  auto rr = [](gate_rule& r, std::int64_t v) { r.min_rr_ppm = v; };
  struct minimum {
    const char* name;
    void (*edit)(gate_rule&, std::int64_t);
    std::int64_t figure;
  };
  for (auto m : {minimum{"min_sessions", sessions, 3}, minimum{"min_trades", trades, 5},
                 minimum{"min_win_rate", win_rate, 600'000}, minimum{"min_rr", rr, 1'666'666}}) {
    CAPTURE(m.name);
    auto below = gate_with(m.edit, m.figure - 1);
    auto at = gate_with(m.edit, m.figure);
    auto above = gate_with(m.edit, m.figure + 1);
    CHECK(named(below.criteria, m.name).pass);
    CHECK(below.pass);
    CHECK(named(at.criteria, m.name).pass);
    CHECK(at.pass);
    CHECK_FALSE(named(above.criteria, m.name).pass);
    CHECK_FALSE(above.pass);
    CHECK(named(above.criteria, m.name).value_micros == m.figure);
    CHECK(named(above.criteria, m.name).threshold_micros == m.figure + 1);
  }
  // Maximum drawdown: the figure is 0.5; a cap of 0.499999 fails, 0.5 and 0.500001 pass.
  auto dd = [](gate_rule& r, std::int64_t v) { r.max_drawdown = usdc{v}; };
  CHECK_FALSE(named(gate_with(dd, 499'999).criteria, "max_drawdown").pass);
  CHECK_FALSE(gate_with(dd, 499'999).pass);
  CHECK(named(gate_with(dd, 500'000).criteria, "max_drawdown").pass);
  CHECK(named(gate_with(dd, 500'001).criteria, "max_drawdown").pass);
  // Not set, not checked: the criterion is absent.
  auto no_dd = [](gate_rule& r, std::int64_t) { r.max_drawdown.reset(); };
  CHECK_FALSE(has(gate_with(no_dd, 0).criteria, "max_drawdown"));
  auto no_pnl = [](gate_rule& r, std::int64_t) { r.require_positive_pnl = false; };
  CHECK_FALSE(has(gate_with(no_pnl, 0).criteria, "positive_pnl"));
  CHECK(gate_with(no_pnl, 0).criteria.size() == 5);
}

TEST_CASE("phase policy: positive PnL just below, at and just above zero") {
  auto p = short_policy();
  p.gates[0] = gate_rule{1, 0, 0, 0, 0, true, std::nullopt};
  for (auto [last, pass] : {std::pair{-1'000'001, false}, std::pair{-1'000'000, false}, std::pair{-999'999, true}}) {
    performance_tracker t(p.session);
    t.add(trade("w", 1'000'000, 1'000, true));
    t.add(trade("l", last, 2'000, true)); // pnl = 1 + last: -1 micro, 0, +1 micro
    auto g = evaluate_gate(phase::experience, 0, 3'000, t, p);
    CAPTURE(last);
    CHECK(named(g.criteria, "positive_pnl").pass == pass);
    CHECK(named(g.criteria, "positive_pnl").value_micros == 1'000'000 + last);
    CHECK(g.pass == pass);
  }
}

TEST_CASE("phase policy: undefined figures: an empty window fails, winning without a loss passes R:R") {
  auto p = short_policy();
  p.gates[0] = gate_rule{10, 0, 0, 0, 1'000'000, false, std::nullopt};
  performance_tracker empty(p.session);
  auto g = evaluate_gate(phase::experience, 0, now, empty, p);
  CHECK(named(g.criteria, "min_win_rate").value.empty());
  CHECK(named(g.criteria, "min_win_rate").value_micros == performance_figures::undefined);
  CHECK_FALSE(named(g.criteria, "min_win_rate").pass); // even against a 0 threshold
  CHECK(named(g.criteria, "min_rr").value.empty());
  CHECK_FALSE(named(g.criteria, "min_rr").pass);
  CHECK_FALSE(g.pass);

  performance_tracker wins(p.session);
  wins.add(trade("w", 1, 1'000, true));
  auto w = evaluate_gate(phase::experience, 0, now, wins, p);
  CHECK(named(w.criteria, "min_rr").value.empty());
  CHECK(named(w.criteria, "min_rr").pass);
  CHECK(w.pass);

  performance_tracker zero(p.session);
  zero.add(trade("z", 0, 1'000, true)); // a trade, no win, no loss: R:R undefined and no win
  CHECK_FALSE(named(evaluate_gate(phase::experience, 0, now, zero, p).criteria, "min_rr").pass);
}

TEST_CASE("phase policy: the gate reads the phase's own book, since the phase began, within its window") {
  auto p = short_policy();
  p.gates[0] = rule_at_figures();
  p.gates[1] = rule_at_figures();
  auto live = five_paper(false);
  CHECK_FALSE(evaluate_gate(phase::experience, 0, now, live, p).pass); // Experience looks at paper
  CHECK(evaluate_gate(phase::experience, 0, now, live, p).figures.trades == 0);
  CHECK(evaluate_gate(phase::proof_of_concept, 0, now, live, p).pass);
  auto paper = five_paper(true);
  CHECK_FALSE(evaluate_gate(phase::proof_of_concept, 0, now, paper, p).pass);
  // since_ms after the first trade: 4 trades left, below min_trades 5.
  auto late = evaluate_gate(phase::experience, 1'001, now, paper, p);
  CHECK(late.figures.trades == 4);
  CHECK_FALSE(named(late.criteria, "min_trades").pass);
  // A window of 2 sessions ending in session 2 leaves session 0 out.
  p.gates[0].window_sessions = 2;
  auto narrow = evaluate_gate(phase::experience, 0, now, paper, p);
  CHECK(narrow.figures.trades == 3);
  CHECK(narrow.figures.sessions == 2);
  CHECK_FALSE(narrow.pass);
}

TEST_CASE("phase policy: no gate above Scaling") {
  auto g = evaluate_gate(phase::scaling, 0, now, five_paper(false), short_policy());
  CHECK_FALSE(g.pass);
  CHECK(g.criteria.empty());
  CHECK(g.from == phase::scaling);
  CHECK(g.to == phase::scaling);
}

TEST_CASE("phase policy: a switch checks every gate on the way, reports the first failing or the last") {
  auto p = short_policy();
  p.gates[0] = rule_at_figures();
  p.gates[1] = rule_at_figures();
  p.gates[2] = rule_at_figures();
  auto t = five_paper(true);
  auto all_pass = evaluate_switch(phase::experience, phase::scaling, 0, now, t, p);
  CHECK(all_pass.pass);
  CHECK(all_pass.from == phase::real_money_trial); // the last gate on the way
  CHECK(all_pass.to == phase::scaling);
  CHECK(all_pass.criteria.size() == 6);

  p.gates[1].min_trades = 6; // ProofOfConcept -> RealMoneyTrial fails on the same figures
  auto second = evaluate_switch(phase::experience, phase::scaling, 0, now, t, p);
  CHECK_FALSE(second.pass);
  CHECK(second.from == phase::proof_of_concept);
  CHECK(second.to == phase::real_money_trial);
  CHECK_FALSE(named(second.criteria, "min_trades").pass);

  p.gates[0].min_sessions = 4; // now the first gate fails first
  auto first = evaluate_switch(phase::experience, phase::scaling, 0, now, t, p);
  CHECK(first.from == phase::experience);
  CHECK(first.to == phase::proof_of_concept);
  CHECK_FALSE(first.pass);

  auto one = evaluate_switch(phase::experience, phase::proof_of_concept, 0, now, t, p);
  CHECK(one.from == phase::experience);
  CHECK_FALSE(one.pass);

  for (auto [from, to] : {std::pair{phase::scaling, phase::experience}, std::pair{phase::real_money_trial,
                                                                                  phase::proof_of_concept},
                          std::pair{phase::proof_of_concept, phase::proof_of_concept}}) {
    auto down = evaluate_switch(from, to, 0, now, t, p);
    CHECK(down.pass);
    CHECK(down.criteria.empty());
    CHECK(down.from == from);
    CHECK(down.to == to);
  }
}

namespace {

/// ProofOfConcept (live), capital 50; the three triggers set apart by the test.
phase_policy downgrade_policy() {
  auto p = short_policy();
  p.downgrade = downgrade_rule{true, 0, 0, 20, 10, 0};
  return p;
}

downgrade_report losses_in_a_row(std::uint32_t losses, std::uint32_t n, phase ph = phase::proof_of_concept) {
  auto p = downgrade_policy();
  p.downgrade.consecutive_losses = n;
  performance_tracker t(p.session);
  t.add(trade("w", 5'000'000, 1'000, is_paper_only(ph)));
  for (std::uint32_t i = 0; i < losses; ++i)
    t.add(trade(key("l", i), -1, 2'000 + i, is_paper_only(ph)));
  return evaluate_downgrade(ph, 0, 10'000, t, p);
}

} // namespace

TEST_CASE("phase policy: consecutive losses below, at and above the trigger") {
  auto below = losses_in_a_row(2, 3);
  CHECK_FALSE(below.fire);
  CHECK(named(below.watch, "consecutive_losses").value == "2");
  CHECK(named(below.watch, "consecutive_losses").threshold == "3");
  CHECK(named(below.watch, "consecutive_losses").pass);
  auto at = losses_in_a_row(3, 3);
  CHECK(at.fire);
  CHECK(at.trigger == "consecutive_losses");
  CHECK_FALSE(named(at.watch, "consecutive_losses").pass);
  auto above = losses_in_a_row(4, 3);
  CHECK(above.fire);
  CHECK(above.trigger == "consecutive_losses");
  CHECK(named(above.watch, "consecutive_losses").value_micros == 4);
  auto off = losses_in_a_row(9, 0);
  CHECK_FALSE(off.fire);
  CHECK_FALSE(has(off.watch, "consecutive_losses"));
}

TEST_CASE("phase policy: rolling win rate below, at and above its minimum, once the window has enough trades") {
  auto run = [](std::int64_t min_ppm, std::uint32_t trades_needed, int trades) {
    auto p = downgrade_policy();
    p.downgrade.min_win_rate_ppm = min_ppm;
    p.downgrade.win_rate_min_trades = trades_needed;
    performance_tracker t(p.session);
    for (int i = 0; i < trades; ++i) // alternate W L: win rate 1/2 for an even count
      t.add(trade(key("t", i), i % 2 == 0 ? 1 : -1, 1'000 + i, false));
    return evaluate_downgrade(phase::proof_of_concept, 0, 10'000, t, p);
  };
  auto at = run(500'000, 10, 10); // 5 / 10 = 0.5: not below 0.5
  CHECK_FALSE(at.fire);
  CHECK(named(at.watch, "rolling_win_rate").value == "0.500000");
  CHECK(named(at.watch, "rolling_win_rate").threshold == "0.500000");
  CHECK_FALSE(run(499'999, 10, 10).fire);
  auto fired = run(500'001, 10, 10);
  CHECK(fired.fire);
  CHECK(fired.trigger == "rolling_win_rate");
  // Too few trades in the window: the rate is shown, nothing fires (9 < 10 and 11 needed > 10).
  auto few = run(900'000, 11, 10);
  CHECK_FALSE(few.fire);
  CHECK(named(few.watch, "rolling_win_rate").value == "0.500000");
  CHECK(run(900'000, 10, 10).fire); // exactly the minimum count is enough
  auto none = run(900'000, 0, 0);
  CHECK_FALSE(none.fire); // no trades: undefined rate never fires
  CHECK(named(none.watch, "rolling_win_rate").value.empty());
}

TEST_CASE("phase policy: a session loss below, at and above 5 % of the phase's capital") {
  auto run = [](std::int64_t session_pnl) {
    auto p = downgrade_policy();
    p.downgrade.max_session_loss_ppm = 50'000; // 5 % of 50 = 2.5
    performance_tracker t(p.session);
    t.add(trade("old", -40'000'000, 1'000, false)); // session 0: not the current session
    t.add(trade("now", session_pnl, len_ms + 1'000, false));
    return evaluate_downgrade(phase::proof_of_concept, 0, len_ms + 5'000, t, p);
  };
  auto at = run(-2'500'000);
  CHECK_FALSE(at.fire);
  CHECK(named(at.watch, "session_loss").value == "-2.500000");
  CHECK(named(at.watch, "session_loss").threshold == "-2.500000");
  CHECK(named(at.watch, "session_loss").threshold_micros == -2'500'000);
  CHECK(at.session.pnl == usdc{-2'500'000});
  CHECK_FALSE(run(-2'499'999).fire);
  auto over = run(-2'500'001);
  CHECK(over.fire);
  CHECK(over.trigger == "session_loss");

  // The phase's own capital: 10 -> 5 % is 0.5.
  auto p = downgrade_policy();
  p.downgrade.max_session_loss_ppm = 50'000;
  p.limits[1].capital = usdc{10'000'000};
  performance_tracker t(p.session);
  t.add(trade("x", -600'000, 1'000, false));
  CHECK(evaluate_downgrade(phase::proof_of_concept, 0, 2'000, t, p).fire);
  p.downgrade.max_session_loss_ppm = 0; // off: not watched
  auto off = evaluate_downgrade(phase::proof_of_concept, 0, 2'000, t, p);
  CHECK_FALSE(off.fire);
  CHECK_FALSE(has(off.watch, "session_loss"));
}

TEST_CASE("phase policy: the first trigger that fired is named, since_ms keeps old losses out") {
  auto p = short_policy(); // defaults: 3 losses, 55 %, 5 % of 50
  performance_tracker t(p.session);
  for (int i = 0; i < 3; ++i)
    t.add(trade(key("l", i), -1'000'000, 1'000 + i, false));
  auto d = evaluate_downgrade(phase::real_money_trial, 0, 5'000, t, p);
  CHECK(d.fire);
  CHECK(d.trigger == "consecutive_losses"); // session_loss (-3 < -2.5) fired too
  CHECK_FALSE(named(d.watch, "session_loss").pass);
  CHECK(d.watch.size() == 3);
  // The phase began after those losses (the downgrade that they caused): nothing fires again.
  auto after = evaluate_downgrade(phase::proof_of_concept, 1'003, 5'000, t, p);
  CHECK_FALSE(after.fire);
  CHECK(named(after.watch, "consecutive_losses").value == "0");
}

TEST_CASE("phase policy: no downgrade below Experience or when disabled, the watch still filled") {
  auto floor = losses_in_a_row(5, 3, phase::experience);
  CHECK_FALSE(floor.fire);
  CHECK(floor.trigger.empty());
  CHECK_FALSE(named(floor.watch, "consecutive_losses").pass); // shown as tripped, not acted on
  CHECK(named(floor.watch, "consecutive_losses").value == "5");

  auto p = short_policy();
  p.downgrade.enabled = false;
  performance_tracker t(p.session);
  for (int i = 0; i < 5; ++i)
    t.add(trade(key("l", i), -1'000'000, 1'000 + i, false));
  auto d = evaluate_downgrade(phase::scaling, 0, 5'000, t, p);
  CHECK_FALSE(d.fire);
  CHECK(d.watch.size() == 3);
  CHECK(d.session.trades == 5);
}

namespace {

resting_buy buy(std::string id, std::string market, std::int64_t size, std::int64_t reserved, std::int64_t created,
                bool paper = false) {
  return {std::move(id), std::move(market), shares{size}, usdc{reserved}, created, paper};
}

phase_limits limits(std::int64_t rung, std::int64_t exposure, std::int64_t per_market) {
  phase_limits l;
  l.shares_per_rung = shares{rung};
  l.max_exposure = usdc{exposure};
  l.max_per_market = usdc{per_market};
  return l;
}

} // namespace

TEST_CASE("orders above limits: the other book's buys and those above the rung size") {
  std::vector<resting_buy> open{buy("live-1", "A", 5'000'000, 4'000'000, 1),
                                buy("paper-1", "A", 5'000'000, 4'000'000, 2, true)};
  auto l = limits(5'000'000, 50'000'000, 15'000'000);
  CHECK(orders_above_limits(open, phase::experience, l) == std::vector<std::string>{"live-1"});
  CHECK(orders_above_limits(open, phase::proof_of_concept, l) == std::vector<std::string>{"paper-1"});
  std::vector<resting_buy> sizes{buy("big", "A", 5'000'001, 1, 1), buy("at", "A", 5'000'000, 1, 2),
                                 buy("small", "B", 1'000'000, 1, 3)};
  CHECK(orders_above_limits(sizes, phase::scaling, l) == std::vector<std::string>{"big"});
  CHECK(orders_above_limits({}, phase::scaling, l).empty());
}

TEST_CASE("orders above limits: per-market cap and total budget cancel the newest first") {
  auto l = limits(5'000'000, 50'000'000, 10'000'000);
  // Market A holds 4 + 4 + 4 = 12 > 10: the newest (t=3) goes, 8 remain.
  std::vector<resting_buy> a{buy("a2", "A", 1, 4'000'000, 2), buy("a3", "A", 1, 4'000'000, 3),
                             buy("a1", "A", 1, 4'000'000, 1), buy("b1", "B", 1, 4'000'000, 9)};
  CHECK(orders_above_limits(a, phase::scaling, l) == std::vector<std::string>{"a3"});
  // At the cap exactly nothing goes.
  l.max_per_market = usdc{12'000'000};
  CHECK(orders_above_limits(a, phase::scaling, l).empty());
  // The total 16 over a budget of 9: newest first across markets: b1 (t=9), a3 (t=3) -> 8.
  l.max_exposure = usdc{9'000'000};
  CHECK(orders_above_limits(a, phase::scaling, l) == std::vector<std::string>{"a3", "b1"});
  // Same creation time: the larger order id counts as newer.
  std::vector<resting_buy> tie{buy("x1", "A", 1, 6'000'000, 5), buy("x2", "A", 1, 6'000'000, 5)};
  CHECK(orders_above_limits(tie, phase::scaling, limits(5'000'000, 50'000'000, 10'000'000))
        == std::vector<std::string>{"x2"});
  // A cancelled book/size mismatch no longer counts toward the caps.
  std::vector<resting_buy> mixed{buy("big", "A", 9'000'000, 8'000'000, 9), buy("ok", "A", 1, 8'000'000, 1)};
  CHECK(orders_above_limits(mixed, phase::scaling, limits(5'000'000, 50'000'000, 10'000'000))
        == std::vector<std::string>{"big"});
  // Deterministic: the input order does not change the result.
  std::reverse(a.begin(), a.end());
  CHECK(orders_above_limits(a, phase::scaling, l) == std::vector<std::string>{"a3", "b1"});
}

TEST_CASE("entries above limits: a batch sized before a downgrade is refused - resting orders are never named") {
  auto l = limits(5'000'000, 50'000'000, 12'000'000);
  // Market A rests 9 of its 12; three new bids of 10, 5 and 5 shares (2 pUSD each).
  std::vector<resting_buy> open{buy("a1", "A", 5'000'000, 9'000'000, 100)};
  std::vector<resting_buy> entries{buy("", "A", 10'000'000, 2'000'000, 50), buy("", "A", 5'000'000, 2'000'000, 50),
                                   buy("", "A", 5'000'000, 2'000'000, 50)};
  // The 10-share bid is above the rung size; of the two others the newer takes A past 12.
  CHECK(entries_above_limits(open, entries, phase::real_money_trial, l) == std::vector<std::size_t>{0, 2});
  // Within every limit: nothing refused.
  CHECK(entries_above_limits(open, {entries[1]}, phase::real_money_trial, l).empty());
  // Resting orders above the limits (a cancel on its way) are not named, and a
  // new bid beside them on another market still passes.
  std::vector<resting_buy> over{buy("big", "B", 9'000'000, 30'000'000, 1)};
  CHECK(entries_above_limits(over, {buy("", "C", 5'000'000, 2'000'000, 2)}, phase::real_money_trial, l).empty());
}
