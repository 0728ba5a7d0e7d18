#include "core/ladder.hpp"

#include <algorithm>

namespace tdmaker {

shares rung_size(const ladder_rules& r, shares min_size) {
  auto min_whole = (min_size.micros + micros_per_unit - 1) / micros_per_unit;
  return shares{std::max(r.shares_per_rung, min_whole) * micros_per_unit};
}

usdc order_cost(price px, shares size) {
  auto num = static_cast<__int128>(px.micros) * size.micros;
  auto cost = (num + micros_per_unit - 1) / micros_per_unit;
  return usdc{static_cast<std::int64_t>(cost)};
}

std::vector<rung> ladder_rungs(const ladder_rules& r, price top, tick_size tick, shares min_size) {
  std::vector<rung> out;
  if (tick.micros <= 0 || top.micros < tick.micros)
    return out;
  auto base = top.micros - top.micros % tick.micros;
  auto size = rung_size(r, min_size);
  out.reserve(r.rungs);
  for (std::uint32_t i = 0; i < r.rungs; ++i) {
    auto px = base - static_cast<std::int64_t>(i) * r.spacing_ticks * tick.micros;
    if (px < tick.micros)
      break;
    out.push_back({i, price{px}, size, order_cost(price{px}, size)});
  }
  return out;
}

std::vector<std::uint32_t> rungs_due(const ladder_rules& r, const std::vector<bool>& placed,
                                     std::uint32_t filled) {
  std::vector<std::uint32_t> out;
  auto n = std::min<std::size_t>(r.rungs, placed.size());
  for (std::uint32_t i = 0; i < n; ++i) {
    if (placed[i])
      continue;
    if (r.sequential && i != filled)
      continue;
    out.push_back(i);
  }
  return out;
}

bool exposure_budget::try_reserve(const std::string& market, usdc amount) {
  if (amount.micros <= 0)
    return amount.micros == 0;
  if (reserved_.micros + amount.micros > limit_.micros)
    return false;
  auto it = by_market_.find(market);
  auto held = it == by_market_.end() ? 0 : it->second.micros;
  if (held + amount.micros > per_market_.micros)
    return false;
  reserved_.micros += amount.micros;
  by_market_[market].micros = held + amount.micros;
  return true;
}

usdc exposure_budget::release(const std::string& market, usdc amount) {
  auto it = by_market_.find(market);
  if (it == by_market_.end() || amount.micros <= 0)
    return {};
  auto take = std::min(amount.micros, it->second.micros);
  it->second.micros -= take;
  reserved_.micros -= take;
  if (it->second.micros == 0)
    by_market_.erase(it);
  return usdc{take};
}

usdc exposure_budget::release_all(const std::string& market) {
  return release(market, reserved_by(market));
}

usdc exposure_budget::reserved_by(const std::string& market) const {
  auto it = by_market_.find(market);
  return it == by_market_.end() ? usdc{} : it->second;
}

usdc auto_budget(usdc balance, std::int64_t fraction_ppm, usdc cap) {
  if (balance.micros <= 0 || fraction_ppm <= 0)
    return {};
  auto part = static_cast<std::int64_t>(static_cast<__int128>(balance.micros) * fraction_ppm / 1'000'000);
  return usdc{std::min(part, cap.micros)};
}

} // namespace tdmaker
