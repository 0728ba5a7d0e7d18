#include <doctest/doctest.h>

#include "core/phase_command.hpp"

using namespace tdmaker;

TEST_CASE("phase status: arguments - url or config, json") {
  auto none = parse_phase_status_args({});
  REQUIRE(none.ok());
  CHECK(none->url.empty());
  CHECK(none->config.empty());
  CHECK_FALSE(none->json);
  auto url = parse_phase_status_args({"--url", "http://127.0.0.1:9464", "--json"});
  REQUIRE(url.ok());
  CHECK(url->url == "http://127.0.0.1:9464");
  CHECK(url->json);
  auto cfg = parse_phase_status_args({"--json", "--config", "node.json"});
  REQUIRE(cfg.ok());
  CHECK(cfg->config == "node.json");
  CHECK(parse_phase_status_args({"--url", "http://a:1", "--config", "x.json"}).error()
        == "give --url or --config, not both");
  CHECK(parse_phase_status_args({"--url"}).error() == "--url needs a value");
  CHECK(parse_phase_status_args({"--config", ""}).error() == "--config needs a value");
  CHECK(parse_phase_status_args({"--colour", "red"}).error() == "unknown option --colour");
  CHECK(parse_phase_status_args({"history"}).error() == "unknown option history");
}

TEST_CASE("phase history: arguments are the export's") {
  auto q = parse_phase_history_args({"--from", "1800000000", "--to", "2027-01-15T08:15:00Z", "--format", "csv",
                                     "--config", "node.json"});
  REQUIRE(q.ok());
  CHECK(q->kind == "phase-history");
  CHECK(q->from_ms == 1'800'000'000'000);
  CHECK(q->to_ms == 1'800'000'900'000); // 2027-01-15T08:15:00Z = 1 800 000 000 s (08:00) + 900 s
  CHECK(q->csv);
  CHECK(q->config == "node.json");
  auto plain = parse_phase_history_args({});
  REQUIRE(plain.ok());
  CHECK_FALSE(plain->csv); // JSON lines by default, every entry
  CHECK(plain->from_ms == 0);
  CHECK(plain->to_ms == INT64_MAX);
  CHECK(parse_phase_history_args({"--format", "xml"}).error() == "--format must be csv or jsonl");
  CHECK(parse_phase_history_args({"--from", "20", "--to", "10"}).error() == "--from must be before --to");
  CHECK(parse_phase_history_args({"--to"}).error() == "--to needs a value");
  CHECK_FALSE(parse_phase_history_args({"--from", "yesterday"}).ok());
  CHECK(parse_phase_history_args({"trades"}).error() == "trades needs a value");
  CHECK(parse_phase_history_args({"--kind", "x"}).error() == "unknown option --kind");
}

namespace {

// A GET /phase reply in the contract's shape: ProofOfConcept, gate toward
// RealMoneyTrial failing on min_sessions, an undefined R:R, one watch trigger.
constexpr const char* poc_status = R"({"phase":"ProofOfConcept","previous":"Experience","since_ms":1800000000000,
 "source":"control-cli","reason":"paper results\nreviewed","auto_upgrade":false,"upgrade_proposed":false,
 "gate":{"transition":"ProofOfConcept->RealMoneyTrial","pass":false,"criteria":[
   {"criterion":"min_sessions","value":"3","threshold":"5","pass":false},
   {"criterion":"min_rr","value":"","threshold":"1","pass":true}]},
 "downgrade":{"fire":false,"trigger":"","watch":[
   {"criterion":"consecutive_losses","value":"1","threshold":"3","pass":true}]},
 "session":{"index":20833,"start_ms":1799971200000,"end_ms":1800057600000,"trades":4,"wins":3,"losses":1,
   "win_rate":"0.75","pnl":"1.2","loss_streak":0},
 "windows":{"10":{"trades":12,"wins":7,"losses":5,"sessions":3,"win_rate":"0.583333","avg_win":"1","avg_loss":"0.9",
   "rr":"1.111111","pnl":"2.5","largest_loss":"2","loss_streak":1,"max_loss_streak":2,"max_drawdown":"3.1"}}})";

} // namespace

TEST_CASE("phase status: the reply as text - criterion by criterion") {
  auto t = phase_status_text(poc_status);
  REQUIRE(t.ok());
  // The reason's newline is escaped: text from the node cannot break the layout
  // or drive the terminal. An undefined figure shows as "-".
  CHECK(*t == "phase      ProofOfConcept since 2027-01-15T08:00:00.000Z (from Experience, control-cli: paper results\\nreviewed)\n"
              "gate       ProofOfConcept->RealMoneyTrial: not met, auto_upgrade off\n"
              "  criterion            value          threshold\n"
              "  min_sessions         3              5              FAIL\n"
              "  min_rr               -              1              ok\n"
              "downgrade  watching, no trigger fired\n"
              "  criterion            value          threshold\n"
              "  consecutive_losses   1              3              ok\n"
              "session    #20833 2027-01-15T00:00:00.000Z .. 2027-01-16T00:00:00.000Z: 4 trades, 3 wins, 1 losses, "
              "win rate 0.75, pnl 1.2, loss streak 0\n"
              "window     last 10 sessions: 12 trades, 7 wins, 5 losses, win rate 0.583333, pnl 2.5, R:R 1.111111, "
              "max drawdown 3.1, 3 sessions traded\n");
}

TEST_CASE("phase status: a fired downgrade, a proposal, the top phase") {
  auto fired = phase_status_text(R"({"phase":"RealMoneyTrial","since_ms":0,"upgrade_proposed":true,"auto_upgrade":true,
    "gate":{"transition":"RealMoneyTrial->Scaling","pass":true,"criteria":[]},
    "downgrade":{"fire":true,"trigger":"session_loss","watch":[
      {"criterion":"session_loss","value":"-3","threshold":"-2.5","pass":false}]}})");
  REQUIRE(fired.ok());
  CHECK(fired->find("gate       RealMoneyTrial->Scaling: MET, upgrade proposed (confirm with tdmaker ctl phase), "
                    "auto_upgrade on\n  (none)\n")
        != std::string::npos);
  CHECK(fired->find("downgrade  FIRED: session_loss\n") != std::string::npos);
  CHECK(fired->find("  session_loss         -3             -2.5           FIRED\n") != std::string::npos);
  auto top = phase_status_text(R"({"phase":"Scaling","gate":{"transition":"","pass":false,"criteria":[]}})");
  REQUIRE(top.ok());
  CHECK(top->find("gate       none: no phase above this one\n") != std::string::npos);
}

TEST_CASE("phase status: a reply that is not a phase status is an error") {
  CHECK(phase_status_text("[1,2]").error() == "the node's reply is not a phase status object");
  CHECK(phase_status_text(R"({"status":"ok"})").error() == "the node's reply is not a phase status object");
  CHECK(phase_status_text(R"({"phase":7})").error() == "the node's reply is not a phase status object");
  CHECK(phase_status_text("{").error().starts_with("the node's reply: invalid JSON"));
}
