// The performance tracker of seed 002: every figure on hand-computed
// settlements, the session clock's boundary, rolling windows. Plain ms values
// as the clock: nothing sleeps.
#include <doctest/doctest.h>

#include "core/performance.hpp"

using namespace tdmaker;

namespace {

/// "<prefix><n>" (GCC 12 warns falsely on `const char* + std::string&&` at -O3).
std::string key(const char* prefix, std::int64_t n) {
  std::string s(prefix);
  s += std::to_string(n);
  return s;
}

constexpr std::int64_t len_ms = 100'000; // 100 s sessions

closed_trade trade(std::string key, std::int64_t pnl_micros, std::int64_t ts_ms, bool paper = false) {
  return {std::move(key), usdc{pnl_micros}, ts_ms, paper};
}

session_clock short_sessions() { return {0, 100}; }

/// Seven live trades over sessions 0 and 1 (the arithmetic is in the test).
performance_tracker seven_trades() {
  performance_tracker t(short_sessions());
  t.add(trade("a", 2'000'000, 1'000));
  t.add(trade("b", -1'000'000, 2'000));
  t.add(trade("c", 0, 3'000));
  t.add(trade("d", -500'000, 4'000));
  t.add(trade("e", 3'000'000, 150'000));
  t.add(trade("f", -2'500'000, 160'000));
  t.add(trade("g", -100'000, 170'000));
  return t;
}

} // namespace

TEST_CASE("performance: every figure on hand-computed settlements") {
  auto t = seven_trades();
  auto f = t.all({});
  // +2, -1, 0, -0.5 | +3, -2.5, -0.1
  CHECK(f.trades == 7);
  CHECK(f.wins == 2);     // +2, +3
  CHECK(f.losses == 4);   // -1, -0.5, -2.5, -0.1; the 0 trade is neither
  CHECK(f.sessions == 2); // sessions 0 and 1
  CHECK(f.win_rate_ppm == 285'714);          // floor(2 * 1e6 / 7) = floor(285714.28)
  CHECK(f.avg_win == usdc{2'500'000});       // (2 + 3) / 2
  CHECK(f.avg_loss == usdc{1'025'000});      // (1 + 0.5 + 2.5 + 0.1) / 4 = 4.1 / 4
  CHECK(f.rr_ppm == 2'439'024);              // floor(2.5 / 1.025 * 1e6) = floor(2439024.39)
  CHECK(f.pnl == usdc{900'000});             // 2 - 1 + 0 - 0.5 + 3 - 2.5 - 0.1 = 0.9
  CHECK(f.largest_loss == usdc{2'500'000});
  CHECK(f.loss_streak == 2);                 // -2.5, -0.1 at the end
  CHECK(f.max_loss_streak == 2);             // -1, (0), -0.5 and -2.5, -0.1
  // cumulative: 2, 1, 1, 0.5, 3.5, 1.0, 0.9 -> peaks 2 then 3.5; falls 1.5 then 2.6
  CHECK(f.max_drawdown == usdc{2'600'000});

  auto s0 = t.session(0, {});
  CHECK(s0.trades == 4);
  CHECK(s0.wins == 1);
  CHECK(s0.losses == 2);
  CHECK(s0.sessions == 1);
  CHECK(s0.win_rate_ppm == 250'000);      // 1 / 4
  CHECK(s0.avg_win == usdc{2'000'000});
  CHECK(s0.avg_loss == usdc{750'000});    // (1 + 0.5) / 2
  CHECK(s0.rr_ppm == 2'666'666);          // floor(2 / 0.75 * 1e6) = floor(2666666.67)
  CHECK(s0.pnl == usdc{500'000});         // 2 - 1 + 0 - 0.5
  CHECK(s0.loss_streak == 2);             // -1, 0, -0.5: the zero trade does not reset it
  CHECK(s0.max_drawdown == usdc{1'500'000}); // 2 -> 0.5

  auto s1 = t.session(1, {});
  CHECK(s1.trades == 3);
  CHECK(s1.pnl == usdc{400'000}); // 3 - 2.5 - 0.1
  CHECK(t.session(2, {}).trades == 0);
}

TEST_CASE("performance: undefined ratios are -1, never a made-up 0") {
  performance_tracker t(short_sessions());
  auto none = t.all({});
  CHECK(none.trades == 0);
  CHECK(none.win_rate_ppm == performance_figures::undefined);
  CHECK(none.rr_ppm == performance_figures::undefined);
  CHECK(none.sessions == 0);
  CHECK(none.max_drawdown == usdc{0});

  t.add(trade("w", 1'000'000, 10));
  auto wins_only = t.all({});
  CHECK(wins_only.win_rate_ppm == 1'000'000);
  CHECK(wins_only.rr_ppm == performance_figures::undefined); // no loss: no R:R
  CHECK(wins_only.avg_loss == usdc{0});

  performance_tracker l(short_sessions());
  l.add(trade("l", -1'000'000, 10));
  auto losses_only = l.all({});
  CHECK(losses_only.win_rate_ppm == 0);
  CHECK(losses_only.rr_ppm == 0); // wins = 0 and a loss: R:R is 0, defined
  CHECK(losses_only.max_drawdown == usdc{1'000'000}); // the peak starts at 0

  performance_tracker z(short_sessions());
  z.add(trade("z", 0, 10));
  auto zero = z.all({});
  CHECK(zero.trades == 1);
  CHECK(zero.wins == 0);
  CHECK(zero.losses == 0);
  CHECK(zero.win_rate_ppm == 0);
  CHECK(zero.rr_ppm == performance_figures::undefined);
}

TEST_CASE("performance: averages and R:R are floors, wide products do not overflow") {
  performance_tracker t(short_sessions());
  t.add(trade("l1", -1, 1));
  t.add(trade("l2", -2, 2));
  t.add(trade("w1", 1, 3));
  t.add(trade("w2", 2, 4));
  t.add(trade("w3", 2, 5));
  auto f = t.all({});
  CHECK(f.avg_loss == usdc{1}); // floor(3 / 2)
  CHECK(f.avg_win == usdc{1});  // floor(5 / 3)
  CHECK(f.rr_ppm == 1'000'000); // 1 / 1

  performance_tracker big(short_sessions());
  big.add(trade("w", 10'000'000'000'000, 1)); // 10^7 pUSD: x 1e6 is above int64
  big.add(trade("l", -3, 2));
  auto b = big.all({});
  CHECK(b.rr_ppm == 3'333'333'333'333'333'333); // floor(10^13 * 10^6 / 3)
}

TEST_CASE("performance: a win resets the loss streak, a zero trade neither adds nor resets") {
  performance_tracker t(short_sessions());
  std::int64_t ts = 0;
  for (auto pnl : {-1, -1, 0, -1, 5, -1, 0, 0}) { // L L 0 L W L 0 0
    ++ts;
    t.add(trade(key("k", ts), pnl, ts));
  }
  auto f = t.all({});
  CHECK(f.max_loss_streak == 3); // L L (0) L
  CHECK(f.loss_streak == 1);     // the last L; the zeros keep it
  CHECK(f.wins == 1);
  CHECK(f.losses == 4);
  CHECK(f.trades == 8);
}

TEST_CASE("performance: add is idempotent by key and keeps trades in time order") {
  performance_tracker t(short_sessions());
  CHECK(t.add(trade("late-win", 1'000'000, 3'000)));
  CHECK(t.add(trade("loss-1", -1'000'000, 1'000)));
  CHECK(t.add(trade("loss-2", -1'000'000, 2'000)));
  CHECK_FALSE(t.add(trade("loss-1", -9'000'000, 2'500))); // the same settlement again
  CHECK(t.size() == 3);
  auto f = t.all({});
  CHECK(f.pnl == usdc{-1'000'000});
  CHECK(f.loss_streak == 0);     // in time order the win is last (insertion order would end on 2 losses)
  CHECK(f.max_loss_streak == 2);

  // Ties keep insertion order: a loss then a win at the same ms ends on the win.
  performance_tracker tie(short_sessions());
  tie.add(trade("x", -1, 5));
  tie.add(trade("y", 1, 5));
  CHECK(tie.all({}).loss_streak == 0);
  tie.add(trade("z", -1, 5));
  CHECK(tie.all({}).loss_streak == 1);
}

TEST_CASE("performance: live and paper books apart, trades before since_ms left out") {
  performance_tracker t(short_sessions());
  t.add(trade("m1", -1'000'000, 1'000, false));
  t.add(trade("m1/paper", 2'000'000, 1'000, true));
  t.add(trade("m2", 3'000'000, 5'000, false));
  auto live = t.all({false, 0});
  auto paper = t.all({true, 0});
  CHECK(live.trades == 2);
  CHECK(live.pnl == usdc{2'000'000});
  CHECK(paper.trades == 1);
  CHECK(paper.pnl == usdc{2'000'000});
  auto since = t.all({false, 1'001});
  CHECK(since.trades == 1);
  CHECK(since.pnl == usdc{3'000'000});
  CHECK(t.all({false, 5'000}).trades == 1); // since is inclusive
  CHECK(t.window(1, 5'000, {false, 1'001}).trades == 1);
  CHECK(t.session(0, {false, 5'001}).trades == 0);
}

TEST_CASE("performance: session boundary at boundary-1 ms and at the boundary") {
  session_clock day; // 00:00 UTC, 86 400 s
  CHECK(day.index(0) == 0);
  CHECK(day.index(86'400'000 - 1) == 0);
  CHECK(day.index(86'400'000) == 1);
  CHECK(day.start_ms(1) == 86'400'000);
  CHECK(day.end_ms(1) == 2 * 86'400'000);
  // Before the epoch floor division keeps sessions whole.
  CHECK(day.index(-1) == -1);
  CHECK(day.index(-86'400'000) == -1);
  CHECK(day.index(-86'400'001) == -2);
  CHECK(day.start_ms(-1) == -86'400'000);

  session_clock seven{7 * 3600, 86'400}; // sessions start at 07:00 UTC
  const std::int64_t b = 7 * 3'600'000;
  CHECK(seven.index(b - 1) == -1); // 06:59:59.999 on 1970-01-01 is the day before's session
  CHECK(seven.index(b) == 0);
  CHECK(seven.index(b + 86'400'000 - 1) == 0);
  CHECK(seven.index(b + 86'400'000) == 1);
  CHECK(seven.start_ms(0) == b);
  CHECK(seven.end_ms(0) == b + 86'400'000);
  // 2026-12-01T06:59:59.999Z and 07:00:00.000Z
  const std::int64_t dec1 = 1'796'083'200'000; // 2026-12-01T00:00:00Z
  CHECK(seven.index(dec1 + b) == seven.index(dec1 + b - 1) + 1);
  CHECK(seven.start_ms(seven.index(dec1 + b)) == dec1 + b);

  performance_tracker t(session_clock{30, 60}); // 60 s sessions starting at :30
  t.add(trade("before", -1'000'000, 30'000 - 1));
  t.add(trade("at", 2'000'000, 30'000));
  CHECK(t.session(-1, {}).trades == 1);
  CHECK(t.session(-1, {}).pnl == usdc{-1'000'000});
  CHECK(t.session(0, {}).trades == 1);
  CHECK(t.session(0, {}).pnl == usdc{2'000'000});
  CHECK(t.all({}).sessions == 2);
}

TEST_CASE("performance: window(n) covers the last n sessions up to now's") {
  performance_tracker t(short_sessions());
  for (int s = 0; s < 5; ++s) // one trade of s+1 pUSD in each of sessions 0..4
    t.add(trade(key("s", s), (s + 1) * 1'000'000, s * len_ms + 50'000));
  const std::int64_t now = 3 * len_ms + 10; // early in session 3: session 3's trade is later
  auto w2 = t.window(2, now, {});
  CHECK(w2.trades == 2); // sessions 2 and 3 (3's trade is in the same session, after now)
  CHECK(w2.pnl == usdc{7'000'000}); // 3 + 4
  CHECK(w2.sessions == 2);
  CHECK(t.window(1, now, {}).pnl == usdc{4'000'000});
  CHECK(t.window(4, now, {}).pnl == usdc{10'000'000}); // 1 + 2 + 3 + 4; session 4 is in the future
  CHECK(t.window(100, now, {}).trades == 4);
  CHECK(t.window(0, now, {}).trades == 0);
  CHECK(t.window(-3, now, {}).trades == 0);
  CHECK(t.window(2, 4 * len_ms - 1, {}).pnl == usdc{7'000'000}); // last ms of session 3
  CHECK(t.window(2, 4 * len_ms, {}).pnl == usdc{9'000'000});     // session 4 starts: 4 + 5
}
