#include "core/clob_reply.hpp"

#include <rapidjson/document.h>

#include "core/decimal.hpp"
#include "core/json_read.hpp"
#include "core/json_parse.hpp"

namespace tdmaker {
namespace {

// ORDER_DELAYED's text (ref §3.4): may come with a `delayed` status.
constexpr std::string_view delay_notice = "order match delayed due to market conditions";

std::string member_string(const rapidjson::Value& o, const char* key) {
  if (!o.IsObject())
    return {};
  auto it = o.FindMember(key);
  return it != o.MemberEnd() && it->value.IsString()
           ? std::string(it->value.GetString(), it->value.GetStringLength())
           : std::string();
}

result<order_ack> ack_of(const rapidjson::Value& v) {
  if (!v.IsObject())
    return fail("order reply: not an object");
  order_ack a;
  auto success = v.FindMember("success");
  const bool ok = success != v.MemberEnd() && success->value.IsBool() && success->value.GetBool();
  a.order_id = member_string(v, "orderID");
  a.status = member_string(v, "status");
  a.error = member_string(v, "errorMsg");
  if (a.error.empty())
    a.error = member_string(v, "error");
  if (auto t = v.FindMember("tradeIDs"); t != v.MemberEnd() && t->value.IsArray())
    for (auto& id : t->value.GetArray())
      if (id.IsString())
        a.trade_ids.emplace_back(id.GetString(), id.GetStringLength());
  // success:true with an errorMsg is a failure (ref §3.4): not (fully) placed;
  // except the delay notice of a `delayed` order, which is placed and held.
  if ((a.status == "delayed" || a.status == "unmatched") && a.error == delay_notice)
    a.error.clear();
  a.placed = ok && a.error.empty() && !a.order_id.empty();
  if (!a.placed && a.error.empty())
    a.error = ok ? "reply without orderID" : "success:false";
  return a;
}

result<shares> size_field(const rapidjson::Value& v, const char* key) {
  auto s = member_string(v, key);
  if (s.empty())
    return shares{};
  // Decimal share strings ("5") or, per the OpenAPI text, 6-decimal integers.
  return parse_shares(s);
}

} // namespace

std::string_view to_string(reply_kind k) {
  switch (k) {
    case reply_kind::ok: return "ok";
    case reply_kind::rejected: return "rejected";
    case reply_kind::unauthorized: return "unauthorized";
    case reply_kind::not_found: return "not_found";
    case reply_kind::rate_limited: return "rate_limited";
    case reply_kind::too_early: return "too_early";
    case reply_kind::post_only_mode: return "post_only_mode";
    case reply_kind::unavailable: return "unavailable";
    case reply_kind::server_error: return "server_error";
    case reply_kind::transport: return "transport";
  }
  return "?";
}

reply_class classify_reply(int status, std::string_view body, std::string_view retry_after_header) {
  reply_class c;
  if (status == 0) {
    c.kind = reply_kind::transport;
    c.error = std::string(body);
    return c;
  }
  rapidjson::Document d;
  // A body that is not JSON, or is over the limits, is classified by its status alone.
  const bool obj = json::parse(d, body) && d.IsObject();
  if (obj)
    c.error = member_string(d, "error");
  if (c.error.empty() && status >= 300)
    c.error = std::string(body.substr(0, 300));
  if (auto ra = parse_fixed(retry_after_header, 0, 0, 86'400); ra)
    c.retry_after_ms = *ra * 1000;
  if (status >= 200 && status < 300)
    c.kind = reply_kind::ok;
  else if (status == 401)
    c.kind = reply_kind::unauthorized;
  else if (status == 404)
    c.kind = reply_kind::not_found;
  else if (status == 425)
    c.kind = reply_kind::too_early;
  else if (status == 429)
    c.kind = reply_kind::rate_limited;
  else if (status == 503 && obj && member_string(d, "code") == "post_only_mode") {
    c.kind = reply_kind::post_only_mode;
    if (auto r = d.FindMember("retry_after_seconds"); r != d.MemberEnd() && r->value.IsInt64()
                                                       && c.retry_after_ms == 0)
      c.retry_after_ms = r->value.GetInt64() * 1000;
  } else if (status == 503)
    c.kind = reply_kind::unavailable;
  else if (status >= 500)
    c.kind = reply_kind::server_error;
  else
    c.kind = reply_kind::rejected;
  return c;
}

bool retryable(reply_kind kind) {
  switch (kind) {
    case reply_kind::rate_limited:
    case reply_kind::too_early:
    case reply_kind::unavailable:
    case reply_kind::server_error:
    case reply_kind::transport:
      return true;
    default:
      return false;
  }
}

result<order_ack> parse_order_ack(std::string_view json) {
  rapidjson::Document d;
  if (auto ok = json::parse_object(d, json); !ok)
    return fail("order reply: " + ok.error());
  return ack_of(d);
}

result<std::vector<order_ack>> parse_order_acks(std::string_view json) {
  rapidjson::Document d;
  if (auto parsed = json::parse(d, json); !parsed)
    return fail("orders reply: " + parsed.error());
  if (!d.IsArray())
    return fail("orders reply: expected a JSON array");
  std::vector<order_ack> out;
  for (auto& v : d.GetArray()) {
    auto a = ack_of(v);
    if (!a)
      return fail(a.error());
    out.push_back(std::move(a).value());
  }
  return out;
}

result<cancel_ack> parse_cancel_ack(std::string_view json) {
  rapidjson::Document d;
  if (auto ok = json::parse_object(d, json); !ok)
    return fail("cancel reply: " + ok.error());
  cancel_ack a;
  if (auto c = d.FindMember("canceled"); c != d.MemberEnd() && c->value.IsArray())
    for (auto& id : c->value.GetArray())
      if (id.IsString())
        a.canceled.emplace_back(id.GetString(), id.GetStringLength());
  if (auto n = d.FindMember("not_canceled"); n != d.MemberEnd() && n->value.IsObject())
    for (auto& m : n->value.GetObject())
      a.not_canceled.emplace_back(m.name.GetString(),
                                  m.value.IsString() ? m.value.GetString() : "");
  return a;
}

result<api_credentials> parse_api_credentials(std::string_view json) {
  rapidjson::Document d;
  if (auto ok = json::parse_object(d, json); !ok)
    return fail("api credentials: " + ok.error());
  api_credentials c{member_string(d, "apiKey"), member_string(d, "secret"),
                    member_string(d, "passphrase")};
  if (c.key.empty() || c.secret.empty() || c.passphrase.empty())
    return fail("api credentials: apiKey, secret and passphrase must be non-empty strings");
  return c;
}

namespace {

result<open_order> open_order_of(const rapidjson::Value& d) {
  if (!d.IsObject())
    return fail("order: expected an object");
  open_order o;
  o.id = member_string(d, "id");
  o.status = member_string(d, "status");
  if (o.id.empty() || o.status.empty())
    return fail("order: 'id' and 'status' are required");
  if (o.status.starts_with("ORDER_STATUS_"))
    o.status.erase(0, 13);
  auto orig = size_field(d, "original_size");
  auto matched = size_field(d, "size_matched");
  if (!orig || !matched)
    return fail("order: " + (orig ? matched.error() : orig.error()));
  o.original_size = *orig;
  o.size_matched = *matched;
  if (auto p = member_string(d, "price"); !p.empty()) {
    auto px = parse_price(p);
    if (!px)
      return fail("order: " + px.error());
    o.px = *px;
  }
  o.market = member_string(d, "market");
  o.asset_id = member_string(d, "asset_id");
  return o;
}

} // namespace

result<open_order> parse_open_order(std::string_view json) {
  rapidjson::Document d;
  if (auto ok = json::parse_object(d, json); !ok)
    return fail("order: " + ok.error());
  return open_order_of(d);
}

result<usdc> parse_balance(std::string_view json) {
  rapidjson::Document d;
  if (auto ok = json::parse_object(d, json); !ok)
    return fail("balance: " + ok.error());
  auto text = member_string(d, "balance");
  if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos)
    return fail("balance: 'balance' must be an integer string of micro-units");
  return usdc{std::stoll(text)};
}

result<open_orders_page> parse_open_orders_page(std::string_view json) {
  rapidjson::Document d;
  if (auto ok = json::parse_object(d, json); !ok)
    return fail("orders: " + ok.error());
  if (!d.HasMember("data") || !d["data"].IsArray())
    return fail("orders: 'data' must be an array");
  open_orders_page page;
  page.next_cursor = member_string(d, "next_cursor");
  for (auto& v : d["data"].GetArray()) {
    auto o = open_order_of(v);
    if (!o)
      return fail("orders: " + o.error());
    page.orders.push_back(std::move(o).value());
  }
  return page;
}

} // namespace tdmaker
