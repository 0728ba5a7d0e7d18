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

/// The legs of one Trade that belong to `api_key`: its maker entries, and the
/// taker leg when the key placed the taker order. Fees are left 0: the fill
/// actor prices a taker leg from its market's fee schedule (core/fee_schedule).
result<std::vector<fill_report>> fills_of_trade(const rapidjson::Value& trade, std::string_view api_key,
                                                fill_source source);

/// A user-channel frame (one event or an array): the fills of its `trade`
/// events; `order` events carry no fill of their own and are skipped.
result<std::vector<fill_report>> parse_user_frame(std::string_view json, std::string_view api_key);

struct trades_page {
  std::vector<fill_report> fills;
  std::size_t trades = 0;
  std::string next_cursor; // "LTE=" = no more pages
};
result<trades_page> parse_trades_page(std::string_view json, std::string_view api_key);

} // namespace tdmaker
