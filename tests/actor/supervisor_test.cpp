// The node's supervisor (app/supervisor): what a singleton actor's death means.
// The test stands in for telemetry and the notifier and watches what it reports.
#include <algorithm>

#include <doctest/doctest.h>

#include <poll.h>

#include <atomic>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/control.hpp"
#include "actors/instrumented.hpp"
#include "actors/util.hpp"
#include "app/supervisor.hpp"
#include "messages/register.hpp"

using namespace tdmaker;
using namespace std::chrono_literals;

namespace {

struct system_fixture {
  explicit system_fixture(bool fault_injection = true) {
    register_message_types(cfg);
    cfg.set("scheduler.max-threads", std::size_t{2});
    cfg.set("logger.verbosity", caf::atom("quiet"));
    caf::put(cfg.content, fault_injection_key, fault_injection);
    sys = std::make_unique<caf::actor_system>(cfg);
  }
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
};

// One dummy argument: CAF 0.17 dereferences a null argument tuple when a function
// actor takes none (UBSan, caf/detail/init_fun_factory.hpp; as net/http_server's askers).
caf::actor idle_actor(caf::actor_system& sys) {
  return sys.spawn([](caf::event_based_actor*, int) -> caf::behavior { return {[](int) {}}; }, 0);
}

/// The supervisor's next actor_restart report (other reports skipped); false on timeout.
bool next_restart(caf::scoped_actor& self, actor_restart& out) {
  auto deadline = std::chrono::steady_clock::now() + 5s;
  bool got = false;
  while (!got && std::chrono::steady_clock::now() < deadline)
    self->receive([&](actor_restart& r) { out = r, got = true; }, [](actor_lifecycle&) {}, [](alert&) {},
                  caf::after(100ms) >> [] {});
  return got;
}

/// Waits (bounded) for the latch's eventfd: the main thread's wake-up.
bool woken(const failure_latch& latch, std::chrono::milliseconds within = 5s) {
  pollfd fd{latch.fd(), POLLIN, 0};
  return ::poll(&fd, 1, static_cast<int>(within.count())) == 1 && latch.tripped();
}

} // namespace

TEST_CASE("supervisor: decide - a restart while the budget lasts, the node stops past it or for a held kind") {
  using clock = std::chrono::steady_clock;
  restart_budget b{2, 60s};
  std::deque<clock::time_point> recent;
  auto t = clock::now();
  CHECK(decide(on_death::restart, false, recent, t, b) == death_action::restart);
  CHECK(decide(on_death::restart, false, recent, t + 1s, b) == death_action::restart);
  CHECK(decide(on_death::restart, false, recent, t + 2s, b) == death_action::stop_node);
  // Outside the window the budget is whole again.
  CHECK(decide(on_death::restart, false, recent, t + 62s, b) == death_action::restart);
  std::deque<clock::time_point> none;
  CHECK(decide(on_death::stop_node, false, none, t, b) == death_action::stop_node);
  CHECK(decide(on_death::stop_node, true, none, t, b) == death_action::ignore);
  CHECK(decide(on_death::restart, true, none, t, b) == death_action::ignore);
  CHECK(none.empty());
}

TEST_CASE_FIXTURE(system_fixture,
                  "supervisor: a restartable kind is respawned in place, then stops the node once its budget is spent") {
  caf::scoped_actor self{*sys};
  // Written by the respawn (on the supervisor's thread) before it reports the
  // restart; read here only after that report.
  auto incarnations = std::make_shared<std::vector<caf::actor>>();
  auto latch = std::make_shared<failure_latch>();
  supervisor_options o;
  incarnations->push_back(idle_actor(*sys));
  o.table.push_back({"settlement", on_death::restart, false, incarnations->back(), [this, incarnations] {
                       incarnations->push_back(idle_actor(*sys));
                       return incarnations->back();
                     }});
  o.budget = {2, 60s};
  o.notifier = caf::actor_cast<notifier_actor>(self);
  o.telemetry = caf::actor_cast<telemetry_actor>(self);
  o.latch = latch;
  auto sup = spawn_supervisor(*sys, std::move(o));
  for (std::size_t i = 1; i <= 2; ++i) {
    self->send_exit(incarnations->back(), caf::make_error(caf::sec::runtime_error, "boom " + std::to_string(i)));
    actor_restart r;
    REQUIRE(next_restart(self, r));
    CHECK(r.kind == "settlement");
    CHECK(r.reason.find("boom " + std::to_string(i)) != std::string::npos);
    REQUIRE(incarnations->size() == i + 1);
    CHECK_FALSE(latch->tripped());
  }
  // The death of an old incarnation, again, changes nothing.
  self->send_exit(incarnations->front(), caf::make_error(caf::sec::runtime_error, "stale"));
  // The third death within the window: the budget is spent, the node stops.
  self->send_exit(incarnations->back(), caf::make_error(caf::sec::runtime_error, "boom 3"));
  REQUIRE(woken(*latch));
  CHECK(latch->kind() == "settlement");
  CHECK(latch->reason().find("boom 3") != std::string::npos);
  CHECK(latch->reason().find("restart budget spent") != std::string::npos);
  CHECK(incarnations->size() == 3);
  self->send_exit(sup, caf::exit_reason::user_shutdown);
}

TEST_CASE_FIXTURE(system_fixture, "supervisor: a kind peers hold stops the node at its first death, named, with a critical alert") {
  caf::scoped_actor self{*sys};
  auto latch = std::make_shared<failure_latch>();
  supervisor_options o;
  o.fault_injection = true;
  // A real instrumented actor: the crash request kills it through its base.
  auto control = spawn_control(*sys, phase_manager_actor{}, telemetry_actor{}, 50ms);
  auto bystander = idle_actor(*sys);
  o.table.push_back({"bystander", on_death::stop_node, false, bystander, {}});
  o.table.push_back({"control", on_death::stop_node, false, caf::actor_cast<caf::actor>(control), {}});
  o.notifier = caf::actor_cast<notifier_actor>(self);
  o.latch = latch;
  auto sup = spawn_supervisor(*sys, std::move(o));
  self->request(sup, 5s, crash_atom::value, std::string("no_such_kind"))
    .receive([](bool) { FAIL("an unknown kind was accepted"); },
             [](caf::error& e) { CHECK(error_text(e).find("no_such_kind") != std::string::npos); });
  self->request(sup, 5s, crash_atom::value, std::string("control"))
    .receive([](bool ok) { CHECK(ok); }, [](caf::error& e) { FAIL(error_text(e)); });
  REQUIRE(woken(*latch));
  CHECK(latch->kind() == "control");
  CHECK(latch->reason().find("injected fault") != std::string::npos);
  bool alerted = false;
  self->receive([&](alert& a) {
    alerted = a.level == severity::critical && a.text.find("control") != std::string::npos;
  }, caf::after(5s) >> [] {});
  CHECK(alerted);
  // The first death is the cause; the others go down with the node unreported.
  self->send_exit(bystander, caf::make_error(caf::sec::runtime_error, "later"));
  CHECK(latch->kind() == "control");
  self->send_exit(sup, caf::exit_reason::user_shutdown);
}

TEST_CASE_FIXTURE(system_fixture, "supervisor: shutdown stops the workers, not the serving actors, and no death counts") {
  caf::scoped_actor self{*sys};
  auto latch = std::make_shared<failure_latch>();
  auto store = idle_actor(*sys), a = idle_actor(*sys), b = idle_actor(*sys);
  supervisor_options o;
  o.table.push_back({"store", on_death::stop_node, true, store, {}});
  o.table.push_back({"a", on_death::stop_node, false, a, {}});
  auto respawned = std::make_shared<std::atomic<bool>>(false);
  o.table.push_back({"b", on_death::restart, false, b, [respawned] {
                       *respawned = true;
                       return caf::actor{};
                     }});
  o.latch = latch;
  auto sup = spawn_supervisor(*sys, std::move(o));
  for (auto& h : {store, a, b})
    self->monitor(h);
  self->request(sup, 5s, shutdown_atom::value).receive([](bool) {}, [](caf::error& e) { FAIL(error_text(e)); });
  std::vector<caf::actor_addr> down;
  for (int i = 0; i < 2; ++i)
    self->receive([&](caf::down_msg& d) { down.push_back(d.source); }, caf::after(5s) >> [] {});
  REQUIRE(down.size() == 2);
  // Exits are sent in reverse start order, but the workers run on their own
  // threads: the order their down messages arrive in is not the order sent.
  CHECK(std::count(down.begin(), down.end(), a.address()) == 1);
  CHECK(std::count(down.begin(), down.end(), b.address()) == 1);
  bool store_down = false;
  self->receive([&](caf::down_msg&) { store_down = true; }, caf::after(200ms) >> [] {});
  CHECK_FALSE(store_down); // the node stops it after the store's last barrier
  CHECK_FALSE(woken(*latch, 200ms));
  CHECK_FALSE(*respawned);
  self->send_exit(store, caf::exit_reason::user_shutdown);
  self->send_exit(sup, caf::exit_reason::user_shutdown);
}

TEST_CASE("supervisor: a crash request is refused when fault injection is off, and the actor ignores a bare crash") {
  system_fixture f(false);
  caf::scoped_actor self{*f.sys};
  auto latch = std::make_shared<failure_latch>();
  auto control = spawn_control(*f.sys, phase_manager_actor{}, telemetry_actor{}, 50ms);
  supervisor_options o;
  o.table.push_back({"control", on_death::stop_node, false, caf::actor_cast<caf::actor>(control), {}});
  o.latch = latch;
  auto sup = spawn_supervisor(*f.sys, std::move(o));
  self->request(sup, 5s, crash_atom::value, std::string("control"))
    .receive([](bool) { FAIL("crash accepted with fault injection off"); },
             [](caf::error& e) { CHECK(error_text(e).find("fault injection is off") != std::string::npos); });
  // Sent straight to it, past the supervisor: the base lets it through to the
  // behaviour, which does not know it; the actor lives.
  self->monitor(control);
  caf::anon_send(caf::actor_cast<caf::actor>(control), crash_atom::value);
  bool died = false;
  self->receive([&](caf::down_msg&) { died = true; }, caf::after(300ms) >> [] {});
  CHECK_FALSE(died);
  CHECK_FALSE(latch->tripped());
  self->send_exit(sup, caf::exit_reason::user_shutdown);
  self->send_exit(control, caf::exit_reason::user_shutdown);
}
