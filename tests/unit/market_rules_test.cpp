// A market's slot-start reference capture and the risk guard's stale escalation.
#include <doctest/doctest.h>

#include "core/reference_capture.hpp"
#include "core/records.hpp"
#include "core/risk_guard.hpp"

using namespace tdmaker;

namespace {
reference_tick tick(std::int64_t ts_ms, std::int64_t e8) { return {"btc/usd", ref_price{e8}, ts_ms}; }
} // namespace

TEST_CASE("reference: the tick stamped at the start second is the start reference") {
  start_reference s;
  s.start_ms = 1'800'000'000'000;
  CHECK_FALSE(observe_reference(s, tick(s.start_ms - 2000, 100)));
  CHECK_FALSE(observe_reference(s, tick(s.start_ms - 1000, 101)));
  CHECK(observe_reference(s, tick(s.start_ms, 102)));
  CHECK(s.captured == ref_price{102});
  CHECK_FALSE(observe_reference(s, tick(s.start_ms + 1000, 103))); // final
  CHECK(s.captured == ref_price{102});
}

TEST_CASE("reference: without a tick at the start, the last one before it, if recent") {
  start_reference s;
  s.start_ms = 1'800'000'000'000;
  observe_reference(s, tick(s.start_ms - 3000, 100));
  observe_reference(s, tick(s.start_ms - 1500, 101));
  observe_reference(s, tick(s.start_ms - 2500, 99)); // out of order: older, ignored
  CHECK(observe_reference(s, tick(s.start_ms + 500, 105)));
  CHECK(s.captured == ref_price{101});
  CHECK(s.captured_ts_ms == s.start_ms - 1500);
}

TEST_CASE("reference: a stale candidate gives way to the first tick after the start") {
  start_reference s;
  s.start_ms = 1'800'000'000'000;
  observe_reference(s, tick(s.start_ms - 60'000, 100));
  CHECK(observe_reference(s, tick(s.start_ms + 2000, 107)));
  CHECK(s.captured == ref_price{107});
  start_reference late; // joined after the start with no backfill
  late.start_ms = s.start_ms;
  CHECK(observe_reference(late, tick(s.start_ms + 30'000, 110)));
  CHECK(late.captured == ref_price{110});
  start_reference zero;
  zero.start_ms = s.start_ms;
  CHECK_FALSE(observe_reference(zero, tick(s.start_ms, 0))); // a zero price is no price
}

TEST_CASE("reference: the start reference is part of the durable market record") {
  market_record m;
  m.fee = fee_schedule{true, 70'000, 1, true}; // a market is traded only with a known schedule
  m.id = condition_id{"0x" + std::string(64, 'e')};
  m.slug = "btc-updown-30s-1800000000";
  m.asset = "btc";
  m.ref_start = ref_price{9'712'345'678'901};
  auto back = decode_market_record(encode(m));
  REQUIRE(back);
  CHECK(back->ref_start == m.ref_start);
  // Not captured yet: no field, as in records written before it existed.
  m.ref_start = ref_price{0};
  auto text = encode(m);
  CHECK(text.find("ref_start") == std::string::npos);
  auto legacy = decode_market_record(text);
  REQUIRE(legacy);
  CHECK(legacy->ref_start == ref_price{0});
  auto bad = text.substr(0, text.size() - 1) + R"(,"ref_start":"-1"})";
  CHECK_FALSE(decode_market_record(bad));
}

TEST_CASE("risk: stale escalation cancels first, then halts") {
  risk_limits l; // 15 s cancel, 60 s halt
  risk_inputs in;
  in.feed_connected = true;
  in.market_feed_age_ms = 200;
  auto ok = assess_risk(l, in);
  CHECK(ok.allow_new);
  CHECK_FALSE(ok.cancel_all);
  CHECK(ok.reason.empty());
  in.market_feed_age_ms = 15'000;
  auto cancel = assess_risk(l, in);
  CHECK_FALSE(cancel.allow_new);
  CHECK(cancel.cancel_all);
  CHECK_FALSE(cancel.halt);
  in.market_feed_age_ms = 60'000;
  auto halt = assess_risk(l, in);
  CHECK(halt.halt);
  CHECK(halt.cancel_all);
  CHECK(halt.reason == "market feed stale beyond stale_halt_ms");
}

TEST_CASE("risk: safe mode, no feed, loss and error limits stop new orders") {
  risk_limits l;
  l.max_order_errors = 3;
  l.max_loss = usdc{10'000'000};
  risk_inputs in;
  in.feed_connected = true;
  in.market_feed_age_ms = 100;
  in.safe_mode = true;
  CHECK(assess_risk(l, in).cancel_all);
  in.safe_mode = false;
  in.feed_connected = false;
  CHECK_FALSE(assess_risk(l, in).allow_new);
  CHECK_FALSE(assess_risk(l, in).cancel_all);
  in.feed_connected = true;
  in.realised_pnl = usdc{-10'000'000};
  CHECK(assess_risk(l, in).reason == "loss limit reached (risk.max_loss)");
  in.realised_pnl = usdc{-9'999'999};
  CHECK(assess_risk(l, in).allow_new);
  in.consecutive_order_errors = 3;
  CHECK_FALSE(assess_risk(l, in).allow_new);
  in.consecutive_order_errors = 2;
  CHECK(assess_risk(l, in).allow_new);
}
