// Issue 19: every Up/Down series' slug rule, the Eastern-time arithmetic under
// the hourly and daily names, and what discovery accepts as a slot of a series.
// Expected instants were computed independently (Python zoneinfo America/New_York).
#include <doctest/doctest.h>

#include "core/civil_time.hpp"
#include "core/series.hpp"

using namespace tdmaker;

TEST_CASE("civil time: Eastern offset switches at 07:00 UTC in March and 06:00 UTC in November") {
  CHECK(eastern_offset_s(1796202000) == -5 * 3600); // 2026-12-02 09:00 UTC
  CHECK(eastern_offset_s(1783180800) == -4 * 3600); // 2026-07-04 16:00 UTC
  CHECK(eastern_offset_s(1772953200 - 1) == -5 * 3600); // 2026-03-08 06:59:59 UTC
  CHECK(eastern_offset_s(1772953200) == -4 * 3600);     // 07:00 UTC: 03:00 EDT
  CHECK(eastern_offset_s(1793512800 - 1) == -4 * 3600); // 2026-11-01 05:59:59 UTC
  CHECK(eastern_offset_s(1793512800) == -5 * 3600);
  CHECK(unix_of_eastern(2026, 12, 2, 12) == 1796230800);
  CHECK(unix_of_eastern(2026, 11, 1, 1) == 1793509200); // the first of the two 1 a.m.s
  CHECK(unix_of_eastern(2026, 3, 8, 3) == 1772953200);
  CHECK(unix_of_eastern(2027, 1, 1, 0) == 1798779600);
  auto d = civil_from_days(days_from_civil(2028, 2, 29));
  CHECK(d.year == 2028);
  CHECK(d.month == 2);
  CHECK(d.day == 29);
}

TEST_CASE("series: every duration's shape, lengths and Gamma series") {
  auto m15 = make_series("btc", "15m");
  REQUIRE(m15);
  CHECK(m15->shape == slug_shape::timestamped);
  CHECK(m15->nominal_s == 900);
  CHECK(m15->gamma_series == "btc-up-or-down-15m");
  CHECK(m15->key() == "btc-15m");
  CHECK(make_series("hype", "5m")->nominal_s == 300);
  CHECK(make_series("doge", "4h")->nominal_s == 14400);
  CHECK(make_series("bnb", "1h")->shape == slug_shape::hourly_et);
  CHECK(make_series("sol", "1d")->shape == slug_shape::daily_et);
  CHECK(make_series("sol", "1d")->nominal_s == 86400);
  CHECK(make_series("btc", "30s")->nominal_s == 30); // the test venue's length
  CHECK(make_series("btc", "1m")->nominal_s == 60);
  for (const char* bad : {"", "0m", "07m", "15x", "m", "2s", "25h", "-5m", "1w"})
    CHECK_MESSAGE(!make_series("btc", bad), bad);
  auto unknown = make_series("zec", "1h");
  REQUIRE(!unknown);
  CHECK(unknown.error().find("no hourly or daily series") != std::string::npos);
  CHECK(make_series("zec", "15m")); // a timestamped series needs no coin name
  CHECK(!make_series("BTC", "15m"));
  CHECK(!make_series("b", "15m"));
  CHECK(known_assets().size() == 7);
}

TEST_CASE("series: slugs of every shape, and back") {
  const std::int64_t four_am_et = 1796202000; // 2026-12-02 04:00 EST
  CHECK(series_slug(*make_series("btc", "15m"), 1778437800) == "btc-updown-15m-1778437800");
  CHECK(series_slug(*make_series("eth", "4h"), 1796198400) == "eth-updown-4h-1796198400");
  CHECK(series_slug(*make_series("btc", "1h"), four_am_et) == "bitcoin-up-or-down-december-2-4am-et");
  CHECK(series_slug(*make_series("hype", "1h"), 1796230800) == "hyperliquid-up-or-down-december-2-12pm-et");
  CHECK(series_slug(*make_series("doge", "1h"), 1798779600) == "dogecoin-up-or-down-january-1-12am-et");
  // A daily slot runs noon to noon ET and is named by the date it ends on.
  CHECK(series_slug(*make_series("eth", "1d"), 1796144400) == "ethereum-up-or-down-on-december-2");

  auto h = parse_series_slug("bitcoin-up-or-down-december-2-4am-et", four_am_et + 100);
  REQUIRE(h);
  CHECK(h->asset == "btc");
  CHECK(h->label == "1h");
  CHECK(h->start_s == four_am_et);
  // The year is the one nearest the event: a January slug seen in late December is next year's.
  auto ny = parse_series_slug("dogecoin-up-or-down-january-1-12am-et", 1798700000);
  REQUIRE(ny);
  CHECK(ny->start_s == 1798779600);
  auto d = parse_series_slug("ethereum-up-or-down-on-december-2", 1796144400);
  REQUIRE(d);
  CHECK(d->shape == slug_shape::daily_et);
  CHECK(d->start_s == 1796144400);
  auto t = parse_series_slug("xrp-updown-5m-1796202300", 0);
  REQUIRE(t);
  CHECK(t->asset == "xrp");
  CHECK(t->label == "5m");
  CHECK(t->start_s == 1796202300);
  // Round trip over a year of hours, DST switches included.
  auto btc_h = *make_series("btc", "1h");
  for (std::int64_t s = 1767225600; s < 1767225600 + 366 * 86400; s += 3600) {
    auto p = parse_series_slug(series_slug(btc_h, s), s);
    REQUIRE(p);
    if (p->start_s != s) // the repeated November hour names the first of its two instants
      CHECK(series_slug(btc_h, p->start_s) == series_slug(btc_h, s));
  }
  for (const char* bad : {"btc-updown-15m-", "btc-updown-15m-01", "btc-updown-15m-12x", "btc-updown--1",
                          "bitcoin-up-or-down-smarch-2-4am-et", "bitcoin-up-or-down-december-2-13am-et",
                          "bitcoin-up-or-down-december-2-4am", "bitcoin-up-or-down-december-32-4am-et",
                          "bitcoin-up-or-down-february-30-4am-et", "cardano-up-or-down-december-2-4am-et",
                          "bitcoin-up-or-down-on-december-2-4am-et", "will-btc-hit-100k", ""})
    CHECK_MESSAGE(!parse_series_slug(bad, 1796202000), bad);
  CHECK(series_key_of_slug("sol-updown-4h-1796198400") == "sol-4h");
  CHECK(series_key_of_slug("solana-up-or-down-on-december-2") == "sol-1d");
  CHECK(series_key_of_slug("presidential-election") == "");
}

TEST_CASE("series: a listed slot matches its series only with its shape, asset, length and start") {
  auto s = *make_series("btc", "15m");
  CHECK(slot_matches(s, "btc-updown-15m-1778437800", 1778437800, 1778438700).empty());
  CHECK(!slot_matches(s, "eth-updown-15m-1778437800", 1778437800, 1778438700).empty());
  CHECK(!slot_matches(s, "btc-updown-5m-1778437800", 1778437800, 1778438100).empty());
  CHECK(slot_matches(s, "btc-updown-15m-1778437800", 1778437800, 1778438100).find("300 s") != std::string::npos);
  CHECK(slot_matches(s, "btc-updown-15m-1778437900", 1778437800, 1778438700).find("names a start") != std::string::npos);
  auto h = *make_series("btc", "1h");
  CHECK(slot_matches(h, "bitcoin-up-or-down-december-2-4am-et", 1796202000, 1796205600).empty());
  CHECK(!slot_matches(h, "bitcoin-up-or-down-december-2-5am-et", 1796202000, 1796205600).empty());
  // A scaled-down test series keeps its label and shape; its ET names are nominal.
  h.slot_s = 40;
  CHECK(slot_matches(h, "bitcoin-up-or-down-december-9-5am-et", 1796202000, 1796202040).empty());
  CHECK(!slot_matches(h, "bitcoin-up-or-down-december-9-5am-et", 1796202000, 1796202060).empty());
}
