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
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "core/endpoint.hpp"
#include "net/io_pool.hpp"
#include "core/auth_headers.hpp"
#include "core/backoff.hpp"
#include "core/rate_limiter.hpp"
#include "core/signer_pacer.hpp"

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
  signer_kind signer = signer_kind::none;         // the per-signer bucket it draws from
  std::int64_t signer_cost = 1;                   // its tokens: 1 per order or id
  pace_priority priority = pace_priority::entry;  // who gets that bucket's tokens first
  std::int64_t send_by_unix_ms = 0;               // an entry still waiting then is dropped
};

struct http_response {
  int status = 0;          // 0: no HTTP reply; `body` then says why
  std::string body;
  std::string retry_after; // Retry-After header
  std::uint32_t attempts = 0;
  bool not_sent = false;   // the signer pacer held it back (dropped or over the burst)
  // Poly-RateLimit-Remaining, -Reset, -Tier, -Warning, raw (parsed by the client).
  std::string limit_remaining, limit_reset, limit_tier, limit_warning;
};

struct http_client_options {
  std::chrono::milliseconds timeout{10'000}; // per attempt: connect + write + read
  std::uint32_t max_attempts = 4;
  backoff_policy backoff{std::chrono::milliseconds(250), std::chrono::milliseconds(4'000)};
  std::size_t max_idle = 8;
  std::vector<rate_limit> limits; // by class; a class without a limit is not paced
  std::string user_agent = "tdmaker";
  /// Paces signer-bucket requests (CLOB trading endpoints) from the venue's headers.
  std::optional<signer_pacer_options> signer;
};

struct http_client_stats {
  std::atomic<std::uint64_t> requests{0}, attempts{0}, retries{0}, failures{0}, throttled{0},
    connections{0};
  // The per-signer pacer: 429s of signer requests, requests it delayed or dropped,
  // malformed rate-limit headers ignored, and its token model per bucket.
  std::atomic<std::uint64_t> signer_429{0}, signer_delayed{0}, signer_dropped{0}, bad_limit_headers{0};
  std::atomic<std::int64_t> order_tokens{0}, cancel_tokens{0}, waiting{0};
};

/// One REST request and its answer: what every reader of the venue takes, so a
/// replay can answer from a recording where a live node asks an http_client.
/// The callback may run on any thread. Empty: that source is not available.
using http_fetch = std::function<void(http_request, std::function<void(http_response)>)>;

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

/// The client as an http_fetch (null: an empty fetch).
http_fetch fetch_of(std::shared_ptr<http_client> client);

} // namespace tdmaker
