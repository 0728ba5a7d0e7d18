// The market cap rule: worst-case live markets of a discovery shape, the
// directory's refusal text, and one alert per episode of refusals.
#include <doctest/doctest.h>

#include "core/market_cap.hpp"

using namespace tdmaker;

namespace {
discovery_shape shape(std::int64_t assets, std::int64_t slot_s, std::int64_t lookahead, std::int64_t retire_s,
                      std::int64_t interval_ms) {
  return {assets, slot_s, lookahead, retire_s, interval_ms};
}
} // namespace

TEST_CASE("market cap: worst-case live markets per discovery shape") {
  // The defaults: 15-minute slots, one look-ahead, 5 min grace, 5 s passes:
  // (1800 + 300 + 5 + 1) / 900 -> 3 per asset.
  CHECK(worst_case_live_markets(shape(4, 900, 1, 300, 5000)) == 12);
  // Issue 14's node: 20 s slots with the 300 s grace: (40 + 300 + 5 + 1) / 20 -> 18.
  CHECK(worst_case_live_markets(shape(4, 20, 1, 300, 5000)) == 72);
  // No look-ahead, no grace, a slot that ends exactly on a pass: the late second
  // and the pass interval still need a second market per asset.
  CHECK(worst_case_live_markets(shape(1, 60, 0, 0, 0)) == 2);
  CHECK(worst_case_live_markets(shape(1, 60, 0, 58, 1000)) == 2);
  CHECK(worst_case_live_markets(shape(1, 60, 0, 59, 1000)) == 3);
  CHECK(worst_case_live_markets(shape(0, 60, 1, 300, 5000)) == 0);
}

TEST_CASE("market cap: a shape that fits passes, one that does not names the keys and the numbers") {
  CHECK(check_market_capacity(shape(4, 900, 1, 300, 5000), 12).empty());
  CHECK(check_market_capacity(shape(4, 20, 1, 300, 5000), 72).empty());
  auto e = check_market_capacity(shape(4, 20, 1, 300, 5000), 64);
  CHECK(e.find("$.markets.max_live: 64 ") == 0);
  for (const char* part : {"4 assets ($.discovery.assets)", "x 18 live slots each", "= 72 markets at worst",
                           "$.discovery.slot_seconds 20", "$.discovery.lookahead_slots 1",
                           "$.discovery.retire_after_end_s 300", "$.discovery.interval_ms 5000",
                           "raise $.markets.max_live to 72"})
    CHECK_MESSAGE(e.find(part) != std::string::npos, part, " not in: ", e);
}

TEST_CASE("market cap: the directory's refusal is recognised, other errors are not") {
  CHECK(max_live_refusal(64) == "market limit reached (markets.max_live = 64)");
  CHECK(is_max_live_refusal(max_live_refusal(3)));
  CHECK_FALSE(is_max_live_refusal("unknown market 0xab"));
  CHECK_FALSE(is_max_live_refusal("market limit"));
  CHECK_FALSE(is_max_live_refusal(""));
}

TEST_CASE("market cap: one alert per episode, however many slots are refused") {
  cap_watch w;
  using c = cap_watch::change;
  CHECK(w.refused("btc-1") == c::raised);
  CHECK(w.refused("eth-1") == c::none);
  CHECK(w.refused("btc-1") == c::none); // the same slug again, next pass
  CHECK(w.active());
  CHECK(w.waiting() == 2);
  // A seat frees, one slug is served; another still waits: the episode goes on.
  CHECK(w.served("btc-1") == c::none);
  CHECK(w.refused("sol-2") == c::none);
  CHECK(w.served("eth-1") == c::none);
  CHECK(w.active());
  // The last one leaves the window (its slot passed): cleared, once.
  CHECK(w.keep_only({"btc-3"}) == c::cleared);
  CHECK_FALSE(w.active());
  CHECK(w.keep_only({}) == c::none);
  CHECK(w.served("btc-3") == c::none); // served without a refusal: no episode
  // It recurs: a new alert.
  CHECK(w.refused("btc-4") == c::raised);
  CHECK(w.served("btc-4") == c::cleared);
}
