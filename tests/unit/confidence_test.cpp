// Seed 000's 99c confidence under seed 001's rules: cap, validation, vote,
// resolution rule, penalties.
#include <doctest/doctest.h>

#include <limits>

#include "core/confidence.hpp"

using namespace tdmaker;

namespace {

constexpr std::int64_t whole = 1'000'000; // one share, in micro-units

// Up, ask 0.95 with 100 shares, 60 s left, the reference 0.2 % above the start and
// rising; every vote agrees (the bid on Up is the larger, the last trade bought Up).
confidence_inputs agreeing() {
  confidence_inputs in;
  in.side = outcome::up;
  in.ask = price{950'000};
  in.ask_size = shares{100 * whole};
  in.seconds_to_close = 60;
  in.move_known = true;
  in.move_since_start = 0.002;
  in.motion.points = 5;
  in.motion.velocity_known = true;
  in.motion.velocity = 1e-5;
  in.own_bid_size = shares{200 * whole};
  in.other_bid_size = shares{50 * whole};
  in.last_trade_vote = 1;
  return in;
}

// Confidence follows the ask alone and nothing caps it: the rules' limits show plainly.
confidence_rules ask_only() {
  confidence_rules r;
  r.market_weight_ppm = 1'000'000;
  r.cap_ppm = 1'000'000;
  return r;
}

bool has(const confidence_result& c, confidence_reason bit) { return (c.reasons & bit) != 0; }

} // namespace

TEST_CASE("confidence: capped at 85 % by default, and at whatever the cap says") {
  confidence_rules r;
  auto c = confidence_99c(r, agreeing());
  // Model: z = 0.002 / (0.6 / sqrt(31536000) * sqrt(60)) = 2.417 -> 0.9922; blended with 0.95.
  CHECK(c.probability_ppm == doctest::Approx(992'200).epsilon(2e-4));
  CHECK(c.blended_ppm == doctest::Approx(971'100).epsilon(2e-4));
  CHECK(c.penalty_ppm == 0);
  CHECK(c.confidence_ppm == 850'000);
  CHECK(has(c, reason_capped));
  CHECK(describe_reasons(c.reasons) == "capped,vol_floor");
  r.cap_ppm = 900'000;
  CHECK(confidence_99c(r, agreeing()).confidence_ppm == 900'000);
  r.cap_ppm = 1'000'000;
  auto uncapped = confidence_99c(r, agreeing());
  CHECK(uncapped.confidence_ppm == uncapped.blended_ppm);
  CHECK_FALSE(has(uncapped, reason_capped));
}

TEST_CASE("confidence: above 75 % a move against the outcome limits it to 75 %") {
  auto r = ask_only();
  auto in = agreeing();
  CHECK(confidence_99c(r, in).confidence_ppm == 950'000);
  in.move_since_start = -0.002;
  auto c = confidence_99c(r, in);
  CHECK(c.confidence_ppm == 750'000);
  CHECK(has(c, reason_unconfirmed_move));
  in.move_since_start = 0; // flat confirms nothing either
  CHECK(confidence_99c(r, in).confidence_ppm == 750'000);
  // At or below 75 % there is nothing to confirm.
  in.move_since_start = -0.002;
  in.ask = price{700'000};
  auto low = confidence_99c(r, in);
  CHECK(low.confidence_ppm == 700'000);
  CHECK_FALSE(has(low, reason_unconfirmed_move));
}

TEST_CASE("confidence: above 75 % a velocity against the outcome limits it, an unknown one does not") {
  auto r = ask_only();
  auto in = agreeing();
  in.motion.velocity = -1e-5;
  auto c = confidence_99c(r, in);
  CHECK(c.confidence_ppm == 750'000);
  CHECK(has(c, reason_unconfirmed_move));
  in.motion.velocity_known = false; // fewer than 2 points
  in.motion.velocity = 0;
  auto unknown = confidence_99c(r, in);
  CHECK_FALSE(has(unknown, reason_unconfirmed_move));
  CHECK(has(unknown, reason_velocity_unknown));
  // The vote: move 0.4 + imbalance 0.2 + last trade 0.1 of 1.0 agree, velocity abstains.
  CHECK(unknown.vote_ppm == 700'000);
  CHECK(unknown.confidence_ppm == 950'000);
  // Down mirrors Up: a falling reference and a falling price confirm Down.
  in = agreeing();
  in.side = outcome::down;
  in.move_since_start = -0.002;
  in.motion.velocity = -1e-5;
  in.own_bid_size = shares{200 * whole};
  in.other_bid_size = shares{50 * whole};
  auto down = confidence_99c(r, in);
  CHECK(down.vote_ppm == 1'000'000);
  CHECK(down.confidence_ppm == 950'000);
}

TEST_CASE("confidence: each vote alone can hold back an extreme") {
  auto r = ask_only();
  r.validate_above_ppm = 1'000'000; // the validation stays out of the way
  r.vote_min_ppm = 900'000;         // every single dissent counts
  auto unanimous = confidence_99c(r, agreeing());
  CHECK(unanimous.vote_ppm == 1'000'000);
  CHECK(unanimous.confidence_ppm == 950'000);
  CHECK_FALSE(has(unanimous, reason_vote_disagrees));

  struct dissent {
    const char* name;
    void (*apply)(confidence_inputs&);
    std::int64_t vote;
  };
  const dissent cases[] = {
    {"move", [](confidence_inputs& in) { in.move_since_start = -0.002; }, 200'000},
    {"velocity", [](confidence_inputs& in) { in.motion.velocity = -1e-5; }, 400'000},
    {"imbalance", [](confidence_inputs& in) { in.other_bid_size = shares{500 * whole}; }, 600'000},
    {"last trade", [](confidence_inputs& in) { in.last_trade_vote = -1; }, 800'000},
  };
  for (const auto& d : cases) {
    CAPTURE(d.name);
    auto in = agreeing();
    d.apply(in);
    auto c = confidence_99c(r, in);
    CHECK(c.vote_ppm == d.vote);
    CHECK(c.confidence_ppm == 800'000); // limited to the extreme level
    CHECK(has(c, reason_vote_disagrees));
  }
  // Equal bids are flat, not a vote either way: 1.0 - 0.2 = 0.8 < 0.9.
  auto in = agreeing();
  in.other_bid_size = in.own_bid_size;
  CHECK(confidence_99c(r, in).vote_ppm == 800'000);
  // With the default vote_min (0.6) one light dissent (the last trade) is outvoted.
  r.vote_min_ppm = 600'000;
  in = agreeing();
  in.last_trade_vote = -1;
  CHECK(confidence_99c(r, in).confidence_ppm == 950'000);
  // At or below the extreme level no vote is needed.
  r.vote_min_ppm = 900'000;
  in.ask = price{800'000};
  auto at_extreme = confidence_99c(r, in);
  CHECK(at_extreme.confidence_ppm == 800'000);
  CHECK_FALSE(has(at_extreme, reason_vote_disagrees));
}

TEST_CASE("confidence: a TWAP market 30 s from its end is much surer than a spot one for the same move") {
  confidence_rules r;
  auto in = agreeing();
  in.seconds_to_close = 30;
  in.move_since_start = 0.0005;
  auto spot = confidence_99c(r, in);
  in.rule = resolution_rule::twap60;
  auto twap = confidence_99c(r, in);
  // Spot: sd = 1.0684e-4 * sqrt(30), z = 0.854 -> 0.803. TWAP: var = sigma^2 30^3 / (3 * 60^2), z = 2.96 -> 0.9985.
  CHECK(spot.probability_ppm == doctest::Approx(803'400).epsilon(1e-3));
  CHECK(twap.probability_ppm == doctest::Approx(998'500).epsilon(1e-3));
  CHECK(twap.probability_ppm - spot.probability_ppm > 150'000);
  CHECK(has(twap, reason_twap));
  CHECK_FALSE(has(spot, reason_twap));
  // The part already averaged counts for (60 - 30) / 60 of the expected move: a flat TWAP so far halves it.
  in.twap_mean_known = true;
  in.twap_move = 0;
  auto half = confidence_99c(r, in);
  in.twap_mean_known = false;
  in.move_since_start = 0.00025;
  CHECK(confidence_99c(r, in).probability_ppm == half.probability_ppm);
  // Far from the end the TWAP still averages a minute: var = sigma^2 (t - 40) against sigma^2 t.
  in = agreeing();
  in.seconds_to_close = 300;
  in.move_since_start = 0.0005;
  auto far_spot = confidence_99c(r, in);
  in.rule = resolution_rule::twap60;
  auto far_twap = confidence_99c(r, in);
  CHECK(far_twap.probability_ppm > far_spot.probability_ppm);
  CHECK(far_twap.probability_ppm - far_spot.probability_ppm < 30'000);
}

TEST_CASE("confidence: at the end the sign decides and a tie is Up's") {
  confidence_rules r;
  auto in = agreeing();
  in.seconds_to_close = 0;
  in.move_since_start = 0;
  CHECK(confidence_99c(r, in).probability_ppm == 1'000'000);
  in.side = outcome::down;
  CHECK(confidence_99c(r, in).probability_ppm == 0);
  in.move_since_start = -1e-6;
  CHECK(confidence_99c(r, in).probability_ppm == 1'000'000);
  in.rule = resolution_rule::twap60; // the TWAP so far decides when it is known
  in.twap_mean_known = true;
  in.twap_move = 1e-6;
  CHECK(confidence_99c(r, in).probability_ppm == 0);
  // No volatility at all (a zero floor and no measure): no NaN, the sign decides.
  r.annual_vol_ppm = 0;
  in = agreeing();
  auto flat = confidence_99c(r, in);
  CHECK(flat.probability_ppm == 1'000'000);
  CHECK_FALSE(has(flat, reason_vol_floor));
}

TEST_CASE("confidence: the measured volatility is used when above the floor") {
  confidence_rules r;
  auto in = agreeing();
  auto floor = confidence_99c(r, in);
  CHECK(has(floor, reason_vol_floor));
  in.volatility = per_second_volatility(r.annual_vol_ppm) * 4;
  auto wild = confidence_99c(r, in);
  CHECK_FALSE(has(wild, reason_vol_floor));
  CHECK(wild.probability_ppm < floor.probability_ppm);
  in.volatility = per_second_volatility(r.annual_vol_ppm) / 4; // calmer than the floor: the floor holds
  CHECK(confidence_99c(r, in).probability_ppm == floor.probability_ppm);
  CHECK(per_second_volatility(600'000) == doctest::Approx(1.06843e-4).epsilon(1e-4));
}

TEST_CASE("confidence: monotone in the move, for each outcome") {
  for (auto side : {outcome::up, outcome::down}) {
    CAPTURE(side == outcome::up ? "up" : "down");
    confidence_rules r;
    auto in = agreeing();
    in.side = side;
    in.motion.velocity = side == outcome::up ? 1e-5 : -1e-5;
    std::int64_t prev_c = -1, prev_p = -1;
    for (int i = -50; i <= 50; ++i) {
      double toward = i * 0.0001; // -0.5 % .. +0.5 % in the outcome's direction
      in.move_since_start = side == outcome::up ? toward : -toward;
      auto c = confidence_99c(r, in);
      CHECK(c.confidence_ppm >= prev_c);
      CHECK(c.probability_ppm >= prev_p);
      prev_c = c.confidence_ppm;
      prev_p = c.probability_ppm;
    }
    CHECK(prev_c == 850'000);
  }
}

TEST_CASE("confidence: the time penalty grows as the time runs out") {
  auto r = ask_only();
  auto in = agreeing();
  in.ask = price{700'000}; // below every limit
  std::int64_t prev = -1;
  for (int tenths = 200; tenths >= 0; --tenths) {
    in.seconds_to_close = tenths / 10.0;
    auto c = confidence_99c(r, in);
    CHECK(c.penalty_ppm >= prev);
    CHECK(c.confidence_ppm == 700'000 - c.penalty_ppm);
    prev = c.penalty_ppm;
  }
  in.seconds_to_close = 10;
  CHECK(confidence_99c(r, in).penalty_ppm == 0);
  in.seconds_to_close = 5;
  auto half = confidence_99c(r, in);
  CHECK(half.penalty_ppm == 50'000);
  CHECK(has(half, reason_time_penalty));
  in.seconds_to_close = 0;
  CHECK(confidence_99c(r, in).penalty_ppm == 100'000);
  in.seconds_to_close = -3; // past the end: no more than the full penalty
  CHECK(confidence_99c(r, in).penalty_ppm == 100'000);
}

TEST_CASE("confidence: a thin ask is penalised by its shortfall") {
  auto r = ask_only();
  auto in = agreeing();
  in.ask = price{700'000};
  in.ask_size = shares{50 * whole};
  auto full = confidence_99c(r, in);
  CHECK(full.penalty_ppm == 0);
  CHECK_FALSE(has(full, reason_thin_book));
  in.ask_size = shares{25 * whole};
  auto half = confidence_99c(r, in);
  CHECK(half.penalty_ppm == 25'000);
  CHECK(half.confidence_ppm == 675'000);
  CHECK(has(half, reason_thin_book));
  in.ask_size = shares{0};
  CHECK(confidence_99c(r, in).penalty_ppm == 50'000);
  in.ask_size = shares{49 * whole};
  CHECK(confidence_99c(r, in).penalty_ppm == 1'000);
  // Both penalties add up.
  in.seconds_to_close = 5;
  CHECK(confidence_99c(r, in).penalty_ppm == 51'000);
}

TEST_CASE("confidence: no ask or no start reference gives 0, never a guess") {
  confidence_rules r;
  auto in = agreeing();
  in.ask = price{0};
  auto no_ask = confidence_99c(r, in);
  CHECK(no_ask.confidence_ppm == 0);
  CHECK(has(no_ask, reason_no_ask));
  CHECK(describe_reasons(no_ask.reasons) == "no_ask");
  in = agreeing();
  in.move_known = false;
  auto no_start = confidence_99c(r, in);
  CHECK(no_start.confidence_ppm == 0);
  CHECK(no_start.probability_ppm == 0);
  CHECK(has(no_start, reason_no_start));
  // A NaN clock or volatility never makes a NaN or a negative confidence.
  in = agreeing();
  in.seconds_to_close = std::numeric_limits<double>::quiet_NaN();
  in.volatility = std::numeric_limits<double>::quiet_NaN();
  auto c = confidence_99c(r, in);
  CHECK(c.confidence_ppm >= 0);
  CHECK(c.confidence_ppm <= 850'000);
}

TEST_CASE("confidence: reasons are named in a fixed order") {
  CHECK(describe_reasons(0).empty());
  CHECK(describe_reasons(reason_capped | reason_time_penalty) == "capped,time_penalty");
  CHECK(describe_reasons(reason_twap | reason_no_ask | reason_velocity_unknown) == "no_ask,velocity_unknown,twap");
  CHECK(describe_reasons(0xFFFFFFFFu)
        == "no_ask,no_start,capped,unconfirmed_move,vote_disagrees,time_penalty,thin_book,velocity_unknown,"
           "vol_floor,twap");
  CHECK(to_string(resolution_rule::spot) == "spot");
  CHECK(to_string(resolution_rule::twap60) == "twap60");
}
