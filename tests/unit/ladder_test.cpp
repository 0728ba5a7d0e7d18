// Ladder rungs, sizes and the global exposure budget: exact integer arithmetic.
#include <doctest/doctest.h>

#include "core/ladder.hpp"

using namespace tdmaker;

TEST_CASE("ladder: rungs below the top on the tick grid, whole shares, exact cost") {
  ladder_rules r;
  r.rungs = 3;
  r.spacing_ticks = 2;
  r.shares_per_rung = 5;
  auto rungs = ladder_rungs(r, price{855'000}, tick_size{10'000}, shares{5'000'000});
  REQUIRE(rungs.size() == 3);
  CHECK(rungs[0].px == price{850'000}); // rounded down to the tick
  CHECK(rungs[1].px == price{830'000});
  CHECK(rungs[2].px == price{810'000});
  CHECK(rungs[0].size == shares{5'000'000});
  CHECK(rungs[0].cost == usdc{4'250'000}); // 5 x 0.85
  CHECK(rungs[2].cost == usdc{4'050'000});
  CHECK(rungs[2].index == 2);
}

TEST_CASE("ladder: min size raises the rung size to whole shares, low tops are cut") {
  ladder_rules r;
  r.rungs = 4;
  r.shares_per_rung = 3;
  CHECK(rung_size(r, shares{5'000'000}) == shares{5'000'000});
  CHECK(rung_size(r, shares{5'500'000}) == shares{6'000'000}); // 5.5 -> 6 whole shares
  CHECK(rung_size(r, shares{1'000'000}) == shares{3'000'000});
  // Top 0.02 with tick 0.01: rungs 0.02 and 0.01 only.
  auto rungs = ladder_rungs(r, price{20'000}, tick_size{10'000}, shares{1'000'000});
  REQUIRE(rungs.size() == 2);
  CHECK(rungs[1].px == price{10'000});
  CHECK(ladder_rungs(r, price{5'000}, tick_size{10'000}, shares{1}).empty());
  // Fine tick 0.001.
  auto fine = ladder_rungs(r, price{961'500}, tick_size{1'000}, shares{5'000'000});
  CHECK(fine[0].px == price{961'000});
  CHECK(fine[1].px == price{960'000});
}

TEST_CASE("ladder: order cost rounds up to a micro-unit") {
  CHECK(order_cost(price{333'333}, shares{3'000'000}) == usdc{999'999});
  CHECK(order_cost(price{1}, shares{1}) == usdc{1}); // 1e-12 pUSD still reserves one micro
  CHECK(order_cost(price{500'000}, shares{0}) == usdc{0});
}

TEST_CASE("ladder: sequential scale-in places one rung at a time") {
  ladder_rules r;
  r.rungs = 3;
  r.sequential = true;
  CHECK(rungs_due(r, {false, false, false}, 0) == std::vector<std::uint32_t>{0});
  CHECK(rungs_due(r, {true, false, false}, 0).empty());
  CHECK(rungs_due(r, {true, false, false}, 1) == std::vector<std::uint32_t>{1});
  CHECK(rungs_due(r, {true, true, true}, 3).empty()); // fully filled ladder
  r.sequential = false;
  CHECK(rungs_due(r, {true, false, false}, 0) == std::vector<std::uint32_t>{1, 2});
}

TEST_CASE("budget: reservations never exceed the global or per-market limit") {
  exposure_budget b(usdc{10'000'000}, usdc{6'000'000});
  CHECK(b.try_reserve("m1", usdc{4'000'000}));
  CHECK(b.try_reserve("m1", usdc{2'000'000}));  // m1 at its 6.0 limit
  CHECK_FALSE(b.try_reserve("m1", usdc{1}));     // per-market
  CHECK(b.try_reserve("m2", usdc{4'000'000}));   // total 10.0
  CHECK_FALSE(b.try_reserve("m3", usdc{1}));     // global
  CHECK(b.reserved() == usdc{10'000'000});
  CHECK(b.available() == usdc{0});
  // A refused reservation changed nothing.
  CHECK(b.reserved_by("m3") == usdc{0});
  CHECK(b.release("m1", usdc{2'500'000}) == usdc{2'500'000});
  CHECK(b.try_reserve("m3", usdc{2'500'000}));
  // Releasing more than held releases what is held, never goes negative.
  CHECK(b.release("m2", usdc{9'000'000}) == usdc{4'000'000});
  CHECK(b.release("nobody", usdc{1}) == usdc{0});
  CHECK(b.release_all("m1") == usdc{3'500'000});
  CHECK(b.reserved() == usdc{2'500'000});
}

TEST_CASE("budget: many simultaneous reservations sum exactly to at most the limit") {
  exposure_budget b(usdc{100'000'000}, usdc{100'000'000});
  const std::string names[] = {"m0", "m1", "m2", "m3", "m4", "m5", "m6"};
  int accepted = 0;
  for (int i = 0; i < 1000; ++i)
    accepted += b.try_reserve(names[i % 7], usdc{4'250'000});
  CHECK(accepted == 23); // floor(100 / 4.25)
  CHECK(b.reserved() == usdc{97'750'000});
  b.set_limit(usdc{50'000'000}); // lowering refuses more, keeps what is held
  CHECK(b.reserved() == usdc{97'750'000});
  CHECK_FALSE(b.try_reserve("m1", usdc{1}));
}

TEST_CASE("budget: wallet auto-sizing takes a fraction of the balance, capped") {
  CHECK(auto_budget(usdc{200'000'000}, 250'000, usdc{1'000'000'000}) == usdc{50'000'000});
  CHECK(auto_budget(usdc{200'000'000}, 250'000, usdc{20'000'000}) == usdc{20'000'000});
  CHECK(auto_budget(usdc{-5}, 250'000, usdc{20'000'000}) == usdc{0});
  CHECK(auto_budget(usdc{3}, 333'333, usdc{20'000'000}) == usdc{0}); // floored
}
