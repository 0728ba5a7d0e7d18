// The typed-event history as actors see it (issue 18 item 3): the feed's
// connects, sampled ticks, breaker and safe mode reach the events actor; a page
// query; a subscriber gets the backlog and then each new event once, in order;
// the subscriber limit; a dropped consumer is counted.
#include <doctest/doctest.h>

#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/events.hpp"
#include "actors/feed.hpp"
#include "actors/util.hpp"
#include "fixture.hpp"

using namespace tdmaker;
using namespace std::chrono_literals;

namespace {

event_page ask_page(caf::scoped_actor& self, const events_actor& ev, std::uint64_t since, std::size_t limit) {
  event_page out;
  self->request(ev, 5s, events_query{since, limit})
    .receive([&](event_page& p) { out = std::move(p); }, [&](caf::error& e) { FAIL(error_text(e)); });
  return out;
}

std::string ask_metrics(caf::scoped_actor& self, const events_actor& ev) {
  std::string out;
  self->request(ev, 5s, metrics_atom::value)
    .receive([&](std::string& s) { out = std::move(s); }, [&](caf::error& e) { FAIL(error_text(e)); });
  return out;
}

/// Polls the history until it holds `n` events (the feed sends them on its own time).
event_page wait_for(caf::scoped_actor& self, const events_actor& ev, std::size_t n) {
  auto deadline = std::chrono::steady_clock::now() + 5s;
  for (;;) {
    auto p = ask_page(self, ev, 0, 1000);
    if (p.events.size() >= n || std::chrono::steady_clock::now() > deadline)
      return p;
    std::this_thread::yield();
  }
}

std::string rtds_tick(const char* symbol, std::int64_t ts, const char* value) {
  return std::string(R"({"topic":"crypto_prices_chainlink","type":"update","payload":{"symbol":")") + symbol
         + R"(","timestamp":)" + std::to_string(ts) + R"(,"value":)" + value + "}}";
}

/// A stream consumer: forwards every page and refusal to the test's scoped actor.
event_subscriber_actor forwarder(caf::actor_system& sys, caf::actor to) {
  return sys.spawn([to](event_subscriber_actor::pointer, int) -> event_subscriber_actor::behavior_type {
    return {
      [=](event_page& p) { caf::anon_send(to, std::move(p)); },
      [=](events_refused& r) { caf::anon_send(to, std::move(r)); },
    };
  }, 0);
}

event_page next_page(caf::scoped_actor& self) {
  event_page out;
  self->receive([&](event_page& p) { out = std::move(p); }, [&](events_refused& r) { FAIL(r.reason); },
                caf::after(5s) >> [&] { FAIL("no event page"); });
  return out;
}

} // namespace

TEST_CASE_FIXTURE(test::actor_fixture, "events: the feed's connects, sampled ticks, breaker and safe mode reach the history") {
  caf::scoped_actor self{*sys};
  auto ev = spawn_events(*sys, telemetry_actor{}, events_options{100, 2, 250ms});
  feed_options o;
  o.events = ev;
  o.breaker_failures = 2;
  o.tick_sample = 1000ms;
  auto feed = spawn_feed(*sys, nullptr, nullptr, nullptr, telemetry_actor{}, notifier_actor{}, o);
  self->send(feed, ws_state{feed_channel::rtds, ws_event::connected, "127.0.0.1:1", 1, 0, 0});
  // Three ticks of one symbol within a second (receive times 10.0 s, 10.3 s, 10.9 s):
  // one is sampled; the fourth, a second after the first, is sampled again.
  self->send(feed, ws_frame{feed_channel::rtds, rtds_tick("btc/usd", 1, "100.5"), 10'000'000'000});
  self->send(feed, ws_frame{feed_channel::rtds, rtds_tick("btc/usd", 2, "100.6"), 10'300'000'000});
  self->send(feed, ws_frame{feed_channel::rtds, rtds_tick("btc/usd", 3, "100.7"), 10'900'000'000});
  self->send(feed, ws_frame{feed_channel::rtds, rtds_tick("btc/usd", 4, "100.8"), 11'000'000'000});
  self->send(feed, ws_state{feed_channel::rtds, ws_event::closed, "eof", 1, 0, 100});
  self->send(feed, ws_state{feed_channel::market, ws_event::failed, "refused", 0, 1, 100});
  self->send(feed, ws_state{feed_channel::market, ws_event::failed, "refused", 0, 2, 100});
  auto p = wait_for(self, ev, 6);
  REQUIRE(p.events.size() == 6);
  CHECK(p.events[0].kind == event_kind::feed_connected);
  CHECK(p.events[0].payload.find(R"("channel":"rtds")") != std::string::npos);
  CHECK(p.events[1].kind == event_kind::tick_sampled);
  CHECK(p.events[1].payload.find(R"("stream":"btc/usd")") != std::string::npos);
  CHECK(p.events[1].payload.find(R"("value":"100.5")") != std::string::npos);
  CHECK(p.events[2].kind == event_kind::tick_sampled);
  CHECK(p.events[2].payload.find(R"("value":"100.8")") != std::string::npos);
  CHECK(p.events[3].kind == event_kind::feed_disconnected);
  CHECK(p.events[4].kind == event_kind::breaker_tripped);
  CHECK(p.events[5].kind == event_kind::safe_mode_entered);
  for (std::size_t i = 0; i < p.events.size(); ++i)
    CHECK(p.events[i].seq == i + 1);
  CHECK_FALSE(p.missed);
  // The feed's per-stream health carries the symbol's ticks.
  std::vector<feed_health> health;
  self->request(feed, 5s, status_atom::value)
    .receive([&](std::vector<feed_health>& h) { health = std::move(h); }, [&](caf::error& e) { FAIL(error_text(e)); });
  bool seen = false;
  for (auto& h : health)
    if (h.channel == "rtds") {
      CHECK(h.ticks == 4);
      REQUIRE(h.symbols.size() == 1);
      CHECK(h.symbols[0].symbol == "btc/usd");
      CHECK(h.symbols[0].ticks == 4);
      CHECK(h.symbols[0].gaps == 0);
      seen = true;
    }
  CHECK(seen);
  auto m = ask_metrics(self, ev);
  CHECK(m.find("tdmaker_events_total{kind=\"tick_sampled\"} 2\n") != std::string::npos);
  CHECK(m.find("tdmaker_events_total{kind=\"breaker_tripped\"} 1\n") != std::string::npos);
  self->send_exit(feed, caf::exit_reason::user_shutdown);
  self->send_exit(ev, caf::exit_reason::user_shutdown);
}

TEST_CASE_FIXTURE(test::actor_fixture, "events: a subscriber gets the backlog, then each new event once, in order") {
  caf::scoped_actor self{*sys};
  auto ev = spawn_events(*sys, telemetry_actor{}, events_options{3, 1, 250ms});
  for (int i = 0; i < 5; ++i) // 1..5; the ring holds 3, 4, 5
    self->send(ev, event_input{event_kind::order_placed, 1000 + i, R"({"n":)" + std::to_string(i) + "}"});
  auto sub = forwarder(*sys, self);
  self->send(ev, events_subscribe{3, false}, sub);
  auto backlog = next_page(self);
  REQUIRE(backlog.events.size() == 2);
  CHECK(backlog.events[0].seq == 4);
  CHECK(backlog.events[1].seq == 5);
  CHECK_FALSE(backlog.missed);
  self->send(ev, event_input{event_kind::order_filled, 2000, "{}"});
  auto live = next_page(self);
  REQUIRE(live.events.size() == 1);
  CHECK(live.events[0].seq == 6);
  CHECK(live.events[0].kind == event_kind::order_filled);

  SUBCASE("past events.max_subscribers a second one is refused") {
    auto second = forwarder(*sys, self);
    self->send(ev, events_subscribe{0, true}, second);
    bool refused = false;
    self->receive([&](events_refused& r) { refused = r.reason.find("max_subscribers") != std::string::npos; },
                  [&](event_page&) { FAIL("a second subscriber was accepted"); },
                  caf::after(5s) >> [&] { FAIL("no answer"); });
    CHECK(refused);
    self->send_exit(second, caf::exit_reason::user_shutdown);
  }
  SUBCASE("a consumer that fell behind is dropped and counted; its slot is free again") {
    self->send(ev, events_unsubscribe{true}, sub);
    auto m = ask_metrics(self, ev); // after the unsubscribe: one sender, one mailbox, in order
    CHECK(m.find("tdmaker_event_consumers_dropped_total 1\n") != std::string::npos);
    CHECK(m.find("tdmaker_event_subscribers 0\n") != std::string::npos);
    auto again = forwarder(*sys, self);
    self->send(ev, events_subscribe{1, false}, again); // seq 2 and 3 are gone
    auto p = next_page(self);
    CHECK(p.missed);
    REQUIRE(p.events.size() == 3);
    CHECK(p.events[0].seq == 4);
    self->send_exit(again, caf::exit_reason::user_shutdown);
  }
  self->send_exit(sub, caf::exit_reason::user_shutdown);
  self->send_exit(ev, caf::exit_reason::user_shutdown);
}

TEST_CASE_FIXTURE(test::actor_fixture, "events: a page query at the ring's edges says what was missed") {
  caf::scoped_actor self{*sys};
  auto ev = spawn_events(*sys, telemetry_actor{}, events_options{4, 1, 250ms});
  for (int i = 0; i < 6; ++i)
    self->send(ev, event_input{event_kind::phase_changed, i, "{}"});
  auto all = ask_page(self, ev, 0, 1000);
  CHECK(all.missed);
  REQUIRE(all.events.size() == 4);
  CHECK(all.events.front().seq == 3);
  auto tail = ask_page(self, ev, 4, 1);
  REQUIRE(tail.events.size() == 1);
  CHECK(tail.events[0].seq == 5);
  CHECK(tail.next == 5);
  CHECK_FALSE(tail.missed);
  self->send_exit(ev, caf::exit_reason::user_shutdown);
}
