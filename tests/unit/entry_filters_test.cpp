// Seed 003's entry filters, each on its own and as a chain, and the entry model.
#include <doctest/doctest.h>

#include "core/entry_filters.hpp"

using namespace tdmaker;

namespace {

constexpr std::int64_t start_s = 1'800'000'000;

// BTC at 100,000.00000000 at the start; 300 s into a 900 s slot.
entry_inputs inputs(outcome side, std::int64_t bid, std::int64_t ask, std::int64_t now_e8) {
  entry_inputs in;
  in.side = side;
  in.bid = price{bid};
  in.ask = price{ask};
  in.ref_start = ref_price{100'000'00000000};
  in.ref_now = ref_price{now_e8};
  in.now_ms = (start_s + 300) * 1000;
  in.slot_start_s = start_s;
  in.slot_end_s = start_s + 900;
  return in;
}

entry_rules rules() {
  entry_rules r;
  r.target_bid = price{800'000};
  r.max_bid = price{920'000};
  r.min_move_ppm = 500;    // 0.05 %
  r.max_move_ppm = 10'000; // 1 %
  r.min_entry_s = 60;
  r.max_entry_s = 800;
  r.fair_value = true;
  r.annual_vol_ppm = 600'000;
  r.min_edge = price{10'000};
  return r;
}

} // namespace

TEST_CASE("filters: directional move is exact, signed by side, in ppm") {
  ref_price start{100'000'00000000}, up{100'100'00000000};
  CHECK(directional_move_ppm(outcome::up, start, up) == 1000);
  CHECK(directional_move_ppm(outcome::down, start, up) == -1000);
  CHECK(directional_move_ppm(outcome::up, start, start) == 0);
  CHECK(directional_move_ppm(outcome::up, ref_price{0}, up) == 0); // no start: no move
  // Large references do not overflow: BTC at 10^13 e8 moving 50 %.
  CHECK(directional_move_ppm(outcome::up, ref_price{10'000'000'000'000}, ref_price{15'000'000'000'000})
        == 500'000);
}

TEST_CASE("filters: fair value of Up follows the reference move and the time left") {
  ref_price start{100'000'00000000};
  CHECK(fair_up_probability(start, start, 600, 600'000) == doctest::Approx(0.5));
  auto higher = fair_up_probability(start, ref_price{100'100'00000000}, 600, 600'000);
  auto later = fair_up_probability(start, ref_price{100'100'00000000}, 60, 600'000);
  CHECK(higher > 0.5);
  CHECK(later > higher); // same move, less time to undo it
  // ln(0.999) is a little larger in size than ln(1.001): Down's edge is not quite symmetric.
  CHECK(fair_up_probability(start, ref_price{99'900'00000000}, 600, 600'000) == doctest::Approx(0.35112).epsilon(1e-4));
  // At the end it is decided: Up wins on end >= start.
  CHECK(fair_up_probability(start, start, 0, 600'000) == 1.0);
  CHECK(fair_up_probability(start, ref_price{99'999'99999999}, 0, 600'000) == 0.0);
  // sigma sqrt(t) = 0.6 * sqrt(600 / 31536000) = 0.0026171; ln(1.001)/that = 0.38196 -> Phi = 0.64876
  CHECK(higher == doctest::Approx(0.64876).epsilon(1e-4));
}

TEST_CASE("filters: bid range") {
  auto r = rules();
  CHECK_FALSE(check_bid_range(r, inputs(outcome::up, 850'000, 860'000, 0)));
  CHECK(*check_bid_range(r, inputs(outcome::up, 790'000, 800'000, 0)) == "bid below target_bid");
  CHECK_FALSE(check_bid_range(r, inputs(outcome::up, 800'000, 810'000, 0))); // inclusive
  CHECK_FALSE(check_bid_range(r, inputs(outcome::up, 920'000, 930'000, 0)));
  CHECK(*check_bid_range(r, inputs(outcome::up, 930'000, 940'000, 0)) == "bid above max_bid");
  CHECK(*check_bid_range(r, inputs(outcome::up, 0, 940'000, 0)) == "no bid");
  CHECK(*check_bid_range(r, inputs(outcome::up, 850'000, 850'000, 0)) == "crossed book");
}

TEST_CASE("filters: min and max directional move") {
  auto r = rules();
  // +0.10 %: passes min 0.05 %, under max 1 % for Up; for Down it is -0.10 %.
  auto up = inputs(outcome::up, 850'000, 860'000, 100'100'00000000);
  CHECK_FALSE(check_min_move(r, up));
  CHECK_FALSE(check_max_move(r, up));
  auto down = inputs(outcome::down, 850'000, 860'000, 100'100'00000000);
  CHECK(*check_min_move(r, down) == "move below min_move");
  // +0.04 %: below the minimum.
  CHECK(*check_min_move(r, inputs(outcome::up, 850'000, 860'000, 100'040'00000000)) == "move below min_move");
  // +1.5 %: a spike above the cap.
  CHECK(*check_max_move(r, inputs(outcome::up, 850'000, 860'000, 101'500'00000000)) == "move above max_move");
  auto none = up;
  none.ref_start = ref_price{0};
  CHECK(*check_min_move(r, none) == "no reference price at slot start");
}

TEST_CASE("filters: entry time gate") {
  auto r = rules();
  auto in = inputs(outcome::up, 850'000, 860'000, 100'100'00000000);
  CHECK_FALSE(check_time_gate(r, in));
  in.now_ms = (start_s + 30) * 1000;
  CHECK(*check_time_gate(r, in) == "too early in slot");
  in.now_ms = (start_s + 60) * 1000;
  CHECK_FALSE(check_time_gate(r, in));
  in.now_ms = (start_s + 801) * 1000;
  CHECK(*check_time_gate(r, in) == "too late in slot");
  r.max_entry_s = 10'000;
  in.now_ms = (start_s + 900) * 1000;
  CHECK(*check_time_gate(r, in) == "too late in slot"); // never after the end
}

TEST_CASE("filters: fair value needs the configured edge over the bid") {
  auto r = rules();
  double fair = 0;
  // +0.10 % with 600 s left: fair(Up) = 0.6488; a bid of 0.63 leaves 0.0188 >= 0.01.
  auto in = inputs(outcome::up, 630'000, 640'000, 100'100'00000000);
  CHECK_FALSE(check_fair_value(r, in, fair));
  CHECK(fair == doctest::Approx(0.64876).epsilon(1e-4));
  in.bid = price{640'000}; // 0.0088 < 0.01
  CHECK(*check_fair_value(r, in, fair) == "fair value below bid + min_edge");
  in.side = outcome::down;
  in.bid = price{300'000}; // fair(Down) = 0.3512: edge 0.0512
  CHECK_FALSE(check_fair_value(r, in, fair));
  CHECK(fair == doctest::Approx(1 - 0.64876).epsilon(1e-4));
}

TEST_CASE("filters: the chain reports the first failing filter, or maker at the bid") {
  auto r = rules();
  r.min_edge = price{-300'000}; // fair 0.6488 vs bid 0.85: let the fair-value filter pass here
  auto in = inputs(outcome::up, 850'000, 860'000, 100'100'00000000);
  auto res = evaluate_entry(r, nullptr, in);
  CHECK(res.action == entry_action::maker);
  CHECK(res.px == price{850'000});
  CHECK(res.reason == "filters passed");
  in.bid = price{700'000};
  CHECK(evaluate_entry(r, nullptr, in).reason == "bid below target_bid");
  in.bid = price{850'000};
  in.ref_now = ref_price{100'010'00000000};
  CHECK(evaluate_entry(r, nullptr, in).reason == "move below min_move");
  r.min_edge = price{10'000};
  in.ref_now = ref_price{100'100'00000000};
  auto fv = evaluate_entry(r, nullptr, in);
  CHECK(fv.action == entry_action::skip);
  CHECK(fv.reason == "fair value below bid + min_edge");
  CHECK(fv.p_win > 0.6);
}

TEST_CASE("filters: entry model parses, refuses bad input and decides by thresholds") {
  auto m = parse_entry_model(
    R"({"intercept": -2.0, "weights": {"move_ppm": 0.004, "seconds_left": -0.001},
        "maker_threshold": 0.6, "taker_threshold": 0.9})");
  REQUIRE(m);
  CHECK(m->weights.size() == 2);
  CHECK_FALSE(parse_entry_model(R"({"intercept":0,"weights":{"volume":1},"maker_threshold":0.5,"taker_threshold":1})"));
  CHECK_FALSE(parse_entry_model(R"({"intercept":0,"weights":{},"maker_threshold":2,"taker_threshold":1})"));
  CHECK_FALSE(parse_entry_model(R"({"intercept":0,"weights":{},"maker_threshold":0.5})"));
  CHECK_FALSE(parse_entry_model(R"({"intercept":0,"weights":{},"maker_threshold":0.5,"taker_threshold":1,"x":1})"));
  CHECK_FALSE(parse_entry_model("[1]"));

  auto r = rules();
  // +0.10 % = 1000 ppm, 600 s left: z = -2 + 4 - 0.6 = 1.4 -> p = 0.802 (maker)
  auto in = inputs(outcome::up, 850'000, 860'000, 100'100'00000000);
  CHECK(entry_model_probability(*m, r, in) == doctest::Approx(0.80218).epsilon(1e-4));
  auto res = evaluate_entry(r, &*m, in);
  CHECK(res.action == entry_action::maker);
  CHECK(res.px == price{850'000});
  // +0.20 %: z = 2 + 8 - 0.6... = 5.4 -> p = 0.9955 (taker at the ask)
  in.ref_now = ref_price{100'200'00000000};
  res = evaluate_entry(r, &*m, in);
  CHECK(res.action == entry_action::taker);
  CHECK(res.px == price{860'000});
  // Down side of the same move: z = -2 - 8 - 0.6 -> skip
  in.side = outcome::down;
  res = evaluate_entry(r, &*m, in);
  CHECK(res.action == entry_action::skip);
  CHECK(res.reason == "model: p(win) below maker_threshold");
  // The hard bounds still apply with a model: bid range first.
  in.side = outcome::up;
  in.bid = price{950'000};
  in.ask = price{960'000};
  CHECK(evaluate_entry(r, &*m, in).reason == "bid above max_bid");
}
