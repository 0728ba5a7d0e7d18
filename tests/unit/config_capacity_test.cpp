// The config check refuses a discovery shape that cannot fit markets.max_live
// (issue 14: 20 s slots with a 300 s grace outgrew 64 live markets mid-run).
#include <doctest/doctest.h>

#include "core/config.hpp"

using namespace tdmaker;

TEST_CASE("config: discovery that outgrows markets.max_live is refused, naming the keys and numbers") {
  auto bad = parse_config(R"({"discovery":{"slot_seconds":20,"retire_after_end_s":300}})");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().find("$.markets.max_live: 64 ") == 0);
  CHECK(bad.error().find("= 72 markets at worst") != std::string::npos);
  CHECK(bad.error().find("$.discovery.retire_after_end_s 300") != std::string::npos);
  CHECK(bad.error().find("$.discovery.slot_seconds 20") != std::string::npos);

  // The same slots fit with a cap that holds them, or with a shorter grace.
  CHECK(parse_config(R"({"discovery":{"slot_seconds":20,"retire_after_end_s":300},"markets":{"max_live":72}})"));
  CHECK(parse_config(R"({"discovery":{"slot_seconds":20,"retire_after_end_s":60}})"));
  // Fewer assets fit too: 2 x 18 = 36.
  CHECK(parse_config(R"({"discovery":{"assets":["btc","eth"],"slot_seconds":20,"retire_after_end_s":300}})"));
  // The cap is checked against the whole shape: one asset, a cap of 2, 15-minute slots -> 3 needed.
  auto tight = parse_config(R"({"discovery":{"assets":["btc"]},"markets":{"max_live":2}})");
  REQUIRE_FALSE(tight);
  CHECK(tight.error().find("= 3 markets at worst") != std::string::npos);
}
