// GET /events and /events/stream over real sockets (issue 18 item 3): frames
// in order with ids, a reconnect with Last-Event-ID gets only the newer ones, a
// bad query is a 400, and a consumer that never reads is dropped while a second
// one keeps receiving everything and /metrics keeps answering.
#include <atomic>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <caf/scoped_actor.hpp>

#include "actors/events.hpp"
#include "actors/telemetry.hpp"
#include "net/http_server.hpp"
#include "fixture.hpp"

using namespace tdmaker;
using namespace std::chrono_literals;

namespace {

/// A blocking loopback client with a receive timeout; `rcvbuf` > 0 shrinks the
/// socket's receive buffer before connecting (a consumer that holds little).
class client {
public:
  client(std::uint16_t port, int rcvbuf = 0) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    if (rcvbuf > 0)
      ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    timeval tv{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  }
  ~client() { ::close(fd_); }

  void send(const std::string& s) { REQUIRE(::write(fd_, s.data(), s.size()) == static_cast<ssize_t>(s.size())); }
  /// Appends what arrives to `buf`; false on EOF, error or timeout.
  bool read_some(std::string& buf) {
    char tmp[16384];
    auto n = ::read(fd_, tmp, sizeof tmp);
    if (n <= 0)
      return false;
    buf.append(tmp, static_cast<std::size_t>(n));
    return true;
  }
  std::string read_all() {
    std::string buf;
    while (read_some(buf)) {
    }
    return buf;
  }

private:
  int fd_;
};

std::string get(std::uint16_t port, const std::string& target, const std::string& headers = "") {
  client c(port);
  c.send("GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n" + headers + "\r\n");
  return c.read_all();
}

/// Reads a stream until `n` events have arrived; returns their ids in order.
struct stream_reader {
  explicit stream_reader(std::uint16_t port, const std::string& target, const std::string& headers = "",
                         int rcvbuf = 0)
    : c(port, rcvbuf) {
    c.send("GET " + target + " HTTP/1.1\r\nHost: localhost\r\n" + headers + "\r\n");
  }
  bool until(std::size_t n) {
    while (ids.size() < n) {
      if (!c.read_some(buf))
        return false;
      parse();
    }
    return true;
  }
  void parse() {
    for (;;) {
      auto end = buf.find("\n\n", pos);
      if (end == std::string::npos)
        return;
      auto frame = buf.substr(pos, end - pos);
      pos = end + 2;
      if (auto h = frame.find("\r\n\r\n"); h != std::string::npos) { // the response head precedes the first frame
        head = frame.substr(0, h);
        frame = frame.substr(h + 4);
      }
      if (frame.rfind("id: ", 0) == 0)
        ids.push_back(std::stoull(frame.substr(4, frame.find('\n') - 4)));
      else if (frame.rfind("event: missed", 0) == 0)
        missed = true;
    }
  }
  client c;
  std::string buf, head;
  std::size_t pos = 0;
  std::vector<std::uint64_t> ids;
  bool missed = false;
};

bool contiguous(const std::vector<std::uint64_t>& ids) {
  for (std::size_t i = 1; i < ids.size(); ++i)
    if (ids[i] != ids[i - 1] + 1)
      return false;
  return true;
}

struct server_fixture : test::actor_fixture {
  server_fixture() {
    telemetry_options o;
    o.status_every = 0ms;
    tel = spawn_telemetry(*sys, o);
    ev = spawn_events(*sys, tel, events_options{1000, 2, 250ms});
    http = std::make_unique<http_server>(
      *sys, http_targets{tel, control_actor{}, directory_actor{}, supervisor_actor{}, false, ev, 1000, store_actor{}}, "");
    auto p = http->start(*parse_listen_address("127.0.0.1:0"));
    REQUIRE(p);
    port = *p;
  }
  ~server_fixture() {
    http->stop();
    caf::anon_send_exit(ev, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(tel, caf::exit_reason::user_shutdown);
  }
  void add(int n, std::size_t pad = 16) {
    for (int i = 0; i < n; ++i)
      caf::anon_send(ev, event_input{event_kind::order_placed, 1000 + i, R"({"pad":")" + std::string(pad, 'x') + "\"}"});
  }
  /// Polls /metrics until it shows `line`; each poll also proves the node still answers.
  bool metrics_show(const std::string& line, int nudge = 0) {
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
      auto m = get(port, "/metrics");
      if (m.find("\n" + line + "\n") != std::string::npos)
        return true;
      add(nudge); // a write is how a closed consumer is noticed
    }
    return false;
  }
  telemetry_actor tel;
  events_actor ev;
  std::unique_ptr<http_server> http;
  std::uint16_t port = 0;
};

} // namespace

TEST_CASE_FIXTURE(server_fixture, "events http: GET /events pages the history and refuses a bad query") {
  add(5);
  auto r = get(port, "/events?since=2&limit=2");
  CHECK(r.find("HTTP/1.1 200") == 0);
  CHECK(r.find(R"("seq":3,"kind":"order_placed")") != std::string::npos);
  CHECK(r.find(R"("seq":4,)") != std::string::npos);
  CHECK(r.find(R"("seq":5,)") == std::string::npos);
  CHECK(r.find(R"("next":4,"missed":false)") != std::string::npos);
  for (auto bad : {"/events?since=x", "/events?limit=0", "/events?limit=1001", "/events?since=1&since=2",
                   "/events?colour=red"}) {
    auto b = get(port, bad);
    CHECK_MESSAGE(b.find("HTTP/1.1 400") == 0, bad);
    CHECK(b.find(R"({"error":)") != std::string::npos);
  }
  CHECK(get(port, "/events/stream", "Last-Event-ID: nope\r\n").find("HTTP/1.1 400") == 0);
}

TEST_CASE_FIXTURE(server_fixture, "events http: the stream sends events in order with ids, and a reconnect with Last-Event-ID gets only newer ones") {
  add(3);
  {
    stream_reader a(port, "/events/stream?since=0");
    REQUIRE(a.until(3));
    CHECK(a.head.find("HTTP/1.1 200") == 0);
    CHECK(a.head.find("text/event-stream") != std::string::npos);
    add(2);
    REQUIRE(a.until(5));
    CHECK(a.ids == std::vector<std::uint64_t>{1, 2, 3, 4, 5});
    CHECK(a.buf.find("event: order_placed\ndata: {\"seq\":1,") != std::string::npos);
  }
  CHECK(metrics_show("tdmaker_event_subscribers 0", 1)); // the closed consumer is noticed on a write
  const std::uint64_t last = 5; // what `a` saw last; the nudges above added newer ones
  stream_reader b(port, "/events/stream", "Last-Event-ID: " + std::to_string(last) + "\r\n");
  add(1);
  REQUIRE(b.until(1));
  CHECK(b.ids.front() == last + 1);
  CHECK_FALSE(b.missed);
  CHECK(contiguous(b.ids));
}

TEST_CASE_FIXTURE(server_fixture, "events http: a stalled consumer is dropped while another keeps receiving, and past max_subscribers it is 503") {
  // Subscribed from now: both see the same events.
  stream_reader stalled(port, "/events/stream", "", 4096); // holds little, reads nothing
  REQUIRE(metrics_show("tdmaker_event_subscribers 1"));
  stream_reader reader(port, "/events/stream", "");
  REQUIRE(metrics_show("tdmaker_event_subscribers 2"));
  auto refused = get(port, "/events/stream");
  CHECK(refused.find("HTTP/1.1 503") == 0);
  CHECK(refused.find("max_subscribers") != std::string::npos);
  // Batches of 100 events of ~1 KiB, each read whole by `reader` before the next;
  // `stalled` never reads, so its connection's queue fills and it is dropped.
  bool dropped = false;
  std::size_t sent = 0;
  for (int batch = 0; batch < 60 && !dropped; ++batch) {
    add(100, 1000);
    sent += 100;
    REQUIRE(reader.until(sent));
    dropped = get(port, "/metrics").find("\ntdmaker_event_consumers_dropped_total 1\n") != std::string::npos;
  }
  CHECK(dropped);
  CHECK(contiguous(reader.ids));
  // The reader keeps receiving after the drop.
  add(10);
  REQUIRE(reader.until(sent + 10));
  CHECK(contiguous(reader.ids));
  CHECK(metrics_show("tdmaker_event_subscribers 1"));
  (void)stalled;
}
