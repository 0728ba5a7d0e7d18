#pragma once
// A small HTTP/1.1 server on the venue's single io_context: every handler runs on
// that one thread, so the exchange it calls needs no locks.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/beast/http.hpp>

#include "net/accept_loop.hpp"

namespace tdmaker::venue {

namespace http = boost::beast::http;
using http_request = http::request<http::string_body>;

struct http_reply {
  http_reply() = default;
  http_reply(int s, std::string b, std::string ct = "application/json")
      : status(s), body(std::move(b)), content_type(std::move(ct)) {}
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::map<std::string, std::string> headers;
  bool drop_connection = false; // fault injection: close without replying
};

/// Path without the query string, and the decoded query parameters.
struct split_target {
  std::string path;
  std::map<std::string, std::string> query;
};
split_target split(std::string_view target);

/// Connection and request limits; the same accept loop and rules as the node's server.
struct listener_options {
  std::string name = "venue http";
  std::size_t max_connections = 256;            // past it: 503 too many connections
  std::chrono::milliseconds idle_timeout{60000}; // clients (the node's pool) keep connections warm
  std::size_t max_header_bytes = 8 * 1024;
  std::size_t max_body_bytes = 1 << 20;          // POST /orders batches
};

class http_listener {
public:
  using handler = std::function<http_reply(const http_request&, const split_target&)>;

  http_listener(boost::asio::io_context& ioc, handler h, listener_options opts = {});
  ~http_listener();

  /// Binds and starts accepting; returns the bound port (0 asks the OS).
  std::uint16_t listen(const std::string& host, std::uint16_t port);
  void stop();
  std::uint64_t requests() const;
  /// Accept errors, refusals and open connections (zeros before listen()).
  const net::accept_counters& connections() const;

private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

} // namespace tdmaker::venue
