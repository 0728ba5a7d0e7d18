#pragma once
// The simulated world around the exchange: rolls slots in and out, moves each
// asset's reference price, records slot start/end prices and resolves ended
// slots (Up iff end >= start) after the configured delay. Pure: time is passed in.
#include <cstdint>
#include <map>
#include <string>

#include "venue/exchange.hpp"
#include "venue/price_path.hpp"
#include "venue/venue_config.hpp"

namespace tdmaker::venue {

class world {
public:
  explicit world(const venue_config& cfg);
  /// Advances to `now_ms` (call at least once a second).
  void tick(std::int64_t now_ms);

  exchange& ex() { return ex_; }
  const exchange& ex() const { return ex_; }
  ref_price reference(const std::string& asset) const { return paths_.at(asset).current(); }
  std::int64_t resolved_count() const { return resolved_; }

private:
  venue_config cfg_;
  exchange ex_;
  std::map<std::string, price_path> paths_;
  std::map<std::string, ref_price> start_price_; // condition id -> price at slot start
  std::map<std::string, ref_price> end_price_;
  std::int64_t last_step_s_ = 0;
  std::int64_t resolved_ = 0;
};

} // namespace tdmaker::venue
