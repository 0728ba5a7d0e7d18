// The replay's REST answers (core/recorded_replies): a request gets the reply the
// live session recorded for it, never before that reply's receive time.
#include <doctest/doctest.h>

#include "core/recorded_replies.hpp"

using namespace tdmaker;

TEST_CASE("replay replies: a request takes the next recorded reply to its key, delivered no earlier than it was received") {
  recorded_replies r(2'000);
  REQUIRE(r.add("GET /book?token_id=1", {10'050, 200, "first"}));
  REQUIRE(r.add("GET /book?token_id=1", {15'040, 200, "second"}));
  REQUIRE(r.add("GET /book?token_id=2", {10'060, 404, "nope"}));
  // The replay asks at 10 000, the live reply came at 10 050: delivered then, not sooner.
  auto a = r.take("GET /book?token_id=1", 10'000);
  CHECK(a.found);
  CHECK(a.deliver_ms == 10'050);
  CHECK(a.body == "first");
  // Asked a little after the live reply arrived (the replay's timer ran late): delivered at once.
  auto b = r.take("GET /book?token_id=1", 15'500);
  CHECK(b.found);
  CHECK(b.deliver_ms == 15'500);
  CHECK(b.body == "second");
  // Used up: a third request fails at once, counted.
  auto c = r.take("GET /book?token_id=1", 20'000);
  CHECK_FALSE(c.found);
  CHECK(c.status == 0);
  CHECK(c.body.find("no recorded reply") != std::string::npos);
  CHECK(r.misses() == 1);
  // Another key keeps its own replies and its status.
  auto d = r.take("GET /book?token_id=2", 10'000);
  CHECK(d.status == 404);
  CHECK(r.pending() == 0);
}

TEST_CASE("replay replies: a reply older than the look-back answered a request the replay never made") {
  recorded_replies r(2'000);
  REQUIRE(r.add("GET /events?slug=a", {1'000, 200, "stale"}));
  REQUIRE(r.add("GET /events?slug=a", {9'000, 200, "fresh"}));
  auto a = r.take("GET /events?slug=a", 8'000);
  CHECK(a.body == "fresh");
  CHECK(a.deliver_ms == 9'000);
  // Out of order for a key: refused (a recording is in receive order).
  CHECK_FALSE(r.add("GET /events?slug=a", {5'000, 200, "late"}));
}
