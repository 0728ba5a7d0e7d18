#include "venue/wire_json.hpp"

#include "core/decimal.hpp"
#include "core/eth_address.hpp"

namespace tdmaker::venue {
namespace {
std::string dec(std::int64_t micros) { return format_fixed(micros, micro_decimals); }
} // namespace

void order_fields(json_out& j, const venue_order& o) {
  j.kv("id", o.id).kv("status", to_string(o.status)).kv("owner", o.owner);
  j.kv("maker_address", to_checksum(o.maker)).kv("market", o.market).kv("asset_id", o.asset_id);
  j.kv("side", to_string(o.side)).kv("original_size", dec(o.original)).kv("size_matched", dec(o.matched));
  j.kv("price", dec(o.px.micros)).kv("outcome", o.outcome).kv("expiration", std::to_string(o.expiration));
  j.kv("order_type", to_string(o.type)).key("associate_trades").arr();
  for (auto& id : o.trade_ids)
    j.str(id);
  j.end_arr().kn("created_at", o.created_s);
}

void trade_fields(json_out& j, const venue_trade& t, std::string_view trader_side) {
  j.kv("id", t.id).kv("taker_order_id", t.taker_order_id).kv("market", t.market);
  j.kv("asset_id", t.asset_id).kv("side", to_string(t.side)).kv("size", dec(t.size));
  j.kv("fee_rate_bps", "0").kv("price", dec(t.px.micros)).kv("status", to_string(t.status));
  j.kv("match_time", std::to_string(t.match_time_s)).kv("last_update", std::to_string(t.last_update_s));
  j.kv("outcome", t.outcome).kn("bucket_index", 0).kv("owner", t.owner);
  j.kv("maker_address", to_checksum(t.taker_address)).kv("transaction_hash", t.transaction_hash);
  j.kv("trader_side", trader_side).key("maker_orders").arr();
  for (auto& f : t.makers) {
    j.obj().kv("order_id", f.order_id).kv("owner", f.owner).kv("maker_address", to_checksum(f.maker_address));
    j.kv("matched_amount", dec(f.matched_amount)).kv("price", dec(f.px.micros)).kv("fee_rate_bps", "0");
    j.kv("asset_id", f.asset_id).kv("outcome", f.outcome).kv("side", to_string(f.side)).end_obj();
  }
  j.end_arr();
}

} // namespace tdmaker::venue
