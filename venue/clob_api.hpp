#pragma once
// CLOB REST (protocol ref §2-§4): public market data, L1 key management and the
// L2-authenticated order and account endpoints, mapped onto the exchange.
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "venue/exchange.hpp"
#include "venue/http_listener.hpp"
#include "venue/signer_limits.hpp"

namespace tdmaker::venue {

struct clob_api_config {
  std::int64_t auth_skew_s = 300; // accepted |now - POLY_TIMESTAMP|
  std::int64_t heartbeat_timeout_ms = 10'000;
  signer_limits_config rate_limits; // per-signer order and cancel buckets
};

class clob_api {
public:
  clob_api(exchange& ex, std::function<std::int64_t()> now_ms, clob_api_config cfg = {});
  http_reply handle(const http_request& req, const split_target& t);
  /// Cancels every order of a key whose heartbeat lapsed (> heartbeat_timeout_ms).
  void expire_heartbeats(std::int64_t now_ms);
  const signer_limits& rate_limits() const { return limits_; }

private:
  http_reply public_route(const http_request& req, const split_target& t);
  http_reply l1_route(const http_request& req, const split_target& t);
  http_reply l2_route(const http_request& req, const split_target& t, const std::string& api_key);
  /// The API key of a request whose L2 headers verify, or the 401 reply.
  std::variant<std::string, http_reply> authenticate_l2(const http_request& req, const split_target& t);

  http_reply post_order(const std::string& body, const std::string& api_key);
  http_reply post_orders(const std::string& body, const std::string& api_key);
  http_reply book(const std::string& token);
  std::string book_json(const slot_market& m, const std::string& token);
  std::string order_json(const venue_order& o);
  std::string trade_json(const venue_trade& t, const std::string& reader);
  std::string market_json(const slot_market& m);

  http_reply heartbeat(const std::string& body, const std::string& api_key);
  /// Runs `run` if the key's signer has `cost` tokens in bucket `b` (429 if not),
  /// and stamps the rate-limit headers on whatever it replies.
  http_reply limited(const std::string& api_key, limit_bucket b, std::int64_t cost,
                     const std::function<http_reply(limit_verdict&)>& run);
  http_reply trading_route(const http_request& req, const split_target& t, const std::string& api_key);

  struct heartbeat_state {
    std::string id;
    std::int64_t last_ms = 0;
    std::uint64_t n = 0;
  };
  exchange& ex_;
  std::function<std::int64_t()> now_ms_;
  clob_api_config cfg_;
  std::map<std::string, heartbeat_state> heartbeats_; // by API key
  signer_limits limits_;
};

} // namespace tdmaker::venue
