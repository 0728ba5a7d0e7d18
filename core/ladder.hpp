#pragma once
// Seed 003's ladder and exposure budget, in exact integers. A ladder is a fixed
// set of rungs per outcome: rung i bids `spacing_ticks * i` ticks below the top
// rung, in whole shares. Rungs are identified by index, so a rung is placed at
// most once per market (the market does not chase a rising bid) unless it was
// rejected or cancelled unfilled, when it may be placed again at the new price.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/money.hpp"

namespace tdmaker {

struct ladder_rules {
  std::uint32_t rungs = 3;
  std::uint32_t spacing_ticks = 1;
  std::int64_t shares_per_rung = 5; // whole shares; raised to the market's min size
  bool sequential = true;           // scale in: rung i+1 only after rung i filled
};

struct rung {
  std::uint32_t index = 0;
  price px;
  shares size;
  usdc cost; // px * size, exact
};

/// Whole shares, at least `min_size` (rounded up to a whole share).
shares rung_size(const ladder_rules& r, shares min_size);

/// Cost of `size` shares at `px` in pUSD micro-units, rounded up (a reservation
/// must never be smaller than what the venue locks).
usdc order_cost(price px, shares size);

/// The ladder under `top` (rounded down to the tick grid): rungs at or above one
/// tick, best first. Empty when `top` is below one tick.
std::vector<rung> ladder_rungs(const ladder_rules& r, price top, tick_size tick, shares min_size);

/// Indices of rungs to place now: not placed yet, and for a sequential ladder
/// only the next one after `filled` rungs.
std::vector<std::uint32_t> rungs_due(const ladder_rules& r, const std::vector<bool>& placed,
                                     std::uint32_t filled);

/// The global exposure budget (bidding owns the only instance): money reserved
/// for resting bids and held positions. A reservation either fits under both
/// the global and the per-market limit or is refused; it never overdraws.
class exposure_budget {
public:
  exposure_budget(usdc limit, usdc per_market_limit) : limit_(limit), per_market_(per_market_limit) {}

  /// Reserves `amount` for `market`; false (nothing changed) if it would exceed a limit.
  bool try_reserve(const std::string& market, usdc amount);
  /// Returns up to `amount` of `market`'s reservation; the amount actually released.
  usdc release(const std::string& market, usdc amount);
  /// Releases everything `market` holds (retirement).
  usdc release_all(const std::string& market);

  usdc limit() const { return limit_; }
  usdc reserved() const { return reserved_; }
  usdc available() const { return usdc{limit_.micros - reserved_.micros}; }
  usdc reserved_by(const std::string& market) const;
  /// Lowering the limit never cancels what is reserved; it only refuses more.
  void set_limit(usdc limit) { limit_ = limit; }
  /// Likewise for the per-market cap (a phase change, seed 002).
  void set_per_market_limit(usdc limit) { per_market_ = limit; }
  usdc per_market_limit() const { return per_market_; }

private:
  usdc limit_;
  usdc per_market_;
  usdc reserved_;
  std::map<std::string, usdc, std::less<>> by_market_;
};

/// Wallet auto-sizing: `fraction_ppm` of the collateral balance, capped at `cap`.
usdc auto_budget(usdc balance, std::int64_t fraction_ppm, usdc cap);

} // namespace tdmaker
