// The real tdmaker binary on loopback: metrics, health, phase control, SIGTERM,
// restart persistence.
#include <doctest/doctest.h>

#include <signal.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <thread>

#include "app/ctl_client.hpp"
#include "process.hpp"

using namespace tdmaker;

namespace {

const std::string token = "e2e-token-7f3a";

// Port 0: the node binds a free port and logs it (see test::announced_port).
std::string write_config(const std::string& dir) {
  auto path = dir + "/node.json";
  std::ofstream(path) << R"({"node":{"data_dir":")" << dir << R"(/data","log_dir":")" << dir
                      << R"(/logs"},"http":{"listen":"127.0.0.1:0"},"telemetry":{"flush_ms":50}})";
  return path;
}

std::string base_url(const test::child& node) {
  int port = test::announced_port(node, "http: listening on 127.0.0.1:", 20);
  REQUIRE_MESSAGE(port > 0, test::read_all(node.out_path));
  return "http://127.0.0.1:" + std::to_string(port);
}

// Polls /health until the node answers (bounded; startup, not a timing assertion).
bool wait_ready(const std::string& base) {
  for (int i = 0; i < 250; ++i) {
    auto r = http_call("GET", base + "/health", "", "");
    if (r && r->status == 200)
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(40));
  }
  return false;
}

std::string metrics(const std::string& base) {
  auto r = http_call("GET", base + "/metrics", "", "");
  REQUIRE(r);
  REQUIRE(r->status == 200);
  return r->body;
}

std::string sample_line(const std::string& text, const std::string& prefix) {
  auto pos = text.find("\n" + prefix);
  if (pos == std::string::npos)
    return {};
  auto end = text.find('\n', pos + 1);
  return text.substr(pos + 1, end - pos - 1);
}

} // namespace

TEST_CASE("node e2e: metrics - health - phase control - SIGTERM and restart") {
  auto dir = test::temp_dir("node");
  auto cfg = write_config(dir);
  auto node = test::start({"--config", cfg}, {"TDMAKER_CONTROL_TOKEN=" + token}, dir + "/n1.log");
  auto base = base_url(node);
  REQUIRE_MESSAGE(wait_ready(base), test::read_all(dir + "/n1.log"));
  CHECK(test::read_all(dir + "/n1.log").find("node: venue CLOB http://127.0.0.1:") != std::string::npos);

  // Phase switch: no token, wrong token, bad phase, malformed body, then valid.
  auto body = R"({"phase":"RealMoneyTrial","reason":"e2e"})";
  auto r = http_call("POST", base + "/control/phase", body, "");
  REQUIRE(r);
  CHECK(r->status == 401);
  r = http_call("POST", base + "/control/phase", body, "wrong");
  CHECK(r->status == 401);
  r = http_call("POST", base + "/control/phase", R"({"phase":"Moon","reason":"e2e"})", token);
  CHECK(r->status == 400);
  CHECK(r->body.find("unknown phase 'Moon'") != std::string::npos);
  r = http_call("POST", base + "/control/phase", "{not json", token);
  CHECK(r->status == 400);
  auto st = http_call("GET", base + "/status", "", "");
  CHECK(st->body.find(R"("phase":{"phase":"Experience")") != std::string::npos);

  // An upgrade the node has not earned (no trades yet): 409 with the failing criteria.
  r = http_call("POST", base + "/control/phase", body, token);
  REQUIRE(r->status == 409);
  CHECK(r->body.find(R"("transition":"Experience->ProofOfConcept")") != std::string::npos);
  CHECK(r->body.find(R"({"criterion":"min_trades","value":"0","threshold":"20"})") != std::string::npos);
  st = http_call("GET", base + "/status", "", "");
  CHECK(st->body.find(R"("phase":{"phase":"Experience")") != std::string::npos);
  // Forced: taken, and recorded as an override.
  r = http_call("POST", base + "/control/phase", R"({"phase":"RealMoneyTrial","reason":"e2e","force":true})",
                token);
  REQUIRE(r->status == 200);
  CHECK(r->body.find(R"("phase":"RealMoneyTrial")") != std::string::npos);
  CHECK(r->body.find(R"("override":true)") != std::string::npos);
  st = http_call("GET", base + "/status", "", "");
  CHECK(st->body.find(R"("phase":{"phase":"RealMoneyTrial")") != std::string::npos);
  auto ph = http_call("GET", base + "/phase", "", "");
  REQUIRE(ph->status == 200);
  CHECK(ph->body.find(R"("phase":"RealMoneyTrial")") != std::string::npos);
  CHECK(ph->body.find(R"("gate":{"transition":"RealMoneyTrial->Scaling")") != std::string::npos);
  auto jsonl = test::read_all(dir + "/logs/phase/phase-overrides.jsonl");
  CHECK(jsonl.find(R"("kind":"override","from":"Experience","to":"RealMoneyTrial","source":"control-http",)"
                   R"("reason":"e2e")")
        != std::string::npos);
  auto history = test::read_all(dir + "/logs/phase/phase-history.jsonl");
  CHECK(history.find(R"("kind":"refusal")") != std::string::npos);
  CHECK(history.find(R"("kind":"override")") != std::string::npos);

  // The CLI does the same through the same endpoint.
  auto [ctl_rc, ctl_out] = test::run({"ctl", "phase", "ProofOfConcept", "--reason", "cli e2e",
                                      "--url", base},
                                     {"TDMAKER_CONTROL_TOKEN=" + token});
  CHECK_MESSAGE(ctl_rc == 0, ctl_out);
  auto [ctl_rc2, ctl_out2] = test::run({"ctl", "phase", "Scaling", "--reason", "x", "--url", base},
                                       {"TDMAKER_CONTROL_TOKEN=nope"});
  CHECK(ctl_rc2 == 1);
  // The CLI on a refusal: exit 1, each failing criterion on its own line.
  auto [ctl_rc3, ctl_out3] = test::run({"ctl", "phase", "RealMoneyTrial", "--reason", "back", "--url", base},
                                       {"TDMAKER_CONTROL_TOKEN=" + token});
  CHECK(ctl_rc3 == 1);
  CHECK_MESSAGE(ctl_out3.find("refused: gate ProofOfConcept->RealMoneyTrial not met") != std::string::npos, ctl_out3);
  CHECK_MESSAGE(ctl_out3.find("\n  min_trades 0 < 20") != std::string::npos, ctl_out3);
  auto [ctl_rc4, ctl_out4] = test::run({"ctl", "phase", "RealMoneyTrial", "--reason", "back", "--force", "--url",
                                        base},
                                       {"TDMAKER_CONTROL_TOKEN=" + token});
  CHECK_MESSAGE(ctl_rc4 == 0, ctl_out4);

  // Metrics: wait (bounded) for the telemetry flush, then check content and lint.
  std::string m;
  for (int i = 0; i < 100; ++i) {
    m = metrics(base);
    if (sample_line(m, "tdmaker_phase{phase=\"RealMoneyTrial\"}") == "tdmaker_phase{phase=\"RealMoneyTrial\"} 1"
        && m.find("tdmaker_actor_messages_handled_total{kind=\"control\"}") != std::string::npos)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(sample_line(m, "tdmaker_phase{phase=\"RealMoneyTrial\"}")
        == "tdmaker_phase{phase=\"RealMoneyTrial\"} 1");
  for (auto kind : {"store", "phase_manager", "control", "telemetry"}) {
    auto line = sample_line(m, std::string("tdmaker_actor_messages_handled_total{kind=\"") + kind);
    REQUIRE_MESSAGE(!line.empty(), kind);
    CHECK_MESSAGE(std::stoll(line.substr(line.rfind(' ') + 1)) > 0, line);
  }
  for (auto name : {"tdmaker_actor_handler_duration_seconds_bucket", "tdmaker_actor_mailbox_depth",
                    "tdmaker_actors_live", "tdmaker_actor_restarts_total", "tdmaker_markets_live",
                    "tdmaker_store_commit_duration_seconds_bucket",
                    "tdmaker_store_commit_batch_size_bucket", "process_resident_memory_bytes",
                    "process_threads", "tdmaker_uptime_seconds", "tdmaker_build_info"})
    CHECK_MESSAGE(m.find(std::string("\n") + name) != std::string::npos, name);
  CHECK(m.find(token) == std::string::npos);
  auto mfile = dir + "/metrics.txt";
  std::ofstream(mfile) << m;
  int lint = std::system(("promtool check metrics < " + mfile + " > " + dir + "/promtool.txt 2>&1").c_str());
  CHECK_MESSAGE(lint == 0, test::read_all(dir + "/promtool.txt"));

  auto h = http_call("GET", base + "/health", "", "");
  CHECK(h->status == 200);

  // SIGTERM: clean exit 0 within 5 s.
  kill(node.pid, SIGTERM);
  CHECK(test::wait_exit(node, 5.0) == 0);
  auto log = test::read_all(dir + "/n1.log");
  CHECK(log.find("node: stopped") != std::string::npos);
  CHECK(log.find(token) == std::string::npos);

  // Restart: the switched phase is still in force.
  auto node2 = test::start({"--config", cfg}, {"TDMAKER_CONTROL_TOKEN="}, dir + "/n2.log");
  base = base_url(node2);
  REQUIRE_MESSAGE(wait_ready(base), test::read_all(dir + "/n2.log"));
  st = http_call("GET", base + "/status", "", "");
  CHECK(st->body.find(R"("phase":{"phase":"RealMoneyTrial")") != std::string::npos);
  // Without a token the control endpoint is disabled, and says so.
  r = http_call("POST", base + "/control/phase", body, "anything");
  CHECK(r->status == 503);
  CHECK(test::read_all(dir + "/n2.log").find("control endpoint disabled") != std::string::npos);
  kill(node2.pid, SIGINT);
  CHECK(test::wait_exit(node2, 5.0) == 0);
}
