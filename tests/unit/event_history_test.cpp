// The typed event history (seed 004 EventBus history): a bounded ring with
// sequence numbers, since() at every edge, the missed flag, the limit, and the
// text consumers read (GET /events, the event stream).
#include <doctest/doctest.h>

#include "core/config.hpp"
#include "core/event_history.hpp"
#include "core/event_stream.hpp"
#include "core/stream_health.hpp"

using namespace tdmaker;

namespace {
event_history filled(std::size_t capacity, int n) {
  event_history h(capacity);
  for (int i = 0; i < n; ++i)
    h.add(event_kind::tick_sampled, 1000 + i, R"({"i":)" + std::to_string(i) + "}");
  return h;
}
} // namespace

TEST_CASE("event history: sequence numbers start at 1 and the ring keeps the newest") {
  auto h = filled(3, 5);
  CHECK(h.size() == 3);
  CHECK(h.first_seq() == 3);
  CHECK(h.last_seq() == 5);
  auto p = h.since(0, 100);
  REQUIRE(p.events.size() == 3);
  CHECK(p.events[0].seq == 3);
  CHECK(p.events[0].payload == R"({"i":2})");
  CHECK(p.events[2].seq == 5);
  CHECK(p.next == 5);
  CHECK(h.total(event_kind::tick_sampled) == 5);
  CHECK(h.total(event_kind::order_placed) == 0);
}

TEST_CASE("event history: since at every edge of the ring") {
  auto h = filled(3, 5); // holds 3, 4, 5
  SUBCASE("since the last one: nothing new, nothing missed") {
    auto p = h.since(5, 100);
    CHECK(p.events.empty());
    CHECK(p.next == 5);
    CHECK_FALSE(p.missed);
  }
  SUBCASE("since the one before the oldest held: all held, nothing missed") {
    auto p = h.since(2, 100);
    CHECK(p.events.size() == 3);
    CHECK(p.events.front().seq == 3);
    CHECK_FALSE(p.missed);
  }
  SUBCASE("since the oldest held: the two after it") {
    auto p = h.since(3, 100);
    REQUIRE(p.events.size() == 2);
    CHECK(p.events.front().seq == 4);
    CHECK_FALSE(p.missed);
  }
  SUBCASE("since one that fell out: all held, and missed") {
    auto p = h.since(1, 100);
    CHECK(p.events.size() == 3);
    CHECK(p.missed);
  }
  SUBCASE("since 0 after wrap-around: missed (1 and 2 are gone)") {
    CHECK(h.since(0, 100).missed);
  }
  SUBCASE("a seq ahead of ours (an earlier run of the node): everything held, and missed") {
    auto p = h.since(99, 100);
    CHECK(p.events.size() == 3);
    CHECK(p.events.front().seq == 3);
    CHECK(p.missed);
  }
}

TEST_CASE("event history: an empty history and one not yet wrapped miss nothing") {
  event_history empty(4);
  auto p = empty.since(0, 10);
  CHECK(p.events.empty());
  CHECK(p.next == 0);
  CHECK_FALSE(p.missed);
  auto h = filled(4, 4);
  auto all = h.since(0, 10);
  CHECK(all.events.size() == 4);
  CHECK_FALSE(all.missed);
}

TEST_CASE("event history: the limit pages through in order") {
  auto h = filled(10, 7);
  auto p1 = h.since(0, 3);
  REQUIRE(p1.events.size() == 3);
  CHECK(p1.next == 3);
  auto p2 = h.since(p1.next, 3);
  REQUIRE(p2.events.size() == 3);
  CHECK(p2.events.front().seq == 4);
  auto p3 = h.since(p2.next, 3);
  REQUIRE(p3.events.size() == 1);
  CHECK(p3.next == 7);
  CHECK(h.since(p3.next, 3).events.empty());
}

TEST_CASE("event history: wrap-around many times keeps seq contiguous") {
  auto h = filled(5, 1003);
  auto p = h.since(0, 100);
  REQUIRE(p.events.size() == 5);
  for (std::size_t i = 0; i < 5; ++i)
    CHECK(p.events[i].seq == 999 + i);
  CHECK(h.since(998, 100).events.size() == 5);
  CHECK_FALSE(h.since(998, 100).missed);
  CHECK(h.since(997, 100).missed);
}

TEST_CASE("event history: ticks are sampled at most once per interval") {
  std::int64_t last = -1;
  CHECK(sample_due(last, 10'000, 1000));
  CHECK_FALSE(sample_due(last, 10'500, 1000));
  CHECK_FALSE(sample_due(last, 10'999, 1000));
  CHECK(sample_due(last, 11'000, 1000));
  CHECK(last == 11'000);
  CHECK(sample_due(last, 5'000, 1000)); // the clock stepped back: sample again, not silence
}

TEST_CASE("event history: kind names round-trip") {
  for (std::size_t i = 0; i < event_kind_count; ++i) {
    auto k = static_cast<event_kind>(i);
    CHECK(parse_event_kind(to_string(k)) == k);
  }
  CHECK(to_string(event_kind::safe_mode_entered) == "safe_mode_entered");
  CHECK_FALSE(parse_event_kind("order"));
}

TEST_CASE("event stream: the query is validated") {
  auto q = parse_events_query("since=42&limit=5", 1000);
  REQUIRE(q);
  CHECK(q->since == 42);
  CHECK(q->limit == 5);
  auto d = parse_events_query("", 1000);
  REQUIRE(d);
  CHECK(d->since == 0);
  CHECK(d->limit == events_default_limit);
  CHECK_FALSE(parse_events_query("since=abc", 1000));
  CHECK_FALSE(parse_events_query("since=-1", 1000));
  CHECK_FALSE(parse_events_query("since=", 1000));
  CHECK_FALSE(parse_events_query("since=1&since=2", 1000));
  CHECK_FALSE(parse_events_query("limit=0", 1000));
  CHECK_FALSE(parse_events_query("limit=1001", 1000));
  CHECK_FALSE(parse_events_query("since=99999999999999999999999", 1000));
  CHECK_FALSE(parse_events_query("colour=red", 1000));
  CHECK(parse_event_seq("18446744073709551615"));
  CHECK_FALSE(parse_event_seq("18446744073709551616"));
  CHECK_FALSE(parse_event_seq(" 5"));
}

TEST_CASE("event stream: JSON page and server-sent frames") {
  event_history h(4);
  h.add(event_kind::order_placed, 1700, R"({"order_id":"0xab"})");
  h.add(event_kind::safe_mode_entered, 1800, "");
  auto p = h.since(0, 10);
  CHECK(event_page_json(p)
        == R"({"events":[{"seq":1,"kind":"order_placed","time_ms":1700,"data":{"order_id":"0xab"}},)"
           R"({"seq":2,"kind":"safe_mode_entered","time_ms":1800,"data":{}}],"next":2,"missed":false})");
  CHECK(sse_frame(p.events[0])
        == "id: 1\nevent: order_placed\ndata: "
           R"({"seq":1,"kind":"order_placed","time_ms":1700,"data":{"order_id":"0xab"}})"
           "\n\n");
  CHECK(sse_missed_frame(3, 10) == "event: missed\ndata: {\"asked_after\":3,\"first_held\":10}\n\n");
}

TEST_CASE("stream health: ticks, gaps of 10 s or more, last tick age, sampling") {
  stream_counter c;
  CHECK(last_tick_age_ms(c, 5'000) == -1);
  CHECK(record_tick(c, 1'000, 1000));       // the first tick is sampled
  CHECK_FALSE(record_tick(c, 1'400, 1000)); // within the sample interval
  CHECK(record_tick(c, 2'000, 1000));
  CHECK(c.gaps == 0);
  CHECK(record_tick(c, 11'999, 1000)); // 9.999 s of silence: no gap
  CHECK(c.gaps == 0);
  CHECK(record_tick(c, 21'999, 1000)); // 10 s: a gap
  CHECK(c.gaps == 1);
  CHECK(c.ticks == 5);
  CHECK(last_tick_age_ms(c, 22'500) == 501);
  CHECK(last_tick_age_ms(c, 20'000) == 0); // a clock behind the tick reads as fresh, never negative
}

TEST_CASE("event history: config events.* is validated") {
  auto ok = parse_config(R"({"events":{"history":50,"tick_sample_ms":500,"max_subscribers":3}})");
  REQUIRE(ok);
  CHECK(ok->events_history == 50);
  CHECK(ok->events_tick_sample_ms == 500);
  CHECK(ok->events_max_subscribers == 3);
  auto d = parse_config("{}");
  REQUIRE(d);
  CHECK(d->events_history == 1000);
  CHECK(d->events_tick_sample_ms == 1000);
  CHECK(d->events_max_subscribers == 8);
  auto bad = parse_config(R"({"events":{"history":0}})");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().find("$.events.history") != std::string::npos);
  CHECK_FALSE(parse_config(R"({"events":{"max_subscribers":1000}})"));
  CHECK_FALSE(parse_config(R"({"events":{"tick_sample_ms":10}})"));
  CHECK_FALSE(parse_config(R"({"events":{"colour":1}})"));
}
