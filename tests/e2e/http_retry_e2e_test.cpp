// The REST client's retries against a loopback server that answers every request
// 429 with Retry-After: 1: an entry is retried only while the retry can still go
// before its send-by time (its slot's cancel time); past it the 429 is returned.
#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include <boost/asio.hpp>
#include <doctest/doctest.h>

#include "net/http_client.hpp"
#include "net/io_pool.hpp"

using namespace tdmaker;
namespace asio = boost::asio;

namespace {

/// Answers each request on a connection with 429 Retry-After: 1, counting them.
struct throttling_server {
  asio::io_context ioc;
  asio::ip::tcp::acceptor acceptor{ioc, {asio::ip::make_address("127.0.0.1"), 0}};
  std::atomic<int> requests{0};
  std::thread thread;

  throttling_server() {
    accept();
    thread = std::thread([this] { ioc.run(); });
  }
  ~throttling_server() {
    ioc.stop();
    thread.join();
  }
  int port() const { return acceptor.local_endpoint().port(); }

  void accept() {
    acceptor.async_accept([this](boost::system::error_code ec, asio::ip::tcp::socket s) {
      if (ec)
        return;
      serve(std::make_shared<asio::ip::tcp::socket>(std::move(s)), std::make_shared<std::string>());
      accept();
    });
  }
  void serve(std::shared_ptr<asio::ip::tcp::socket> s, std::shared_ptr<std::string> buf) {
    asio::async_read_until(*s, asio::dynamic_buffer(*buf), "\r\n\r\n", [this, s, buf](boost::system::error_code ec,
                                                                                         std::size_t n) {
      if (ec)
        return;
      buf->erase(0, n); // the requests carry no body
      ++requests;
      static const std::string reply = "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\nContent-Type: "
                                       "application/json\r\nContent-Length: 29\r\n\r\n{\"error\":\"Too Many Requests\"}";
      asio::async_write(*s, asio::buffer(reply), [this, s, buf](boost::system::error_code e, std::size_t) {
        if (!e)
          serve(s, buf);
      });
    });
  }
};

std::int64_t unix_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
    .count();
}

http_response send(http_client& c, http_request r) {
  std::promise<http_response> p;
  auto f = p.get_future();
  c.send(std::move(r), [&](http_response res) { p.set_value(std::move(res)); });
  REQUIRE(f.wait_for(std::chrono::seconds(20)) == std::future_status::ready);
  return f.get();
}

http_request entry(std::int64_t send_by_unix_ms) {
  http_request r;
  r.method = "POST";
  r.target = "/order";
  r.retry = retry_rule::unprocessed_only;
  r.send_by_unix_ms = send_by_unix_ms;
  return r;
}

} // namespace

TEST_CASE("http client: an entry throttled with 429 is not retried past its send-by time - it is retried before it") {
  throttling_server srv;
  io_pool io(1);
  auto ep = parse_endpoint("http://127.0.0.1:" + std::to_string(srv.port()));
  REQUIRE(ep.ok());
  http_client_options o;
  o.max_attempts = 2;
  o.timeout = std::chrono::milliseconds(5000);
  auto c = http_client::make(io, *ep, o);

  // Retry-After: 1 puts the retry a second out, past a send-by 300 ms away.
  auto late = send(*c, entry(unix_now_ms() + 300));
  CHECK(late.status == 429);
  CHECK(late.attempts == 1);
  CHECK(srv.requests.load() == 1);
  CHECK(c->stats().retries.load() == 0);

  // With time to spare it is retried (and throttled again: max_attempts 2).
  auto early = send(*c, entry(unix_now_ms() + 60'000));
  CHECK(early.status == 429);
  CHECK(early.attempts == 2);
  CHECK(srv.requests.load() == 3);
  CHECK(c->stats().retries.load() == 1);

  // Without a send-by time (a cancel, a look-up): retried as before.
  auto any = send(*c, entry(0));
  CHECK(any.attempts == 2);
  CHECK(srv.requests.load() == 5);
}
