#include "venue/request_parse.hpp"

#include <cctype>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/json_parse.hpp"

namespace tdmaker::venue {
namespace {

using value = rapidjson::Value;

result<bool> parse_object(rapidjson::Document& d, std::string_view text) {
  if (auto parsed = json::parse(d, text); !parsed)
    return parsed;
  if (!d.IsObject())
    return fail("expected a JSON object");
  return true;
}

std::string string_or_empty(const value& obj, const char* key) {
  auto it = obj.FindMember(key);
  return it != obj.MemberEnd() && it->value.IsString()
           ? std::string(it->value.GetString(), it->value.GetStringLength())
           : std::string();
}

/// An optional array of strings: absent is empty, anything else but strings fails.
result<std::set<std::string>> string_set(const value& obj, const char* key) {
  std::set<std::string> out;
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd())
    return out;
  if (!it->value.IsArray())
    return fail(std::string("'") + key + "' must be an array");
  for (auto& v : it->value.GetArray()) {
    if (!v.IsString())
      return fail(std::string("'") + key + "' must hold strings");
    out.emplace(v.GetString(), v.GetStringLength());
  }
  return out;
}

bool post_only(const value& v) {
  if (!v.IsObject())
    return false;
  auto it = v.FindMember("postOnly");
  return it != v.MemberEnd() && it->value.IsBool() && it->value.GetBool();
}

} // namespace

result<std::vector<std::string>> parse_books_request(std::string_view body) {
  rapidjson::Document d;
  if (auto parsed = json::parse(d, body); !parsed)
    return fail(parsed.error());
  if (!d.IsArray())
    return fail("expected a JSON array");
  std::vector<std::string> tokens;
  for (auto& v : d.GetArray()) {
    if (!v.IsObject())
      continue;
    if (auto it = v.FindMember("token_id"); it != v.MemberEnd() && it->value.IsString())
      tokens.emplace_back(it->value.GetString(), it->value.GetStringLength());
  }
  return tokens;
}

result<std::vector<std::string>> parse_string_array(std::string_view body) {
  rapidjson::Document d;
  if (auto parsed = json::parse(d, body); !parsed)
    return fail(parsed.error());
  if (!d.IsArray())
    return fail("expected a JSON array");
  std::vector<std::string> out;
  for (auto& v : d.GetArray()) {
    if (!v.IsString())
      return fail("expected an array of strings");
    out.emplace_back(v.GetString(), v.GetStringLength());
  }
  return out;
}

result<std::string> parse_string_member(std::string_view body, const char* key) {
  rapidjson::Document d;
  if (auto parsed = parse_object(d, body); !parsed)
    return fail(parsed.error());
  auto it = d.FindMember(key);
  if (it == d.MemberEnd() || !it->value.IsString())
    return fail(std::string("'") + key + "' missing or not a string");
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

result<std::vector<std::string>> split_orders_request(std::string_view body, std::size_t max_orders) {
  rapidjson::Document d;
  if (auto parsed = json::parse(d, body); !parsed)
    return fail("Invalid order payload: " + parsed.error());
  if (!d.IsArray())
    return fail("Invalid order payload: expected a JSON array");
  if (d.Size() > max_orders)
    return fail("Too many orders in payload: " + std::to_string(d.Size())
                + ", max allowed: " + std::to_string(max_orders));
  std::vector<std::string> out;
  for (auto& v : d.GetArray()) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    v.Accept(w); // recursion bounded by the depth json::parse checked
    out.emplace_back(buf.GetString(), buf.GetSize());
  }
  return out;
}

bool all_post_only(std::string_view body) {
  rapidjson::Document d;
  if (!json::parse(d, body))
    return false;
  if (!d.IsArray())
    return post_only(d);
  for (auto& v : d.GetArray())
    if (!post_only(v))
      return false;
  return true;
}

std::string error_message(std::string_view reply_body) {
  rapidjson::Document d;
  return parse_object(d, reply_body) ? string_or_empty(d, "error") : std::string();
}

result<market_subscription> parse_market_subscription(std::string_view text) {
  rapidjson::Document d;
  if (auto parsed = parse_object(d, text); !parsed)
    return fail(parsed.error());
  auto assets = string_set(d, "assets_ids");
  if (!assets)
    return fail(assets.error());
  market_subscription m;
  m.assets = std::move(assets).value();
  m.operation = string_or_empty(d, "operation");
  m.type = string_or_empty(d, "type");
  if (auto it = d.FindMember("custom_feature_enabled"); it != d.MemberEnd() && it->value.IsBool())
    m.custom_feature_enabled = it->value.GetBool();
  return m;
}

result<user_subscription> parse_user_subscription(std::string_view text) {
  rapidjson::Document d;
  if (auto parsed = parse_object(d, text); !parsed)
    return fail(parsed.error());
  auto markets = string_set(d, "markets");
  if (!markets)
    return fail(markets.error());
  user_subscription u;
  u.markets = std::move(markets).value();
  u.operation = string_or_empty(d, "operation");
  if (auto auth = d.FindMember("auth"); auth != d.MemberEnd() && auth->value.IsObject()) {
    u.has_auth = true;
    u.api_key = string_or_empty(auth->value, "apiKey");
    u.secret = string_or_empty(auth->value, "secret");
    u.passphrase = string_or_empty(auth->value, "passphrase");
  }
  return u;
}

result<rtds_request> parse_rtds_request(std::string_view text) {
  rapidjson::Document d;
  if (auto parsed = parse_object(d, text); !parsed)
    return fail("invalid request: " + parsed.error());
  const auto action = string_or_empty(d, "action");
  if (action != "subscribe" && action != "unsubscribe")
    return fail(R"(invalid request: 'action' must be "subscribe" or "unsubscribe")");
  auto list = d.FindMember("subscriptions");
  if (list == d.MemberEnd() || !list->value.IsArray())
    return fail("invalid request: 'subscriptions' must be an array");
  rtds_request r;
  r.subscribe = action == "subscribe";
  for (auto& entry : list->value.GetArray()) {
    const char* no_topic = "invalid request: every subscription needs a 'topic' string";
    if (!entry.IsObject())
      return fail(no_topic);
    auto topic = entry.FindMember("topic");
    if (topic == entry.MemberEnd() || !topic->value.IsString())
      return fail(no_topic);
    rtds_subscription s;
    s.topic.assign(topic->value.GetString(), topic->value.GetStringLength());
    if (auto f = entry.FindMember("filters"); f != entry.MemberEnd() && f->value.IsString())
      s.filters.emplace(f->value.GetString(), f->value.GetStringLength());
    r.subscriptions.push_back(std::move(s));
  }
  return r;
}

result<std::string> parse_rtds_filter_symbol(std::string_view filters) {
  rapidjson::Document d;
  if (!parse_object(d, filters) || !d.HasMember("symbol") || !d["symbol"].IsString())
    return fail("invalid request: 'filters' is not a JSON object with a 'symbol' string");
  std::string symbol(d["symbol"].GetString(), d["symbol"].GetStringLength());
  for (auto& c : symbol)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return symbol;
}

} // namespace tdmaker::venue
