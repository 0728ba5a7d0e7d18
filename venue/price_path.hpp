#pragma once
// A seeded reference-price path per asset (geometric Brownian motion, one step
// per second), published in exact 10^-8 units. Same seed, same path.
#include <cstdint>
#include <random>
#include <string>

#include "core/money.hpp"

namespace tdmaker::venue {

class price_path {
public:
  price_path(std::uint64_t seed, const std::string& asset, ref_price start, double annual_vol);
  /// Advances one second and returns the new price.
  ref_price step();
  ref_price current() const { return current_; }
  /// Shifts the path by `bps` basis points from now on (admin `POST /admin/reference`):
  /// the current price becomes round(current * (10000 + bps) / 10000), and later steps
  /// move from there. The random draws are untouched, so the seed still fixes the path.
  /// |bps| <= 5000 is the caller's check; returns the new price.
  ref_price jump(std::int64_t bps);

private:
  std::mt19937_64 rng_;
  std::normal_distribution<double> normal_{0.0, 1.0};
  double sigma_per_step_;
  double level_;
  ref_price current_;
};

/// A plausible starting level for the known assets (BTC 100k, ETH 3.5k, ...).
ref_price default_start(const std::string& asset);

} // namespace tdmaker::venue
