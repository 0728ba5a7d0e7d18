#include <doctest/doctest.h>

#include "core/record_codec.hpp"
#include "core/records.hpp"

using namespace tdmaker;

TEST_CASE("crc32 matches the IEEE reference value") {
  CHECK(crc32("123456789") == 0xCBF43926u);
  CHECK(crc32("") == 0u);
}

TEST_CASE("sealed records open intact and any flipped byte is detected") {
  auto sealed = seal_record(R"({"a":1})");
  CHECK(*open_record(sealed) == R"({"a":1})");
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    if (i == 3)
      continue; // reserved byte, not covered
    auto bad = sealed;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    CHECK_MESSAGE(!open_record(bad), "byte ", i);
  }
  CHECK(!open_record(sealed.substr(0, sealed.size() - 1)));
  CHECK(!open_record("TD"));
}

TEST_CASE("phase records round-trip") {
  phase_record r{phase::real_money_trial, phase::proof_of_concept, 42, "why", "control-http"};
  auto back = decode_phase_record(encode(r));
  REQUIRE(back);
  CHECK(back->current == r.current);
  CHECK(back->previous == r.previous);
  CHECK(back->since_ms == 42);
  CHECK(back->reason == "why");
  CHECK(back->source == "control-http");
  CHECK(!decode_phase_record(R"({"phase":"Moon","previous":"Scaling","since_ms":1,)"
                             R"("reason":"","source":""})"));
  CHECK(!decode_phase_record(R"({"phase":"Scaling"})"));
}

TEST_CASE("market records round-trip exactly") {
  market_record m;
  m.id = *parse_condition_id("0x" + std::string(64, 'b'));
  m.slug = "btc-updown-15m-1778437800";
  m.asset = "btc";
  m.slot_start_s = 1778437800;
  m.slot_end_s = 1778438700;
  m.up_token = *parse_token_id("113");
  m.down_token = *parse_token_id("380");
  m.tick = tick_size{1'000};
  m.status = market_status::awaiting_settlement;
  auto back = decode_market_record(encode(m));
  REQUIRE(back);
  CHECK(back->id == m.id);
  CHECK(back->slug == m.slug);
  CHECK(back->slot_end_s == m.slot_end_s);
  CHECK(back->up_token == m.up_token);
  CHECK(back->tick == m.tick);
  CHECK(back->min_size == m.min_size);
  CHECK(back->status == m.status);
  CHECK(!decode_market_record(R"({"condition_id":"0x12"})"));
}
