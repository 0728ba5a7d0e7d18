#include <doctest/doctest.h>

#include <string>

#include <rapidjson/document.h>

#include "core/phase_status.hpp"

using namespace tdmaker;

namespace {

rapidjson::Document parsed(const std::string& json) {
  INFO("json: " << json);
  rapidjson::Document d;
  d.Parse(json.data(), json.size());
  REQUIRE(!d.HasParseError());
  REQUIRE(d.IsObject());
  return d;
}

std::string str(const rapidjson::Value& v, const char* key) {
  REQUIRE(v.HasMember(key));
  REQUIRE(v[key].IsString());
  return v[key].GetString();
}

criterion crit(std::string name, std::string value, std::string threshold, bool pass) {
  return criterion{std::move(name), std::move(value), std::move(threshold), pass, 0, 0};
}

gate_report failing_gate() {
  gate_report g;
  g.from = phase::experience;
  g.to = phase::proof_of_concept;
  g.pass = false;
  g.criteria = {crit("min_sessions", "5", "5", true), crit("min_trades", "3", "20", false),
                crit("min_win_rate", "", "0.6", false), crit("positive_pnl", "-1.5", "0", false),
                crit("max_drawdown", "12", "10", false)};
  return g;
}

} // namespace

TEST_CASE("phase status: the GET /phase object carries the record, gate, watch, session and windows") {
  phase_status s;
  s.record = phase_record{phase::real_money_trial, phase::proof_of_concept, 1'700'000'000'000, "say \"go\"",
                          "control-http"};
  s.auto_upgrade = true;
  s.upgrade_proposed = false;
  s.gate.from = phase::real_money_trial;
  s.gate.to = phase::scaling;
  s.gate.pass = false;
  s.gate.criteria = {crit("min_trades", "3", "20", false)};
  s.downgrade.fire = true;
  s.downgrade.trigger = "consecutive_losses";
  s.downgrade.watch = {crit("consecutive_losses", "3", "3", false), crit("rolling_win_rate", "", "0.55", true)};
  s.session = 42;
  s.session_start_ms = 1000;
  s.session_end_ms = 2000;
  s.session_figures.trades = 4;
  s.session_figures.wins = 1;
  s.session_figures.losses = 3;
  s.session_figures.win_rate_ppm = 250'000;
  s.session_figures.pnl = usdc{-2'500'000};
  s.session_figures.loss_streak = 3;
  performance_figures w10;
  w10.trades = 7;
  w10.rr_ppm = 1'500'000;
  w10.avg_win = usdc{1'250'000};
  s.windows = {{10, w10}, {20, performance_figures{}}};

  auto d = parsed(phase_status_json(s));
  CHECK(str(d, "phase") == "RealMoneyTrial");
  CHECK(str(d, "previous") == "ProofOfConcept");
  CHECK(d["since_ms"].GetInt64() == 1'700'000'000'000);
  CHECK(str(d, "source") == "control-http");
  CHECK(str(d, "reason") == "say \"go\"");
  CHECK(d["auto_upgrade"].GetBool());
  CHECK(!d["upgrade_proposed"].GetBool());
  auto& gate = d["gate"];
  CHECK(str(gate, "transition") == "RealMoneyTrial->Scaling");
  CHECK(!gate["pass"].GetBool());
  REQUIRE(gate["criteria"].Size() == 1);
  CHECK(str(gate["criteria"][0], "criterion") == "min_trades");
  CHECK(str(gate["criteria"][0], "value") == "3");
  CHECK(str(gate["criteria"][0], "threshold") == "20");
  CHECK(!gate["criteria"][0]["pass"].GetBool());
  auto& dg = d["downgrade"];
  CHECK(dg["fire"].GetBool());
  CHECK(str(dg, "trigger") == "consecutive_losses");
  REQUIRE(dg["watch"].Size() == 2);
  CHECK(str(dg["watch"][1], "value") == "");
  CHECK(dg["watch"][1]["pass"].GetBool());
  auto& ses = d["session"];
  CHECK(ses["index"].GetInt64() == 42);
  CHECK(ses["start_ms"].GetInt64() == 1000);
  CHECK(ses["end_ms"].GetInt64() == 2000);
  CHECK(ses["trades"].GetInt64() == 4);
  CHECK(ses["wins"].GetInt64() == 1);
  CHECK(ses["losses"].GetInt64() == 3);
  CHECK(str(ses, "win_rate") == "0.25");
  CHECK(str(ses, "pnl") == "-2.5");
  CHECK(ses["loss_streak"].GetInt64() == 3);
  auto& win = d["windows"];
  REQUIRE(win.HasMember("10"));
  REQUIRE(win.HasMember("20"));
  CHECK(win["10"]["trades"].GetInt64() == 7);
  CHECK(str(win["10"], "rr") == "1.5");
  CHECK(str(win["10"], "avg_win") == "1.25");
  // Undefined ratios are "", never a made-up 0.
  CHECK(str(win["10"], "win_rate") == "");
  CHECK(str(win["20"], "rr") == "");
  CHECK(str(win["20"], "pnl") == "0");
}

TEST_CASE("phase status: no windows renders an empty object and Scaling has no transition") {
  phase_status s;
  s.record.current = phase::scaling;
  s.gate.from = phase::scaling;
  s.gate.to = phase::scaling;
  auto d = parsed(phase_status_json(s));
  CHECK(d["windows"].IsObject());
  CHECK(d["windows"].MemberCount() == 0);
  CHECK(str(d["gate"], "transition") == "");
  CHECK(d["gate"]["criteria"].Size() == 0);
}

TEST_CASE("phase status: a refusal lists each failing criterion with its comparison") {
  auto g = failing_gate();
  CHECK(gate_refusal_text(g)
        == "gate Experience->ProofOfConcept not met: min_trades 3 < 20; min_win_rate n/a < 0.6; "
           "positive_pnl -1.5 <= 0; max_drawdown 12 > 10");
  auto d = parsed(gate_refusal_json(g, gate_refusal_text(g)));
  CHECK(str(d, "error").rfind("gate Experience->ProofOfConcept not met: min_trades 3 < 20", 0) == 0);
  CHECK(str(d, "transition") == "Experience->ProofOfConcept");
  REQUIRE(d["failing"].Size() == 4);
  CHECK(str(d["failing"][0], "criterion") == "min_trades");
  CHECK(str(d["failing"][0], "value") == "3");
  CHECK(str(d["failing"][0], "threshold") == "20");
  CHECK(!d["failing"][0].HasMember("pass"));
  REQUIRE(d["criteria"].Size() == 5);
  CHECK(d["criteria"][0]["pass"].GetBool());
  CHECK(!d["criteria"][1]["pass"].GetBool());
}

TEST_CASE("phase status: an accepted switch's body says override only when forced") {
  phase_record r{phase::proof_of_concept, phase::experience, 5, "ok", "control-cli"};
  auto plain = parsed(phase_switch_json(r, false));
  CHECK(str(plain, "phase") == "ProofOfConcept");
  CHECK(str(plain, "previous") == "Experience");
  CHECK(plain["since_ms"].GetInt64() == 5);
  CHECK(!plain.HasMember("override"));
  auto forced = parsed(phase_switch_json(r, true));
  CHECK(forced["override"].GetBool());
}

TEST_CASE("phase status: each downgrade trigger's sentence carries its figures") {
  downgrade_report r;
  CHECK(downgrade_sentence(r).empty());
  r.fire = true;
  r.watch = {crit("consecutive_losses", "3", "3", false), crit("rolling_win_rate", "0.5", "0.55", false),
             crit("session_loss", "-3.000000", "-2.500000", false)};
  r.trigger = "consecutive_losses";
  CHECK(downgrade_sentence(r) == "3 consecutive losses (threshold 3)");
  r.trigger = "rolling_win_rate";
  CHECK(downgrade_sentence(r) == "rolling win rate 0.5 below 0.55");
  r.trigger = "session_loss";
  CHECK(downgrade_sentence(r) == "session PnL -3.000000 below -2.500000 (max session loss)");
}

TEST_CASE("phase status: ctl reads a 409 body back into one line per failing criterion") {
  auto g = failing_gate();
  auto text = describe_gate_refusal(gate_refusal_json(g, gate_refusal_text(g)));
  REQUIRE(text);
  CHECK(*text
        == "refused: " + gate_refusal_text(g)
             + "\n  min_trades 3 < 20\n  min_win_rate n/a < 0.6\n  positive_pnl -1.5 <= 0\n  max_drawdown 12 > 10");
  CHECK(!describe_gate_refusal(R"({"error":"not a refusal"})"));
  CHECK(!describe_gate_refusal("not json"));
  CHECK(!describe_gate_refusal(R"({"error":"x","failing":[{"criterion":1}]})"));
}

TEST_CASE("phase status: built from the tracker - the phase's book since it began, windows over the whole book") {
  auto p = phase_policy::defaults();
  p.session = session_clock{0, 60};
  performance_tracker t(p.session);
  constexpr std::int64_t s0 = 600'000; // session 10
  t.add(closed_trade{"a", usdc{-1'000'000}, s0 - 30'000, false}); // live, session 9, before the phase
  t.add(closed_trade{"b", usdc{2'000'000}, s0 + 1'000, false});
  t.add(closed_trade{"c", usdc{-500'000}, s0 + 2'000, false});
  t.add(closed_trade{"c/paper", usdc{9'000'000}, s0 + 3'000, true}); // the other book
  phase_record rec{phase::real_money_trial, phase::proof_of_concept, s0 - 10'000, "r", "control-cli"};
  auto s = make_phase_status(rec, true, t, p, s0 + 5'000);
  CHECK(s.upgrade_proposed);
  CHECK(s.session == 10);
  CHECK(s.session_start_ms == s0);
  CHECK(s.session_end_ms == s0 + 60'000);
  CHECK(s.session_figures.trades == 2);
  CHECK(s.session_figures.pnl.micros == 1'500'000);
  CHECK(s.gate.from == phase::real_money_trial);
  CHECK(s.gate.to == phase::scaling);
  CHECK(!s.downgrade.fire);
  REQUIRE(s.windows.size() == 4);
  CHECK(s.windows[0].first == 10);
  CHECK(s.windows[0].second.trades == 3); // trade "a" too: the book's record, not the phase's
  CHECK(s.windows[0].second.pnl.micros == 500'000);
  auto d = parsed(phase_status_json(s));
  CHECK(d["windows"]["100"]["trades"].GetInt() == 3);
}
