#pragma once
// Gamma REST (protocol ref §1): events and markets by slug and by series, with
// the real camelCase names and the JSON-encoded string fields.
#include <functional>

#include "venue/exchange.hpp"
#include "venue/http_listener.hpp"

namespace tdmaker::venue {

class gamma_api {
public:
  /// Each market announces its own series and resolution rule (slot_market).
  gamma_api(const exchange& ex, std::function<std::int64_t()> now_ms);
  http_reply handle(const http_request& req, const split_target& t);

private:
  std::string event_json(const slot_market& m);
  std::string market_json(const slot_market& m);

  const exchange& ex_;
  std::function<std::int64_t()> now_ms_;
};

/// "2026-05-10T18:30:00Z"
std::string iso8601(std::int64_t unix_s);

} // namespace tdmaker::venue
