#include <doctest/doctest.h>

#include "actors/directory.hpp"
#include "actors/store.hpp"
#include "actors/util.hpp"
#include "fixture.hpp"

using namespace tdmaker;
using namespace std::chrono_literals;

namespace {

market_record make_market(char c, const std::string& slug) {
  market_record m;
  m.fee = fee_schedule{true, 70'000, 1, true}; // a market is traded only with a known schedule
  m.id = *parse_condition_id("0x" + std::string(64, c));
  m.slug = slug;
  m.asset = "btc";
  m.slot_start_s = 1778437800;
  m.slot_end_s = 1778438700;
  m.up_token = *parse_token_id("1130");
  m.down_token = *parse_token_id("3803");
  m.status = market_status::active;
  return m;
}

market_state state_of(caf::scoped_actor& self, const market_actor& m) {
  market_state out;
  self->request(m, 5s, get_atom::value)
    .receive([&](market_state& s) { out = s; }, [&](caf::error& e) { FAIL(error_text(e)); });
  return out;
}

} // namespace

TEST_CASE_FIXTURE(test::actor_fixture,
                  "a crashed market actor restarts from its persisted state and others are unaffected") {
  caf::scoped_actor self{*sys};
  // The test stands in for telemetry and the notifier to observe what the
  // directory reports.
  auto observer = caf::actor_cast<telemetry_actor>(self);
  auto alerts = caf::actor_cast<notifier_actor>(self);
  auto store = spawn_store(*sys, env, telemetry_actor{}, {});
  directory_options opts;
  opts.market.fault_injection = true;
  auto dir = spawn_directory(*sys, store, observer, alerts, opts);

  auto a = make_market('a', "btc-updown-15m-1778437800");
  auto b = make_market('b', "eth-updown-15m-1778437800");
  market_actor ha, hb;
  self->request(dir, 5s, a).receive([&](market_actor& h) { ha = h; },
                                    [&](caf::error& e) { FAIL(error_text(e)); });
  self->request(dir, 5s, b).receive([&](market_actor& h) { hb = h; },
                                    [&](caf::error& e) { FAIL(error_text(e)); });
  // Asking again for a known id returns the same actor: one per market.
  self->request(dir, 5s, a).receive([&](market_actor& h) { CHECK(h == ha); },
                                    [&](caf::error& e) { FAIL(error_text(e)); });

  self->send(ha, crash_atom::value);
  bool restarted = false;
  while (!restarted)
    self->receive([&](actor_restart& r) {
                    CHECK(r.kind == "market");
                    CHECK(r.id == a.id.hex);
                    CHECK(r.reason.find("runtime_error") != std::string::npos);
                    restarted = true;
                  },
                  [&](alert&) {}, [&](markets_changed&) {}, [&](actor_sample&) {},
                  [&](actor_lifecycle&) {}, caf::after(10s) >> [&] { FAIL("no restart seen"); });

  market_actor ha2;
  self->request(dir, 5s, get_atom::value, a.id)
    .receive([&](market_actor& h) { ha2 = h; }, [&](caf::error& e) { FAIL(error_text(e)); });
  CHECK(ha2 != ha);
  auto sa = state_of(self, ha2);
  CHECK(sa.incarnation == 1);
  CHECK(sa.record.slug == a.slug);
  CHECK(sa.record.up_token == a.up_token);
  CHECK(sa.record.status == market_status::active);

  market_actor hb2;
  self->request(dir, 5s, get_atom::value, b.id)
    .receive([&](market_actor& h) { hb2 = h; }, [&](caf::error& e) { FAIL(error_text(e)); });
  CHECK(hb2 == hb);
  auto sb = state_of(self, hb);
  CHECK(sb.incarnation == 0);
  CHECK(sb.record.slug == b.slug);

  self->request(dir, 5s, list_atom::value)
    .receive([&](std::vector<market_summary>& l) {
               REQUIRE(l.size() == 2);
               for (auto& s : l)
                 CHECK(s.restarts == (s.id == a.id ? 1u : 0u));
             },
             [&](caf::error& e) { FAIL(error_text(e)); });

  // Retire: the record says retired, the actor is gone, and a fresh directory
  // (a node restart) does not bring it back.
  self->request(dir, 5s, retire_atom::value, b.id)
    .receive([&](bool ok) { CHECK(ok); }, [&](caf::error& e) { FAIL(error_text(e)); });
  auto stored = env->get(record_db::markets, b.id.hex);
  REQUIRE(stored);
  CHECK(decode_market_record(stored->payload)->status == market_status::retired);

  self->send_exit(dir, caf::exit_reason::user_shutdown);
  auto dir2 = spawn_directory(*sys, store, telemetry_actor{}, notifier_actor{}, opts);
  self->request(dir2, 5s, list_atom::value)
    .receive([&](std::vector<market_summary>& l) {
               REQUIRE(l.size() == 1);
               CHECK(l[0].id == a.id);
             },
             [&](caf::error& e) { FAIL(error_text(e)); });
  self->send_exit(dir2, caf::exit_reason::user_shutdown);
  self->send_exit(store, caf::exit_reason::user_shutdown);
}

TEST_CASE_FIXTURE(test::actor_fixture, "a market that keeps crashing is given up - loudly") {
  caf::scoped_actor self{*sys};
  auto store = spawn_store(*sys, env, telemetry_actor{}, {});
  directory_options opts;
  opts.market.fault_injection = true;
  opts.max_restarts = 2;
  auto dir = spawn_directory(*sys, store, telemetry_actor{}, caf::actor_cast<notifier_actor>(self),
                             opts);
  auto a = make_market('c', "sol-updown-15m-1778437800");
  self->request(dir, 5s, a).receive([](market_actor&) {},
                                    [&](caf::error& e) { FAIL(error_text(e)); });
  bool gave_up = false;
  for (int i = 0; i < 3 && !gave_up; ++i) {
    market_actor h;
    self->request(dir, 5s, get_atom::value, a.id)
      .receive([&](market_actor& x) { h = x; }, [&](caf::error& e) { FAIL(error_text(e)); });
    self->send(h, crash_atom::value);
    self->receive([&](alert& al) { gave_up = al.level == severity::critical; },
                  caf::after(10s) >> [&] { FAIL("no alert"); });
  }
  CHECK(gave_up);
  self->request(dir, 5s, get_atom::value, a.id)
    .receive([](market_actor&) { FAIL("market should be gone"); },
             [&](caf::error& e) { CHECK(error_text(e).find("unknown market") == 0); });
  self->send_exit(dir, caf::exit_reason::user_shutdown);
  self->send_exit(store, caf::exit_reason::user_shutdown);
}
