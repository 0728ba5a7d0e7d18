#include "venue/ws_feeds.hpp"

#include <algorithm>
#include <cctype>


#include "core/decimal.hpp"
#include "core/l2_auth.hpp"
#include "core/order_book.hpp"
#include "venue/json_out.hpp"
#include "venue/request_parse.hpp"
#include "venue/wire_json.hpp"

namespace tdmaker::venue {
namespace {

std::string dec(std::int64_t micros) { return format_fixed(micros, micro_decimals); }

/// The close reason for a frame that is not a subscription: the protocol's words,
/// then why, cut to the 123 bytes a close frame carries.
std::string refusal(const std::string& why) {
  return ("invalid subscription payload: " + why).substr(0, 123);
}

template <class Subs>
std::vector<ws_session_ptr> open_sessions(const Subs& subs) {
  std::vector<ws_session_ptr> out;
  for (auto& [id, s] : subs)
    if (s.session->open())
      out.push_back(s.session);
  return out;
}

template <class Subs>
void expire_silent(Subs& subs, std::int64_t now_ms, std::int64_t timeout_ms) {
  std::vector<ws_session_ptr> late;
  for (auto& [id, s] : subs)
    if (now_ms - s.last_ping_ms > timeout_ms)
      late.push_back(s.session);
  for (auto& s : late)
    s->close(1008, "no ping received");
}

} // namespace

// ------------------------------------------------------------------ market

market_feed::market_feed(const exchange& ex, std::function<std::int64_t()> now_ms, keepalive ka)
    : ex_(ex), now_ms_(std::move(now_ms)), ka_(ka) {}

void market_feed::on_open(const ws_session_ptr& s) { subs_[s->id] = sub{s, {}, false, false, now_ms_()}; }

void market_feed::on_close(const ws_session_ptr& s) { subs_.erase(s->id); }

std::vector<ws_session_ptr> market_feed::sessions() const { return open_sessions(subs_); }

void market_feed::sweep(std::int64_t now_ms) { expire_silent(subs_, now_ms, ka_.timeout_ms); }

std::string market_feed::hash_of(const std::string& asset, std::int64_t ts_ms, std::string_view ltp) {
  auto* m = ex_.market_by_token(asset);
  std::vector<book_level> bids, asks;
  for (auto& l : ex_.bids(asset))
    bids.push_back({l.px, shares{l.size}});
  for (auto& l : ex_.asks(asset))
    asks.push_back({l.px, shares{l.size}});
  token_book book;
  book.replace(bids, asks);
  return book_hash({m->condition_id, asset, ts_ms, m->min_size, m->tick, false, ltp}, book, hash_scratch_);
}

std::string market_feed::book_event(const std::string& asset) {
  auto* m = ex_.market_by_token(asset);
  const auto ts = now_ms_();
  auto lt = ex_.last_trade(asset);
  const auto ltp = lt ? dec(lt->first.micros) : std::string("0.5");
  json_out j;
  j.obj().kv("event_type", "book").kv("market", m->condition_id).kv("asset_id", asset);
  j.kv("timestamp", std::to_string(ts)).kv("hash", hash_of(asset, ts, ltp));
  auto& sent = sent_[asset];
  sent.bids.clear();
  sent.asks.clear();
  j.key("bids").arr();
  for (auto& l : ex_.bids(asset)) {
    j.obj().kv("price", dec(l.px.micros)).kv("size", dec(l.size)).end_obj();
    sent.bids[l.px.micros] = l.size;
  }
  j.end_arr().key("asks").arr();
  for (auto& l : ex_.asks(asset)) {
    j.obj().kv("price", dec(l.px.micros)).kv("size", dec(l.size)).end_obj();
    sent.asks[l.px.micros] = l.size;
  }
  j.end_arr().kv("tick_size", dec(m->tick.micros)).kv("min_order_size", dec(m->min_size.micros));
  j.kb("neg_risk", false);
  j.kv("last_trade_price", ltp);
  return j.end_obj().take();
}

void market_feed::on_text(const ws_session_ptr& s, std::string_view text) {
  auto& sb = subs_[s->id];
  if (text == "PING") {
    if (!sb.subscribed)
      return s->close(1008, "invalid subscription payload");
    sb.last_ping_ms = now_ms_();
    return s->send("PONG");
  }
  auto frame = parse_market_subscription(text);
  if (!frame)
    return s->close(1008, refusal(frame.error()));
  const auto& assets = frame->assets;
  if (frame->custom_feature_enabled)
    sb.custom = *frame->custom_feature_enabled;
  if (frame->operation == "unsubscribe") {
    for (auto& a : assets)
      sb.assets.erase(a);
    return;
  }
  if (!sb.subscribed && frame->type != "market")
    return s->close(1008, "invalid subscription payload");
  sb.subscribed = true;
  sb.last_ping_ms = now_ms_();
  // The initial dump is one frame: a JSON array of book events.
  json_out dump;
  dump.arr();
  bool any = false;
  for (auto& a : assets) {
    if (!ex_.market_by_token(a) || sb.assets.count(a))
      continue;
    sb.assets.insert(a);
    dump.raw(book_event(a));
    any = true;
  }
  dump.end_arr();
  if (any)
    s->send(dump.take());
  else if (assets.empty())
    s->send("NO NEW ASSETS");
}

void market_feed::send_to_asset(const std::string& asset, const std::string& frame, bool custom_only,
                                bool faultable) {
  for (auto& [id, sb] : subs_) {
    if (!sb.assets.count(asset) || (custom_only && !sb.custom))
      continue;
    const int copies = faultable && event_copies ? event_copies() : 1;
    for (int i = 0; i < copies; ++i)
      sb.session->send(frame);
  }
}

void market_feed::book_changed(const std::string& asset) {
  auto* m = ex_.market_by_token(asset);
  if (!m)
    return;
  auto& sent = sent_[asset];
  const auto ts_ms = now_ms_();
  auto ts = std::to_string(ts_ms);
  // Every entry carries the hash of the asset's whole book after this frame,
  // with last_trade_price "" (the price_change hash of this simulation).
  const auto hash = hash_of(asset, ts_ms, "");
  // One view of each side serves the diff and the best prices (best is last).
  auto bid_levels = ex_.bids(asset);
  auto ask_levels = ex_.asks(asset);
  const bool two_sided = !bid_levels.empty() && !ask_levels.empty();
  auto best_bid = bid_levels.empty() ? std::string("0") : dec(bid_levels.back().px.micros);
  auto best_ask = ask_levels.empty() ? std::string("1") : dec(ask_levels.back().px.micros);
  json_out j;
  j.obj().kv("event_type", "price_change").kv("market", m->condition_id).kv("timestamp", ts);
  j.key("price_changes").arr();
  bool changed = false;
  // Absolute sizes per level; "0" removes a level.
  auto diff = [&](std::map<std::int64_t, std::int64_t>& before, const std::vector<exchange::level>& now,
                  const char* side) {
    std::map<std::int64_t, std::int64_t> after;
    for (auto& l : now)
      after[l.px.micros] = l.size;
    auto emit = [&](std::int64_t px, std::int64_t size) {
      j.obj().kv("asset_id", asset).kv("price", dec(px)).kv("size", dec(size)).kv("side", side);
      j.kv("hash", hash).kv("best_bid", best_bid).kv("best_ask", best_ask).end_obj();
      changed = true;
    };
    for (auto& [px, size] : after) {
      auto it = before.find(px);
      if (it == before.end() || it->second != size)
        emit(px, size);
    }
    for (auto& [px, size] : before)
      if (!after.count(px))
        emit(px, 0);
    before = std::move(after);
  };
  diff(sent.bids, bid_levels, "BUY");
  diff(sent.asks, ask_levels, "SELL");
  j.end_arr().end_obj();
  if (!changed)
    return;
  send_to_asset(asset, j.take(), false, true);
  json_out bba;
  bba.obj().kv("event_type", "best_bid_ask").kv("market", m->condition_id).kv("asset_id", asset);
  bba.kv("best_bid", best_bid).kv("best_ask", best_ask);
  bba.kv("spread", two_sided ? dec(ask_levels.back().px.micros - bid_levels.back().px.micros) : std::string("1")).kv("timestamp", ts);
  send_to_asset(asset, bba.end_obj().take(), true);
}

void market_feed::traded(const venue_trade& t) {
  if (t.status != trade_status::matched)
    return; // the market channel reports the match once
  json_out j;
  j.obj().kv("event_type", "last_trade_price").kv("market", t.market).kv("asset_id", t.asset_id);
  j.kv("price", dec(t.px.micros)).kv("side", to_string(t.side)).kv("size", dec(t.size));
  j.kv("fee_rate_bps", "0").kv("timestamp", std::to_string(now_ms_()));
  send_to_asset(t.asset_id, j.end_obj().take(), false, true);
}

void market_feed::resolved(const slot_market& m) {
  json_out j;
  j.obj().kv("event_type", "market_resolved").kv("id", m.condition_id.substr(2, 12)).kv("market", m.condition_id);
  j.key("assets_ids").arr().str(m.up_token).str(m.down_token).end_arr();
  j.kv("winning_asset_id", m.winner == 0 ? m.up_token : m.down_token);
  j.kv("winning_outcome", m.winner == 0 ? "Up" : "Down").kv("timestamp", std::to_string(now_ms_()));
  j.key("tags").arr().end_arr();
  auto frame = j.end_obj().take();
  for (auto& [id, sb] : subs_)
    if (sb.custom && (sb.assets.count(m.up_token) || sb.assets.count(m.down_token)))
      sb.session->send(frame);
}

void market_feed::tick_changed(const slot_market& m, tick_size old_tick) {
  for (auto* tok : {&m.up_token, &m.down_token}) {
    json_out j;
    j.obj().kv("event_type", "tick_size_change").kv("market", m.condition_id).kv("asset_id", *tok);
    j.kv("old_tick_size", dec(old_tick.micros)).kv("new_tick_size", dec(m.tick.micros));
    j.kv("timestamp", std::to_string(now_ms_()));
    send_to_asset(*tok, j.end_obj().take(), false);
  }
}

// ------------------------------------------------------------------ user

user_feed::user_feed(const exchange& ex, std::function<std::int64_t()> now_ms, keepalive ka)
    : ex_(ex), now_ms_(std::move(now_ms)), ka_(ka) {}

void user_feed::on_open(const ws_session_ptr& s) { subs_[s->id] = sub{s, "", {}, false, now_ms_()}; }

void user_feed::on_close(const ws_session_ptr& s) { subs_.erase(s->id); }

std::vector<ws_session_ptr> user_feed::sessions() const { return open_sessions(subs_); }

void user_feed::sweep(std::int64_t now_ms) { expire_silent(subs_, now_ms, ka_.timeout_ms); }

void user_feed::on_text(const ws_session_ptr& s, std::string_view text) {
  auto& sb = subs_[s->id];
  if (text == "PING") {
    if (!sb.authed)
      return s->close(1008, "invalid subscription payload");
    sb.last_ping_ms = now_ms_();
    return s->send("PONG");
  }
  auto frame = parse_user_subscription(text);
  if (!frame)
    return s->close(1008, refusal(frame.error()));
  const auto& markets = frame->markets;
  if (!sb.authed) {
    if (!frame->has_auth)
      return s->close(1008, "invalid subscription payload");
    auto* c = ex_.creds(frame->api_key);
    if (!c || !secrets_equal(frame->secret, c->secret) || !secrets_equal(frame->passphrase, c->passphrase))
      return s->close(1008, "invalid authentication");
    sb.api_key = c->key;
    sb.authed = true;
    sb.markets = markets;
    sb.last_ping_ms = now_ms_();
    return;
  }
  const auto& op = frame->operation;
  if (op == "subscribe")
    sb.markets.insert(markets.begin(), markets.end());
  else if (op == "unsubscribe")
    for (auto& m : markets)
      sb.markets.erase(m);
}

void user_feed::order_event(const venue_order& o, std::string_view type) {
  json_out j;
  j.obj().kv("event_type", "order").kv("type", type);
  order_fields(j, o);
  j.kv("order_owner", o.owner).kv("timestamp", std::to_string(now_ms_()));
  auto frame = j.end_obj().take();
  for (auto& [id, sb] : subs_)
    if (sb.authed && sb.api_key == o.owner && (sb.markets.empty() || sb.markets.count(o.market)))
      sb.session->send(frame);
}

void user_feed::trade_event(const venue_trade& t) {
  for (auto& [id, sb] : subs_) {
    if (!sb.authed || (!sb.markets.empty() && !sb.markets.count(t.market)))
      continue;
    bool taker = t.owner == sb.api_key;
    bool maker = false;
    for (auto& f : t.makers)
      maker |= f.owner == sb.api_key;
    if (!taker && !maker)
      continue;
    if (drop_trade && drop_trade()) {
      ++faults.trade_events_dropped;
      continue;
    }
    json_out j;
    j.obj().kv("event_type", "trade").kv("type", "TRADE");
    trade_fields(j, t, taker ? "TAKER" : "MAKER");
    j.kv("trade_owner", sb.api_key).kv("timestamp", std::to_string(now_ms_()));
    auto frame = j.end_obj().take();
    auto delay = delay_trade ? delay_trade() : 0;
    if (delay > 0) {
      ++faults.trade_events_delayed;
      sb.session->send_after(frame, delay);
    } else {
      sb.session->send(frame);
    }
    if (duplicate_trade && duplicate_trade()) {
      ++faults.trade_events_duplicated;
      sb.session->send(frame);
    }
  }
}

// ------------------------------------------------------------------ RTDS

rtds_feed::rtds_feed(std::function<std::int64_t()> now_ms, const std::vector<std::string>& assets)
    : now_ms_(std::move(now_ms)) {
  for (auto& a : assets)
    history_[a + "/usd"];
}

void rtds_feed::on_open(const ws_session_ptr& s) { subs_[s->id] = sub{s, {}}; }

void rtds_feed::on_close(const ws_session_ptr& s) { subs_.erase(s->id); }

std::vector<ws_session_ptr> rtds_feed::sessions() const { return open_sessions(subs_); }

namespace {

constexpr const char* chainlink_topic = "crypto_prices_chainlink";

/// The real service refuses a subscription with {"statusCode":401,"body":{"message":"... not found"}}
/// (ref §5.3); the venue uses that shape for every error, 400 for a malformed request.
std::string rtds_error(int status, std::string_view message) {
  json_out e;
  e.obj().kn("statusCode", status).key("body").obj().kv("message", message).end_obj();
  return e.end_obj().take();
}

} // namespace

void rtds_feed::on_text(const ws_session_ptr& s, std::string_view text) {
  if (text == "PING" || text == "ping")
    return; // RTDS keeps quiet on pings, as observed
  auto req = parse_rtds_request(text);
  if (!req)
    return s->send(rtds_error(400, req.error()));
  // A bad topic kills the whole batch (observed): nothing of it is applied.
  for (auto& entry : req->subscriptions)
    if (entry.topic != chainlink_topic)
      return s->send(rtds_error(401, "topic " + entry.topic.substr(0, 64) + " not found"));
  auto& sb = subs_[s->id];
  for (auto& entry : req->subscriptions)
    apply(s, sb, req->subscribe, entry);
}

void rtds_feed::apply(const ws_session_ptr& s, sub& sb, bool subscribe, const rtds_subscription& entry) {
  if (!entry.filters)
    return s->send(rtds_error(400, R"(invalid request: 'filters' must be a string such as "{\"symbol\":\"btc/usd\"}")"));
  // A space after ':' silently matches nothing on the real service (ref §5.3).
  if (entry.filters->find(": ") != std::string::npos)
    return;
  auto sym = parse_rtds_filter_symbol(*entry.filters);
  if (!sym)
    return s->send(rtds_error(400, sym.error()));
  const auto& symbol = *sym;
  if (!history_.count(symbol))
    return s->send(rtds_error(401, "symbol " + symbol.substr(0, 64) + " not found"));
  if (!subscribe) {
    sb.symbols.erase(symbol);
    return;
  }
  sb.symbols.insert(symbol);
  s->send(backfill(symbol));
}

std::string rtds_feed::backfill(const std::string& symbol) const {
  json_out j;
  j.obj().kv("topic", chainlink_topic).kv("type", "subscribe").kn("timestamp", now_ms_());
  j.key("payload").obj().kv("symbol", symbol).key("data").arr();
  for (auto& [ts, p] : history_.at(symbol)) {
    j.obj().kn("timestamp", ts).key("value");
    j.raw_number(format_fixed(p.e8, ref_price::decimals));
    j.end_obj();
  }
  j.end_arr().end_obj();
  return j.end_obj().take();
}

void rtds_feed::publish(const std::string& asset, std::int64_t ts_ms, ref_price p) {
  auto symbol = asset + "/usd";
  auto& h = history_[symbol];
  h.emplace_back(ts_ms, p);
  while (h.size() > 120)
    h.pop_front();
  json_out j;
  j.obj().kv("topic", chainlink_topic).kv("type", "update").kn("timestamp", now_ms_());
  j.key("payload").obj().kv("symbol", symbol).kn("timestamp", ts_ms).key("value");
  j.raw_number(format_fixed(p.e8, ref_price::decimals));
  // Chainlink's full accuracy value is an E18 integer string.
  j.kv("full_accuracy_value", std::to_string(p.e8) + "0000000000");
  j.end_obj().kv("connection_id", "tdmaker-venue");
  auto frame = j.end_obj().take();
  for (auto& [id, sb] : subs_)
    if (sb.symbols.count(symbol))
      sb.session->send(frame);
}

} // namespace tdmaker::venue
