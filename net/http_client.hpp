#pragma once
// Asynchronous HTTP/1.1 to one venue host (Boost.Beast on the io_pool's threads):
// TLS with SNI and certificate verification for https, plain TCP for http
// (loopback), keep-alive connections reused, a timeout per attempt, the venue's
// rate limits applied client-side, and retries with exponential backoff + jitter
// only where a retry cannot do a thing twice. Completion callbacks run on an I/O
// thread: an actor's callback should only send itself a message.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "core/endpoint.hpp"
#include "net/io_pool.hpp"
#include "core/auth_headers.hpp"
#include "core/backoff.hpp"
#include "core/rate_limiter.hpp"

namespace tdmaker {

enum class retry_rule : std::uint8_t {
  /// GETs and cancels: any transport error, 5xx, 425 or 429 is retried.
  idempotent,
  /// Placements: retried only when the venue certainly did not process them
  /// (425 engine restart, 429 throttled). A timeout or 5xx is returned to the
  /// caller, who must look the order up instead of sending it again.
  unprocessed_only,
  never,
};

struct http_request {
  std::string method = "GET";
  std::string target = "/"; // path and query
  std::string body;
  header_list headers;
  retry_rule retry = retry_rule::idempotent;
  std::string rate_class = "general";
  std::int64_t cost = 1; // rate-limit tokens (a batch of N orders costs N)
};

struct http_response {
  int status = 0;          // 0: no HTTP reply; `body` then says why
  std::string body;
  std::string retry_after; // Retry-After header
  std::uint32_t attempts = 0;
};

struct http_client_options {
  std::chrono::milliseconds timeout{10'000}; // per attempt: connect + write + read
  std::uint32_t max_attempts = 4;
  backoff_policy backoff{std::chrono::milliseconds(250), std::chrono::milliseconds(4'000)};
  std::size_t max_idle = 8;
  std::vector<rate_limit> limits; // by class; a class without a limit is not paced
  std::string user_agent = "tdmaker";
};

struct http_client_stats {
  std::atomic<std::uint64_t> requests{0}, attempts{0}, retries{0}, failures{0}, throttled{0},
    connections{0};
};

class http_client : public std::enable_shared_from_this<http_client> {
public:
  using callback = std::function<void(http_response)>;
  static std::shared_ptr<http_client> make(io_pool& io, endpoint ep, http_client_options opts);
  ~http_client();

  void send(http_request req, callback done);
  const endpoint& where() const { return ep_; }
  /// The client's strand: timers of its users run beside its requests.
  boost::asio::any_io_executor executor() const;
  const http_client_stats& stats() const { return stats_; }

  struct impl;

private:
  http_client(io_pool& io, endpoint ep, http_client_options opts);
  endpoint ep_;
  http_client_stats stats_;
  std::unique_ptr<impl> impl_;
};

} // namespace tdmaker
