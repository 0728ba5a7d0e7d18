// A session's report (core/replay_report): PnL by strategy and market, fills and
// the max drawdown of the running PnL in settlement order, exact to the micro.
#include <doctest/doctest.h>

#include "core/replay_report.hpp"

using namespace tdmaker;

namespace {

settlement_record row(char id, std::int64_t settled_ms, std::int64_t pnl, std::uint32_t fills, bool paper = false) {
  settlement_record s;
  s.market = *parse_condition_id("0x" + std::string(64, id));
  s.settled_ms = settled_ms;
  s.pnl = usdc{pnl};
  s.fills = fills;
  s.paper = paper;
  return s;
}

} // namespace

TEST_CASE("replay report: totals, the split by strategy and market, and the drawdown in settlement order") {
  auto a = row('a', 3'000, -2'500'000, 2);
  auto b = row('b', 1'000, 4'000'000, 3);
  auto c = row('c', 2'000, -3'000'000, 1, true);
  c.by_strategy = {{strategy_kind::td_maker, {}, {}, {}, {}, {}, usdc{-1'000'000}, 0},
                   {strategy_kind::capture_99c, {}, {}, {}, {}, {}, usdc{-2'000'000}, 1}};
  auto d = row('d', 4'000, 1'000'000, 1);
  auto r = report_of({a, b, c, d});
  CHECK(r.markets == 4);
  CHECK(r.fills == 7);
  CHECK(r.pnl == usdc{-500'000});
  // Running: +4, +1, -1.5, -0.5: the peak 4 to the trough -1.5.
  CHECK(r.max_drawdown == usdc{5'500'000});
  CHECK(r.by_strategy.at("td_maker") == usdc{1'500'000}); // records without a split are all the TD maker's
  CHECK(r.by_strategy.at("capture_99c") == usdc{-2'000'000});
  CHECK(r.by_market.at(settlement_key(c)) == usdc{-3'000'000});
  CHECK(settlement_key(c).ends_with("/paper"));
  // The same rows in any order give the same bytes.
  CHECK(report_json(report_of({d, c, b, a})) == report_json(r));
  CHECK(report_json(r).find("\"max_drawdown\":\"5.5\"") != std::string::npos);
  CHECK(report_text(r).find("max drawdown 5.5") != std::string::npos);
}

TEST_CASE("replay report: no settlement, no drawdown") {
  auto r = report_of({});
  CHECK(r.markets == 0);
  CHECK(r.max_drawdown == usdc{0});
  CHECK(r.pnl == usdc{0});
}
