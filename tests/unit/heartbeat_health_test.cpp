// The heartbeat rule (core/heartbeat_health): when the chain is healthy, when a
// new order must wait, and when the venue has cancelled everything (a lapse).
#include <doctest/doctest.h>

#include "core/heartbeat_health.hpp"

using namespace tdmaker;

namespace {
heartbeat_reply ok(std::string id) { return {heartbeat_reply_kind::ok, std::move(id), ""}; }
heartbeat_reply failed() { return {heartbeat_reply_kind::failed, "", "HTTP 500"}; }
heartbeat_reply invalid() { return {heartbeat_reply_kind::invalid_id, "", "Invalid Heartbeat ID"}; }
heartbeat_rules rules() { return {/*grace_ms*/ 2'000, /*venue_timeout_ms*/ 10'000}; }
} // namespace

TEST_CASE("heartbeat health: not healthy before the first success, then chained by id") {
  heartbeat_health h(rules());
  CHECK(h.state() == heartbeat_state::starting);
  CHECK_FALSE(h.healthy());
  CHECK(h.next_id().empty());
  h.on_sent(0);
  CHECK_FALSE(h.healthy()); // sent is not answered
  auto c = h.on_reply(ok("id-1"), 50);
  CHECK(c.state_changed);
  CHECK_FALSE(c.lapse);
  CHECK(h.healthy());
  CHECK(h.next_id() == "id-1");
  h.on_sent(5'000);
  CHECK_FALSE(h.on_reply(ok("id-2"), 5'040).state_changed);
  CHECK(h.next_id() == "id-2");
  CHECK(h.sent() == 2);
  CHECK(h.failed() == 0);
}

TEST_CASE("heartbeat health: failures before the first success keep it not healthy") {
  heartbeat_health h(rules());
  for (int i = 0; i < 5; ++i) {
    h.on_sent(i * 1'000);
    auto c = h.on_reply(failed(), i * 1'000 + 10);
    CHECK_FALSE(c.lapse); // no chain was running: the venue has nothing to cancel
  }
  CHECK(h.state() == heartbeat_state::starting);
  CHECK(h.reason().find("HTTP 500") != std::string::npos);
  CHECK(h.failed() == 5);
  CHECK(h.lapses() == 0);
}

TEST_CASE("heartbeat health: a failed beat is tolerated for the grace, then it is unhealthy") {
  heartbeat_health h(rules());
  h.on_sent(0);
  h.on_reply(ok("id-1"), 10);
  h.on_sent(5'000);
  CHECK_FALSE(h.on_reply(failed(), 5'010).state_changed);
  CHECK(h.healthy()); // one failure inside the grace: a retry follows
  CHECK_FALSE(h.on_time(7'000).state_changed);
  auto c = h.on_time(7'001); // 2001 ms since the failed beat left
  CHECK(c.state_changed);
  CHECK_FALSE(c.lapse);
  CHECK(h.state() == heartbeat_state::unhealthy);
  CHECK(h.reason().find("HTTP 500") != std::string::npos);
  CHECK(h.next_id() == "id-1"); // inside the venue's timeout the chain goes on
  h.on_sent(7'500);
  CHECK(h.on_reply(ok("id-2"), 7'510).state_changed);
  CHECK(h.healthy());
}

TEST_CASE("heartbeat health: a beat without a reply for longer than the grace is unhealthy") {
  heartbeat_health h(rules());
  h.on_sent(0);
  h.on_reply(ok("id-1"), 10);
  h.on_sent(5'000); // no reply comes
  CHECK_FALSE(h.on_time(7'000).state_changed);
  CHECK(h.on_time(7'001).state_changed);
  CHECK(h.state() == heartbeat_state::unhealthy);
}

TEST_CASE("heartbeat health: Invalid Heartbeat ID is a lapse and restarts the chain with an empty id") {
  heartbeat_health h(rules());
  h.on_sent(0);
  h.on_reply(ok("id-1"), 10);
  h.on_sent(5'000);
  auto c = h.on_reply(invalid(), 5'010);
  CHECK(c.state_changed);
  CHECK(c.lapse);
  CHECK(h.state() == heartbeat_state::unhealthy);
  CHECK(h.next_id().empty());
  CHECK(h.lapses() == 1);
  // A second refusal of the same broken chain is not a second lapse.
  h.on_sent(5'300);
  CHECK_FALSE(h.on_reply(invalid(), 5'310).lapse);
  CHECK(h.lapses() == 1);
  h.on_sent(5'600);
  CHECK(h.on_reply(ok("id-9"), 5'610).state_changed);
  CHECK(h.healthy());
  CHECK(h.next_id() == "id-9");
}

TEST_CASE("heartbeat health: no success for the venue's timeout is a lapse, counted once") {
  heartbeat_health h(rules());
  h.on_sent(0);
  h.on_reply(ok("id-1"), 0);
  h.on_sent(5'000);
  h.on_reply(failed(), 5'010);
  h.on_time(7'500); // unhealthy after the grace
  CHECK_FALSE(h.on_time(10'000).lapse);
  auto c = h.on_time(10'001);
  CHECK(c.lapse);
  CHECK(h.next_id().empty()); // the venue has no chain for us any more
  CHECK(h.reason().find("venue cancelled every order") != std::string::npos);
  CHECK_FALSE(h.on_time(20'000).lapse);
  CHECK(h.lapses() == 1);
}

TEST_CASE("heartbeat health: replies are parsed strictly") {
  auto a = parse_heartbeat_reply(200, R"({"heartbeat_id":"0b6b5b1e-1c1a-4f1e-9a55-1d7c3c8f2a10"})");
  CHECK(a.kind == heartbeat_reply_kind::ok);
  CHECK(a.id == "0b6b5b1e-1c1a-4f1e-9a55-1d7c3c8f2a10");
  CHECK(parse_heartbeat_reply(400, R"({"error":"Invalid Heartbeat ID","heartbeat_id":"x"})").kind
        == heartbeat_reply_kind::invalid_id);
  CHECK(parse_heartbeat_reply(400, R"({"error":"Invalid payload"})").kind == heartbeat_reply_kind::failed);
  CHECK(parse_heartbeat_reply(500, "oops").kind == heartbeat_reply_kind::failed);
  CHECK(parse_heartbeat_reply(0, "connect: refused").error.find("connect: refused") != std::string::npos);
  CHECK(parse_heartbeat_reply(200, "not json").kind == heartbeat_reply_kind::failed);
  CHECK(parse_heartbeat_reply(200, R"({"heartbeat_id":""})").kind == heartbeat_reply_kind::failed);
  CHECK(parse_heartbeat_reply(200, R"({"heartbeat_id":7})").kind == heartbeat_reply_kind::failed);
  CHECK(parse_heartbeat_reply(200, R"({"heartbeat_id":"a b"})").kind == heartbeat_reply_kind::failed);
  CHECK(parse_heartbeat_reply(200, "{\"heartbeat_id\":\"" + std::string(200, 'a') + "\"}").kind
        == heartbeat_reply_kind::failed);
  CHECK(heartbeat_body("") == R"({"heartbeat_id":""})");
  CHECK(heartbeat_body("id-1") == R"({"heartbeat_id":"id-1"})");
}
