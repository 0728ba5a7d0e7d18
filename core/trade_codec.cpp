#include "core/trade_codec.hpp"

#include <charconv>

#include "core/json_read.hpp"
#include "core/json_parse.hpp"

namespace tdmaker {
namespace {

result<order_side> side_of(const std::string& s) {
  if (s == "BUY")
    return order_side::buy;
  if (s == "SELL")
    return order_side::sell;
  return fail("side must be BUY or SELL, not '" + s + "'");
}

std::int64_t seconds_of(const std::string& s) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size() ? v : 0;
}

} // namespace

result<std::vector<fill_report>> fills_of_trade(const rapidjson::Value& t, std::string_view api_key,
                                                fill_source source) {
  if (!t.IsObject())
    return fail("trade is not an object");
  json::field_reader in(t);
  auto id = in.str("id");
  auto taker_order = in.str("taker_order_id");
  condition_id market;
  in.check(parse_condition_id(in.str("market")), market, "market");
  trade_status status{};
  in.check(parse_trade_status(in.str("status")), status, "status");
  auto owner = in.str("owner");
  auto ts_ms = seconds_of(in.str("match_time")) * 1000;
  auto makers = t.FindMember("maker_orders");
  if (makers == t.MemberEnd() || !makers->value.IsArray())
    in.note("missing 'maker_orders' array");
  if (!in.ok())
    return fail("trade " + id + ": " + in.error());
  if (id.empty())
    return fail("trade: empty id");

  std::vector<fill_report> out;
  for (auto& m : makers->value.GetArray()) {
    if (!m.IsObject())
      return fail("trade " + id + ": maker order is not an object");
    json::field_reader mk(m);
    if (mk.str("owner") != api_key)
      continue;
    fill_report f;
    f.trade_id = id;
    f.order_id = mk.str("order_id");
    f.market = market;
    mk.check(parse_token_id(mk.str("asset_id")), f.token, "asset_id");
    mk.check(side_of(mk.str("side")), f.side, "side");
    mk.check(parse_price(mk.str("price")), f.px, "price");
    mk.check(parse_shares(mk.str("matched_amount")), f.size, "matched_amount");
    if (!mk.ok())
      return fail("trade " + id + ": maker order: " + mk.error());
    if (f.order_id.empty() || f.size.micros <= 0)
      return fail("trade " + id + ": maker order without id or size");
    f.status = status;
    f.ts_ms = ts_ms;
    f.source = source;
    out.push_back(std::move(f));
  }
  if (owner == api_key) {
    fill_report f;
    f.trade_id = id;
    f.order_id = taker_order;
    f.market = market;
    f.taker = true;
    json::field_reader tk(t);
    tk.check(parse_token_id(tk.str("asset_id")), f.token, "asset_id");
    tk.check(side_of(tk.str("side")), f.side, "side");
    tk.check(parse_price(tk.str("price")), f.px, "price");
    tk.check(parse_shares(tk.str("size")), f.size, "size");
    if (!tk.ok())
      return fail("trade " + id + ": taker leg: " + tk.error());
    if (f.order_id.empty() || f.size.micros <= 0)
      return fail("trade " + id + ": taker leg without order id or size");
    f.status = status;
    f.ts_ms = ts_ms;
    f.source = source;
    out.push_back(std::move(f));
  }
  return out;
}

result<std::vector<fill_report>> parse_user_frame(std::string_view json, std::string_view api_key) {
  rapidjson::Document d;
  if (auto parsed = json::parse(d, json); !parsed)
    return fail("user frame refused: " + parsed.error());
  std::vector<fill_report> out;
  auto one = [&](const rapidjson::Value& ev) -> result<bool> {
    if (!ev.IsObject())
      return fail("user event is not an object");
    auto type = ev.FindMember("event_type");
    if (type == ev.MemberEnd() || !type->value.IsString())
      return fail("user event without event_type");
    if (std::string_view(type->value.GetString(), type->value.GetStringLength()) != "trade")
      return true;
    auto legs = fills_of_trade(ev, api_key, fill_source::user_ws);
    if (!legs)
      return fail(legs.error());
    for (auto& f : *legs)
      out.push_back(std::move(f));
    return true;
  };
  if (d.IsArray()) {
    for (auto& ev : d.GetArray())
      if (auto ok = one(ev); !ok)
        return fail(ok.error());
  } else if (auto ok = one(d); !ok) {
    return fail(ok.error());
  }
  return out;
}

result<trades_page> parse_trades_page(std::string_view json, std::string_view api_key) {
  rapidjson::Document d;
  if (auto ok = json::parse_object(d, json); !ok)
    return fail("trades: " + ok.error());
  auto data = d.FindMember("data");
  if (data == d.MemberEnd() || !data->value.IsArray())
    return fail("trades: 'data' must be an array");
  trades_page page;
  if (auto c = d.FindMember("next_cursor"); c != d.MemberEnd() && c->value.IsString())
    page.next_cursor.assign(c->value.GetString(), c->value.GetStringLength());
  for (auto& t : data->value.GetArray()) {
    auto legs = fills_of_trade(t, api_key, fill_source::reconcile);
    if (!legs)
      return fail("trades: " + legs.error());
    ++page.trades;
    for (auto& f : *legs)
      page.fills.push_back(std::move(f));
  }
  return page;
}

} // namespace tdmaker
