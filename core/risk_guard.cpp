#include "core/risk_guard.hpp"

namespace tdmaker {

risk_verdict assess_risk(const risk_limits& l, const risk_inputs& in) {
  risk_verdict v;
  // Worst first: the reason reported is the one that decides the most.
  if (in.market_feed_age_ms >= l.stale_halt_ms) {
    v = {false, true, true, "market feed stale beyond stale_halt_ms"};
  } else if (in.market_feed_age_ms >= l.stale_cancel_ms) {
    v = {false, true, false, "market feed stale beyond stale_cancel_ms"};
  } else if (in.safe_mode) {
    v = {false, true, false, "safe mode: feed breaker open"};
  } else if (in.market_feed_age_ms < 0 || !in.feed_connected) {
    v = {false, false, false, "market feed not connected"};
  } else if (in.realised_pnl.micros <= -l.max_loss.micros) {
    v = {false, false, false, "loss limit reached (risk.max_loss)"};
  } else if (in.consecutive_order_errors >= l.max_order_errors) {
    v = {false, false, false, "too many consecutive order errors (risk.max_order_errors)"};
  }
  return v;
}

} // namespace tdmaker
