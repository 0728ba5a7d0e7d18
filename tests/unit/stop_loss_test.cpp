// Seed 003's StopLossManager and paper-fill rules, driven by an injected clock
// (the `now_ms` of each check), never by sleeping.
#include <doctest/doctest.h>

#include "core/paper_fills.hpp"
#include "core/stop_loss.hpp"

using namespace tdmaker;

namespace {

constexpr std::int64_t start_s = 1'800'000'000;
constexpr std::int64_t t0 = (start_s + 600) * 1000; // 10 minutes into a 15-minute slot

entry_inputs held_up(std::int64_t bid, std::int64_t now_ms, std::int64_t ref_now_e8 = 10'000'000'000'000) {
  entry_inputs in;
  in.side = outcome::up;
  in.bid = price{bid};
  in.ask = price{bid + 10'000};
  in.ref_start = ref_price{10'000'000'000'000}; // 100,000.00000000
  in.ref_now = ref_price{ref_now_e8};
  in.now_ms = now_ms;
  in.slot_start_s = start_s;
  in.slot_end_s = start_s + 900;
  return in;
}

stop_rules no_override() {
  stop_rules r;
  r.fair_value_override = false;
  return r;
}

} // namespace

TEST_CASE("stop-loss: no exit before the bid has peaked") {
  stop_state st;
  auto r = no_override();
  CHECK(check_stop(r, nullptr, held_up(850'000, t0), st).verdict == stop_verdict::hold);
  CHECK(check_stop(r, nullptr, held_up(600'000, t0 + 1000), st).verdict == stop_verdict::hold); // never reached 0.90
  CHECK(st.peak_bid == price{850'000});
}

TEST_CASE("stop-loss: peak then crash exits at the bid") {
  stop_state st;
  auto r = no_override();
  CHECK(check_stop(r, nullptr, held_up(920'000, t0), st).verdict == stop_verdict::hold);
  CHECK(check_stop(r, nullptr, held_up(700'000, t0 + 1000), st).verdict == stop_verdict::hold); // above exit
  auto c = check_stop(r, nullptr, held_up(640'000, t0 + 2000), st);
  CHECK(c.verdict == stop_verdict::exit);
  CHECK(c.exit_px == price{640'000});
  CHECK(st.peak_bid == price{920'000});
}

TEST_CASE("stop-loss: fair value defers the exit for the grace, then the crash is believed") {
  stop_state st;
  stop_rules r; // override on, fair_hold 0.8, grace 10 s
  // Reference 1 % above its start with 5 minutes left: Up is very likely to win.
  const std::int64_t up_1pct = 10'100'000'000'000;
  CHECK(check_stop(r, nullptr, held_up(950'000, t0, up_1pct), st).verdict == stop_verdict::hold);
  auto first = check_stop(r, nullptr, held_up(600'000, t0 + 1'000, up_1pct), st);
  CHECK(first.verdict == stop_verdict::hold);
  CHECK(first.p_win > 0.8);
  CHECK(st.below_exit_since_ms == t0 + 1'000);
  CHECK(check_stop(r, nullptr, held_up(600'000, t0 + 10'999, up_1pct), st).verdict == stop_verdict::hold);
  auto late = check_stop(r, nullptr, held_up(600'000, t0 + 11'000, up_1pct), st);
  CHECK(late.verdict == stop_verdict::exit);
  CHECK(late.reason == std::string_view("crash outlasted the fair-value grace"));
}

TEST_CASE("stop-loss: a recovery resets the grace clock") {
  stop_state st;
  stop_rules r;
  const std::int64_t up_1pct = 10'100'000'000'000;
  check_stop(r, nullptr, held_up(950'000, t0, up_1pct), st);
  check_stop(r, nullptr, held_up(600'000, t0 + 1'000, up_1pct), st);
  CHECK(check_stop(r, nullptr, held_up(800'000, t0 + 5'000, up_1pct), st).verdict == stop_verdict::hold);
  CHECK(st.below_exit_since_ms == 0);
  // A new crash starts a new grace.
  CHECK(check_stop(r, nullptr, held_up(600'000, t0 + 12'000, up_1pct), st).verdict == stop_verdict::hold);
  CHECK(check_stop(r, nullptr, held_up(600'000, t0 + 22'000, up_1pct), st).verdict == stop_verdict::exit);
}

TEST_CASE("stop-loss: fair value against the position gives no grace") {
  stop_state st;
  stop_rules r;
  const std::int64_t down_1pct = 9'900'000'000'000; // Up (held) is now unlikely
  check_stop(r, nullptr, held_up(950'000, t0, down_1pct), st);
  auto c = check_stop(r, nullptr, held_up(600'000, t0 + 1'000, down_1pct), st);
  CHECK(c.verdict == stop_verdict::exit);
  CHECK(c.p_win < 0.2);
}

TEST_CASE("stop-loss: an empty book awaits settlement and never sells") {
  stop_state st;
  auto r = no_override();
  check_stop(r, nullptr, held_up(950'000, t0), st);
  auto in = held_up(0, t0 + 1000);
  in.ask = price{0};
  CHECK(check_stop(r, nullptr, in, st).verdict == stop_verdict::await_settlement);
  // No bid but an ask: nothing to sell into, hold.
  in.ask = price{50'000};
  CHECK(check_stop(r, nullptr, in, st).verdict == stop_verdict::hold);
}

TEST_CASE("stop-loss: the exit model sells below its threshold") {
  auto m = parse_exit_model(R"({"intercept": 0, "weights": {"bid": 10}, "exit_threshold": 0.3})");
  REQUIRE(m.ok());
  stop_state st;
  stop_rules r;
  // p = 1 / (1 + e^-(10 bid)): bid 0.05 -> 0.62 (hold); model on, so peak/exit rules do not apply.
  CHECK(check_stop(r, &*m, held_up(50'000, t0), st).verdict == stop_verdict::hold);
  auto neg = parse_exit_model(R"({"intercept": -3, "weights": {"bid": 1}, "exit_threshold": 0.3})");
  REQUIRE(neg.ok());
  auto c = check_stop(r, &*neg, held_up(500'000, t0), st);
  CHECK(c.verdict == stop_verdict::exit);
  CHECK(c.p_win < 0.3);
  CHECK_FALSE(parse_exit_model(R"({"intercept": 0, "weights": {}})").ok());
  CHECK_FALSE(parse_exit_model(R"({"intercept": 0, "weights": {}, "exit_threshold": 2})").ok());
  CHECK_FALSE(parse_exit_model(R"({"intercept": 0, "weights": {"colour": 1}, "exit_threshold": 0.2})").ok());
}

TEST_CASE("paper fills: ask crossed") {
  paper_bid b{price{830'000}};
  CHECK(check_paper_fill(b, price{830'000}, price{850'000}, tick_size{10'000}, 0, {}) == paper_fill::none);
  CHECK(check_paper_fill(b, price{830'000}, price{830'000}, tick_size{10'000}, 0, {}) == paper_fill::ask_crossed);
  CHECK(check_paper_fill(b, price{0}, price{800'000}, tick_size{10'000}, 0, {}) == paper_fill::ask_crossed);
}

TEST_CASE("paper fills: bid-through") {
  paper_bid b{price{830'000}};
  CHECK(check_paper_fill(b, price{830'000}, price{860'000}, tick_size{10'000}, 0, {}) == paper_fill::none);
  CHECK(check_paper_fill(b, price{820'000}, price{860'000}, tick_size{10'000}, 0, {}) == paper_fill::bid_through);
  // An empty bid side is not evidence of sellers.
  CHECK(check_paper_fill(b, price{0}, price{860'000}, tick_size{10'000}, 0, {}) == paper_fill::none);
}

TEST_CASE("paper fills: time at bid with a tight spread, by the injected clock") {
  paper_rules r; // 10 s, spread <= 1 tick
  paper_bid b{price{830'000}};
  const tick_size tick{10'000};
  CHECK(check_paper_fill(b, price{830'000}, price{840'000}, tick, 1'000, r) == paper_fill::none);
  CHECK(b.at_bid_since_ms == 1'000);
  CHECK(check_paper_fill(b, price{830'000}, price{840'000}, tick, 10'999, r) == paper_fill::none);
  CHECK(check_paper_fill(b, price{830'000}, price{840'000}, tick, 11'000, r) == paper_fill::time_at_bid);
  // A wide spread or a better bid ahead resets the clock.
  paper_bid w{price{830'000}};
  CHECK(check_paper_fill(w, price{830'000}, price{840'000}, tick, 0, r) == paper_fill::none);
  CHECK(check_paper_fill(w, price{830'000}, price{860'000}, tick, 5'000, r) == paper_fill::none);
  CHECK(w.at_bid_since_ms == 0);
  CHECK(check_paper_fill(w, price{830'000}, price{840'000}, tick, 6'000, r) == paper_fill::none);
  CHECK(check_paper_fill(w, price{830'000}, price{840'000}, tick, 15'999, r) == paper_fill::none);
  CHECK(check_paper_fill(w, price{830'000}, price{840'000}, tick, 16'000, r) == paper_fill::time_at_bid);
}
