// The order builder reproduces the official client's amounts exactly (cases
// cross-checked with clob-client-v2 by tests/conformance/order_sign_compare.mjs).
#include <doctest/doctest.h>

#include "core/order_builder.hpp"

using namespace tdmaker;

namespace {
void check(result<order_amounts> r, std::int64_t maker, std::int64_t taker) {
  REQUIRE_MESSAGE(r, (r ? "" : r.error()));
  CHECK(r->maker == maker);
  CHECK(r->taker == taker);
}
} // namespace

TEST_CASE("limit amounts: price half-up to the tick decimals and size floored to 2") {
  check(limit_order_amounts(order_side::buy, "0.53", "10", "0.01"), 5'300'000, 10'000'000);
  check(limit_order_amounts(order_side::sell, "0.53", "10", "0.01"), 10'000'000, 5'300'000);
  check(limit_order_amounts(order_side::buy, "0.99", "123.456789", "0.01"), 122'215'500, 123'450'000);
  check(limit_order_amounts(order_side::buy, "0.535", "10", "0.01"), 5'400'000, 10'000'000);
  check(limit_order_amounts(order_side::sell, "0.285", "33.333", "0.01"), 33'330'000, 9'665'700);
  check(limit_order_amounts(order_side::buy, "0.4567", "15.015", "0.0001"), 6'855'067, 15'010'000);
  check(limit_order_amounts(order_side::sell, "0.0001", "99999.99", "0.0001"), 99'999'990'000, 9'999'999);
  check(limit_order_amounts(order_side::buy, "0.5", "7.777777", "0.1"), 3'885'000, 7'770'000);
}

TEST_CASE("market amounts: BUY shares = amount / price with ceil at +4 then floor") {
  check(market_order_amounts(order_side::buy, "0.35", "3.5", "0.01"), 3'500'000, 10'000'000);
  check(market_order_amounts(order_side::buy, "0.53", "100", "0.01"), 100'000'000, 188'679'200);
  check(market_order_amounts(order_side::buy, "0.33", "10", "0.01"), 10'000'000, 30'303'000);
  check(market_order_amounts(order_side::buy, "0.123", "7.77", "0.001"), 7'770'000, 63'170'730);
  check(market_order_amounts(order_side::sell, "0.47", "12.349", "0.01"), 12'340'000, 5'799'800);
  check(market_order_amounts(order_side::sell, "0.9991", "50.5", "0.0001"), 50'500'000, 50'454'550);
}

TEST_CASE("builder input errors are clear and never round into a valid order") {
  CHECK(limit_order_amounts(order_side::buy, "1.0", "10", "0.01").error().find("invalid price") == 0);
  CHECK(limit_order_amounts(order_side::buy, "0.005", "10", "0.01").error().find("invalid price") == 0);
  CHECK(!limit_order_amounts(order_side::buy, "0.5", "ten", "0.01"));
  CHECK(!limit_order_amounts(order_side::buy, "-0.5", "10", "0.01"));
  CHECK(rounding_for("0.02").error().find("invalid tick size") == 0);
  CHECK(!market_order_amounts(order_side::buy, "0.5", "0.001", "0.01")); // floors to nothing
}
