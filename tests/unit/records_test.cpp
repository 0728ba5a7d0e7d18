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

TEST_CASE("market records carry the resolution rule and the capture state, and older ones read as spot and untouched") {
  market_record m;
  m.id = *parse_condition_id("0x" + std::string(64, 'b'));
  m.slug = "eth-updown-5m-1778437800";
  m.asset = "eth";
  m.tick = tick_size{10'000};
  m.rule = resolution_rule::twap60;
  m.capture = capture_state{true, outcome::down, 912'345, 934'000, 1'778'437'999'123, true};
  auto back = decode_market_record(encode(m));
  REQUIRE(back);
  CHECK(back->rule == resolution_rule::twap60);
  CHECK(back->capture.ordered);
  CHECK(back->capture.side == outcome::down);
  CHECK(back->capture.order_confidence_ppm == 912'345);
  CHECK(back->capture.peak_confidence_ppm == 934'000);
  CHECK(back->capture.filled_ms == 1'778'437'999'123);
  CHECK(back->capture.danger_exited);
  // As the node wrote it before issue 17.
  const std::string old = R"({"condition_id":"0x)" + std::string(64, 'b')
                          + R"(","slug":"s","asset":"btc","slot_start_s":1,"slot_end_s":2,"up_token":"113",)"
                            R"("down_token":"380","tick_size":"0.01","min_size":"5","status":"active"})";
  auto was = decode_market_record(old);
  REQUIRE(was);
  CHECK(was->rule == resolution_rule::spot);
  CHECK_FALSE(was->capture.ordered);
  CHECK(was->capture.peak_confidence_ppm == -1);
  CHECK(encode(*was) == old); // an untouched market's record is byte for byte as before
  auto bad_rule = old;
  bad_rule.replace(bad_rule.size() - 1, 1, R"(,"rule":"twap30"})");
  CHECK_FALSE(decode_market_record(bad_rule));
  auto bad_capture = old;
  bad_capture.replace(bad_capture.size() - 1, 1,
                      R"(,"capture":{"ordered":true,"side":"up","order_confidence_ppm":2000000,)"
                      R"("peak_confidence_ppm":-1,"filled_ms":0,"danger_exited":false}})");
  CHECK_FALSE(decode_market_record(bad_capture));
}

TEST_CASE("order records name their strategy, and an older record is the TD maker's") {
  order_record o;
  o.order_id = "0x" + std::string(64, 'c');
  o.market = *parse_condition_id("0x" + std::string(64, 'b'));
  o.token = *parse_token_id("113");
  o.px = price{990'000};
  o.size = shares{5'000'000};
  o.strategy = strategy_kind::capture_99c;
  auto back = decode_order_record(encode(o));
  REQUIRE(back);
  CHECK(back->strategy == strategy_kind::capture_99c);
  const std::string old = R"({"order_id":"0x)" + std::string(64, 'c') + R"(","client_id":"_placing_1","market":"0x)"
                          + std::string(64, 'b')
                          + R"(","token":"113","outcome":"up","rung":0,"side":"BUY","price":"0.83","size":"5",)"
                            R"("matched":"0","reserved":"4.15","state":"live","created_ms":1,"updated_ms":1,)"
                            R"("cancel_requested_ms":0,"slot_end_s":9,"checks":0,"reason":"","paper":false})";
  auto was = decode_order_record(old);
  REQUIRE(was);
  CHECK(was->strategy == strategy_kind::td_maker);
  auto unknown = old;
  unknown.replace(unknown.size() - 1, 1, R"(,"strategy":"grid"})");
  CHECK_FALSE(decode_order_record(unknown));
  auto not_text = old;
  not_text.replace(not_text.size() - 1, 1, R"(,"strategy":1})");
  CHECK_FALSE(decode_order_record(not_text));
}
