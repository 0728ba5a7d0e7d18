#pragma once
// Maker/taker amounts from (side, price, size or amount, tick size) with exactly
// the official client's rounding (clob-client-v2 getOrderRawAmounts and
// getMarketOrderRawAmounts, ROUNDING_CONFIG), done in exact decimal arithmetic
// instead of doubles: the price is rounded half-up (limit) or down (market) to
// the tick's price decimals, sizes and amounts down to 2 decimals, and a market
// BUY's share count as the client's roundUp(amount+4)-then-roundDown(amount).
#include <cstdint>
#include <string>
#include <string_view>

#include "core/eip712.hpp"
#include "core/order_wire.hpp"
#include "core/result.hpp"

namespace tdmaker {

struct rounding_config {
  int price = 2;  // decimals
  int size = 2;
  int amount = 4;
};

/// The client's ROUNDING_CONFIG for a tick size given as text ("0.01", ...).
result<rounding_config> rounding_for(std::string_view tick);

/// Limit order (GTC/GTD): `size` shares at `price`. Fails when the price is
/// outside [tick, 1 - tick], as the client's priceValid check does.
result<order_amounts> limit_order_amounts(order_side side, std::string_view price, std::string_view size,
                                          std::string_view tick);

/// Market order (FOK/FAK): BUY spends `amount` pUSD, SELL sells `amount` shares,
/// at worst `price`.
result<order_amounts> market_order_amounts(order_side side, std::string_view price, std::string_view amount,
                                           std::string_view tick);

} // namespace tdmaker
