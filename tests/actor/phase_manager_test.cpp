#include <doctest/doctest.h>

#include <atomic>
#include <fstream>
#include <memory>
#include <optional>

#include <rapidjson/document.h>

#include "actors/phase_manager.hpp"
#include "actors/store.hpp"
#include "actors/util.hpp"
#include "core/phase_history.hpp"
#include "core/settlement.hpp"
#include "fixture.hpp"

using namespace tdmaker;
using namespace std::chrono_literals;

namespace {

// Sessions of one minute from an origin on a minute: every timestamp below is explicit.
constexpr std::int64_t t0 = 1'800'000'000'000 - 1'800'000'000'000 % 60'000;

phase_policy test_policy() {
  auto p = phase_policy::defaults();
  p.session = session_clock{0, 60};
  // Lenient Experience -> ProofOfConcept gate: two trades, one session, half won.
  auto& g = p.gates[0];
  g.window_sessions = 5;
  g.min_sessions = 1;
  g.min_trades = 2;
  g.min_win_rate_ppm = 500'000;
  g.min_rr_ppm = 0;
  g.require_positive_pnl = true;
  g.max_drawdown.reset();
  // Only the streak can fire: the win-rate window needs 10 trades, a session may lose 2.5.
  p.downgrade.consecutive_losses = 3;
  p.downgrade.win_rate_min_trades = 10;
  p.downgrade.max_session_loss_ppm = 50'000;
  for (auto& l : p.limits)
    l.capital = usdc{50 * micros_per_unit};
  return p;
}

condition_id market(int n) {
  auto hex = std::to_string(n);
  return condition_id{"0x" + std::string(64 - hex.size(), '0') + hex};
}

struct rig {
  test::actor_fixture& fx;
  caf::scoped_actor self;
  caf::scoped_actor alerts;
  store_actor store;
  std::shared_ptr<std::atomic<std::int64_t>> clock = std::make_shared<std::atomic<std::int64_t>>(t0);
  phase_manager_options opts;
  phase_manager_actor pm;

  rig(test::actor_fixture& f, phase initial, phase_policy policy = test_policy())
    : fx(f), self(*f.sys), alerts(*f.sys), store(spawn_store(*f.sys, f.env, telemetry_actor{}, {})) {
    opts.initial = initial;
    opts.log_dir = f.dir + "/logs";
    opts.policy = std::move(policy);
    opts.clock = [c = clock] { return c->load(); };
    start();
  }
  ~rig() {
    self->send_exit(pm, caf::exit_reason::user_shutdown);
    self->send_exit(store, caf::exit_reason::user_shutdown);
  }

  void start() {
    pm = spawn_phase_manager(*fx.sys, store, telemetry_actor{}, caf::actor_cast<notifier_actor>(alerts), opts);
    // The manager answers nothing before its start (history, phase, settlements) is done.
    self->request(pm, 5s, get_atom::value, phase_atom::value)
      .receive([](phase_record&) {}, [&](caf::error& e) { FAIL(error_text(e)); });
  }
  void restart() {
    self->send_exit(pm, caf::exit_reason::user_shutdown);
    start();
  }

  /// A settled trade at `ts` (the clock moves there too).
  void outcome(int n, std::int64_t pnl_micros, std::int64_t ts, bool paper) {
    clock->store(ts);
    self->send(pm, trade_outcome{market(n), usdc{pnl_micros}, ts, paper});
  }

  /// As the settlement actor does it: the record committed to LMDB, then the outcome.
  void settle(int n, std::int64_t pnl_micros, std::int64_t ts, bool paper) {
    settlement_record rec;
    rec.market = market(n);
    rec.pnl = usdc{pnl_micros};
    rec.settled_ms = ts;
    rec.paper = paper;
    write_batch b;
    b.writes.push_back({record_db::settlements, settlement_key(rec), encode(rec), false});
    self->request(store, 5s, std::move(b)).receive([](commit_ack&) {}, [&](caf::error& e) { FAIL(error_text(e)); });
    outcome(n, pnl_micros, ts, paper);
  }

  /// The status JSON; the request queues behind every outcome sent before it.
  std::string status() {
    std::string out;
    self->request(pm, 5s, status_atom::value)
      .receive([&](std::string& s) { out = std::move(s); }, [&](caf::error& e) { FAIL(error_text(e)); });
    return out;
  }
  rapidjson::Document status_doc() {
    rapidjson::Document d;
    auto s = status();
    d.Parse(s.data(), s.size());
    REQUIRE_MESSAGE(d.IsObject(), s);
    return d;
  }

  phase_switch_reply ask(switch_phase req) {
    phase_switch_reply out;
    self->request(pm, 5s, std::move(req))
      .receive([&](phase_switch_reply& r) { out = std::move(r); }, [&](caf::error& e) { FAIL(error_text(e)); });
    return out;
  }

  phase stored_phase() {
    auto v = fx.env->get(record_db::phase, "current");
    REQUIRE(v);
    REQUIRE(v->found);
    auto r = decode_phase_record(v->payload);
    REQUIRE(r);
    return r->current;
  }

  std::vector<phase_transition> history() {
    auto rows = fx.env->scan(record_db::phase, "history/");
    REQUIRE(rows);
    std::vector<phase_transition> out;
    for (auto& row : rows->rows) {
      auto t = decode_phase_transition(row.payload);
      REQUIRE_MESSAGE(t, row.payload);
      out.push_back(*t);
    }
    return out;
  }

  std::vector<phase_transition> jsonl(const std::string& file) {
    std::ifstream in(fx.dir + "/logs/phase/" + file);
    std::vector<phase_transition> out;
    for (std::string line; std::getline(in, line);) {
      auto t = decode_phase_transition(line);
      REQUIRE_MESSAGE(t, line);
      out.push_back(*t);
    }
    return out;
  }

  /// The next alert of `level`, waiting at most 5 s; alerts of other levels are passed over.
  std::optional<alert> next_alert(severity level) {
    for (;;) {
      std::optional<alert> got;
      bool timed_out = false;
      alerts->receive([&](alert& a) { got = std::move(a); }, caf::after(5s) >> [&] { timed_out = true; });
      if (timed_out)
        return std::nullopt;
      if (got->level == level)
        return got;
    }
  }

  /// Alerts already in the mailbox (everything the manager sent before its last reply).
  std::vector<alert> pending_alerts() {
    std::vector<alert> out;
    for (bool more = true; more;)
      alerts->receive([&](alert& a) { out.push_back(std::move(a)); }, caf::after(0ms) >> [&] { more = false; });
    return out;
  }
};

std::size_t count_kind(const std::vector<phase_transition>& h, transition_kind k) {
  std::size_t n = 0;
  for (auto& t : h)
    n += t.kind == k;
  return n;
}

} // namespace

TEST_CASE_FIXTURE(test::actor_fixture, "phase manager: three consecutive live losses downgrade one phase at once") {
  rig r(*this, phase::real_money_trial);
  CHECK(r.stored_phase() == phase::real_money_trial);
  r.outcome(1, -500'000, t0 + 1000, false);
  r.outcome(2, -500'000, t0 + 2000, false);
  CHECK(std::string(r.status_doc()["phase"].GetString()) == "RealMoneyTrial");
  r.outcome(3, -500'000, t0 + 3000, false);
  auto d = r.status_doc();
  CHECK(std::string(d["phase"].GetString()) == "ProofOfConcept");
  CHECK(std::string(d["previous"].GetString()) == "RealMoneyTrial");
  CHECK(std::string(d["source"].GetString()) == "auto");
  CHECK(std::string(d["reason"].GetString()).find("consecutive losses") != std::string::npos);
  // Durable: the record and its history entry.
  CHECK(r.stored_phase() == phase::proof_of_concept);
  auto h = r.history();
  REQUIRE(h.size() == 2);
  CHECK(h[0].kind == transition_kind::initial);
  CHECK(h[1].kind == transition_kind::downgrade);
  CHECK(h[1].from == phase::real_money_trial);
  CHECK(h[1].to == phase::proof_of_concept);
  CHECK(h[1].trigger == "consecutive_losses");
  CHECK(h[1].source == "auto");
  CHECK(!h[1].criteria.empty());
  CHECK(h[1].seq > h[0].seq);
  auto lines = r.jsonl("phase-history.jsonl");
  REQUIRE(lines.size() == 2);
  CHECK(lines[1].kind == transition_kind::downgrade);
  CHECK(lines[1].trigger == "consecutive_losses");
  CHECK(r.jsonl("phase-overrides.jsonl").empty());
  auto a = r.next_alert(severity::critical);
  REQUIRE(a);
  CHECK(a->topic == "phase");
  CHECK(a->text.find("RealMoneyTrial -> ProofOfConcept") != std::string::npos);
  CHECK(a->text.find("consecutive losses") != std::string::npos);

  // One step only: the losses before the downgrade do not count in the new phase.
  r.outcome(4, -500'000, t0 + 4000, false);
  CHECK(std::string(r.status_doc()["phase"].GetString()) == "ProofOfConcept");
  CHECK(r.history().size() == 2);
}

TEST_CASE_FIXTURE(test::actor_fixture, "phase manager: Experience is the floor - paper losses downgrade nothing") {
  rig r(*this, phase::experience);
  for (int i = 1; i <= 4; ++i)
    r.outcome(i, -500'000, t0 + 1000 * i, true);
  auto d = r.status_doc();
  CHECK(std::string(d["phase"].GetString()) == "Experience");
  CHECK(d["session"]["losses"].GetInt() == 4);
  CHECK(d["session"]["loss_streak"].GetInt() == 4);
  CHECK(!d["downgrade"]["fire"].GetBool());
  CHECK(r.history().size() == 1); // the initial entry only
  for (auto& a : r.pending_alerts())
    CHECK_MESSAGE(a.level != severity::critical, a.text);
}

TEST_CASE_FIXTURE(test::actor_fixture, "phase manager: a passing gate is proposed once and the operator confirms it") {
  rig r(*this, phase::experience);
  r.settle(1, 1'000'000, t0 + 1000, true);
  CHECK(!r.status_doc()["upgrade_proposed"].GetBool());
  r.settle(2, 1'000'000, t0 + 2000, true);
  auto d = r.status_doc();
  CHECK(d["upgrade_proposed"].GetBool());
  CHECK(d["gate"]["pass"].GetBool());
  CHECK(std::string(d["phase"].GetString()) == "Experience");
  CHECK(r.stored_phase() == phase::experience);
  auto a = r.next_alert(severity::warning);
  REQUIRE(a);
  CHECK(a->text.find("upgrade proposed: Experience -> ProofOfConcept") != std::string::npos);
  // Once: more passing trades, and a restart, propose nothing new.
  r.settle(3, 1'000'000, t0 + 3000, true);
  r.status();
  r.restart();
  CHECK(r.status_doc()["upgrade_proposed"].GetBool());
  r.settle(4, 1'000'000, t0 + 4000, true);
  r.status();
  auto h = r.history();
  CHECK(count_kind(h, transition_kind::proposal) == 1);
  CHECK(count_kind(r.jsonl("phase-history.jsonl"), transition_kind::proposal) == 1);

  auto rep = r.ask(switch_phase{phase::proof_of_concept, "confirmed", "control-cli"});
  CHECK(rep.accepted);
  CHECK(!rep.override_);
  CHECK(rep.gate.pass);
  CHECK(rep.record.current == phase::proof_of_concept);
  CHECK(r.stored_phase() == phase::proof_of_concept);
  h = r.history();
  CHECK(h.back().kind == transition_kind::upgrade);
  CHECK(h.back().source == "control-cli");
  CHECK(!r.status_doc()["upgrade_proposed"].GetBool()); // a new phase, nothing proposed yet
}

TEST_CASE_FIXTURE(test::actor_fixture, "phase manager: with auto_upgrade a passing gate switches up by itself") {
  auto p = test_policy();
  p.auto_upgrade = true;
  rig r(*this, phase::experience, p);
  r.outcome(1, 1'000'000, t0 + 1000, true);
  r.outcome(2, 1'000'000, t0 + 2000, true);
  auto d = r.status_doc();
  CHECK(std::string(d["phase"].GetString()) == "ProofOfConcept");
  CHECK(std::string(d["source"].GetString()) == "auto");
  CHECK(d["auto_upgrade"].GetBool());
  CHECK(r.stored_phase() == phase::proof_of_concept);
  auto h = r.history();
  REQUIRE(h.size() == 2);
  CHECK(h[1].kind == transition_kind::upgrade);
  CHECK(h[1].source == "auto");
  CHECK(count_kind(h, transition_kind::proposal) == 0);
}

TEST_CASE_FIXTURE(test::actor_fixture, "phase manager: an upgrade whose gate fails is refused and recorded") {
  rig r(*this, phase::experience);
  r.outcome(1, 1'000'000, t0 + 1000, true);
  auto rep = r.ask(switch_phase{phase::proof_of_concept, "too early", "control-http"});
  CHECK(!rep.accepted);
  CHECK(rep.record.current == phase::experience);
  CHECK(rep.error.rfind("gate Experience->ProofOfConcept not met: ", 0) == 0);
  CHECK(rep.error.find("min_trades 1 < 2") != std::string::npos);
  bool listed = false;
  for (auto& c : rep.gate.criteria)
    if (c.name == "min_trades") {
      listed = true;
      CHECK(!c.pass);
      CHECK(c.value == "1");
      CHECK(c.threshold == "2");
    }
  CHECK(listed);
  CHECK(r.stored_phase() == phase::experience);
  auto h = r.history();
  REQUIRE(h.size() == 2);
  CHECK(h[1].kind == transition_kind::refusal);
  CHECK(h[1].to == phase::proof_of_concept);
  CHECK(h[1].reason == "too early");
  CHECK(r.jsonl("phase-history.jsonl").back().kind == transition_kind::refusal);
  CHECK(std::string(r.status_doc()["phase"].GetString()) == "Experience");
}

TEST_CASE_FIXTURE(test::actor_fixture, "phase manager: a forced switch is an override - durable, in both JSONL files") {
  rig r(*this, phase::experience);
  auto rep = r.ask(switch_phase{phase::real_money_trial, "trial start", "control-http", true});
  CHECK(rep.accepted);
  CHECK(rep.override_);
  CHECK(!rep.gate.pass);
  CHECK(rep.record.current == phase::real_money_trial);
  CHECK(rep.record.previous == phase::experience);
  // Durable before the reply.
  CHECK(r.stored_phase() == phase::real_money_trial);
  CHECK(r.history().back().kind == transition_kind::override_);
  auto overrides = r.jsonl("phase-overrides.jsonl");
  REQUIRE(overrides.size() == 1);
  CHECK(overrides[0].kind == transition_kind::override_);
  CHECK(overrides[0].from == phase::experience);
  CHECK(overrides[0].to == phase::real_money_trial);
  CHECK(overrides[0].reason == "trial start");
  CHECK(r.jsonl("phase-history.jsonl").back().kind == transition_kind::override_);

  // A downgrade needs no gate: a plain switch, not in the overrides file.
  rep = r.ask(switch_phase{phase::proof_of_concept, "step back", "control-cli"});
  CHECK(rep.accepted);
  CHECK(!rep.override_);
  CHECK(r.history().back().kind == transition_kind::switch_);
  CHECK(r.jsonl("phase-overrides.jsonl").size() == 1);
  // The same phase again: accepted, nothing written.
  auto before = r.history().size();
  rep = r.ask(switch_phase{phase::proof_of_concept, "again", "control-cli"});
  CHECK(rep.accepted);
  CHECK(r.history().size() == before);

  // A restart ignores the config's initial phase.
  r.restart();
  CHECK(std::string(r.status_doc()["phase"].GetString()) == "ProofOfConcept");
}

TEST_CASE_FIXTURE(test::actor_fixture, "phase manager: the tracker is rebuilt from LMDB settlements after a restart") {
  rig r(*this, phase::real_money_trial);
  // Settlements as the settlement actor commits them, on both books, and one unreadable.
  write_batch b;
  auto settled = [&](int n, std::int64_t pnl, std::int64_t ts, bool paper) {
    settlement_record s;
    s.market = market(n);
    s.pnl = usdc{pnl};
    s.settled_ms = ts;
    s.paper = paper;
    b.writes.push_back({record_db::settlements, settlement_key(s), encode(s), false});
  };
  settled(1, 2'000'000, t0 + 1000, false);
  settled(2, -500'000, t0 + 2000, false);
  settled(3, 700'000, t0 + 61'000, false);
  settled(4, -900'000, t0 + 62'000, true);
  r.self->request(r.store, 5s, b).receive([](commit_ack&) {}, [&](caf::error& e) { FAIL(error_text(e)); });
  // The store refuses a record its reader would refuse (core/record_validation), so
  // the unreadable one is written beside it, straight into LMDB, as a damaged or
  // older store would hold it.
  write_batch bad;
  bad.writes.push_back({record_db::settlements, "0xbad", "not a settlement", false});
  REQUIRE(env->write({&bad}).empty());
  r.clock->store(t0 + 63'000);
  r.restart();
  auto before = r.status();
  auto d = r.status_doc();
  CHECK(d["windows"]["10"]["trades"].GetInt() == 3); // the live book only
  CHECK(std::string(d["windows"]["10"]["pnl"].GetString()) == "2.2");
  CHECK(d["session"]["trades"].GetInt() == 1);
  auto a = r.next_alert(severity::critical);
  REQUIRE(a);
  CHECK(a->text.find("unreadable settlement") != std::string::npos);
  // The settlement actor announcing a trade already on record changes nothing.
  r.outcome(3, 700'000, t0 + 61'000, false);
  r.clock->store(t0 + 63'000);
  CHECK(r.status() == before);
  r.restart();
  CHECK(r.status() == before);
}
