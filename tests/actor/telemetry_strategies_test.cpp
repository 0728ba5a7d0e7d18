// /status "strategies" and the per-strategy families of /metrics (issue 17):
// bidding's per-strategy budget, the settlement status's PnL split, and the
// 99c capture's market samples, which leave when retired or 10 min after the slot.
#include <doctest/doctest.h>

#include <rapidjson/document.h>

#include "actors/telemetry.hpp"
#include "actors/util.hpp"
#include "fixture.hpp"

using namespace tdmaker;
using namespace std::chrono_literals;

namespace {

const condition_id held_market{"0x" + std::string(64, 'a')};
const condition_id watched_market{"0x" + std::string(64, 'b')};
const condition_id stale_market{"0x" + std::string(64, 'c')};

template <class Atom>
std::string ask(caf::scoped_actor& self, const telemetry_actor& t, Atom a) {
  std::string out;
  self->request(t, 5s, a).receive([&](std::string& s) { out = std::move(s); },
                                  [&](caf::error& e) { FAIL(error_text(e)); });
  return out;
}

bool has_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos || text.starts_with(line + "\n");
}

strategy_sample sample(const condition_id& m, std::int64_t slot_end_s, bool holding) {
  strategy_sample s;
  s.market = m;
  s.asset = "btc";
  s.slot_end_s = slot_end_s;
  s.holding = holding;
  s.side = outcome::down;
  s.paper = true;
  s.confidence_ppm = 812'000;
  s.peak_confidence_ppm = holding ? 845'000 : -1;
  s.danger_score = holding ? 42 : -1;
  s.drop_points = holding ? 20 : 0;
  s.velocity_points = holding ? 12 : 0;
  s.time_points = holding ? 10 : 0;
  s.reasons = "validated";
  return s;
}

} // namespace

TEST_CASE_FIXTURE(test::actor_fixture, "telemetry: strategies in /status and /metrics - budget, PnL by book, the capture's markets") {
  caf::scoped_actor self{*sys};
  telemetry_options o;
  o.status_every = 0ms;
  auto tel = spawn_telemetry(*sys, o);
  const auto end_s = wall_ms() / 1000 + 300;
  budget_snapshot b;
  b.limit = usdc{60'000'000};
  b.strategies = {strategy_budget{strategy_kind::td_maker, true, usdc{50'000'000}, usdc{4'150'000}},
                  strategy_budget{strategy_kind::capture_99c, true, usdc{10'000'000}, usdc{4'950'000}}};
  self->send(tel, b);
  settlement_status st;
  st.by_strategy = {strategy_pnl_total{strategy_kind::td_maker, usdc{850'000}, usdc{-1'200'000}, 3},
                    strategy_pnl_total{strategy_kind::capture_99c, usdc{-4'950'000}, usdc{50'000}, 2}};
  self->send(tel, st);
  self->send(tel, sample(held_market, end_s, true));
  self->send(tel, sample(watched_market, end_s, false));
  self->send(tel, sample(stale_market, end_s - 3'600, true)); // its slot ended an hour ago: not shown

  auto m = ask(self, tel, metrics_atom::value);
  CHECK(has_line(m, R"(tdmaker_strategy_enabled{strategy="capture_99c"} 1)"));
  CHECK(has_line(m, R"(tdmaker_strategy_budget_micros{strategy="td_maker",figure="limit"} 50000000)"));
  CHECK(has_line(m, R"(tdmaker_strategy_budget_micros{strategy="capture_99c",figure="reserved"} 4950000)"));
  CHECK(has_line(m, R"(tdmaker_strategy_pnl_micros{strategy="td_maker",book="paper"} -1200000)"));
  CHECK(has_line(m, R"(tdmaker_strategy_pnl_micros{strategy="capture_99c",book="live"} -4950000)"));
  CHECK(has_line(m, R"(tdmaker_danger_score{market=")" + held_market.hex + R"("} 42)"));
  CHECK(m.find(R"(tdmaker_danger_score{market=")" + watched_market.hex) == std::string::npos); // nothing held
  CHECK(m.find(stale_market.hex) == std::string::npos);
  CHECK(has_line(m, R"(tdmaker_capture_confidence_ppm{market=")" + watched_market.hex + R"("} 812000)"));
  CHECK(has_line(m, R"(tdmaker_capture_peak_confidence_ppm{market=")" + held_market.hex + R"("} 845000)"));
  CHECK(m.find(R"(tdmaker_capture_peak_confidence_ppm{market=")" + watched_market.hex) == std::string::npos);

  auto status = ask(self, tel, status_atom::value);
  rapidjson::Document d;
  d.Parse(status.c_str());
  REQUIRE(!d.HasParseError());
  REQUIRE(d.HasMember("strategies"));
  auto& td = d["strategies"]["td_maker"];
  CHECK(td["enabled"].GetBool());
  CHECK(std::string(td["budget"]["limit"].GetString()) == "50");
  CHECK(std::string(td["pnl"]["live"].GetString()) == "0.85");
  CHECK_FALSE(td.HasMember("markets"));
  auto& cap = d["strategies"]["capture_99c"];
  CHECK(std::string(cap["budget"]["reserved"].GetString()) == "4.95");
  CHECK(std::string(cap["pnl"]["paper"].GetString()) == "0.05");
  REQUIRE(cap["markets"].IsArray());
  REQUIRE(cap["markets"].Size() == 2);
  auto& h = cap["markets"][0];
  CHECK(std::string(h["market"].GetString()) == held_market.hex);
  CHECK(std::string(h["side"].GetString()) == "down");
  CHECK(h["paper"].GetBool());
  CHECK(h["holding"].GetBool());
  CHECK(h["danger_score"].GetInt() == 42);
  CHECK(h["components"]["drop"].GetInt() == 20);
  CHECK(h["components"]["velocity"].GetInt() == 12);
  CHECK(h["peak_confidence_ppm"].GetInt() == 845'000);
  CHECK(std::string(h["reasons"].GetString()) == "validated");

  // A retired market leaves at once.
  auto gone = sample(held_market, end_s, true);
  gone.retired = true;
  self->send(tel, gone);
  auto after = ask(self, tel, metrics_atom::value);
  CHECK(after.find(held_market.hex) == std::string::npos);
  CHECK(has_line(after, R"(tdmaker_capture_confidence_ppm{market=")" + watched_market.hex + R"("} 812000)"));
  self->send_exit(tel, caf::exit_reason::user_shutdown);
}

TEST_CASE_FIXTURE(test::actor_fixture, "telemetry: strategies before any budget or settlement say disabled and zero") {
  caf::scoped_actor self{*sys};
  telemetry_options o;
  o.status_every = 0ms;
  auto tel = spawn_telemetry(*sys, o);
  auto m = ask(self, tel, metrics_atom::value);
  CHECK(has_line(m, R"(tdmaker_strategy_enabled{strategy="td_maker"} 0)"));
  CHECK(has_line(m, R"(tdmaker_strategy_pnl_micros{strategy="capture_99c",book="live"} 0)"));
  auto status = ask(self, tel, status_atom::value);
  CHECK(status.find(R"("capture_99c":{"enabled":false,"budget":{"limit":"0","reserved":"0"},)"
                    R"("pnl":{"live":"0","paper":"0"},"markets":[]})")
        != std::string::npos);
  self->send_exit(tel, caf::exit_reason::user_shutdown);
}
