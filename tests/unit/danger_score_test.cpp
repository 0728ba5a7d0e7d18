// Seed 000's danger score: monotone in each input, saturating, 0..100.
#include <doctest/doctest.h>

#include <functional>

#include "core/danger_score.hpp"

using namespace tdmaker;

namespace {

// Halfway on every component with the default weights.
danger_inputs midway() {
  danger_inputs in;
  in.peak_confidence_ppm = 850'000;
  in.confidence_ppm = 700'000; // a 15-point drop of a 30-point full scale
  in.velocity_known = true;
  in.adverse_velocity = 5e-5;  // half of 1e-4 per s
  in.seconds_to_close = 150;   // half of 300 s
  in.opposite_bid = 250'000;   // half of 0.50
  return in;
}

} // namespace

TEST_CASE("danger: each component is its weight times its saturating fraction") {
  danger_weights w;
  auto r = danger_score(w, midway());
  CHECK(r.drop_points == 20);
  CHECK(r.velocity_points == 13); // 12.5 rounds up
  CHECK(r.time_points == 8);      // 7.5 rounds up
  CHECK(r.opposite_points == 10);
  CHECK(r.score == 51);
}

TEST_CASE("danger: monotone in each input with the others fixed") {
  danger_weights w;
  struct sweep {
    const char* name;
    std::function<void(danger_inputs&, int)> set; // step 0..200
  };
  const sweep sweeps[] = {
    {"confidence now falling", [](danger_inputs& in, int i) { in.confidence_ppm = 1'000'000 - i * 5'000; }},
    {"adverse velocity", [](danger_inputs& in, int i) { in.adverse_velocity = (i - 100) * 2e-6; }},
    {"seconds to close", [](danger_inputs& in, int i) { in.seconds_to_close = i * 3.0; }},
    {"opposite bid", [](danger_inputs& in, int i) { in.opposite_bid = i * 5'000; }},
    {"peak rising", [](danger_inputs& in, int i) { in.peak_confidence_ppm = i * 5'000; }},
  };
  for (const auto& s : sweeps) {
    CAPTURE(s.name);
    auto in = midway();
    s.set(in, 0);
    const int first = danger_score(w, in).score;
    int prev = -1;
    for (int i = 0; i <= 200; ++i) {
      s.set(in, i);
      auto r = danger_score(w, in);
      CHECK(r.score >= prev);
      CHECK(r.score >= 0);
      CHECK(r.score <= 100);
      prev = r.score;
    }
    CHECK(prev > first); // the sweep moves the score: monotone, not constant
  }
}

TEST_CASE("danger: each component saturates at its weight, the score at 100") {
  danger_weights w;
  danger_inputs in;
  in.peak_confidence_ppm = 850'000;
  in.confidence_ppm = 0;
  in.velocity_known = true;
  in.adverse_velocity = 1.0;
  in.seconds_to_close = 10'000;
  in.opposite_bid = 990'000;
  auto r = danger_score(w, in);
  CHECK(r.drop_points == 40);
  CHECK(r.velocity_points == 25);
  CHECK(r.time_points == 15);
  CHECK(r.opposite_points == 20);
  CHECK(r.score == 100);
  // Weights over 100 (config refuses them) still give a score of at most 100.
  w.confidence_drop = 90;
  CHECK(danger_score(w, in).score == 100);
  // At exactly the full level a component is full.
  danger_weights d;
  danger_inputs at;
  at.peak_confidence_ppm = 900'000;
  at.confidence_ppm = 600'000;
  CHECK(danger_score(d, at).drop_points == 40);
}

TEST_CASE("danger: an unknown velocity contributes 0, a favourable one too") {
  danger_weights w;
  auto in = midway();
  in.velocity_known = false;
  in.adverse_velocity = 1.0; // whatever is there is not a measurement
  auto r = danger_score(w, in);
  CHECK(r.velocity_points == 0);
  CHECK(r.score == 20 + 8 + 10);
  in.velocity_known = true;
  in.adverse_velocity = -1e-4; // moving the position's way
  CHECK(danger_score(w, in).velocity_points == 0);
}

TEST_CASE("danger: zero at a fresh fill with no adverse signal") {
  danger_weights w;
  danger_inputs in;
  in.peak_confidence_ppm = 850'000;
  in.confidence_ppm = 850'000; // just filled: no drop yet
  in.velocity_known = false;
  in.seconds_to_close = 0;
  in.opposite_bid = 0;
  auto r = danger_score(w, in);
  CHECK(r.score == 0);
  CHECK(r.drop_points + r.velocity_points + r.time_points + r.opposite_points == 0);
  // A rise of confidence after the fill is no danger either.
  in.confidence_ppm = 900'000;
  CHECK(danger_score(w, in).score == 0);
  // With time still left, that is the only component: 60 s of 300 s is 3 of 15 points.
  in.seconds_to_close = 60;
  auto early = danger_score(w, in);
  CHECK(early.time_points == 3);
  CHECK(early.score == 3);
}
