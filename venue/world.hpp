#pragma once
// The simulated world around the exchange: rolls slots in and out, moves each
// asset's reference price, records slot start/end prices and resolves ended
// slots (Up iff end >= start) after the configured delay. Pure: time is passed in.
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "venue/exchange.hpp"
#include "venue/price_path.hpp"
#include "venue/reference_move.hpp"
#include "venue/sim_traders.hpp"
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
  const std::vector<std::string>& assets() const { return cfg_.assets; }
  std::int64_t resolved_count() const { return resolved_; }
  std::uint64_t sim_orders() const { return sim_.orders_sent(); }
  sim_traders& sim() { return sim_; }
  /// The reference recorded at a slot's start and end (for ground truth).
  std::optional<ref_price> start_price(const std::string& cid) const {
    auto it = start_price_.find(cid);
    return it == start_price_.end() ? std::nullopt : std::optional<ref_price>(it->second);
  }
  std::optional<ref_price> end_price(const std::string& cid) const {
    auto it = end_price_.find(cid);
    return it == end_price_.end() ? std::nullopt : std::optional<ref_price>(it->second);
  }
  /// Mean of the per-second prices in (end_s - 60, end_s]; the spot if none.
  ref_price twap60(const std::string& asset, std::int64_t end_s) const;

  /// A scripted jump of an asset's reference (admin `POST /admin/reference`):
  /// later RTDS ticks, start/end prices and TWAPs all see the shifted path.
  struct reference_jump {
    ref_price before;
    ref_price after;
  };
  /// Refuses an unknown asset or a move past +-max_reference_move_bps; nothing changes then.
  result<reference_jump> jump_reference(const reference_move& move);
  /// Jumps applied so far, per asset (the venue's /metrics).
  const std::map<std::string, std::uint64_t>& reference_jumps() const { return jumps_; }

  /// Extra seconds before a just-ended market resolves (fault injection); asked once per market.
  std::function<std::int64_t(const slot_market&)> extra_resolution_delay;

  /// Called once per asset per simulated second with the new reference price.
  std::function<void(const std::string& asset, std::int64_t ts_ms, ref_price)> on_reference;

private:
  venue_config cfg_;
  exchange ex_;
  std::map<std::string, price_path> paths_;
  sim_traders sim_;
  std::int64_t last_sim_s_ = 0;
  std::map<std::string, ref_price> start_price_; // condition id -> price at slot start
  std::map<std::string, ref_price> end_price_;
  std::map<std::string, std::int64_t> extra_delay_;
  std::map<std::string, std::deque<std::pair<std::int64_t, ref_price>>> history_; // per asset, 1/s
  std::map<std::string, std::uint64_t> jumps_;
  std::int64_t last_step_s_ = 0;
  std::int64_t resolved_ = 0;
};

} // namespace tdmaker::venue
