// Issue 19: discovery.series in the node's config - every form of an entry, the
// per-series overrides, and the errors (with their JSON paths) for what cannot hold.
#include <doctest/doctest.h>

#include "core/config.hpp"
#include "config_error.hpp"

using namespace tdmaker;

using test::config_error;

TEST_CASE("config: without discovery.series the legacy assets x slot_seconds are the series") {
  auto c = parse_config("{}");
  REQUIRE(c);
  REQUIRE(c->discovery_series.size() == 4);
  CHECK(c->discovery_series[0].spec.key() == "btc-15m");
  CHECK(c->discovery_series[3].spec.gamma_series == "xrp-up-or-down-15m");
  auto t = parse_config(R"({"discovery":{"assets":["btc"],"slot_seconds":30,"retire_after_end_s":30}})");
  REQUIRE(t);
  REQUIRE(t->discovery_series.size() == 1);
  CHECK(t->discovery_series[0].spec.key() == "btc-30s"); // the venue's test series
  CHECK(t->discovery_series[0].spec.slot_s == 30);
  // The legacy 3600 s length stays the timestamped "60m" the venue lists, not the ET hourly series.
  auto h = parse_config(R"({"discovery":{"assets":["btc"],"slot_seconds":3600}})");
  REQUIRE(h);
  CHECK(h->discovery_series[0].spec.key() == "btc-60m");
}

TEST_CASE("config: discovery.series entries - names, objects, all - and their overrides") {
  auto c = parse_config(R"({"markets":{"max_live":200},"discovery":{"series":["btc-5m","eth-1h",
      {"asset":"sol","duration":"4h","slot_seconds":80,"gamma_series":"solana-4-hour",
       "entry":{"min_entry_s":10,"max_entry_s":60},"td_maker":{"enabled":false},
       "capture_99c":{"enabled":true,"entry_window_s":30,"stop_before_end_s":2},"orders":{"cancel_before_end_ms":40000}}]}})");
  REQUIRE_MESSAGE(c, (c ? "" : c.error()));
  REQUIRE(c->discovery_series.size() == 3);
  CHECK(c->discovery_series[0].spec.nominal_s == 300);
  CHECK(c->discovery_series[1].spec.shape == slug_shape::hourly_et);
  const auto& sol = c->discovery_series[2];
  CHECK(sol.spec.key() == "sol-4h");
  CHECK(sol.spec.slot_s == 80);
  CHECK(sol.spec.nominal_s == 14400);
  CHECK(sol.spec.gamma_series == "solana-4-hour");
  CHECK(*sol.set.entry_min_entry_s == 10);
  CHECK(*sol.set.entry_max_entry_s == 60);
  CHECK(*sol.set.td_maker_enabled == false);
  CHECK(*sol.set.capture_enabled == true);
  CHECK(*sol.set.capture_entry_window_s == 30);
  CHECK(*sol.set.capture_stop_before_end_s == 2);
  CHECK(*sol.set.cancel_before_end_ms == 40000);
  CHECK_FALSE(c->discovery_series[0].set.entry_max_entry_s.has_value());

  auto all = parse_config(R"({"markets":{"max_live":1000},"discovery":{"series":["all"]}})");
  REQUIRE(all);
  CHECK(all->discovery_series.size() == 35); // 7 coins x 5m 15m 1h 4h 1d
}

TEST_CASE("config: discovery.series errors name the element and refuse what cannot hold") {
  const std::string pre = R"({"markets":{"max_live":500},"discovery":{"series":)";
  CHECK(config_error(pre + R"(["btc-15m","btc-2w"]}})").find("$.discovery.series[1]: duration '2w'") == 0);
  CHECK(config_error(pre + R"(["btc-15m",{"asset":"btc","duration":"15m"}]}})")
        == "$.discovery.series[1]: series btc-15m is listed twice");
  CHECK(config_error(pre + R"(["all","btc-5m"]}})").find("$.discovery.series[1]: series btc-5m is listed twice") == 0);
  CHECK(config_error(pre + R"([{"asset":"zec","duration":"1h"}]}})").find("$.discovery.series[0].duration: asset 'zec' has no hourly") == 0);
  CHECK(config_error(pre + R"([{"asset":"btc","duration":"15m","colour":"red"}]}})") == "$.discovery.series[0].colour: unknown key");
  CHECK(config_error(pre + R"([{"asset":"btc","duration":"15m","entry":{"max_entry":5}}]}})")
        == "$.discovery.series[0].entry.max_entry: unknown key");
  CHECK(config_error(pre + R"([{"asset":"btc","duration":"15m","entry":{"max_entry_s":-1}}]}})")
        == "$.discovery.series[0].entry.max_entry_s: expected an integer in [0, 86400]");
  CHECK(config_error(pre + R"([{"asset":"btc","duration":"5m","entry":{"min_entry_s":300}}]}})").find("not inside the series' 300 s slot")
        != std::string::npos);
  CHECK(config_error(pre + R"([{"asset":"btc","duration":"5m","capture_99c":{"entry_window_s":20,"stop_before_end_s":20}}]}})")
        .find("stop_before_end_s: must be below entry_window_s") != std::string::npos);
  CHECK(config_error(pre + R"([{"asset":"btc","duration":"5m","gamma_series":"a b&c"}]}})").find("only a-z") != std::string::npos);
  CHECK(config_error(pre + R"([{"asset":"btc","duration":"15m","orders":{"cancel_before_end_ms":5000}}]}})")
        .find("$.discovery.series[0].orders.cancel_before_end_ms: a series may stop before") == 0);
  CHECK(config_error(pre + R"([]}})") == "$.discovery.series: expected a non-empty array of series");
  CHECK(config_error(pre + R"([7]}})").find("$.discovery.series[0]: expected") == 0);
  CHECK(config_error(R"({"discovery":{"assets":["btc"],"series":["btc-15m"]}})")
        == "$.discovery.series: give either series or the legacy assets/slot_seconds, not both");
  // The cap is checked over every series: 7 coins x 4 durations need 91 live markets at worst.
  auto cap = config_error(R"({"discovery":{"series":["btc-5m","eth-5m","sol-5m","xrp-5m","doge-5m","bnb-5m","hype-5m",
      "btc-15m","eth-15m","sol-15m","xrp-15m","doge-15m","bnb-15m","hype-15m","btc-1h","eth-1h","sol-1h","xrp-1h",
      "doge-1h","bnb-1h","hype-1h","btc-4h","eth-4h","sol-4h","xrp-4h","doge-4h","bnb-4h","hype-4h"]}})");
  CHECK(cap.find("$.markets.max_live: 64 cannot hold") == 0);
  CHECK(cap.find("28 series ($.discovery.series) keep 91 markets") != std::string::npos);
}
