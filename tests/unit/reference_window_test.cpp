// The reference window of seed 000: time-based, never a made-up 0, alive across slots.
#include <doctest/doctest.h>

#include <cmath>

#include "core/reference_window.hpp"

using namespace tdmaker;

namespace {

constexpr std::int64_t t0 = 1'800'000'000'000; // ms
constexpr std::int64_t btc = 100'000'00000000; // 100,000.00000000 in e8

// BTC rising by `per_s` of its price per second, sampled every `step_ms` from t0 to t0 + `until_ms`.
reference_window ramp(std::int64_t span_ms, std::int64_t step_ms, std::int64_t until_ms, double per_s) {
  reference_window w(span_ms);
  for (std::int64_t t = 0; t <= until_ms; t += step_ms)
    w.add(t0 + t, ref_price{std::llround(static_cast<double>(btc) * (1 + per_s * static_cast<double>(t) / 1000.0))});
  return w;
}

} // namespace

TEST_CASE("reference window: empty knows nothing and says so") {
  reference_window w;
  auto m = w.motion(t0);
  CHECK(m.points == 0);
  CHECK_FALSE(m.velocity_known);
  CHECK_FALSE(m.acceleration_known);
  CHECK_FALSE(m.volatility_known);
  CHECK_FALSE(m.mean_known);
  CHECK(m.last.e8 == 0);
}

TEST_CASE("reference window: one point has a last and a mean but no velocity") {
  reference_window w;
  CHECK(w.add(t0, ref_price{btc}));
  auto m = w.motion(t0 + 1'000);
  CHECK(m.points == 1);
  CHECK(m.mean_known);
  CHECK(m.mean.e8 == btc);
  CHECK(m.last.e8 == btc);
  CHECK(m.last_ts_ms == t0);
  CHECK_FALSE(m.velocity_known); // unknown, not 0-as-known
  CHECK(m.velocity == 0);
  CHECK_FALSE(m.acceleration_known);
  CHECK_FALSE(m.volatility_known);
}

TEST_CASE("reference window: two points give the exact velocity and nothing more") {
  reference_window w;
  w.add(t0, ref_price{btc});
  w.add(t0 + 2'000, ref_price{btc + btc / 1000}); // +0.1 % over 2 s
  auto m = w.motion(t0 + 2'000);
  CHECK(m.points == 2);
  CHECK(m.span_ms == 2'000);
  REQUIRE(m.velocity_known);
  CHECK(m.velocity == doctest::Approx(0.0005)); // 0.05 % per second
  CHECK_FALSE(m.acceleration_known);
  CHECK_FALSE(m.volatility_known);
  // The price held btc for 2 s, the new one for no time yet.
  CHECK(m.mean.e8 == btc);
  // One more second at the new price: (2 * btc + 1 * 1.001 btc) / 3.
  auto later = w.motion(t0 + 3'000);
  CHECK(later.mean.e8 == btc + btc / 3000);
}

TEST_CASE("reference window: many points on a steady ramp") {
  auto w = ramp(5'000, 500, 5'000, 1e-4);
  auto m = w.motion(t0 + 5'000);
  CHECK(m.points == 11);
  REQUIRE(m.velocity_known);
  CHECK(m.velocity == doctest::Approx(1e-4).epsilon(1e-6));
  REQUIRE(m.acceleration_known);
  CHECK(m.acceleration == doctest::Approx(0).scale(1e-3)); // steady: no acceleration
  REQUIRE(m.volatility_known);
  CHECK(m.volatility < 1e-6); // equal steps: the returns hardly differ
  CHECK(m.last.e8 == btc + btc / 2000);
}

TEST_CASE("reference window: acceleration is the later half's velocity less the earlier's") {
  reference_window w(10'000);
  // Flat for 4 s, then rising 1e-4 per second for 4 s.
  for (std::int64_t t = 0; t <= 4'000; t += 1'000)
    w.add(t0 + t, ref_price{btc});
  for (std::int64_t t = 5'000; t <= 8'000; t += 1'000)
    w.add(t0 + t, ref_price{btc + btc / 10'000 * (t - 4'000) / 1'000});
  auto m = w.motion(t0 + 8'000);
  REQUIRE(m.acceleration_known);
  CHECK(m.acceleration > 0);
  // Earlier half (0..4 s): slope 0, centred at 2 s; later (4..8 s): slope 1e-4 centred at 6 s.
  CHECK(m.acceleration == doctest::Approx(1e-4 / 4.0).epsilon(1e-3));
}

TEST_CASE("reference window: volatility of an alternating price is its normalised return") {
  reference_window w(60'000);
  for (int i = 0; i < 9; ++i)
    w.add(t0 + i * 1'000, ref_price{i % 2 == 0 ? btc : btc + btc / 1000});
  auto m = w.motion(t0 + 8'000);
  REQUIRE(m.volatility_known);
  // Returns of +-ln(1.001) per 1 s: a sample stdev a little above ln(1.001).
  CHECK(m.volatility > 0.00099);
  CHECK(m.volatility < 0.00110);
}

TEST_CASE("reference window: expiry is by time, not by count") {
  // The same 5 s span at 2 Hz and at 0.5 Hz, both fed for 20 s.
  auto fast = ramp(5'000, 500, 20'000, 1e-4);
  auto slow = ramp(5'000, 2'000, 20'000, 1e-4);
  auto mf = fast.motion(t0 + 20'000);
  auto ms = slow.motion(t0 + 20'000);
  CHECK(mf.points == 11); // 15.0, 15.5, ..., 20.0 s
  CHECK(ms.points == 3);  // 16, 18, 20 s
  CHECK(mf.span_ms == 5'000);
  CHECK(ms.span_ms == 4'000);
  CHECK(mf.velocity == doctest::Approx(ms.velocity).epsilon(1e-3));
  // A feed gone quiet: 6 s later nothing is left in the span.
  auto quiet = slow.motion(t0 + 26'001);
  CHECK(quiet.points == 0);
  CHECK_FALSE(quiet.velocity_known);
  CHECK(slow.size() == 0);
  // 2.5 s after the last tick each keeps what is younger than 5 s: 17.5 .. 20.0 s, and 18, 20 s.
  CHECK(fast.motion(t0 + 22'500).points == 6);
  auto fresh_slow = ramp(5'000, 2'000, 20'000, 1e-4).motion(t0 + 22'500);
  CHECK(fresh_slow.points == 2);
  CHECK(fresh_slow.velocity_known);
}

TEST_CASE("reference window: a window fed across a slot boundary keeps its points") {
  // 15-minute slots: one ends at `boundary`. The window is per asset, not per slot.
  const std::int64_t boundary = t0 + 900'000;
  reference_window w(5'000);
  for (std::int64_t t = boundary - 4'000; t < boundary; t += 1'000)
    w.add(t, ref_price{btc + (t - boundary + 4'000) / 1'000 * btc / 10'000});
  // The first tick of the new slot.
  w.add(boundary, ref_price{btc + 4 * btc / 10'000});
  auto m = w.motion(boundary + 100);
  CHECK(m.points == 5);
  REQUIRE(m.velocity_known); // known right after the boundary: seed 000's pitfall 1
  CHECK(m.velocity == doctest::Approx(1e-4).epsilon(1e-3));
}

TEST_CASE("reference window: out-of-order, duplicate and zero ticks are refused") {
  reference_window w;
  CHECK(w.add(t0 + 1'000, ref_price{btc}));
  CHECK_FALSE(w.add(t0 + 1'000, ref_price{btc * 2})); // duplicate time: never weighs twice
  CHECK_FALSE(w.add(t0 + 500, ref_price{btc}));       // a replayed backfill
  CHECK_FALSE(w.add(t0 + 2'000, ref_price{0}));
  CHECK_FALSE(w.add(t0 + 2'000, ref_price{-1}));
  CHECK(w.size() == 1);
  auto m = w.motion(t0 + 1'000);
  CHECK(m.points == 1);
  CHECK(m.last.e8 == btc);
  CHECK_FALSE(m.velocity_known);
  CHECK(w.add(t0 + 2'000, ref_price{btc + btc / 1000}));
  CHECK(w.motion(t0 + 2'000).velocity == doctest::Approx(0.001));
}
