#pragma once
// Seed 003's RiskGuard and stale escalation as one pure assessment: may new
// orders go out, must everything resting be cancelled, must trading stop. The
// order actor applies it on every placement and on a timer; a halt is latched
// there until the operator switches the phase again.
#include <cstdint>
#include <string_view>

#include "core/money.hpp"

namespace tdmaker {

struct risk_limits {
  std::int64_t stale_cancel_ms = 15'000;   // market feed silent this long: cancel all, no new orders
  std::int64_t stale_halt_ms = 60'000;     // ... this long: stop trading, critical alert
  std::uint32_t max_order_errors = 20;     // consecutive venue errors on orders: stop new orders
  usdc max_loss{50 * micros_per_unit};     // realised loss since start: stop new orders
};

struct risk_inputs {
  std::int64_t market_feed_age_ms = -1; // -1: no message yet
  bool feed_connected = false;
  bool safe_mode = false;               // the feed's breaker is open
  std::uint32_t consecutive_order_errors = 0;
  usdc realised_pnl;
};

struct risk_verdict {
  bool allow_new = true;
  bool cancel_all = false;
  bool halt = false;
  std::string_view reason; // static text; empty when all is well
};

risk_verdict assess_risk(const risk_limits& l, const risk_inputs& in);

} // namespace tdmaker
