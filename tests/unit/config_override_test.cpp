// `tdmaker replay --set` (core/config_override): a sweep's configs are the base
// with one key replaced in the type the config already gives it.
#include <doctest/doctest.h>

#include "core/config.hpp"
#include "core/config_override.hpp"

using namespace tdmaker;

TEST_CASE("config sweep: key=v1,v2 parses and bad forms are refused") {
  auto s = parse_config_sweep("strategies.capture_99c.threshold=0.6,0.7");
  REQUIRE(s);
  CHECK(s->key == "strategies.capture_99c.threshold");
  CHECK(s->values == std::vector<std::string>{"0.6", "0.7"});
  for (auto bad : {"nokey", "=1", "a..b=1", "a.b=", "a.b=1,,2", "a-b=1", "a.b c=1"})
    CHECK_FALSE(parse_config_sweep(bad));
}

TEST_CASE("config override: the value keeps the type the config gives the key, and the config parser validates it") {
  const std::string base = R"({"node":{"mode":"paper"},"risk":{"max_loss":"50"},"discovery":{"interval_ms":5000}})";
  auto a = override_config(base, "risk.max_loss", "75");
  REQUIRE(a);
  CHECK(a->find(R"("max_loss":"75")") != std::string::npos); // a string stays a string
  auto b = override_config(base, "discovery.interval_ms", "2000");
  REQUIRE(b);
  CHECK(b->find(R"("interval_ms":2000)") != std::string::npos); // a number stays a number
  auto bad = override_config(base, "discovery.interval_ms", "soon");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().find("not a number") != std::string::npos);
  CHECK_FALSE(override_config(base, "risk", "1"));          // an object is not one value
  CHECK_FALSE(override_config(base, "node.mode.x", "1"));   // a string is not an object
  auto fresh = override_config(base, "strategies.capture_99c.enabled", "true");
  REQUIRE(fresh);
  CHECK(fresh->find(R"("strategies":{"capture_99c":{"enabled":true}})") != std::string::npos);
  // The result goes through the config's own parser like any file.
  auto parsed = parse_config(*a);
  const std::string why = parsed ? std::string() : parsed.error();
  CHECK_MESSAGE(parsed.ok(), why);
  auto unknown = override_config(base, "risk.no_such_key", "1");
  REQUIRE(unknown);
  CHECK_FALSE(parse_config(*unknown));
}
