// The real tdmaker binary against hostile or careless operation (issue 14, defects 7
// and 8): secrets in /proc/PID/environ, file modes, phase reasons that are not text,
// a deleted tdmaker.lock, a corrupt stored record at start, a webhook that refuses
// a message for good.
#include <doctest/doctest.h>

#include <lmdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>
#include <vector>

#include "app/ctl_client.hpp"
#include "process.hpp"

using namespace tdmaker;

namespace {

const std::string token = "e2e-hardening-token-51c0";
const std::string bot_token = "424242:e2e-bot-token-not-real";

// Venue URLs on a port nothing listens on: these tests need no venue.
std::string write_config(const std::string& dir, const std::string& extra = "") {
  auto path = dir + "/node.json";
  std::ofstream(path) << R"({"node":{"data_dir":")" << dir << R"(/data","log_dir":")" << dir
                      << R"(/logs"},"http":{"listen":"127.0.0.1:0"},"telemetry":{"flush_ms":50},)"
                      << R"("log":{"file":")" << dir << R"(/node.log"})" << extra << "}";
  return path;
}

std::string base_url(const test::child& node) {
  int port = test::announced_port(node, "http: listening on 127.0.0.1:", 20);
  REQUIRE_MESSAGE(port > 0, test::read_all(node.out_path));
  return "http://127.0.0.1:" + std::to_string(port);
}

// Polls (bounded) until `ok` holds: waiting for a state, never a fixed sleep.
template <class F>
bool eventually(F ok, double seconds = 10) {
  auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < end) {
    if (ok())
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(40));
  }
  return ok();
}

bool ready(const std::string& base) {
  return eventually([&] {
    auto r = http_call("GET", base + "/health", "", "");
    return r && r->status == 200;
  });
}

int mode_of(const std::string& path) {
  struct stat st {};
  REQUIRE_MESSAGE(::stat(path.c_str(), &st) == 0, path);
  return static_cast<int>(st.st_mode & 0777);
}

void stop(const test::child& c) {
  kill(c.pid, SIGTERM);
  CHECK(test::wait_exit(c, 5.0) == 0);
}

bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

} // namespace

TEST_CASE("hardening: no token in /proc/PID/environ - files the node writes are not world-readable") {
  auto dir = test::temp_dir("harden-env");
  auto cfg = write_config(dir);
  auto node = test::start({"--config", cfg},
                          {"TDMAKER_CONTROL_TOKEN=" + token, "TDMAKER_TELEGRAM_TOKEN=" + bot_token}, dir + "/out.log");
  auto base = base_url(node);
  REQUIRE_MESSAGE(ready(base), test::read_all(node.out_path));

  // The kernel's copy of the start-up environment, which unsetenv does not touch.
  auto environ_text = test::read_all("/proc/" + std::to_string(node.pid) + "/environ");
  REQUIRE(contains(environ_text, "TDMAKER_CONTROL_TOKEN=")); // the block is the child's, not empty
  CHECK_MESSAGE(!contains(environ_text, token), "control token readable in /proc/PID/environ");
  CHECK_MESSAGE(!contains(environ_text, "e2e-bot-token-not-real"), "bot token readable in /proc/PID/environ");
  // The token still works: it moved into the node, it was not lost.
  auto r = http_call("POST", base + "/control/phase", R"({"phase":"ProofOfConcept","reason":"modes","force":true})", token);
  REQUIRE(r);
  CHECK(r->status == 200);

  for (auto path : {dir + "/logs/audit.jsonl", dir + "/logs/phase/phase-overrides.jsonl", dir + "/node.log",
                    dir + "/data/data.mdb", dir + "/data/tdmaker.lock"})
    CHECK_MESSAGE((mode_of(path) & 0007) == 0, path << " mode " << std::oct << mode_of(path));
  CHECK((mode_of(dir + "/logs/audit.jsonl") & 0077) == (0640 & 0077));
  stop(node);
}

TEST_CASE("hardening: a phase reason that is not clean text is refused with 400 and changes nothing") {
  auto dir = test::temp_dir("harden-reason");
  auto node = test::start({"--config", write_config(dir)}, {"TDMAKER_CONTROL_TOKEN=" + token}, dir + "/out.log");
  auto base = base_url(node);
  REQUIRE_MESSAGE(ready(base), test::read_all(node.out_path));

  // As JSON carries them: a raw byte that is not UTF-8, a newline that would start a
  // forged log line, ESC (terminal control), a raw C1 control (CSI, U+009B).
  for (std::string reason : {std::string("bad \xff utf8"), std::string("ok\\n2026 critical forged"),
                             std::string("\\u001b[2Jcleared"), std::string("c1 \xc2\x9b csi")}) {
    std::string body = R"({"phase":"Scaling","reason":")" + reason + "\"}";
    auto r = http_call("POST", base + "/control/phase", body, token);
    REQUIRE(r);
    CHECK_MESSAGE(r->status == 400, body);
    CHECK_MESSAGE(contains(r->body, "field 'reason' must be UTF-8 text without control characters"), r->body);
  }
  auto st = http_call("GET", base + "/status", "", "");
  CHECK(contains(st->body, R"("phase":{"phase":"Experience")"));
  CHECK(!std::filesystem::exists(dir + "/logs/phase/phase-overrides.jsonl"));
  auto r = http_call("POST", base + "/control/phase", R"({"phase":"Scaling","reason":"caf\u00e9 ok","force":true})", token);
  CHECK(r->status == 200);
  stop(node);
  // Every line of the log is one the node wrote: none starts with a forged prefix.
  auto log = test::read_all(dir + "/node.log");
  CHECK(!contains(log, "\ncritical forged"));
  CHECK(!contains(log, "\n2026 critical forged"));
  CHECK(!contains(log, "\x1b"));
}

TEST_CASE("hardening: deleting tdmaker.lock does not let a second node open the same store") {
  auto dir = test::temp_dir("harden-lock");
  auto cfg = write_config(dir);
  auto first = test::start({"--config", cfg}, {}, dir + "/first.log");
  REQUIRE_MESSAGE(ready(base_url(first)), test::read_all(first.out_path));
  REQUIRE(std::filesystem::remove(dir + "/data/tdmaker.lock"));

  auto second = test::start({"--config", cfg}, {}, dir + "/second.log");
  int rc = test::wait_exit(second, 10.0);
  auto out = test::read_all(second.out_path);
  if (rc == -1) { // it started: stop it before failing
    kill(second.pid, SIGKILL);
    test::wait_exit(second, 5.0);
  }
  CHECK_MESSAGE(rc == 1, out);
  CHECK_MESSAGE(contains(out, "is in use by another tdmaker process (pid " + std::to_string(first.pid) + ")"), out);
  stop(first);
}

namespace {

// Flips one payload byte of phase/current in place with LMDB itself (no node runs).
void corrupt_phase_record(const std::string& data_dir) {
  MDB_env* env = nullptr;
  REQUIRE(mdb_env_create(&env) == 0);
  mdb_env_set_maxdbs(env, 16);
  REQUIRE(mdb_env_open(env, data_dir.c_str(), 0, 0640) == 0);
  MDB_txn* txn = nullptr;
  REQUIRE(mdb_txn_begin(env, nullptr, 0, &txn) == 0);
  MDB_dbi dbi;
  REQUIRE(mdb_dbi_open(txn, "phase", 0, &dbi) == 0);
  std::string key = "current";
  MDB_val k{key.size(), key.data()}, v;
  REQUIRE(mdb_get(txn, dbi, &k, &v) == 0);
  std::string bytes(static_cast<const char*>(v.mv_data), v.mv_size);
  REQUIRE(bytes.size() > 20);
  bytes[bytes.size() - 5] ^= 0x01;
  MDB_val nv{bytes.size(), bytes.data()};
  REQUIRE(mdb_put(txn, dbi, &k, &nv, 0) == 0);
  REQUIRE(mdb_txn_commit(txn) == 0);
  mdb_env_close(env);
}

} // namespace

TEST_CASE("hardening: a corrupt stored phase record at start is named and the node exits 3") {
  auto dir = test::temp_dir("harden-corrupt");
  auto cfg = write_config(dir);
  auto node = test::start({"--config", cfg}, {}, dir + "/n1.log");
  REQUIRE_MESSAGE(ready(base_url(node)), test::read_all(node.out_path));
  stop(node);
  corrupt_phase_record(dir + "/data");

  auto again = test::start({"--config", cfg}, {}, dir + "/n2.log");
  int rc = test::wait_exit(again, 10.0);
  auto out = test::read_all(again.out_path);
  if (rc == -1) {
    kill(again.pid, SIGKILL);
    test::wait_exit(again, 5.0);
  }
  CHECK_MESSAGE(rc == 3, out);
  CHECK_MESSAGE(contains(out, "node: cannot start: store: corrupt record phase/current: corrupt record: checksum"),
                out);
  CHECK(!contains(out, "http: listening")); // nothing served on a store it cannot trust
}

namespace {

// A webhook that refuses every message with 400 and keeps each request body.
struct refusing_webhook {
  int fd = -1;
  int port = 0;
  std::atomic<bool> done{false};
  std::mutex mu;
  std::vector<std::string> bodies;
  std::thread th;

  refusing_webhook() {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
    ::listen(fd, 16);
    th = std::thread([this] { serve(); });
  }
  ~refusing_webhook() {
    done = true;
    ::shutdown(fd, SHUT_RDWR);
    ::close(fd);
    th.join();
  }
  void serve() {
    while (!done) {
      int c = ::accept(fd, nullptr, nullptr);
      if (c < 0)
        return;
      std::string req;
      char buf[4096];
      for (;;) { // headers, then Content-Length bytes of body
        auto head_end = req.find("\r\n\r\n");
        if (head_end != std::string::npos) {
          auto cl = req.find("Content-Length: ");
          std::size_t n = cl == std::string::npos ? 0 : std::stoul(req.substr(cl + 16));
          if (req.size() >= head_end + 4 + n)
            break;
        }
        auto got = ::recv(c, buf, sizeof buf, 0);
        if (got <= 0)
          break;
        req.append(buf, static_cast<std::size_t>(got));
      }
      {
        std::lock_guard g(mu);
        bodies.push_back(req);
      }
      const std::string body = R"({"ok":false,"error_code":400,"description":"Bad Request: chat not found"})";
      std::string reply = "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: "
                          + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
      (void)::send(c, reply.data(), reply.size(), MSG_NOSIGNAL);
      ::close(c);
    }
  }
  int count(const std::string& needle) {
    std::lock_guard g(mu);
    int n = 0;
    for (auto& b : bodies)
      n += contains(b, needle) ? 1 : 0;
    return n;
  }
};

} // namespace

TEST_CASE("hardening: a message the webhook refuses with 400 is dropped - not retried forever") {
  refusing_webhook hook;
  auto dir = test::temp_dir("harden-notify");
  auto cfg = write_config(dir, R"(,"notifier":{"webhook_url":"http://127.0.0.1:)" + std::to_string(hook.port)
                                 + R"(","chat_id":"42","min_level":"warning"})");
  auto node = test::start({"--config", cfg},
                          {"TDMAKER_CONTROL_TOKEN=" + token, "TDMAKER_TELEGRAM_TOKEN=" + bot_token}, dir + "/out.log");
  auto base = base_url(node);
  REQUIRE_MESSAGE(ready(base), test::read_all(node.out_path));

  auto r = http_call("POST", base + "/control/phase", R"({"phase":"ProofOfConcept","reason":"first-alert","force":true})", token);
  REQUIRE(r->status == 200);
  REQUIRE(eventually([&] { return hook.count("first-alert") >= 1; }));
  CHECK_MESSAGE(eventually([&] { return contains(test::read_all(node.out_path), "(permanent): dropped it"); }),
                test::read_all(node.out_path));
  // The next message goes out next: a retried first one would be ahead of it.
  r = http_call("POST", base + "/control/phase", R"({"phase":"Experience","reason":"second-alert"})", token);
  REQUIRE(r->status == 200);
  REQUIRE(eventually([&] { return hook.count("second-alert") >= 1; }));
  CHECK(hook.count("first-alert") == 1);
  CHECK(eventually([&] {
    auto m = http_call("GET", base + "/metrics", "", "");
    const std::string name = "tdmaker_notifier_messages_total{result=\"refused\"} ";
    auto at = m ? m->body.find(name) : std::string::npos;
    return at != std::string::npos && std::stoll(m->body.substr(at + name.size())) >= 2; // both phase alerts
  }));
  stop(node);
}
