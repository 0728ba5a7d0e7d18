#include <doctest/doctest.h>

#include <fstream>

#include "actors/phase_manager.hpp"
#include "actors/store.hpp"
#include "actors/util.hpp"
#include "fixture.hpp"

using namespace tdmaker;
using namespace std::chrono_literals;

TEST_CASE_FIXTURE(test::actor_fixture, "a phase switch is durable - audited and survives restart") {
  caf::scoped_actor self{*sys};
  auto store = spawn_store(*sys, env, telemetry_actor{}, {});
  phase_manager_options opts{phase::experience, dir + "/logs", 250ms, {}, {}};
  auto pm = spawn_phase_manager(*sys, store, telemetry_actor{}, notifier_actor{}, opts);
  self->request(pm, 5s, get_atom::value, phase_atom::value)
    .receive([&](phase_record& r) {
               CHECK(r.current == phase::experience);
               CHECK(r.source == "config");
             },
             [&](caf::error& e) { FAIL(error_text(e)); });
  self->request(pm, 5s, switch_phase{phase::real_money_trial, "trial start", "test"})
    .receive([&](phase_switch_reply& rep) {
               auto& r = rep.record;
               CHECK(rep.accepted);
               CHECK(r.current == phase::real_money_trial);
               CHECK(r.previous == phase::experience);
             },
             [&](caf::error& e) { FAIL(error_text(e)); });
  // Durable before the reply: LMDB already has it.
  auto stored = env->get(record_db::phase, "current");
  REQUIRE(stored);
  CHECK(decode_phase_record(stored->payload)->current == phase::real_money_trial);
  std::ifstream jl(dir + "/logs/phase/phase-overrides.jsonl");
  std::string line;
  REQUIRE(std::getline(jl, line));
  CHECK(line.find(R"("from":"Experience","to":"RealMoneyTrial","reason":"trial start")")
        != std::string::npos);

  // A new phase manager (node restart) ignores the config's initial phase.
  self->send_exit(pm, caf::exit_reason::user_shutdown);
  auto pm2 = spawn_phase_manager(*sys, store, telemetry_actor{}, notifier_actor{}, opts);
  self->request(pm2, 5s, get_atom::value, phase_atom::value)
    .receive([&](phase_record& r) { CHECK(r.current == phase::real_money_trial); },
             [&](caf::error& e) { FAIL(error_text(e)); });
  self->send_exit(pm2, caf::exit_reason::user_shutdown);
  self->send_exit(store, caf::exit_reason::user_shutdown);
}
