#include "core/polybolt_codec.hpp"

#include <algorithm>

#include "core/decimal.hpp"
#include "core/json_write.hpp"

namespace tdmaker {
namespace {

constexpr std::string_view crypto_name = "price.crypto";
constexpr std::string_view twap_name = "price.crypto.twap";
constexpr std::size_t max_symbol_chars = 32;
constexpr std::size_t max_pairs_per_connection = 64;
// The deepest frame (envelope > payload > data > point) nests 4 levels; a snapshot
// holds ~120 points of ~100 bytes. Anything far beyond is not PolyBolt.
const json::limits frame_limits{std::size_t{4} << 20, 16};

bool is_digits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string lowered(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// ---- field readers: every failure names the field ----

const rapidjson::Value* member(const rapidjson::Value& o, const char* key) {
  auto it = o.FindMember(key);
  return it == o.MemberEnd() ? nullptr : &it->value;
}

result<std::string> required_string(const rapidjson::Value& o, const char* key) {
  auto* v = member(o, key);
  if (!v || !v->IsString())
    return fail(std::string("'") + key + "' missing or not a string");
  return std::string(v->GetString(), v->GetStringLength());
}

/// Absent is empty; present must be a string.
result<std::string> optional_string(const rapidjson::Value& o, const char* key) {
  auto* v = member(o, key);
  if (!v)
    return std::string();
  if (!v->IsString())
    return fail(std::string("'") + key + "' is not a string");
  return std::string(v->GetString(), v->GetStringLength());
}

result<std::int64_t> millis(const rapidjson::Value& o, const char* key) {
  auto* v = member(o, key);
  if (!v)
    return fail(std::string("'") + key + "' missing");
  if (!v->IsInt64() || v->GetInt64() < 0)
    return fail(std::string("'") + key + "' is not a non-negative integer of milliseconds");
  return v->GetInt64();
}

// ---- frames we send ----

void write_pairs(json::object_writer& w, std::span<const polybolt_subscription> subs) {
  w.open_array("subscriptions");
  for (auto& s : subs) {
    w.open().str("channel", to_string(s.channel)).open("filter").str("symbol", s.symbol);
    if (s.channel == polybolt_channel::crypto_twap)
      w.num("window_seconds", polybolt_twap_window_seconds);
    w.close().close();
  }
  w.close_array();
}

result<std::string> pairs_frame(std::string_view op, std::string_view rid,
                                std::span<const polybolt_subscription> subs) {
  if (subs.empty())
    return fail(std::string(op) + ": no subscriptions");
  if (subs.size() > max_pairs_per_connection)
    return fail(std::string(op) + ": " + std::to_string(subs.size()) + " pairs, one connection holds at most "
                + std::to_string(max_pairs_per_connection));
  for (auto& s : subs)
    if (!is_polybolt_symbol(s.symbol))
      return fail(std::string(op) + ": symbol " + quoted(s.symbol) + " is not lower-case [a-z0-9]");
  json::object_writer w;
  w.str("op", op).str("rid", rid);
  write_pairs(w, subs);
  return w.take();
}

// ---- frames we receive ----

result<polybolt_frame> parse_ack(const rapidjson::Value& d) {
  auto op = required_string(d, "op");
  auto rid = optional_string(d, "rid");
  auto channel = optional_string(d, "channel");
  if (!op)
    return fail("PolyBolt ack: " + op.error());
  if (!rid)
    return fail("PolyBolt ack: " + rid.error());
  if (!channel)
    return fail("PolyBolt ack: " + channel.error());
  const auto& o = *op;
  if (o == "authed")
    return polybolt_frame{polybolt_authed{*rid}};
  if (o == "subscribed")
    return polybolt_frame{polybolt_subscribed{*rid, *channel}};
  if (o == "unsubscribed")
    return polybolt_frame{polybolt_unsubscribed{*rid, *channel}};
  if (o == "pong")
    return polybolt_frame{polybolt_pong{*rid}};
  if (o != "error")
    return fail("PolyBolt ack: unknown op " + quoted(o));
  auto code = required_string(d, "code");
  auto message = optional_string(d, "message");
  if (!code)
    return fail("PolyBolt error ack: " + code.error());
  if (!message)
    return fail("PolyBolt error ack: " + message.error());
  polybolt_error e;
  e.rid = *rid;
  e.channel = *channel;
  e.code = parse_polybolt_error_code(*code);
  e.code_text = *code;
  e.message = *message;
  return polybolt_frame{std::move(e)};
}

result<reference_tick> read_point(const rapidjson::Value& p, const std::string& symbol) {
  if (!p.IsObject())
    return fail("a price point is not an object");
  auto ts = millis(p, "timestamp");
  if (!ts)
    return fail(ts.error());
  // `value` is a float: the exact decimal is the only one read (migration guide).
  auto text = required_string(p, "full_accuracy_value");
  if (!text)
    return fail(text.error());
  auto px = parse_polybolt_price(*text);
  if (!px)
    return fail("'full_accuracy_value': " + px.error());
  return reference_tick{symbol, *px, *ts};
}

/// The envelope's head: everything but the payload.
result<bool> read_head(const rapidjson::Value& d, polybolt_envelope& e) {
  auto* v = member(d, "v");
  if (!v->IsInt())
    return fail("'v' is not an integer");
  if (v->GetInt() != 1)
    return fail("unsupported envelope version " + std::to_string(v->GetInt()));
  auto channel = required_string(d, "channel");
  if (!channel)
    return fail(channel.error());
  auto c = parse_polybolt_channel(*channel);
  if (!c)
    return fail(c.error());
  e.channel = *c;
  auto* seq = member(d, "seq");
  if (!seq || !seq->IsUint64())
    return fail("'seq' missing or not an unsigned integer");
  e.seq = seq->GetUint64();
  auto ts = millis(d, "ts");
  if (!ts)
    return fail(ts.error());
  e.ts_ms = *ts;
  if (auto* s = member(d, "snapshot")) {
    if (!s->IsBool())
      return fail("'snapshot' is not a boolean");
    e.snapshot = s->GetBool();
  }
  if (auto* n = member(d, "dropped")) {
    if (!n->IsUint64())
      return fail("'dropped' is not an unsigned integer");
    e.dropped = n->GetUint64();
  }
  return true;
}

result<bool> read_payload(const rapidjson::Value& p, polybolt_envelope& e) {
  auto symbol = required_string(p, "symbol");
  if (!symbol)
    return fail(symbol.error());
  auto sym = node_symbol(*symbol);
  if (!sym)
    return fail(sym.error());
  e.symbol = std::move(sym).value();
  auto source = optional_string(p, "source");
  if (!source)
    return fail(source.error());
  e.source = std::move(source).value();
  if (e.channel == polybolt_channel::crypto_twap) {
    // Other windows are "empty barriers" on the real service: never data to trade on.
    auto* w = member(p, "window_seconds");
    if (!w || !w->IsInt() || w->GetInt() != polybolt_twap_window_seconds)
      return fail("'window_seconds' missing or not 60");
  }
  if (!e.snapshot) {
    auto t = read_point(p, e.symbol);
    if (!t)
      return fail(t.error());
    e.ticks.push_back(std::move(t).value());
    return true;
  }
  auto* data = member(p, "data");
  if (!data || !data->IsArray())
    return fail("snapshot 'data' missing or not an array");
  e.ticks.reserve(data->Size());
  for (auto& point : data->GetArray()) {
    auto t = read_point(point, e.symbol);
    if (!t)
      return fail("snapshot: " + t.error());
    e.ticks.push_back(std::move(t).value());
  }
  return true;
}

result<polybolt_frame> parse_envelope(const rapidjson::Value& d) {
  polybolt_envelope e;
  if (auto head = read_head(d, e); !head)
    return fail("PolyBolt envelope: " + head.error());
  auto* payload = member(d, "payload");
  if (!payload || !payload->IsObject())
    return fail("PolyBolt envelope seq " + std::to_string(e.seq) + ": 'payload' missing or not an object");
  if (auto body = read_payload(*payload, e); !body)
    return fail("PolyBolt " + std::string(to_string(e.channel)) + " seq " + std::to_string(e.seq) + ": "
                + body.error());
  return polybolt_frame{std::move(e)};
}

} // namespace

std::string_view to_string(polybolt_channel c) {
  return c == polybolt_channel::crypto ? crypto_name : twap_name;
}

result<polybolt_channel> parse_polybolt_channel(std::string_view text) {
  if (text == crypto_name)
    return polybolt_channel::crypto;
  if (text == twap_name)
    return polybolt_channel::crypto_twap;
  return fail("unsupported channel " + quoted(text));
}

bool is_polybolt_symbol(std::string_view s) {
  return !s.empty() && s.size() <= max_symbol_chars && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  });
}

result<std::string> polybolt_symbol(std::string_view node) {
  auto s = lowered(node);
  auto slash = s.find('/');
  if (slash == std::string::npos || s.substr(slash + 1) != "usd")
    return fail("symbol " + quoted(node) + " is not of the form <coin>/usd");
  auto base = s.substr(0, slash);
  if (base.empty() || !is_polybolt_symbol(base + "usd"))
    return fail("symbol " + quoted(node) + ": the coin must be [a-z0-9]");
  return base + "usd";
}

result<std::string> node_symbol(std::string_view pb) {
  auto s = lowered(pb);
  if (s.size() <= 3 || !is_polybolt_symbol(s) || s.substr(s.size() - 3) != "usd")
    return fail("symbol " + quoted(pb) + " is not a usd-quoted crypto symbol such as btcusd");
  return s.substr(0, s.size() - 3) + "/usd";
}

result<polybolt_subscription> polybolt_subscription_for(polybolt_channel c, std::string_view node) {
  auto s = polybolt_symbol(node);
  if (!s)
    return fail(s.error());
  return polybolt_subscription{c, std::move(s).value()};
}

std::string polybolt_auth_frame(std::string_view rid, std::string_view api_key, std::string_view secret,
                                std::string_view passphrase) {
  json::object_writer w;
  w.str("op", "auth").str("rid", rid).open("auth");
  w.str("apiKey", api_key).str("secret", secret).str("passphrase", passphrase).close();
  return w.take();
}

result<std::string> polybolt_subscribe_frame(std::string_view rid, std::span<const polybolt_subscription> subs) {
  return pairs_frame("subscribe", rid, subs);
}

result<std::string> polybolt_unsubscribe_frame(std::string_view rid,
                                               std::span<const polybolt_subscription> subs) {
  return pairs_frame("unsubscribe", rid, subs);
}

std::string polybolt_ping_frame(std::string_view rid) {
  json::object_writer w;
  w.str("op", "ping").str("rid", rid);
  return w.take();
}

namespace {
constexpr std::pair<polybolt_error_code, std::string_view> error_names[] = {
    {polybolt_error_code::bad_op, "bad_op"},
    {polybolt_error_code::bad_channel, "bad_channel"},
    {polybolt_error_code::bad_filter, "bad_filter"},
    {polybolt_error_code::sub_limit, "sub_limit"},
    {polybolt_error_code::rate_limited, "rate_limited"},
    {polybolt_error_code::auth_required, "auth_required"},
    {polybolt_error_code::auth_unavailable, "auth_unavailable"},
    {polybolt_error_code::auth_expired, "auth_expired"},
    {polybolt_error_code::auth_attempts, "auth_attempts"},
    {polybolt_error_code::auth_invalid, "auth_invalid"},
};
} // namespace

std::string_view to_string(polybolt_error_code c) {
  for (auto& [code, name] : error_names)
    if (code == c)
      return name;
  return "unknown";
}

polybolt_error_code parse_polybolt_error_code(std::string_view text) {
  for (auto& [code, name] : error_names)
    if (name == text)
      return code;
  return polybolt_error_code::unknown;
}

result<ref_price> parse_polybolt_price(std::string_view text) {
  constexpr std::int64_t max_e8 = 1'000'000'000LL * 100'000'000LL; // as parse_ref_price
  if (text.empty() || text.size() > 64)
    return fail("price text empty or over 64 characters");
  auto dot = text.find('.');
  auto whole = text.substr(0, dot);
  auto frac = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  if (whole.empty() || !is_digits(whole) || !is_digits(frac) || (dot != std::string_view::npos && frac.empty()))
    return fail("malformed decimal " + quoted(text));
  constexpr std::size_t places = ref_price::decimals;
  std::string head(whole);
  if (!frac.empty()) {
    head += '.';
    head += frac.substr(0, std::min(places, frac.size()));
  }
  auto v = parse_fixed(head, ref_price::decimals, 0, max_e8);
  if (!v)
    return fail(v.error());
  const bool round_up = frac.size() > places && frac[places] >= '5';
  const std::int64_t e8 = *v + (round_up ? 1 : 0);
  if (e8 <= 0 || e8 > max_e8)
    return fail("price " + quoted(text) + " is not a positive reference price");
  return ref_price{e8};
}

result<polybolt_frame> parse_polybolt_frame(std::string_view text, json::reusable_document& reusable) {
  if (auto parsed = reusable.parse<rapidjson::kParseValidateEncodingFlag>(text, frame_limits); !parsed)
    return fail("PolyBolt frame refused: " + parsed.error());
  auto& d = reusable.doc();
  if (!d.IsObject())
    return fail("PolyBolt frame is not a JSON object");
  if (d.HasMember("op"))
    return parse_ack(d);
  if (d.HasMember("v"))
    return parse_envelope(d);
  return fail("PolyBolt frame is neither an ack ('op') nor an envelope ('v')");
}

} // namespace tdmaker
