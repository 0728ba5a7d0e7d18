#include "core/market_cap.hpp"

#include <algorithm>

namespace tdmaker {
namespace {

constexpr std::string_view refusal_prefix = "market limit reached (markets.max_live = ";

std::int64_t per_asset(const discovery_shape& s) {
  const auto slot_ms = std::max<std::int64_t>(s.slot_s, 1) * 1000;
  // The + 1000: retirement waits for now_s > end + grace, in whole seconds.
  const auto life_ms = slot_ms * (1 + std::max<std::int64_t>(s.lookahead_slots, 0))
                       + s.retire_after_end_s * 1000 + s.interval_ms + 1000;
  return (life_ms + slot_ms - 1) / slot_ms;
}

} // namespace

std::int64_t worst_case_live_markets(const discovery_shape& s) {
  return s.assets * per_asset(s);
}

std::string check_market_capacity(const discovery_shape& s, std::int64_t max_live) {
  const auto need = worst_case_live_markets(s);
  if (need <= max_live)
    return {};
  return "$.markets.max_live: " + std::to_string(max_live) + " cannot hold what discovery keeps alive: "
         + std::to_string(s.assets) + " assets ($.discovery.assets) x " + std::to_string(per_asset(s))
         + " live slots each = " + std::to_string(need) + " markets at worst ($.discovery.slot_seconds "
         + std::to_string(s.slot_s) + ", $.discovery.lookahead_slots " + std::to_string(s.lookahead_slots)
         + ", $.discovery.retire_after_end_s " + std::to_string(s.retire_after_end_s)
         + ", $.discovery.interval_ms " + std::to_string(s.interval_ms) + "); raise $.markets.max_live to "
         + std::to_string(need) + " or lower $.discovery.retire_after_end_s";
}

std::string max_live_refusal(std::int64_t max_live) {
  return std::string(refusal_prefix) + std::to_string(max_live) + ")";
}

bool is_max_live_refusal(std::string_view error_text) {
  return error_text.substr(0, refusal_prefix.size()) == refusal_prefix;
}

cap_watch::change cap_watch::refused(const std::string& slug) {
  refused_.insert(slug);
  if (active_)
    return change::none;
  active_ = true;
  return change::raised;
}

cap_watch::change cap_watch::served(const std::string& slug) {
  refused_.erase(slug);
  return settle();
}

cap_watch::change cap_watch::keep_only(const std::set<std::string>& wanted) {
  std::erase_if(refused_, [&](const std::string& slug) { return !wanted.count(slug); });
  return settle();
}

cap_watch::change cap_watch::settle() {
  if (!active_ || !refused_.empty())
    return change::none;
  active_ = false;
  return change::cleared;
}

} // namespace tdmaker
