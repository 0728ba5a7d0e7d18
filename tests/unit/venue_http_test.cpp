// The venue's HTTP listener at the byte level (issue 14, defects 4 and 8): HEAD
// carries no body, so a keep-alive client reads the next reply intact; oversized
// and malformed requests get a clear answer; past the cap a connection gets 503.
#include <doctest/doctest.h>

#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

#include "../raw_http.hpp"
#include "venue/http_listener.hpp"

using namespace tdmaker;
using namespace tdmaker::venue;

namespace {

const std::string body = R"({"hello":"a body HEAD must not send"})";

/// One listener on its own io_context thread, answering every path with `body`.
struct running_listener {
  boost::asio::io_context ioc;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{ioc.get_executor()};
  http_listener listener;
  int port = 0;
  std::thread thread;

  explicit running_listener(listener_options o = {})
      : listener(ioc, [](const http_request&, const split_target&) { return http_reply{200, body}; }, o) {
    port = listener.listen("127.0.0.1", 0);
    thread = std::thread([this] { ioc.run(); });
  }
  ~running_listener() {
    boost::asio::post(ioc, [this] { listener.stop(); });
    work.reset();
    ioc.stop();
    thread.join();
  }
};

std::string status_line(const std::string& resp) { return resp.substr(0, resp.find("\r\n")); }

} // namespace

TEST_CASE("venue http: HEAD then GET on one keep-alive connection - no body with HEAD, the GET reply intact") {
  running_listener l;
  auto [head, rest] = test::head_then_get(l.port, "/anything", 5);
  CHECK(status_line(head) == "HTTP/1.1 200 OK");
  CHECK(test::content_length(head) == static_cast<long>(body.size())); // the GET body's length
  INFO("after the HEAD header: " << rest);
  CHECK(status_line(rest) == "HTTP/1.1 200 OK");
  CHECK(rest.substr(rest.find("\r\n\r\n") + 4) == body);
}

TEST_CASE("venue http: an oversized body gets 413, an oversized header 431, a malformed request 400") {
  listener_options o;
  o.max_body_bytes = 1000;
  o.max_header_bytes = 2000;
  running_listener l(o);
  auto ask = [&](const std::string& request) {
    test::raw_conn c(l.port);
    std::string buf;
    c.send_all(request);
    c.read_until(buf, [](const std::string& b) { return test::whole_response(b); }, 5);
    return buf;
  };
  auto big_body = ask("POST /order HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" + std::string(5000, 'a'));
  CHECK(status_line(big_body) == "HTTP/1.1 413 Payload Too Large");
  CHECK(big_body.find("request body larger than 1000 bytes") != std::string::npos);
  auto big_header = ask("GET / HTTP/1.1\r\nHost: x\r\nX-Pad: " + std::string(3000, 'b') + "\r\n\r\n");
  CHECK(status_line(big_header) == "HTTP/1.1 431 Request Header Fields Too Large");
  auto junk = ask("NOT HTTP AT ALL\r\n\r\n");
  CHECK(status_line(junk) == "HTTP/1.1 400 Bad Request");
  CHECK(junk.find("malformed HTTP request") != std::string::npos);
  // None of them was passed to the handler, and each connection was closed after the answer.
  CHECK(l.listener.requests() == 0);
}

TEST_CASE("venue http: past max_connections a new connection gets 503 too many connections, and is counted") {
  listener_options o;
  o.max_connections = 2;
  running_listener l(o);
  test::raw_conn a(l.port), b(l.port); // idle: they hold both slots
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  test::raw_conn extra(l.port);
  std::string buf;
  // Accepts are in connect order, so the third is seen after the two holders.
  CHECK(extra.read_until(buf, [](const std::string& s) { return test::whole_response(s); }, 5));
  CHECK(status_line(buf) == "HTTP/1.1 503 Service Unavailable");
  CHECK(buf.find(R"({"error":"too many connections"})") != std::string::npos);
  CHECK(l.listener.connections().refused.load() == 1);
  CHECK(l.listener.connections().open.load() == 2);
  // A holder leaves: its slot comes back and a new connection is served.
  a.close();
  bool served = false;
  for (auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
       !served && std::chrono::steady_clock::now() < deadline;) {
    test::raw_conn c(l.port);
    std::string r;
    c.send_all("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    c.read_until(r, [](const std::string& s) { return test::whole_response(s); }, 5);
    served = status_line(r) == "HTTP/1.1 200 OK";
  }
  CHECK(served);
}
