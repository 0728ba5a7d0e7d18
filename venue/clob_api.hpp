#pragma once
// CLOB REST (protocol ref §2-§4): public market data, L1 key management and the
// L2-authenticated order and account endpoints, mapped onto the exchange.
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "venue/exchange.hpp"
#include "venue/http_listener.hpp"

namespace tdmaker::venue {

struct clob_api_config {
  std::int64_t auth_skew_s = 300; // accepted |now - POLY_TIMESTAMP|
  std::int64_t heartbeat_timeout_ms = 10'000;
};

class clob_api {
public:
  clob_api(exchange& ex, std::function<std::int64_t()> now_ms, clob_api_config cfg = {});
  http_reply handle(const http_request& req, const split_target& t);
  /// Cancels every order of a key whose heartbeat lapsed (> heartbeat_timeout_ms).
  void expire_heartbeats(std::int64_t now_ms);

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

  struct heartbeat_state {
    std::string id;
    std::int64_t last_ms = 0;
    std::uint64_t n = 0;
  };
  exchange& ex_;
  std::function<std::int64_t()> now_ms_;
  clob_api_config cfg_;
  std::map<std::string, heartbeat_state> heartbeats_; // by API key
};

} // namespace tdmaker::venue
