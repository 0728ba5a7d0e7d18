#include "venue/price_path.hpp"

#include <cmath>

#include "core/keccak.hpp"

namespace tdmaker::venue {

price_path::price_path(std::uint64_t seed, const std::string& asset, ref_price start, double annual_vol)
    : sigma_per_step_(annual_vol / std::sqrt(365.0 * 24 * 3600)),
      level_(static_cast<double>(start.e8)), current_(start) {
  auto h = keccak256(std::to_string(seed) + "/price/" + asset);
  std::uint64_t s = 0;
  for (int i = 0; i < 8; ++i)
    s = s << 8 | h[i];
  rng_.seed(s);
}

ref_price price_path::step() {
  // Driftless GBM: the simulation may use floating point; what is published is
  // the rounded integer, so every consumer sees the same exact value.
  level_ *= std::exp(sigma_per_step_ * normal_(rng_) - 0.5 * sigma_per_step_ * sigma_per_step_);
  current_ = ref_price{std::llround(level_)};
  return current_;
}

ref_price price_path::jump(std::int64_t bps) {
  // Exact integer shift, rounded half away from zero (prices are positive); the
  // level restarts from the published value so every consumer sees the same price.
  const __int128 scaled = static_cast<__int128>(current_.e8) * (10'000 + bps);
  current_ = ref_price{static_cast<std::int64_t>((scaled + 5'000) / 10'000)};
  level_ = static_cast<double>(current_.e8);
  return current_;
}

ref_price default_start(const std::string& asset) {
  if (asset == "btc")
    return ref_price{100'000'00000000LL};
  if (asset == "eth")
    return ref_price{3'500'00000000LL};
  if (asset == "sol")
    return ref_price{200'00000000LL};
  if (asset == "xrp")
    return ref_price{2'50000000LL};
  return ref_price{100'00000000LL};
}

} // namespace tdmaker::venue
