// Seed 004's CandleAggregator rules (docs/candles.md): alignment, completion, gaps,
// late and out-of-order ticks, force_complete.
#include <doctest/doctest.h>

#include <vector>

#include "core/candle_aggregator.hpp"

using namespace tdmaker;

namespace {

constexpr std::int64_t m0 = 1'800'000'000'000 - 1'800'000'000'000 % candle_minute_ms; // a minute start
constexpr std::int64_t minute = candle_minute_ms;

struct feed {
  candle_aggregator agg;
  std::vector<candle> out;
  bool tick(std::int64_t ts, std::int64_t v, std::int64_t vol = 0) { return agg.add(ts, v, vol, out); }
};

} // namespace

TEST_CASE("candles: a minute's ticks make one candle, completed by the next minute's first tick") {
  feed f;
  f.tick(m0 + 1'000, 100, 5);
  f.tick(m0 + 2'000, 130, 1);
  f.tick(m0 + 3'000, 90, 2);
  f.tick(m0 + 4'000, 110, 0);
  CHECK(f.out.empty());
  CHECK(f.agg.has_open());
  f.tick(m0 + minute + 10, 111);
  REQUIRE(f.out.size() == 1);
  CHECK(f.out[0] == candle{m0, 100, 130, 90, 110, 8, 4, 0});
  CHECK(f.agg.counters().ticks == 5);
  CHECK(f.agg.counters().candles_completed == 1);
  CHECK(f.agg.open_candle().start_ms == m0 + minute);
}

TEST_CASE("candles: :00.000 opens the new minute and :59.999 is still the old one") {
  feed f;
  f.tick(m0, 100);
  f.tick(m0 + 59'999, 105);
  CHECK(f.out.empty());
  f.tick(m0 + 60'000, 200);
  REQUIRE(f.out.size() == 1);
  CHECK(f.out[0].start_ms == m0);
  CHECK(f.out[0].close == 105);
  CHECK(f.out[0].ticks == 2);
  CHECK(f.agg.open_candle().start_ms == m0 + minute);
  CHECK(f.agg.open_candle().open == 200);
  CHECK(candle_minute(m0 - 1) == m0 - minute);
  CHECK(candle_minute(-1) == -minute);
}

TEST_CASE("candles: a gap of 1 or 2 empty minutes is filled with flat flagged candles") {
  for (std::int64_t empty : {1, 2}) {
    CAPTURE(empty);
    feed f;
    f.tick(m0 + 5, 100);
    f.tick(m0 + 30'000, 120);
    f.tick(m0 + (empty + 1) * minute + 1, 150);
    REQUIRE(f.out.size() == static_cast<std::size_t>(1 + empty));
    for (std::int64_t i = 1; i <= empty; ++i) {
      const auto& c = f.out[static_cast<std::size_t>(i)];
      CHECK(c == candle{m0 + i * minute, 120, 120, 120, 120, 0, 0, candle_filled});
    }
    CHECK(f.agg.counters().gaps_filled == 1);
    CHECK(f.agg.counters().gaps_left == 0);
    CHECK(f.agg.counters().candles_completed == static_cast<std::uint64_t>(1 + empty));
    CHECK(f.agg.open_candle().open == 150);
  }
}

TEST_CASE("candles: a gap of 3 empty minutes is left open and counted") {
  feed f;
  f.tick(m0 + 5, 100);
  f.tick(m0 + 4 * minute, 150);
  REQUIRE(f.out.size() == 1);
  CHECK(f.out[0].start_ms == m0);
  CHECK(f.agg.counters().gaps_left == 1);
  CHECK(f.agg.counters().gaps_filled == 0);
  f.tick(m0 + 5 * minute, 160);
  REQUIRE(f.out.size() == 2);
  CHECK(f.out[1] == candle{m0 + 4 * minute, 150, 150, 150, 150, 0, 1, 0}); // starts fresh at its own first tick
}

TEST_CASE("candles: consecutive minutes need no fill") {
  feed f;
  f.tick(m0 + 5, 100);
  f.tick(m0 + minute + 5, 101);
  f.tick(m0 + 2 * minute + 5, 102);
  CHECK(f.out.size() == 2);
  CHECK(f.agg.counters().gaps_filled == 0);
  CHECK(f.agg.counters().gaps_left == 0);
}

TEST_CASE("candles: a late tick is refused and never rewrites a closed candle") {
  feed f;
  f.tick(m0 + 5, 100);
  f.tick(m0 + minute + 5, 101);
  REQUIRE(f.out.size() == 1);
  const auto closed = f.out[0];
  CHECK_FALSE(f.tick(m0 + 59'000, 999));
  CHECK_FALSE(f.tick(m0 - minute, 1));
  CHECK(f.agg.counters().late_ticks == 2);
  CHECK(f.agg.counters().ticks == 2);
  CHECK(f.out.size() == 1);
  CHECK(f.out[0] == closed);
  CHECK(f.agg.open_candle().high == 101); // nor does it touch the open one
}

TEST_CASE("candles: an out-of-order tick inside the open minute moves high, low, volume, count but not open") {
  feed f;
  f.tick(m0 + 20'000, 100, 1);
  f.tick(m0 + 40'000, 105, 1);
  f.tick(m0 + 10'000, 80, 3);  // older than the open: not the open, not the close
  f.tick(m0 + 30'000, 140, 1); // older than the newest: not the close
  auto c = f.agg.open_candle();
  CHECK(c.open == 100);
  CHECK(c.close == 105);
  CHECK(c.high == 140);
  CHECK(c.low == 80);
  CHECK(c.volume == 6);
  CHECK(c.ticks == 4);
  f.tick(m0 + 40'000, 107); // same time as the newest: the later arrival is the close
  CHECK(f.agg.open_candle().close == 107);
  CHECK(f.agg.counters().late_ticks == 0);
}

TEST_CASE("candles: force_complete completes the open candle once, then later ticks bridge from it") {
  feed f;
  f.agg.force_complete(f.out);
  CHECK(f.out.empty()); // nothing open: nothing made
  f.tick(m0 + 5, 100);
  f.tick(m0 + 6, 90);
  f.agg.force_complete(f.out);
  REQUIRE(f.out.size() == 1);
  CHECK(f.out[0] == candle{m0, 100, 100, 90, 90, 0, 2, 0});
  CHECK_FALSE(f.agg.has_open());
  f.agg.force_complete(f.out);
  CHECK(f.out.size() == 1);
  CHECK_FALSE(f.tick(m0 + 7, 95)); // its minute is closed now
  CHECK(f.agg.counters().late_ticks == 1);
  f.tick(m0 + 2 * minute, 95); // one empty minute after the forced candle: filled
  REQUIRE(f.out.size() == 2);
  CHECK(f.out[1] == candle{m0 + minute, 90, 90, 90, 90, 0, 0, candle_filled});
}

TEST_CASE("candles: complete_until closes a quiet stream's candle after the grace, not before") {
  feed f;
  f.tick(m0 + 5, 100);
  f.agg.complete_until(m0 + minute + 4'999, 5'000, f.out);
  CHECK(f.out.empty());
  f.agg.complete_until(m0 + minute + 5'000, 5'000, f.out);
  REQUIRE(f.out.size() == 1);
  CHECK(f.out[0].start_ms == m0);
  f.agg.complete_until(m0 + 10 * minute, 5'000, f.out); // nothing open
  CHECK(f.out.size() == 1);
}

TEST_CASE("candles: an empty stream makes no candle and counts nothing") {
  feed f;
  f.agg.complete_until(m0 + 100 * minute, 0, f.out);
  f.agg.force_complete(f.out);
  CHECK(f.out.empty());
  CHECK(f.agg.counters().ticks == 0);
  CHECK(f.agg.counters().candles_completed == 0);
}
