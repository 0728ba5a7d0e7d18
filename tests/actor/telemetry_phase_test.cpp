#include <doctest/doctest.h>

#include <rapidjson/document.h>

#include "actors/telemetry.hpp"
#include "actors/util.hpp"
#include "core/phase_status.hpp"
#include "fixture.hpp"

using namespace tdmaker;
using namespace std::chrono_literals;

namespace {

criterion crit(std::string name, std::string value, std::string threshold, bool pass) {
  return criterion{std::move(name), std::move(value), std::move(threshold), pass, 0, 0};
}

// ProofOfConcept since 2027-01-15T08:00:00Z; its gate toward RealMoneyTrial
// fails; the session (600 s sessions: index 3 000 000 starts at that instant)
// holds 4 live trades, 3 wins, PnL -1.25.
phase_sample poc_sample() {
  phase_sample s;
  s.record = {phase::proof_of_concept, phase::experience, 1'800'000'000'000, "paper reviewed", "control-cli"};
  s.gate.from = phase::proof_of_concept;
  s.gate.to = phase::real_money_trial;
  s.gate.criteria = {crit("min_sessions", "3", "5", false), crit("min_win_rate", "", "0.6", false),
                     crit("odd\"name", "1", "1", true)};
  s.downgrade.watch = {crit("consecutive_losses", "1", "3", true), crit("session_loss", "-1.25", "-2.5", true)};
  auto& f = s.downgrade.session;
  f.trades = 4;
  f.wins = 3;
  f.losses = 1;
  f.win_rate_ppm = 750'000;
  f.pnl = usdc{-1'250'000};
  f.loss_streak = 0;
  s.session = 3'000'000;
  s.transitions = 7;
  return s;
}

budget_snapshot poc_budget() {
  budget_snapshot b;
  b.limit = usdc{50'000'000};
  b.current_phase = phase::proof_of_concept;
  b.max_per_market = usdc{15'000'000};
  b.shares_per_rung = shares{5'000'000};
  b.session_trades = 1;
  b.session_trade_limit = 1;
  b.trades_refused = 2;
  return b;
}

std::string ask(caf::scoped_actor& self, const telemetry_actor& t, metrics_atom a) {
  std::string out;
  self->request(t, 5s, a).receive([&](std::string& s) { out = std::move(s); },
                                  [&](caf::error& e) { FAIL(error_text(e)); });
  return out;
}

std::string ask(caf::scoped_actor& self, const telemetry_actor& t, status_atom a) {
  std::string out;
  self->request(t, 5s, a).receive([&](std::string& s) { out = std::move(s); },
                                  [&](caf::error& e) { FAIL(error_text(e)); });
  return out;
}

bool has_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos || text.starts_with(line + "\n");
}

} // namespace

TEST_CASE_FIXTURE(test::actor_fixture, "telemetry: /metrics carries the gate, the watch, the session and the limits") {
  caf::scoped_actor self{*sys};
  telemetry_options o;
  o.status_every = 0ms;
  auto tel = spawn_telemetry(*sys, o);
  // Before the phase manager's first sample and bidding's first snapshot: no figure is made up.
  auto before = ask(self, tel, metrics_atom::value);
  CHECK(before.find("tdmaker_phase_gate_criterion") == std::string::npos);
  CHECK(before.find("tdmaker_phase_limit") == std::string::npos);

  self->send(tel, poc_sample());
  self->send(tel, poc_budget());
  auto m = ask(self, tel, metrics_atom::value);
  const std::string gate = R"(tdmaker_phase_gate_criterion{transition="ProofOfConcept->RealMoneyTrial",)";
  CHECK(has_line(m, "# TYPE tdmaker_phase_gate_criterion gauge"));
  CHECK(has_line(m, gate + R"(criterion="min_sessions",figure="value"} 3)"));
  CHECK(has_line(m, gate + R"(criterion="min_sessions",figure="threshold"} 5)"));
  CHECK(has_line(m, gate + R"(criterion="min_sessions",figure="pass"} 0)"));
  // An undefined win rate (no trades in the window) has no value sample, not a 0.
  CHECK(m.find(gate + R"(criterion="min_win_rate",figure="value"})") == std::string::npos);
  CHECK(has_line(m, gate + R"(criterion="min_win_rate",figure="threshold"} 0.6)"));
  CHECK(has_line(m, gate + R"(criterion="odd\"name",figure="pass"} 1)")); // label value escaped
  CHECK(has_line(m, R"(tdmaker_phase_downgrade_watch{trigger="consecutive_losses",figure="value"} 1)"));
  CHECK(has_line(m, R"(tdmaker_phase_downgrade_watch{trigger="session_loss",figure="value"} -1.25)"));
  CHECK(has_line(m, R"(tdmaker_phase_downgrade_watch{trigger="session_loss",figure="threshold"} -2.5)"));
  CHECK(has_line(m, R"(tdmaker_phase_downgrade_watch{trigger="session_loss",figure="pass"} 1)"));
  CHECK(has_line(m, R"(tdmaker_phase_session_pnl_micros{book="live"} -1250000)"));
  CHECK(has_line(m, "tdmaker_phase_session_trades 4"));
  CHECK(has_line(m, "tdmaker_phase_session_win_rate_ppm 750000"));
  CHECK(has_line(m, "tdmaker_phase_loss_streak 0"));
  CHECK(has_line(m, "tdmaker_phase_upgrade_proposed 0"));
  CHECK(has_line(m, "# TYPE tdmaker_phase_transitions_total counter"));
  CHECK(has_line(m, "tdmaker_phase_transitions_total 7"));
  CHECK(has_line(m, "tdmaker_phase_trades_used 1"));
  CHECK(has_line(m, "tdmaker_phase_trade_limit 1"));
  CHECK(has_line(m, "tdmaker_phase_trades_refused_total 2"));
  CHECK(has_line(m, R"(tdmaker_phase_limit{limit="shares_per_rung"} 5000000)"));
  CHECK(has_line(m, R"(tdmaker_phase_limit{limit="max_exposure"} 50000000)"));
  CHECK(has_line(m, R"(tdmaker_phase_limit{limit="max_per_market"} 15000000)"));
  CHECK(has_line(m, R"(tdmaker_phase{phase="ProofOfConcept"} 1)"));

  // Experience: the session is the paper book's; no trade yet: no win rate sample.
  auto paper = poc_sample();
  paper.record = {phase::experience, phase::proof_of_concept, 1'800'000'100'000, "3 consecutive losses", "auto"};
  paper.downgrade.session = {};
  paper.gate.criteria.clear();
  self->send(tel, paper);
  auto m2 = ask(self, tel, metrics_atom::value);
  CHECK(has_line(m2, R"(tdmaker_phase_session_pnl_micros{book="paper"} 0)"));
  CHECK(m2.find(R"(tdmaker_phase_session_pnl_micros{book="live"})") == std::string::npos);
  CHECK(m2.find("\ntdmaker_phase_session_win_rate_ppm ") == std::string::npos); // HELP/TYPE only, no sample
  CHECK(m2.find("tdmaker_phase_gate_criterion{") == std::string::npos);
  CHECK(has_line(m2, R"(tdmaker_phase{phase="Experience"} 1)"));
  self->send_exit(tel, caf::exit_reason::user_shutdown);
}

TEST_CASE_FIXTURE(test::actor_fixture, "telemetry: /status carries the phase manager's phase object and the limits") {
  caf::scoped_actor self{*sys};
  telemetry_options o;
  o.status_every = 0ms;
  auto tel = spawn_telemetry(*sys, o);
  // Before any sample: the phase record's part of the object, under the same keys.
  self->send(tel, phase_record{phase::experience, phase::experience, 1'700'000'000'000, "initial", "config"});
  auto first = ask(self, tel, status_atom::value);
  CHECK(first.find(R"("phase":{"phase":"Experience","previous":"Experience","since_ms":1700000000000,)"
                   R"("source":"config","reason":"initial"})")
        != std::string::npos);
  CHECK(first.find("phase_limits") == std::string::npos); // bidding has not said yet

  auto sample = poc_sample();
  phase_status ps;
  ps.record = sample.record;
  ps.gate = sample.gate;
  ps.downgrade = sample.downgrade;
  ps.session = sample.session;
  ps.session_start_ms = 1'800'000'000'000;
  ps.session_end_ms = 1'800'000'600'000;
  ps.session_figures = sample.downgrade.session;
  ps.windows = {{10, sample.downgrade.session}};
  sample.status_json = phase_status_json(ps);
  self->send(tel, sample);
  self->send(tel, poc_budget());
  auto text = ask(self, tel, status_atom::value);
  // The very object GET /phase answers, windows included.
  CHECK(text.find(R"("phase":)" + sample.status_json) != std::string::npos);
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  REQUIRE_FALSE(doc.HasParseError());
  auto& p = doc["phase"];
  CHECK(std::string(p["phase"].GetString()) == "ProofOfConcept");
  CHECK(std::string(p["gate"]["transition"].GetString()) == "ProofOfConcept->RealMoneyTrial");
  CHECK(p["session"]["start_ms"].GetInt64() == 1'800'000'000'000);
  CHECK(std::string(p["windows"]["10"]["pnl"].GetString()) == "-1.25");
  auto& l = doc["phase_limits"];
  CHECK(std::string(l["phase"].GetString()) == "ProofOfConcept");
  CHECK(std::string(l["shares_per_rung"].GetString()) == "5");
  CHECK(std::string(l["max_exposure"].GetString()) == "50");
  CHECK(std::string(l["max_per_market"].GetString()) == "15");
  CHECK(l["session_trades"].GetInt64() == 1);
  CHECK(l["session_trade_limit"].GetInt64() == 1);
  CHECK(l["trades_refused"].GetInt64() == 2);
  self->send_exit(tel, caf::exit_reason::user_shutdown);
}
