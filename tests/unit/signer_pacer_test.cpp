// Per-signer rate limits (issue 15.5): the bucket arithmetic, the venue's
// headers as the node reads them, and the pacer's priority rule.
#include <doctest/doctest.h>

#include "core/token_bucket.hpp"
#include "core/signer_limit_headers.hpp"
#include "core/signer_pacer.hpp"

using namespace tdmaker;

TEST_CASE("token bucket: burst at once, then the refill rate, exactly") {
  token_bucket b({40, 60, false}, 0);
  for (int i = 0; i < 60; ++i)
    REQUIRE(b.try_take(0, 1) == 0);
  CHECK(b.tokens(0) == 0);
  CHECK(b.try_take(0, 1) == 25); // 1 token at 40/s: 25 ms
  CHECK(b.try_take(25, 1) == 0);
  CHECK(b.try_take(25, 40) == 1000);
  CHECK(b.tokens(10'000) == 60); // never above the burst
  CHECK(b.try_take(10'000, 61) == -1); // over the burst: never
}

TEST_CASE("token bucket: cancel-all charge floors at zero unless a deficit is allowed") {
  token_bucket floored({80, 120, false}, 0), deficit({80, 120, true}, 0);
  floored.charge(0, 200);
  deficit.charge(0, 200);
  CHECK(floored.tokens(0) == 0);
  CHECK(deficit.tokens(0) == -80);
  CHECK(deficit.wait_for(0, 1) == 1013); // 81 tokens at 80/s
  deficit.cap_at(0, -100);
  CHECK(deficit.tokens(0) == -100);
  deficit.cap_at(0, 50); // never raised
  CHECK(deficit.tokens(0) == -100);
}

TEST_CASE("token bucket: a rate per period other than a second refills exactly") {
  // 20 a minute (the notifier's pace): one token every 3 s, never a rounded rate.
  token_bucket b({20, 20, false, 60'000}, 0);
  for (int i = 0; i < 20; ++i)
    CHECK(b.try_take(0) == 0);
  CHECK(b.try_take(0) == 3000);
  CHECK(b.try_take(2999) == 1);
  CHECK(b.try_take(3000) == 0);
  CHECK(b.tokens(3000) == 0);
  CHECK(b.tokens(9000) == 2);
  CHECK(b.try_take(9000, 21) == -1); // over the burst: never
}

TEST_CASE("rate-limit headers: well-formed values are read") {
  auto h = parse_signer_limit_headers("57", "1780000000", "Standard", "2", "true");
  CHECK(h.malformed == 0);
  CHECK(*h.remaining == 57);
  CHECK(*h.reset_ms == 1'780'000'000'000);
  CHECK(h.tier == "standard");
  CHECK(*h.retry_after_ms == 2000);
  CHECK(h.warning);
  auto neg = parse_signer_limit_headers(" -12 ", "1780000000.25", "", "", "");
  CHECK(*neg.remaining == -12);
  CHECK(*neg.reset_ms == 1'780'000'000'250);
  CHECK(!parse_signer_limit_headers("", "", "", "", "").any());
}

TEST_CASE("rate-limit headers: malformed values are ignored and counted") {
  auto h = parse_signer_limit_headers("lots", "soon", "std tier!", "Wed, 21 Oct 2015 07:28:00 GMT", "yes");
  CHECK(h.malformed == 5);
  CHECK(!h.any());
  CHECK(parse_signer_limit_headers("99999999", "", "", "", "").malformed == 1); // out of range
  CHECK(parse_signer_limit_headers("", "", "", "7200", "").malformed == 1);     // over an hour
  CHECK(parse_signer_limit_headers("1.5", "1.2345", "", "-1", "").malformed == 3);
}

namespace {

pace_verdict ask(signer_pacer& p, signer_pacer::ticket t, std::int64_t now) { return p.poll(t, now).verdict; }

} // namespace

TEST_CASE("signer pacer: a burst goes at once, the rest is paced to the refill rate") {
  signer_pacer p({{40, 60, false}, {80, 120, false}, 0, 10'000}, 0);
  int went = 0;
  for (int i = 0; i < 100; ++i) {
    auto t = p.enqueue(signer_kind::order, 1, pace_priority::entry, 0);
    went += ask(p, t, 0) == pace_verdict::go;
  }
  CHECK(went == 60);
  CHECK(p.delayed() == 40);
  CHECK(p.waiting() == 40);
}

TEST_CASE("signer pacer: a waiting exit is served before waiting buys, and buys leave the reserve") {
  signer_pacer p({{40, 60, false}, {80, 120, false}, 10, 10'000}, 0);
  // Buys take the bucket down to the reserve, never into it.
  auto big = p.enqueue(signer_kind::order, 50, pace_priority::entry, 0);
  CHECK(ask(p, big, 0) == pace_verdict::go);
  auto buy = p.enqueue(signer_kind::order, 1, pace_priority::entry, 0);
  CHECK(ask(p, buy, 0) == pace_verdict::wait);
  // An exit takes the reserve at once.
  auto exit = p.enqueue(signer_kind::order, 10, pace_priority::exit, 0);
  CHECK(ask(p, exit, 0) == pace_verdict::go);
  // Bucket empty: a second exit arrives after the buy but is served first.
  auto exit2 = p.enqueue(signer_kind::order, 5, pace_priority::exit, 1);
  CHECK(ask(p, buy, 150) == pace_verdict::wait);   // 6 tokens back: all the exit's, + reserve
  CHECK(ask(p, exit2, 150) == pace_verdict::go);
  CHECK(ask(p, buy, 300) == pace_verdict::wait);   // 7 tokens: not yet 1 + the reserve of 10
  CHECK(ask(p, buy, 600) == pace_verdict::go);     // 19 tokens >= 11
}

TEST_CASE("signer pacer: cancels have their own bucket, never behind orders") {
  signer_pacer p({{40, 60, false}, {80, 120, false}, 10, 10'000}, 0);
  auto all_orders = p.enqueue(signer_kind::order, 60, pace_priority::exit, 0);
  CHECK(ask(p, all_orders, 0) == pace_verdict::go);
  for (int i = 0; i < 5; ++i)
    p.enqueue(signer_kind::order, 15, pace_priority::entry, 0); // a queue of buys
  auto cancel = p.enqueue(signer_kind::cancel, 100, pace_priority::cancel, 0);
  CHECK(ask(p, cancel, 0) == pace_verdict::go);
  CHECK(p.tokens(signer_kind::cancel, 0) == 20);
}

TEST_CASE("signer pacer: a buy that waited too long is dropped, an exit never") {
  signer_pacer p({{40, 60, false}, {80, 120, false}, 0, 500}, 0);
  auto drain = p.enqueue(signer_kind::order, 60, pace_priority::entry, 0);
  REQUIRE(ask(p, drain, 0) == pace_verdict::go);
  p.throttled(signer_kind::order, 5'000, 0); // the venue said: not before 5 s
  auto buy = p.enqueue(signer_kind::order, 1, pace_priority::entry, 0);
  auto exit = p.enqueue(signer_kind::order, 1, pace_priority::exit, 0);
  CHECK(ask(p, buy, 100) == pace_verdict::wait);
  CHECK(ask(p, buy, 500) == pace_verdict::drop);
  CHECK(p.dropped() == 1);
  CHECK(ask(p, exit, 4'999) == pace_verdict::wait); // Retry-After honoured even for exits
  CHECK(ask(p, exit, 5'000) == pace_verdict::go);
}

TEST_CASE("signer pacer: the venue's Remaining lowers the model, never raises it, and over-burst is refused") {
  signer_pacer p({{40, 60, false}, {80, 120, false}, 0, 10'000}, 0);
  p.observe(signer_kind::order, parse_signer_limit_headers("3", "", "standard", "", ""), 0);
  CHECK(p.tokens(signer_kind::order, 0) == 3);
  CHECK(p.tier() == "standard");
  p.observe(signer_kind::order, parse_signer_limit_headers("60", "", "", "", ""), 0);
  CHECK(p.tokens(signer_kind::order, 0) == 3);
  p.observe(signer_kind::order, parse_signer_limit_headers("garbage", "", "", "", ""), 0);
  CHECK(p.tokens(signer_kind::order, 0) == 3);
  auto t = p.enqueue(signer_kind::cancel, 121, pace_priority::cancel, 0);
  CHECK(ask(p, t, 0) == pace_verdict::over_burst);
  CHECK(p.waiting() == 0);
}
