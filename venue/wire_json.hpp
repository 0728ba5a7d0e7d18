#pragma once
// The order and trade objects as the CLOB shows them, shared by REST
// (/data/orders, /data/trades) and the user WebSocket channel.
#include <string_view>

#include "venue/exchange.hpp"
#include "venue/json_out.hpp"

namespace tdmaker::venue {

/// Writes the OpenOrder members (no braces) into an open object.
void order_fields(json_out& j, const venue_order& o);
/// Writes the Trade members (no braces); `trader_side` is TAKER or MAKER as seen
/// by the reader.
void trade_fields(json_out& j, const venue_trade& t, std::string_view trader_side);

} // namespace tdmaker::venue
