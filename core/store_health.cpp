#include "core/store_health.hpp"

namespace tdmaker {

std::string_view to_string(store_state s) {
  switch (s) {
  case store_state::healthy: return "healthy";
  case store_state::failing: return "failing";
  case store_state::recovered: return "recovered";
  }
  return "unknown";
}

double map_usage::headroom() const {
  if (size_bytes == 0)
    return 1.0;
  if (used_bytes >= size_bytes)
    return 0.0;
  return static_cast<double>(size_bytes - used_bytes) / static_cast<double>(size_bytes);
}

store_transition store_health::on_commit(bool ok, std::string_view error) {
  if (ok || failing())
    return store_transition::none;
  state_ = store_state::failing;
  reason_ = std::string(error);
  ++trips_;
  return store_transition::tripped;
}

store_transition store_health::on_probe(bool ok, std::string_view error, map_usage usage) {
  if (!ok)
    return on_commit(false, error);
  if (!failing() || usage.headroom() < rules_.recover_headroom)
    return store_transition::none;
  state_ = store_state::recovered;
  reason_.clear();
  return store_transition::recovered;
}

headroom_transition store_health::on_usage(map_usage usage) {
  bool low = usage.headroom() < rules_.alert_headroom;
  if (low == headroom_low_)
    return headroom_transition::none;
  headroom_low_ = low;
  return low ? headroom_transition::low : headroom_transition::ok;
}

} // namespace tdmaker
