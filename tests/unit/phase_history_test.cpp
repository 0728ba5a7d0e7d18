// Seed 002's phase history: the transition record's codec (LMDB payload and
// JSONL line), its key, and the CSV export.
#include <doctest/doctest.h>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/phase_history.hpp"

using namespace tdmaker;

namespace {

phase_transition refusal() {
  phase_transition t;
  t.ts_ms = 1'796'083'200'123; // 2026-12-01T00:00:00.123Z
  t.seq = 7;
  t.kind = transition_kind::refusal;
  t.from = phase::experience;
  t.to = phase::proof_of_concept;
  t.source = "control-http";
  t.reason = "ready, \"I think\"\nsecond line";
  t.criteria = {{"min_sessions", "5", "5", true, 5, 5},
                {"min_trades", "3", "20", false, 3, 20},
                {"min_win_rate", "", "0.600000", false, -1, 600'000}};
  auto& f = t.figures;
  f.trades = 3;
  f.wins = 2;
  f.losses = 1;
  f.sessions = 5;
  f.win_rate_ppm = 666'666;
  f.avg_win = usdc{1'500'000};
  f.avg_loss = usdc{250'000};
  f.rr_ppm = 6'000'000;
  f.pnl = usdc{-2'750'000};
  f.largest_loss = usdc{250'000};
  f.loss_streak = 1;
  f.max_loss_streak = 1;
  f.max_drawdown = usdc{400'000};
  return t;
}

std::string edit(const std::string& json, void (*change)(rapidjson::Document&)) {
  rapidjson::Document d;
  d.Parse(json.data(), json.size());
  REQUIRE_FALSE(d.HasParseError());
  change(d);
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  d.Accept(w);
  return {buf.GetString(), buf.GetSize()};
}

} // namespace

TEST_CASE("phase history: transition kinds by name") {
  for (auto k : {transition_kind::upgrade, transition_kind::downgrade, transition_kind::switch_,
                 transition_kind::override_, transition_kind::refusal, transition_kind::proposal,
                 transition_kind::initial}) {
    auto back = parse_transition_kind(to_string(k));
    REQUIRE(back.ok());
    CHECK(*back == k);
  }
  CHECK(to_string(transition_kind::switch_) == "switch");
  CHECK(to_string(transition_kind::override_) == "override");
  CHECK_FALSE(parse_transition_kind("Upgrade").ok());
  CHECK_FALSE(parse_transition_kind("").ok());
}

TEST_CASE("phase history: keys sort by time then sequence") {
  auto t = refusal();
  CHECK(history_key(t) == "history/001796083200123/000007");
  t.ts_ms = 5;
  t.seq = 0;
  CHECK(history_key(t) == "history/000000000000005/000000");
  t.seq = 123'456;
  CHECK(history_key(t) == "history/000000000000005/123456");
}

TEST_CASE("phase history: the record round-trips every field") {
  auto t = refusal();
  auto text = encode(t);
  CHECK(text.find('\n') == std::string::npos); // a JSONL line: the newline is the reason's, escaped
  CHECK(text.find(R"("pnl":"-2.75")") != std::string::npos); // amounts as exact decimal strings
  auto back = decode_phase_transition(text);
  REQUIRE(back.ok());
  CHECK(back->ts_ms == t.ts_ms);
  CHECK(back->seq == 7);
  CHECK(back->kind == transition_kind::refusal);
  CHECK(back->from == phase::experience);
  CHECK(back->to == phase::proof_of_concept);
  CHECK(back->source == t.source);
  CHECK(back->reason == t.reason);
  CHECK(back->trigger.empty());
  REQUIRE(back->criteria.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(back->criteria[i].name == t.criteria[i].name);
    CHECK(back->criteria[i].value == t.criteria[i].value);
    CHECK(back->criteria[i].threshold == t.criteria[i].threshold);
    CHECK(back->criteria[i].pass == t.criteria[i].pass);
    CHECK(back->criteria[i].value_micros == t.criteria[i].value_micros);
    CHECK(back->criteria[i].threshold_micros == t.criteria[i].threshold_micros);
  }
  auto& f = back->figures;
  CHECK(f.trades == 3);
  CHECK(f.wins == 2);
  CHECK(f.losses == 1);
  CHECK(f.sessions == 5);
  CHECK(f.win_rate_ppm == 666'666);
  CHECK(f.avg_win == usdc{1'500'000});
  CHECK(f.avg_loss == usdc{250'000});
  CHECK(f.rr_ppm == 6'000'000);
  CHECK(f.pnl == usdc{-2'750'000});
  CHECK(f.largest_loss == usdc{250'000});
  CHECK(f.loss_streak == 1);
  CHECK(f.max_loss_streak == 1);
  CHECK(f.max_drawdown == usdc{400'000});
  CHECK(encode(*back) == text);

  phase_transition down;
  down.kind = transition_kind::downgrade;
  down.from = phase::scaling;
  down.to = phase::real_money_trial;
  down.source = "auto";
  down.trigger = "session_loss";
  auto d = decode_phase_transition(encode(down)); // undefined ratios (-1), no criteria
  REQUIRE(d.ok());
  CHECK(d->figures.win_rate_ppm == performance_figures::undefined);
  CHECK(d->figures.rr_ppm == performance_figures::undefined);
  CHECK(d->trigger == "session_loss");
  CHECK(d->criteria.empty());
}

TEST_CASE("phase history: the decoder refuses bad records") {
  const auto good = encode(refusal());
  REQUIRE(decode_phase_transition(good).ok());
  auto refused = [](const std::string& text) {
    auto r = decode_phase_transition(text);
    CAPTURE(text);
    CHECK_FALSE(r.ok());
    return r.ok() ? std::string() : r.error();
  };
  refused("");
  refused("[1]");
  CHECK(refused(edit(good, [](auto& d) { d["kind"].SetString("promotion"); })).find("kind") != std::string::npos);
  CHECK(refused(edit(good, [](auto& d) { d["from"].SetString("Expert"); })).find("phase") != std::string::npos);
  refused(edit(good, [](auto& d) { d["to"].SetString("proof_of_concept"); })); // not the canonical spelling
  for (const char* field : {"ts_ms", "seq", "kind", "from", "to", "source", "reason", "trigger", "criteria",
                            "figures"}) {
    CAPTURE(field);
    rapidjson::Document d;
    d.Parse(good.data(), good.size());
    d.RemoveMember(field);
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    d.Accept(w);
    refused({buf.GetString(), buf.GetSize()});
  }
  refused(edit(good, [](auto& d) { d["seq"].SetInt64(-1); }));
  refused(edit(good, [](auto& d) { d["seq"].SetInt64(1LL << 33); }));
  refused(edit(good, [](auto& d) { d["ts_ms"].SetString("1"); }));
  refused(edit(good, [](auto& d) { d["criteria"][0]["criterion"].SetString("luck"); }));
  refused(edit(good, [](auto& d) { d["criteria"][0]["pass"].SetString("yes"); }));
  refused(edit(good, [](auto& d) { d["criteria"][0].RemoveMember("pass"); }));
  refused(edit(good, [](auto& d) { d["criteria"][1]["value"].SetString("three"); }));
  refused(edit(good, [](auto& d) { d["criteria"][1].RemoveMember("threshold_micros"); }));
  refused(edit(good, [](auto& d) { d["criteria"][0].SetInt(1); }));
  refused(edit(good, [](auto& d) { d["figures"]["pnl"].SetInt(1); }));
  refused(edit(good, [](auto& d) { d["figures"]["avg_loss"].SetString("-0.25"); })); // a magnitude
  refused(edit(good, [](auto& d) { d["figures"]["trades"].SetInt(-1); }));
  refused(edit(good, [](auto& d) { d["figures"]["win_rate_ppm"].SetInt(1'000'001); }));
  refused(edit(good, [](auto& d) { d["figures"]["wins"].SetInt(3); })); // 3 wins + 1 loss > 3 trades
  refused(edit(good, [](auto& d) { d["figures"].RemoveMember("max_drawdown"); }));
  refused(edit(good, [](auto& d) { d["figures"].SetString("none"); }));
}

TEST_CASE("phase history: CSV rows with the failing criteria, quoted where needed, and JSONL") {
  auto t = refusal();
  phase_transition up;
  up.ts_ms = 1'796'083'260'000; // one minute later
  up.kind = transition_kind::override_;
  up.from = phase::experience;
  up.to = phase::proof_of_concept;
  up.source = "control-cli";
  up.reason = "plain";
  up.figures.pnl = usdc{1'000'000};
  auto csv = phase_history_csv({t, up});
  const std::string header = "ts_ms,time,kind,from,to,source,reason,trigger,trades,wins,losses,win_rate,pnl,failing\n";
  const std::string row1 = "1796083200123,2026-12-01T00:00:00.123Z,refusal,Experience,ProofOfConcept,control-http,"
                           "\"ready, \"\"I think\"\"\nsecond line\",,3,2,1,0.666666,-2.75,"
                           "min_trades=3<20;min_win_rate=<0.600000\n";
  const std::string row2 = "1796083260000,2026-12-01T00:01:00.000Z,override,Experience,ProofOfConcept,control-cli,"
                           "plain,,0,0,0,,1,\n";
  CHECK(csv == header + row1 + row2);
  CHECK(phase_history_csv({}) == header);
  CHECK(phase_history_jsonl({t, up}) == encode(t) + "\n" + encode(up) + "\n");
  CHECK(phase_history_jsonl({}).empty());
}
