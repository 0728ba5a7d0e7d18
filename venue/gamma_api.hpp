#pragma once
// Gamma REST (protocol ref §1): events and markets by slug and by series, with
// the real camelCase names and the JSON-encoded string fields.
#include <functional>

#include "venue/exchange.hpp"
#include "venue/http_listener.hpp"

namespace tdmaker::venue {

class gamma_api {
public:
  /// `twap`: the world resolves on the 60 s TWAP (`--twap`), which each market's
  /// `cryptoMarketConfig.twapEnabled` and `resolutionSource` announce.
  gamma_api(const exchange& ex, std::function<std::int64_t()> now_ms, std::int64_t slot_seconds,
            bool twap = false);
  http_reply handle(const http_request& req, const split_target& t);

private:
  std::string event_json(const slot_market& m);
  std::string market_json(const slot_market& m);

  const exchange& ex_;
  std::function<std::int64_t()> now_ms_;
  std::int64_t slot_seconds_;
  bool twap_;
};

/// "2026-05-10T18:30:00Z"
std::string iso8601(std::int64_t unix_s);

} // namespace tdmaker::venue
