#pragma once
// Ground truth for tests and operators: per-address balances, positions, open
// orders, fills with fees and settlements, plus the venue's own /metrics.
// Account endpoints need `Authorization: Bearer $TDMAKER_VENUE_ADMIN_TOKEN`.
#include <functional>
#include <string>

#include "venue/faults.hpp"
#include "venue/http_listener.hpp"
#include "venue/world.hpp"

namespace tdmaker::venue {

struct venue_counters {
  std::uint64_t clob_requests = 0;
  std::uint64_t gamma_requests = 0;
  std::uint64_t rate_limited_orders = 0;  // per-signer bucket refusals (or warnings)
  std::uint64_t rate_limited_cancels = 0;
};

class admin_api {
public:
  admin_api(world& w, fault_injector& faults, std::string token, std::function<venue_counters()> counters,
            std::function<std::int64_t()> now_ms);
  http_reply handle(const http_request& req, const split_target& t);

private:
  std::string account_json(const account& a);
  http_reply sim(const http_request& req);
  http_reply reference(const http_request& req);
  std::string metrics();

  world& world_;
  fault_injector& faults_;
  std::string token_;
  std::function<venue_counters()> counters_;
  std::function<std::int64_t()> now_ms_;
};

} // namespace tdmaker::venue
