// The node's HTTP server under hostile connection patterns (issue 14, defects 4 and
// 8a): out of file descriptors, past the connection cap, idle and oversized
// requests, HEAD on a keep-alive connection. The real binary, on loopback.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "../raw_http.hpp"
#include "app/ctl_client.hpp"
#include "process.hpp"

using namespace tdmaker;

namespace {

std::string write_config(const std::string& dir, const std::string& http_extra) {
  auto path = dir + "/node.json";
  std::ofstream(path) << R"({"node":{"data_dir":")" << dir << R"(/data","log_dir":")" << dir
                      << R"(/logs"},"http":{"listen":"127.0.0.1:0")" << http_extra
                      << R"(},"telemetry":{"flush_ms":50}})";
  return path;
}

struct started_node {
  std::string dir;
  test::child proc;
  int port = -1;
  std::string base;
  bool stopped = false;

  started_node() = default;
  started_node(const started_node&) = delete;
  // A failed REQUIRE must not leave the node running past the test.
  ~started_node() {
    if (!stopped && proc.pid > 0) {
      kill(proc.pid, SIGKILL);
      waitpid(proc.pid, nullptr, 0);
    }
  }
  std::string log() const { return test::read_all(proc.out_path); }
};

// Polls /health until 200 (bounded; startup, not a timing assertion).
bool wait_health(const std::string& base, double seconds) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = http_call("GET", base + "/health", "", "");
    if (r && r->status == 200)
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(40));
  }
  return false;
}

void start_node(started_node& n, const std::string& tag, const std::string& http_extra, long max_fds = 0) {
  n.dir = test::temp_dir(tag);
  n.proc = test::start({"--config", write_config(n.dir, http_extra)}, {}, n.dir + "/node.log", max_fds);
  n.port = test::announced_port(n.proc, "http: listening on 127.0.0.1:", 20);
  REQUIRE_MESSAGE(n.port > 0, n.log());
  n.base = "http://127.0.0.1:" + std::to_string(n.port);
  REQUIRE_MESSAGE(wait_health(n.base, 10), n.log());
}

void stop_node(started_node& n) {
  kill(n.proc.pid, SIGTERM);
  CHECK_MESSAGE(test::wait_exit(n.proc, 5.0) == 0, n.log());
  n.stopped = true; // wait_exit reaped it (or killed it on timeout)
}

/// CPU seconds (user + system) the process has used, from /proc/PID/stat.
double cpu_seconds(pid_t pid) {
  std::string stat = test::read_all("/proc/" + std::to_string(pid) + "/stat");
  auto after_comm = stat.rfind(')'); // the command name may hold spaces
  std::istringstream in(stat.substr(after_comm + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && in >> field; ++i) { // fields 14 and 15: utime, stime
    if (i == 14)
      utime = std::stoull(field);
    if (i == 15)
      stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

std::size_t open_fds(pid_t pid) {
  std::error_code ec;
  std::size_t n = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
    ++n;
  return n;
}

/// Spins one thread for `window` of wall time; returns the CPU seconds it got.
double busy_cpu_seconds(std::chrono::seconds window) {
  double got = 0;
  std::thread t([&] {
    auto end = std::chrono::steady_clock::now() + window;
    volatile std::uint64_t x = 0;
    while (std::chrono::steady_clock::now() < end)
      x = x + 1;
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    got = static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
  });
  t.join();
  return got;
}

/// The value of an unlabelled sample, or -1.
long long sample(const std::string& metrics, const std::string& name) {
  auto pos = metrics.find("\n" + name + " ");
  if (pos == std::string::npos)
    return -1;
  return std::stoll(metrics.substr(pos + name.size() + 2));
}

std::string status_line(const std::string& resp) { return resp.substr(0, resp.find("\r\n")); }

std::string one_request(int port, const std::string& request, double seconds = 5) {
  test::raw_conn c(port);
  std::string buf;
  c.send_all(request);
  c.read_until(buf, [](const std::string& b) { return test::whole_response(b); }, seconds);
  return buf;
}

bool log_has(const started_node& n, const std::string& text, double seconds) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (n.log().find(text) != std::string::npos)
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

} // namespace

TEST_CASE("http e2e: out of fds (RLIMIT_NOFILE 96, 120 idle connections) - no spin, logged, counted, /health back") {
  // The cap is set above the fd limit, so it is the fds that run out, as in the issue.
  started_node n;
  start_node(n, "http-fds", R"(,"max_connections":1000,"idle_timeout_ms":60000)", 96);
  std::vector<test::raw_conn> idle;
  for (int i = 0; i < 120; ++i) {
    idle.emplace_back(n.port); // the kernel completes the handshake; the node must accept
    REQUIRE(idle.back().ok());
  }
  // The node holds every fd it may have (the limit less a few it closes between tries).
  bool exhausted = false;
  for (auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
       !exhausted && std::chrono::steady_clock::now() < deadline;
       std::this_thread::sleep_for(std::chrono::milliseconds(20)))
    exhausted = open_fds(n.proc.pid) >= 90;
  REQUIRE_MESSAGE(exhausted, open_fds(n.proc.pid));

  // While the fds stay exhausted, the accept loop must wait, not spin. A busy thread
  // in this process is the yardstick: on a loaded machine a spinning node thread gets
  // about the same share of a core as it does (measured: 35 % of elapsed, not 100 %,
  // on a shared 2-core box), so the bound holds under load; the fixed node uses ~2 %.
  double c0 = cpu_seconds(n.proc.pid);
  double yardstick = busy_cpu_seconds(std::chrono::seconds(2)); // the measurement window
  double c1 = cpu_seconds(n.proc.pid);
  INFO("node cpu " << (c1 - c0) << " s while a busy thread got " << yardstick << " s");
  CHECK((c1 - c0) < 0.5 * yardstick);
  CHECK(log_has(n, "http: accept failed: Too many open files", 5));

  idle.clear(); // the clients leave: the node gets its fds back
  REQUIRE_MESSAGE(wait_health(n.base, 10), n.log());
  auto m = http_call("GET", n.base + "/metrics", "", "");
  REQUIRE(m);
  CHECK(sample(m->body, "tdmaker_http_accept_errors_total") > 0);
  // The recovery line comes with the first accept a quiet 5 s after the last error.
  bool recovered = false;
  for (auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
       !recovered && std::chrono::steady_clock::now() < deadline;) {
    http_call("GET", n.base + "/health", "", "");
    recovered = log_has(n, "http: accepting again after", 0.5);
  }
  CHECK_MESSAGE(recovered, n.log());
  stop_node(n);
}

TEST_CASE("http e2e: past http.max_connections extra connections get 503 - /health and /metrics still answered") {
  started_node n;
  start_node(n, "http-cap", R"(,"max_connections":4,"idle_timeout_ms":60000)");
  std::vector<test::raw_conn> holders;
  for (int i = 0; i < 4; ++i)
    holders.emplace_back(n.port); // idle: they hold every slot
  // Accepts are in connect order: each extra connection comes after the holders.
  for (int i = 0; i < 3; ++i) {
    auto r = one_request(n.port, "GET /status HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK(status_line(r) == "HTTP/1.1 503 Service Unavailable");
    CHECK(r.find(R"({"error":"too many connections"})") != std::string::npos);
  }
  auto h = one_request(n.port, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(status_line(h) == "HTTP/1.1 200 OK");
  auto m = one_request(n.port, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(status_line(m) == "HTTP/1.1 200 OK");
  CHECK(sample(m, "tdmaker_http_connections") == 4);
  CHECK(sample(m, "tdmaker_http_connections_max") == 4);
  CHECK(sample(m, "tdmaker_http_connections_refused_total") == 3);
  CHECK(log_has(n, "http: connection cap reached (4 open", 5));

  holders.clear(); // slots come back: every endpoint is served again
  bool served = false;
  for (auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
       !served && std::chrono::steady_clock::now() < deadline;)
    served = status_line(one_request(n.port, "GET /status HTTP/1.1\r\nHost: x\r\n\r\n")) == "HTTP/1.1 200 OK";
  CHECK(served);
  stop_node(n);
}

TEST_CASE("http e2e: an idle connection is closed after http.idle_timeout_ms - oversized and malformed requests answered") {
  started_node n;
  start_node(n, "http-idle", R"(,"idle_timeout_ms":500)");
  test::raw_conn c(n.port);
  std::string buf;
  c.read_until(buf, [](const std::string&) { return false; }, 5); // until EOF or 5 s
  CHECK(c.eof());
  CHECK(buf.empty());

  auto big_body = one_request(n.port, "POST /control/phase HTTP/1.1\r\nHost: x\r\nContent-Length: 70000\r\n\r\n"
                                          + std::string(70000, 'a'));
  CHECK(status_line(big_body) == "HTTP/1.1 413 Payload Too Large");
  CHECK(big_body.find("request body larger than 65536 bytes") != std::string::npos);
  auto big_header = one_request(n.port, "GET /health HTTP/1.1\r\nHost: x\r\nX-Pad: " + std::string(9000, 'b')
                                            + "\r\n\r\n");
  CHECK(status_line(big_header) == "HTTP/1.1 431 Request Header Fields Too Large");
  auto junk = one_request(n.port, "BLAH\x01 / HTTP/1.1\r\n\r\n");
  CHECK(status_line(junk) == "HTTP/1.1 400 Bad Request");
  auto m = http_call("GET", n.base + "/metrics", "", "");
  REQUIRE(m);
  for (auto reason : {"body_limit", "header_limit", "malformed"})
    CHECK_MESSAGE(m->body.find(std::string("tdmaker_http_bad_requests_total{reason=\"") + reason + "\"} 1")
                    != std::string::npos,
                  reason);
  stop_node(n);
}

TEST_CASE("http e2e: HEAD then GET on one keep-alive connection - HEAD has no body, the GET reply is intact") {
  started_node n;
  start_node(n, "http-head", "");
  auto [head, rest] = test::head_then_get(n.port, "/health", 5);
  CHECK(status_line(head) == "HTTP/1.1 200 OK");
  INFO("after the HEAD header: " << rest);
  REQUIRE(status_line(rest) == "HTTP/1.1 200 OK");
  auto get_body = rest.substr(rest.find("\r\n\r\n") + 4);
  CHECK(get_body == R"({"status":"ok","reasons":[]})");
  CHECK(test::content_length(head) == static_cast<long>(get_body.size())); // the GET body's length
  stop_node(n);
}
