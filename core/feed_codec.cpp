#include "core/feed_codec.hpp"

#include <cstring>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/decimal.hpp"
#include "core/order_book.hpp"

namespace tdmaker {
namespace {

using writer = rapidjson::Writer<rapidjson::StringBuffer>;

void string_array(writer& w, std::span<const std::string> items) {
  w.StartArray();
  for (auto& s : items)
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  w.EndArray();
}

std::string take(rapidjson::StringBuffer& b) { return std::string(b.GetString(), b.GetSize()); }

// ---- field readers: every failure names the field ----

result<std::string_view> str(const rapidjson::Value& o, const char* key) {
  auto it = o.FindMember(key);
  if (it == o.MemberEnd() || !it->value.IsString())
    return fail(std::string("'") + key + "' missing or not a string");
  return std::string_view(it->value.GetString(), it->value.GetStringLength());
}

// Timestamps are ms strings on the market channel; accept numbers too.
result<std::int64_t> millis(const rapidjson::Value& o, const char* key) {
  auto it = o.FindMember(key);
  if (it == o.MemberEnd())
    return fail(std::string("'") + key + "' missing");
  if (it->value.IsInt64())
    return it->value.GetInt64();
  if (!it->value.IsString())
    return fail(std::string("'") + key + "' is not a timestamp");
  auto v = parse_fixed({it->value.GetString(), it->value.GetStringLength()}, 0, 0,
                       std::int64_t{1} << 53);
  if (!v)
    return fail(std::string("'") + key + "': " + v.error());
  return *v;
}

template <class T, class Parse>
result<T> typed(const rapidjson::Value& o, const char* key, Parse parse) {
  auto s = str(o, key);
  if (!s)
    return fail(s.error());
  auto v = parse(*s);
  if (!v)
    return fail(std::string("'") + key + "': " + v.error());
  return *v;
}

result<token_id> token(const rapidjson::Value& o, const char* key) {
  return typed<token_id>(o, key, parse_token_id);
}
result<condition_id> market_id(const rapidjson::Value& o, const char* key) {
  return typed<condition_id>(o, key, parse_condition_id);
}

result<order_side> side_of(std::string_view s) {
  if (s == "BUY")
    return order_side::buy;
  if (s == "SELL")
    return order_side::sell;
  return fail("side must be BUY or SELL, got '" + std::string(s) + "'");
}

result<bool> levels(const rapidjson::Value& o, const char* key, std::vector<book_level>& out) {
  auto it = o.FindMember(key);
  if (it == o.MemberEnd() || !it->value.IsArray())
    return fail(std::string("'") + key + "' missing or not an array");
  out.reserve(it->value.Size());
  for (auto& l : it->value.GetArray()) {
    if (!l.IsObject())
      return fail(std::string("'") + key + "' holds a non-object level");
    auto px = typed<price>(l, "price", parse_price);
    auto sz = typed<shares>(l, "size", parse_shares);
    if (!px)
      return fail(std::string(key) + ": " + px.error());
    if (!sz)
      return fail(std::string(key) + ": " + sz.error());
    out.push_back({*px, *sz});
  }
  return true;
}

// The first failure among several field reads, or null when all succeeded.
template <class... Rs>
const std::string* first_error(const Rs&... rs) {
  const std::string* e = nullptr;
  ((e = e ? e : (rs.ok() ? nullptr : &rs.error())), ...);
  return e;
}

bool has_text(const rapidjson::Value& o, const char* key) {
  auto it = o.FindMember(key);
  return it != o.MemberEnd() && it->value.IsString() && it->value.GetStringLength() > 0;
}

/// A change's optional best_bid / best_ask (the token's top after it), read only for
/// the mid candles: absent or not a price leaves both 0 (no mid from this change)
/// rather than dropping a book change the market needs.
void top_of_book(const rapidjson::Value& c, book_change& bc) {
  auto bid = typed<price>(c, "best_bid", parse_price);
  auto ask = typed<price>(c, "best_ask", parse_price);
  if (bid && ask) {
    bc.best_bid = *bid;
    bc.best_ask = *ask;
  }
}

result<book_delta> decode_price_change(const rapidjson::Value& v) {
  book_delta d;
  auto m = market_id(v, "market");
  auto ts = millis(v, "timestamp");
  if (auto* e = first_error(m, ts))
    return fail("price_change: " + *e);
  d.market = std::move(m).value();
  d.ts_ms = *ts;
  auto changes = v.FindMember("price_changes");
  const bool legacy = changes == v.MemberEnd();
  if (legacy)
    changes = v.FindMember("changes");
  if (changes == v.MemberEnd() || !changes->value.IsArray())
    return fail("price_change: 'price_changes' missing or not an array");
  result<token_id> legacy_token = legacy ? token(v, "asset_id") : result<token_id>(token_id{});
  if (!legacy_token)
    return fail("price_change: " + legacy_token.error());
  d.changes.reserve(changes->value.Size());
  for (auto& c : changes->value.GetArray()) {
    if (!c.IsObject())
      return fail("price_change: a change is not an object");
    book_change bc;
    auto tok = legacy ? legacy_token : token(c, "asset_id");
    auto px = typed<price>(c, "price", parse_price);
    auto sz = typed<shares>(c, "size", parse_shares);
    auto sd = typed<order_side>(c, "side", side_of);
    if (auto* e = first_error(tok, px, sz, sd))
      return fail("price_change: " + *e);
    bc.token = std::move(tok).value();
    bc.px = *px;
    bc.size = *sz;
    bc.side = *sd == order_side::buy ? book_side::bid : book_side::ask;
    if (auto h = str(legacy ? v : c, "hash"); h)
      bc.hash.assign(h->data(), h->size());
    top_of_book(c, bc);
    d.changes.push_back(std::move(bc));
  }
  return d;
}

result<last_trade> decode_last_trade(const rapidjson::Value& v) {
  last_trade t;
  auto m = market_id(v, "market");
  auto tok = token(v, "asset_id");
  auto px = typed<price>(v, "price", parse_price);
  auto sd = typed<order_side>(v, "side", side_of);
  auto ts = millis(v, "timestamp");
  if (auto* e = first_error(m, tok, px, sd, ts))
    return fail("last_trade_price: " + *e);
  t.market = std::move(m).value();
  t.token = std::move(tok).value();
  t.px = *px;
  t.side = *sd;
  t.ts_ms = *ts;
  if (has_text(v, "size")) {
    auto sz = typed<shares>(v, "size", parse_shares);
    if (!sz)
      return fail("last_trade_price: " + sz.error());
    t.size = *sz;
  }
  return t;
}

result<tick_size_change> decode_tick_change(const rapidjson::Value& v) {
  tick_size_change t;
  auto m = market_id(v, "market");
  auto tok = token(v, "asset_id");
  auto o = typed<tick_size>(v, "old_tick_size", parse_tick_size);
  auto n = typed<tick_size>(v, "new_tick_size", parse_tick_size);
  auto ts = millis(v, "timestamp");
  if (auto* e = first_error(m, tok, o, n, ts))
    return fail("tick_size_change: " + *e);
  t.market = std::move(m).value();
  t.token = std::move(tok).value();
  t.old_tick = *o;
  t.new_tick = *n;
  t.ts_ms = *ts;
  return t;
}

result<market_resolved> decode_resolved(const rapidjson::Value& v) {
  market_resolved r;
  auto m = market_id(v, "market");
  auto w = token(v, "winning_asset_id");
  auto ts = millis(v, "timestamp");
  if (auto* e = first_error(m, w, ts))
    return fail("market_resolved: " + *e);
  r.market = std::move(m).value();
  r.winner = std::move(w).value();
  r.ts_ms = *ts;
  return r;
}

template <class T>
void deliver(result<T> r, frame_stats& st, market_event_sink& sink, void (market_event_sink::*f)(T&&)) {
  if (!r) {
    ++st.bad;
    sink.on_bad_event(r.error());
    return;
  }
  ++st.events;
  (sink.*f)(std::move(r).value());
}

void dispatch(const rapidjson::Value& v, frame_stats& st, market_event_sink& sink) {
  if (!v.IsObject()) {
    ++st.bad;
    sink.on_bad_event("event is not an object");
    return;
  }
  auto type = str(v, "event_type");
  if (!type) {
    ++st.bad;
    sink.on_bad_event("event without event_type");
    return;
  }
  const auto t = *type;
  if (t == "book")
    deliver(decode_book(v), st, sink, &market_event_sink::on_book);
  else if (t == "price_change")
    deliver(decode_price_change(v), st, sink, &market_event_sink::on_delta);
  else if (t == "last_trade_price")
    deliver(decode_last_trade(v), st, sink, &market_event_sink::on_last_trade);
  else if (t == "tick_size_change")
    deliver(decode_tick_change(v), st, sink, &market_event_sink::on_tick_size);
  else if (t == "market_resolved")
    deliver(decode_resolved(v), st, sink, &market_event_sink::on_resolved);
  else
    ++st.ignored; // best_bid_ask, new_market: derived or unused here
}

} // namespace

// ------------------------------------------------------------ frames we send

std::string market_subscribe_frame(std::span<const std::string> token_ids) {
  rapidjson::StringBuffer b;
  writer w(b);
  w.StartObject();
  w.Key("assets_ids");
  string_array(w, token_ids);
  w.Key("type");
  w.String("market");
  w.Key("custom_feature_enabled");
  w.Bool(true);
  w.Key("initial_dump");
  w.Bool(true);
  w.EndObject();
  return take(b);
}

std::string market_update_frame(bool subscribe, std::span<const std::string> token_ids) {
  rapidjson::StringBuffer b;
  writer w(b);
  w.StartObject();
  w.Key("operation");
  w.String(subscribe ? "subscribe" : "unsubscribe");
  w.Key("assets_ids");
  string_array(w, token_ids);
  w.Key("custom_feature_enabled");
  w.Bool(true);
  w.EndObject();
  return take(b);
}

std::string user_subscribe_frame(const api_credentials& creds, std::span<const std::string> markets) {
  rapidjson::StringBuffer b;
  writer w(b);
  w.StartObject();
  w.Key("auth");
  w.StartObject();
  w.Key("apiKey");
  w.String(creds.key.c_str());
  w.Key("secret");
  w.String(creds.secret.c_str());
  w.Key("passphrase");
  w.String(creds.passphrase.c_str());
  w.EndObject();
  w.Key("type");
  w.String("user");
  w.Key("markets");
  string_array(w, markets);
  w.EndObject();
  return take(b);
}

std::string user_update_frame(bool subscribe, std::span<const std::string> markets) {
  rapidjson::StringBuffer b;
  writer w(b);
  w.StartObject();
  w.Key("operation");
  w.String(subscribe ? "subscribe" : "unsubscribe");
  w.Key("markets");
  string_array(w, markets);
  w.EndObject();
  return take(b);
}

std::string rtds_subscribe_frame(bool subscribe, std::span<const std::string> symbols) {
  rapidjson::StringBuffer b;
  writer w(b);
  w.StartObject();
  w.Key("action");
  w.String(subscribe ? "subscribe" : "unsubscribe");
  w.Key("subscriptions");
  w.StartArray();
  for (auto& s : symbols) {
    w.StartObject();
    w.Key("topic");
    w.String("crypto_prices_chainlink");
    w.Key("type");
    w.String("*");
    w.Key("filters");
    // Compact on purpose: a space after ':' silently matches nothing (ref §5.3).
    rapidjson::StringBuffer fb;
    writer fw(fb);
    fw.StartObject();
    fw.Key("symbol");
    fw.String(s.c_str());
    fw.EndObject();
    w.String(fb.GetString(), static_cast<rapidjson::SizeType>(fb.GetSize()));
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return take(b);
}

// ------------------------------------------------------------ frames we receive

result<book_snapshot> decode_book(const rapidjson::Value& v) {
  if (!v.IsObject())
    return fail("book: not an object");
  book_snapshot b;
  auto m = market_id(v, "market");
  auto tok = token(v, "asset_id");
  auto ts = millis(v, "timestamp");
  if (auto* e = first_error(m, tok, ts))
    return fail("book: " + *e);
  b.market = std::move(m).value();
  b.token = std::move(tok).value();
  b.ts_ms = *ts;
  if (auto h = str(v, "hash"); h)
    b.hash.assign(h->data(), h->size());
  if (auto ok = levels(v, "bids", b.bids); !ok)
    return fail("book: " + ok.error());
  if (auto ok = levels(v, "asks", b.asks); !ok)
    return fail("book: " + ok.error());
  if (has_text(v, "tick_size")) {
    auto t = typed<tick_size>(v, "tick_size", parse_tick_size);
    if (!t)
      return fail("book: " + t.error());
    b.tick = *t;
    b.has_tick = true;
  }
  if (has_text(v, "min_order_size")) {
    auto s = typed<shares>(v, "min_order_size", parse_shares);
    if (!s)
      return fail("book: " + s.error());
    b.min_size = *s;
  }
  if (auto it = v.FindMember("neg_risk"); it != v.MemberEnd() && it->value.IsBool())
    b.neg_risk = it->value.GetBool();
  if (has_text(v, "last_trade_price")) {
    auto p = typed<price>(v, "last_trade_price", parse_price);
    if (!p)
      return fail("book: " + p.error());
    b.last_trade_px = *p;
    b.has_last_trade = true;
  }
  return b;
}

result<book_snapshot> parse_book_reply(int status, std::string_view body) {
  if (status != 200)
    return fail("/book: HTTP " + std::to_string(status) + ": " + std::string(body.substr(0, 200)));
  rapidjson::Document d;
  if (auto parsed = json::parse(d, body); !parsed)
    return fail("/book: reply is not JSON: " + parsed.error());
  return decode_book(d);
}

result<frame_stats> parse_market_frame(std::string_view text, json::reusable_document& reusable,
                                       market_event_sink& sink) {
  frame_stats st;
  if (text == "PONG" || text == "NO NEW ASSETS") {
    ++st.ignored;
    return st;
  }
  if (auto parsed = reusable.parse(text); !parsed)
    return fail("market frame refused: " + parsed.error());
  auto& doc = reusable.doc();
  if (doc.IsArray()) {
    for (auto& e : doc.GetArray())
      dispatch(e, st, sink);
  } else {
    dispatch(doc, st, sink);
  }
  return st;
}

result<std::vector<reference_tick>> parse_rtds_frame(std::string_view text, json::reusable_document& reusable) {
  std::vector<reference_tick> out;
  if (text.empty() || text == "PONG" || text == "pong")
    return out;
  // Numbers stay text, so no double ever holds a price.
  if (auto parsed = reusable.parse<rapidjson::kParseNumbersAsStringsFlag>(text); !parsed)
    return fail("RTDS frame refused: " + parsed.error());
  auto& doc = reusable.doc();
  if (!doc.IsObject())
    return fail("RTDS frame is not a JSON object");
  if (doc.HasMember("statusCode"))
    return fail("RTDS refused a subscription: " + std::string(text.substr(0, 200)));
  auto topic = str(doc, "topic");
  auto type = str(doc, "type");
  auto payload = doc.FindMember("payload");
  if (!topic || !type || payload == doc.MemberEnd() || !payload->value.IsObject())
    return out; // connection or status frame
  if (*topic != "crypto_prices_chainlink" && *topic != "crypto_prices")
    return out;
  const auto& p = payload->value;
  auto symbol = str(p, "symbol");
  if (!symbol)
    return fail("RTDS " + std::string(*type) + ": " + symbol.error());
  std::string sym(*symbol);
  for (auto& c : sym)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  // Values are JSON numbers; read their source text so no double ever holds a price.
  auto read_tick = [&](const rapidjson::Value& o) -> result<reference_tick> {
    auto ts = millis(o, "timestamp");
    auto v = o.FindMember("value");
    if (!ts)
      return fail("RTDS: " + ts.error());
    if (v == o.MemberEnd() || !v->value.IsString())
      return fail("RTDS: 'value' missing or not a number");
    auto px = parse_ref_price({v->value.GetString(), v->value.GetStringLength()});
    if (!px)
      return fail("RTDS: 'value': " + px.error());
    return reference_tick{sym, *px, *ts};
  };
  if (*type == "update") {
    auto t = read_tick(p);
    if (!t)
      return fail(t.error());
    out.push_back(std::move(t).value());
  } else if (*type == "subscribe") {
    auto data = p.FindMember("data");
    if (data == p.MemberEnd() || !data->value.IsArray())
      return fail("RTDS subscribe: 'data' missing or not an array");
    for (auto& e : data->value.GetArray()) {
      if (!e.IsObject())
        return fail("RTDS subscribe: a backfill entry is not an object");
      auto t = read_tick(e);
      if (!t)
        return fail(t.error());
      out.push_back(std::move(t).value());
    }
  }
  return out;
}

std::string snapshot_hash(const book_snapshot& b) {
  token_book book;
  book.replace(b.bids, b.asks);
  std::string scratch;
  auto ltp = b.has_last_trade ? to_string(b.last_trade_px) : std::string();
  return book_hash({b.market.hex, b.token.digits, b.ts_ms, b.min_size, b.tick, b.neg_risk, ltp}, book,
                   scratch);
}

} // namespace tdmaker
