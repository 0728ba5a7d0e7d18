#pragma once
// The venue's trades as fills of the node's account (protocol ref §4, §5.2): a
// user-channel `trade` event and a `GET /data/trades` page carry the same Trade
// object. The top-level side/size/price describe the taker; as a maker the
// node's leg is its entry in `maker_orders[]` (whose asset may differ from the
// top-level one in a cross-asset match).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "core/fills.hpp"
#include "core/result.hpp"

namespace tdmaker {

/// Taker fee of these markets: shares x rate x p x (1 - p), floored to a micro-unit.
usdc taker_fee(shares size, price px, std::int64_t rate_ppm);

/// The legs of one Trade that belong to `api_key`: its maker entries, and the
/// taker leg when the key placed the taker order.
result<std::vector<fill_report>> fills_of_trade(const rapidjson::Value& trade, std::string_view api_key,
                                                fill_source source, std::int64_t fee_rate_ppm);

/// A user-channel frame (one event or an array): the fills of its `trade`
/// events; `order` events carry no fill of their own and are skipped.
result<std::vector<fill_report>> parse_user_frame(std::string_view json, std::string_view api_key,
                                                  std::int64_t fee_rate_ppm);

struct trades_page {
  std::vector<fill_report> fills;
  std::size_t trades = 0;
  std::string next_cursor; // "LTE=" = no more pages
};
result<trades_page> parse_trades_page(std::string_view json, std::string_view api_key,
                                      std::int64_t fee_rate_ppm);

} // namespace tdmaker
