#include "venue/clob_api.hpp"


#include "core/bytes.hpp"
#include "core/control.hpp"
#include "core/decimal.hpp"
#include "core/eth_address.hpp"
#include "core/keccak.hpp"
#include "core/l2_auth.hpp"
#include "core/secp256k1_signer.hpp"
#include "venue/gamma_api.hpp" // iso8601
#include "venue/json_out.hpp"
#include "venue/request_parse.hpp"
#include "venue/wire_json.hpp"

namespace tdmaker::venue {
namespace {

constexpr std::int64_t one = micros_per_unit;
constexpr std::size_t page_size = 100;
constexpr const char* end_cursor = "LTE=";

http_reply ok(std::string body) { return {200, std::move(body)}; }
http_reply err(int status, std::string_view message) { return {status, json_error(message)}; }

std::string header(const http_request& req, std::string_view name) {
  auto it = req.find(boost::beast::string_view(name.data(), name.size()));
  return it == req.end() ? std::string() : std::string(it->value());
}

std::string query(const split_target& t, const char* key) {
  auto it = t.query.find(key);
  return it == t.query.end() ? std::string() : it->second;
}

std::string dec(std::int64_t micros) { return format_fixed(micros, micro_decimals); }

std::string cursor_of(std::size_t offset) {
  auto s = std::to_string(offset);
  return base64_encode(std::span(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
}

std::optional<std::size_t> offset_of(const std::string& cursor) {
  if (cursor.empty())
    return 0;
  auto raw = base64_decode(cursor);
  if (!raw)
    return std::nullopt;
  std::string s(raw->begin(), raw->end());
  if (s.empty() || s.size() > 9 || s.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  return static_cast<std::size_t>(std::stoul(s));
}

template <class T, class F>
http_reply page(const std::vector<T>& items, const split_target& t, F&& render) {
  auto offset = offset_of(query(t, "next_cursor"));
  if (!offset)
    return err(400, "invalid next_cursor");
  json_out j;
  j.obj().kn("limit", page_size);
  auto end = std::min(items.size(), *offset + page_size);
  j.kv("next_cursor", end < items.size() ? cursor_of(end) : std::string(end_cursor));
  j.kn("count", static_cast<std::int64_t>(end > *offset ? end - *offset : 0));
  j.key("data").arr();
  for (auto i = *offset; i < end; ++i)
    j.raw(render(*items[i]));
  j.end_arr().end_obj();
  return ok(j.take());
}

std::string uuid_of(const std::string& seed) {
  auto h = keccak256("heartbeat/" + seed);
  auto x = to_hex(std::span(h.data(), 16), false);
  return x.substr(0, 8) + "-" + x.substr(8, 4) + "-" + x.substr(12, 4) + "-" + x.substr(16, 4) + "-" + x.substr(20, 12);
}

std::string cancel_json(const cancel_outcome& c) {
  json_out j;
  j.obj().key("canceled").arr();
  for (auto& id : c.canceled)
    j.str(id);
  j.end_arr().key("not_canceled").obj();
  for (auto& [id, why] : c.not_canceled)
    j.kv(id, why);
  j.end_obj().end_obj();
  return j.take();
}

} // namespace

clob_api::clob_api(exchange& ex, std::function<std::int64_t()> now_ms, clob_api_config cfg)
    : ex_(ex), now_ms_(std::move(now_ms)), cfg_(cfg), limits_(cfg_.rate_limits) {}

http_reply clob_api::handle(const http_request& req, const split_target& t) {
  const auto& p = t.path;
  if (p.rfind("/auth/api-key", 0) == 0 && req.method() == http::verb::post)
    return l1_route(req, t);
  if (p == "/auth/derive-api-key")
    return l1_route(req, t);
  bool l2 = p == "/order" || p == "/orders" || p == "/cancel-all" || p == "/cancel-market-orders"
            || p.rfind("/data/", 0) == 0 || p.rfind("/balance-allowance", 0) == 0
            || p == "/v1/heartbeats" || p == "/heartbeats" || p == "/auth/api-keys" || p == "/auth/ban-status/closed-only";
  if (!l2)
    return public_route(req, t);
  auto auth = authenticate_l2(req, t);
  if (auto* reply = std::get_if<http_reply>(&auth))
    return *reply;
  return l2_route(req, t, std::get<std::string>(auth));
}

// ------------------------------------------------------------------ public

http_reply clob_api::public_route(const http_request& req, const split_target& t) {
  const auto& p = t.path;
  auto token = query(t, "token_id");
  if (p == "/" || p == "/ok")
    return ok(R"("OK")");
  if (p == "/time")
    return ok(std::to_string(now_ms_() / 1000));
  if (p == "/version")
    return ok(R"({"version":2})");
  if (p == "/book")
    return book(token);
  if (p == "/books") {
    std::vector<std::string> tokens;
    if (req.method() == http::verb::post) {
      auto parsed = parse_books_request(req.body());
      if (!parsed)
        return err(400, "Invalid payload: " + parsed.error());
      tokens = std::move(parsed).value();
    } else {
      auto list = query(t, "token_ids");
      for (std::size_t a = 0; a < list.size();) {
        auto c = list.find(',', a);
        tokens.push_back(list.substr(a, c == std::string::npos ? std::string::npos : c - a));
        a = c == std::string::npos ? list.size() : c + 1;
      }
    }
    json_out j;
    j.arr();
    for (auto& tok : tokens)
      if (auto* m = ex_.market_by_token(tok))
        j.raw(book_json(*m, tok));
    j.end_arr();
    return ok(j.take());
  }
  auto* m = ex_.market_by_token(token);
  if (p == "/tick-size" || p.rfind("/tick-size/", 0) == 0) {
    if (!m && p.size() > 11)
      m = ex_.market_by_token(p.substr(11));
    if (!m)
      return err(404, "market not found");
    return ok(json_out().obj().key("minimum_tick_size").real(static_cast<double>(m->tick.micros) / one)
                .end_obj().take());
  }
  if (p == "/neg-risk") {
    if (!m)
      return err(404, "market not found");
    return ok(R"({"neg_risk":false})");
  }
  if (p == "/fee-rate") {
    if (!m)
      return err(404, "market not found");
    return ok(R"({"base_fee":0})");
  }
  if (p == "/price") {
    if (!m)
      return err(404, "No orderbook exists for the requested token id");
    auto side = query(t, "side");
    if (side != "BUY" && side != "SELL")
      return err(400, "Invalid side");
    auto px = side == "BUY" ? ex_.best_bid(token) : ex_.best_ask(token);
    if (!px)
      return err(404, "No orderbook exists for the requested token id");
    return ok(json_out().obj().kv("price", dec(px->micros)).end_obj().take());
  }
  if (p == "/midpoint" || p == "/spread") {
    if (!m)
      return err(404, "No orderbook exists for the requested token id");
    auto bid = ex_.best_bid(token), ask = ex_.best_ask(token);
    if (!bid || !ask)
      return err(404, "No orderbook exists for the requested token id");
    if (p == "/spread")
      return ok(json_out().obj().kv("spread", dec(ask->micros - bid->micros)).end_obj().take());
    // Half a micro is below the grid: round the midpoint half up.
    auto mid = dec((bid->micros + ask->micros + 1) / 2);
    return ok(json_out().obj().kv("mid", mid).kv("mid_price", mid).end_obj().take());
  }
  if (p == "/last-trade-price") {
    if (!m)
      return err(404, "No orderbook exists for the requested token id");
    auto lt = ex_.last_trade(token);
    json_out j;
    j.obj();
    if (lt)
      j.kv("price", dec(lt->first.micros)).kv("side", to_string(lt->second));
    else
      j.kv("price", "0.5").kv("side", "");
    return ok(j.end_obj().take());
  }
  if (p.rfind("/markets/", 0) == 0) {
    auto* mk = ex_.market_by_condition(p.substr(9));
    if (!mk)
      return err(404, "market not found");
    return ok(market_json(*mk));
  }
  if (p.rfind("/markets-by-token/", 0) == 0) {
    auto* mk = ex_.market_by_token(p.substr(18));
    if (!mk)
      return err(404, "market not found");
    return ok(json_out().obj().kv("condition_id", mk->condition_id).end_obj().take());
  }
  if (p.rfind("/clob-markets/", 0) == 0) {
    auto* mk = ex_.market_by_condition(p.substr(14));
    if (!mk)
      return err(404, "market not found");
    json_out j;
    j.obj().kv("c", mk->condition_id).key("t").arr();
    j.obj().kv("t", mk->up_token).kv("o", "Up").end_obj();
    j.obj().kv("t", mk->down_token).kv("o", "Down").end_obj();
    j.end_arr();
    j.key("mts").real(static_cast<double>(mk->tick.micros) / one);
    j.key("mos").real(static_cast<double>(mk->min_size.micros) / one);
    j.kb("nr", false);
    j.key("fd").obj().key("r").raw_number(format_fixed(mk->fee.rate_ppm, micro_decimals));
    j.kn("e", mk->fee.exponent).kb("to", mk->fee.taker_only).end_obj();
    j.kn("mbf", 0).kn("tbf", 0).kb("itode", ex_.taker_delay_of(*mk) > 0).kn("oas", 0).kb("rfqe", false);
    return ok(j.end_obj().take());
  }
  return err(404, "not found");
}

http_reply clob_api::book(const std::string& token) {
  auto* m = ex_.market_by_token(token);
  if (!m)
    return err(404, "No orderbook exists for the requested token id");
  return ok(book_json(*m, token));
}

std::string clob_api::book_json(const slot_market& m, const std::string& token) {
  json_out j;
  j.obj().kv("market", m.condition_id).kv("asset_id", token);
  j.kv("timestamp", std::to_string(now_ms_())).kv("hash", "");
  auto levels = [&](const char* key, const std::vector<exchange::level>& ls) {
    j.key(key).arr();
    for (auto& l : ls)
      j.obj().kv("price", dec(l.px.micros)).kv("size", dec(l.size)).end_obj();
    j.end_arr();
  };
  levels("bids", ex_.bids(token));
  levels("asks", ex_.asks(token));
  j.kv("min_order_size", dec(m.min_size.micros)).kv("tick_size", dec(m.tick.micros));
  j.kb("neg_risk", false);
  auto lt = ex_.last_trade(token);
  j.kv("last_trade_price", lt ? dec(lt->first.micros) : std::string("0.5"));
  return j.end_obj().take();
}

std::string clob_api::market_json(const slot_market& m) {
  json_out j;
  j.obj().kv("condition_id", m.condition_id).kv("question_id", m.condition_id);
  j.key("tokens").arr();
  for (int i = 0; i < 2; ++i) {
    j.obj().kv("token_id", i == 0 ? m.up_token : m.down_token).kv("outcome", i == 0 ? "Up" : "Down");
    j.key("price").real(m.winner < 0 ? 0.5 : (m.winner == i ? 1.0 : 0.0));
    j.kb("winner", m.winner == i).end_obj();
  }
  j.end_arr();
  j.kb("active", !m.closed).kb("closed", m.closed).kb("accepting_orders", !m.closed);
  j.key("minimum_order_size").real(static_cast<double>(m.min_size.micros) / one);
  j.key("minimum_tick_size").real(static_cast<double>(m.tick.micros) / one);
  j.kb("neg_risk", false).kv("market_slug", m.slug).kv("end_date_iso", iso8601(m.end_s));
  j.kn("seconds_delay", 0);
  return j.end_obj().take();
}

// ------------------------------------------------------------------ L1

http_reply clob_api::l1_route(const http_request& req, const split_target& t) {
  auto address = parse_address(header(req, "POLY_ADDRESS"));
  auto sig = parse_signature(header(req, "POLY_SIGNATURE"));
  auto ts = header(req, "POLY_TIMESTAMP");
  auto nonce_text = header(req, "POLY_NONCE");
  if (nonce_text.empty())
    nonce_text = "0";
  if (!address || !sig || ts.empty() || ts.size() > 12 || ts.find_first_not_of("0123456789") != std::string::npos
      || nonce_text.size() > 18 || nonce_text.find_first_not_of("0123456789") != std::string::npos)
    return err(401, "Invalid L1 Request headers");
  auto skew = std::stoll(ts) - now_ms_() / 1000;
  if (skew > cfg_.auth_skew_s || skew < -cfg_.auth_skew_s)
    return err(401, "Invalid L1 Request headers");
  auto nonce = std::stoull(nonce_text);
  auto who = recover_signer(clob_auth_digest(clob_auth{*address, ts, nonce}), *sig);
  if (!who || *who != *address)
    return err(401, "Invalid L1 Request headers");
  std::optional<api_creds> c;
  if (t.path == "/auth/derive-api-key") {
    c = ex_.derive_key(*address, nonce);
    if (!c)
      return err(400, "Could not derive api key!");
  } else {
    c = ex_.create_key(*address, nonce);
    if (!c)
      return err(400, "Could not create api key");
  }
  return ok(json_out().obj().kv("apiKey", c->key).kv("secret", c->secret)
              .kv("passphrase", c->passphrase).end_obj().take());
}

// ------------------------------------------------------------------ L2

std::variant<std::string, http_reply> clob_api::authenticate_l2(const http_request& req,
                                                               const split_target& t) {
  auto denied = err(401, "Unauthorized/Invalid api key");
  auto key = header(req, "POLY_API_KEY");
  auto* c = ex_.creds(key);
  auto* acct = ex_.account_by_key(key);
  if (!c || !acct)
    return denied;
  auto address = parse_address(header(req, "POLY_ADDRESS"));
  if (!address || *address != acct->address || !secrets_equal(header(req, "POLY_PASSPHRASE"), c->passphrase))
    return denied;
  auto ts = header(req, "POLY_TIMESTAMP");
  if (ts.empty() || ts.size() > 12 || ts.find_first_not_of("0123456789") != std::string::npos)
    return denied;
  auto skew = std::stoll(ts) - now_ms_() / 1000;
  if (skew > cfg_.auth_skew_s || skew < -cfg_.auth_skew_s)
    return denied;
  auto expected = l2_signature(c->secret, ts, std::string(req.method_string()), t.path, req.body());
  if (!expected || !secrets_equal(header(req, "POLY_SIGNATURE"), *expected))
    return denied;
  return key;
}

http_reply clob_api::l2_route(const http_request& req, const split_target& t, const std::string& key) {
  const auto& p = t.path;
  auto m = req.method();
  if (p == "/order" || p == "/orders" || p == "/cancel-all" || p == "/cancel-market-orders")
    if (auto rep = trading_route(req, t, key); rep.status != 0)
      return rep;
  if (p == "/data/orders") {
    auto orders = ex_.open_orders(key, query(t, "market"), query(t, "asset_id"), query(t, "id"));
    return page(orders, t, [&](const venue_order& o) { return order_json(o); });
  }
  if (p.rfind("/data/order/", 0) == 0) {
    auto* o = ex_.order(p.substr(12));
    if (!o || o->owner != key)
      return err(404, "Order not found");
    return ok(order_json(*o));
  }
  if (p == "/data/trades") {
    auto all = ex_.trades_of(key);
    std::vector<const venue_trade*> picked;
    auto id = query(t, "id"), market = query(t, "market"), asset = query(t, "asset_id");
    auto after_text = query(t, "after");
    std::int64_t after = 0; // unix seconds: trades matched at or after it
    if (!after_text.empty() && !is_canonical_unsigned(after_text, 12))
      return err(400, "invalid after");
    if (!after_text.empty())
      after = std::stoll(after_text);
    for (auto* tr : all)
      if ((id.empty() || tr->id == id) && (market.empty() || tr->market == market)
          && (asset.empty() || tr->asset_id == asset) && tr->match_time_s >= after)
        picked.push_back(tr);
    return page(picked, t, [&](const venue_trade& tr) { return trade_json(tr, key); });
  }
  if (p == "/balance-allowance" || p == "/balance-allowance/update") {
    // signature_type names whose funds: the key's own (0, the default) or its
    // registered proxy / safe / deposit wallet's, as the real CLOB derives them.
    auto st = query(t, "signature_type");
    if (!st.empty() && (st.size() != 1 || st[0] < '0' || st[0] > '3'))
      return err(400, "invalid signature_type");
    const auto* acct = ex_.account_by_key(key);
    if (!st.empty() && st != "0") {
      auto* w = ex_.wallets().of_owner(acct->address, static_cast<signature_type>(st[0] - '0'));
      if (!w)
        return err(400, "no wallet of signature_type " + st + " is registered for this address");
      acct = ex_.account_by_address(w->wallet);
    }
    auto type = query(t, "asset_type");
    std::int64_t bal = 0;
    if (type == "COLLATERAL") {
      bal = acct->usdc;
    } else if (type == "CONDITIONAL" || type == "CONDITIONAL-V2") {
      auto tok = query(t, "token_id");
      if (!ex_.market_by_token(tok))
        return err(400, "invalid token_id");
      auto it = acct->tokens.find(tok);
      bal = it == acct->tokens.end() ? 0 : it->second;
    } else {
      return err(400, "invalid asset_type");
    }
    if (p == "/balance-allowance/update")
      return ok("\"\"");
    json_out j;
    j.obj().kv("balance", std::to_string(bal)).key("allowances").obj();
    j.kv("0xE111180000d2663C0091e4f400237545B87B996B", "115792089237316195423570985008687907853269984665640564039457584007913129639935");
    j.end_obj().end_obj();
    return ok(j.take());
  }
  if (p == "/auth/api-keys") {
    auto* acct = ex_.account_by_key(key);
    json_out j;
    j.obj().key("apiKeys").arr();
    for (auto& c : acct->keys)
      j.str(c.key);
    return ok(j.end_arr().end_obj().take());
  }
  if (p == "/auth/ban-status/closed-only")
    return ok(R"({"closed_only":false})");
  if (p == "/v1/heartbeats" && m == http::verb::post)
    return heartbeat(req.body(), key);
  if (p == "/heartbeats" && m == http::verb::post)
    return ok(R"({"status":"ok"})");
  return err(404, "not found");
}

// The order and cancel endpoints, each behind the signer's bucket (ref §6).
// Status 0: not a trading route (the method does not match).
http_reply clob_api::trading_route(const http_request& req, const split_target& t, const std::string& key) {
  const auto& p = t.path;
  auto m = req.method();
  if (p == "/order" && m == http::verb::post)
    return limited(key, limit_bucket::order, 1, [&](limit_verdict&) { return post_order(req.body(), key); });
  if (p == "/orders" && m == http::verb::post) {
    // The cost is the batch's size: a body that does not split is refused before the check.
    auto orders = split_orders_request(req.body(), 15);
    if (!orders)
      return err(400, orders.error());
    return limited(key, limit_bucket::order, static_cast<std::int64_t>(orders->size()),
                   [&](limit_verdict&) { return post_orders(req.body(), key); });
  }
  if (p == "/order" && m == http::verb::delete_)
    return limited(key, limit_bucket::cancel, 1, [&](limit_verdict&) {
      auto id = parse_string_member(req.body(), "orderID");
      if (!id)
        return err(400, "Invalid payload: " + id.error());
      return ok(cancel_json(ex_.cancel(key, {*id})));
    });
  if (p == "/orders" && m == http::verb::delete_) {
    auto ids = parse_string_array(req.body());
    if (!ids)
      return err(400, "Invalid payload: " + ids.error());
    if (ids->size() > 1000)
      return err(400, "Too many orders in payload: " + std::to_string(ids->size()) + ", max allowed: 1000");
    return limited(key, limit_bucket::cancel, static_cast<std::int64_t>(ids->size()),
                   [&](limit_verdict&) { return ok(cancel_json(ex_.cancel(key, *ids))); });
  }
  if (m != http::verb::delete_ || (p != "/cancel-all" && p != "/cancel-market-orders"))
    return {0, ""};
  // One token up front; one more per order cancelled once that is known.
  return limited(key, limit_bucket::cancel, 1, [&](limit_verdict& v) {
    std::string market, asset;
    if (p == "/cancel-market-orders") {
      auto market_given = parse_string_member(req.body(), "market");
      auto asset_given = parse_string_member(req.body(), "asset_id");
      market = market_given ? *market_given : std::string();
      asset = asset_given ? *asset_given : std::string();
      if (market.empty() && asset.empty())
        return err(400, "Invalid payload");
    }
    auto out = ex_.cancel_all(key, market, asset);
    limits_.charge(ex_.account_by_key(key)->address, v, static_cast<std::int64_t>(out.canceled.size()), now_ms_());
    return ok(cancel_json(out));
  });
}

http_reply clob_api::limited(const std::string& key, limit_bucket b, std::int64_t cost,
                             const std::function<http_reply(limit_verdict&)>& run) {
  auto v = limits_.admit(ex_.account_by_key(key)->address, b, cost, now_ms_());
  if (!v.admitted)
    return limits_.refusal(v);
  auto rep = run(v);
  limits_.stamp(rep, v);
  return rep;
}

http_reply clob_api::heartbeat(const std::string& body, const std::string& api_key) {
  auto given = parse_string_member(body, "heartbeat_id");
  if (!given)
    return err(400, "Invalid payload: " + given.error());
  auto& hb = heartbeats_[api_key];
  // The first beat carries "" (or the id of a lapsed series); later ones the last id returned.
  if (!given->empty() && *given != hb.id)
    return {400, json_out().obj().kv("error", "Invalid Heartbeat ID").kv("heartbeat_id", *given).end_obj().take()};
  hb.id = uuid_of(api_key + "/" + std::to_string(++hb.n));
  hb.last_ms = now_ms_();
  return ok(json_out().obj().kv("heartbeat_id", hb.id).end_obj().take());
}

void clob_api::expire_heartbeats(std::int64_t now_ms) {
  for (auto& [key, hb] : heartbeats_) {
    if (hb.id.empty() || now_ms - hb.last_ms <= cfg_.heartbeat_timeout_ms)
      continue;
    // A lapsed heartbeat cancels all of the key's orders, as on the real CLOB.
    ex_.cancel_all(key, "", "");
    hb.id.clear();
  }
}

http_reply clob_api::post_order(const std::string& body, const std::string& api_key) {
  auto r = parse_order_request(body);
  if (!r)
    return err(400, r.error());
  auto placed = ex_.place(*r, api_key, now_ms_());
  if (auto* rej = std::get_if<rejection>(&placed))
    return err(rej->http_status, rej->error);
  auto& p = std::get<placement>(placed);
  json_out j;
  j.obj().kb("success", true).kv("orderID", p.order_id).kv("status", p.status);
  j.kv("makingAmount", p.making ? dec(p.making) : std::string());
  j.kv("takingAmount", p.taking ? dec(p.taking) : std::string());
  j.key("transactionsHashes").arr().end_arr();
  j.key("tradeIDs").arr();
  for (auto& id : p.trade_ids)
    j.str(id);
  j.end_arr().kv("errorMsg", "").end_obj();
  return ok(j.take());
}

http_reply clob_api::post_orders(const std::string& body, const std::string& api_key) {
  auto orders = split_orders_request(body, 15);
  if (!orders)
    return err(400, orders.error());
  json_out j;
  j.arr();
  for (auto& one : *orders) {
    auto reply = post_order(one, api_key);
    if (reply.status == 200) {
      j.raw(reply.body);
    } else {
      std::string msg = error_message(reply.body);
      j.obj().kb("success", false).kv("orderID", "").kv("status", "").kv("makingAmount", "")
        .kv("takingAmount", "").key("transactionsHashes").arr().end_arr().key("tradeIDs").arr().end_arr()
        .kv("errorMsg", msg).end_obj();
    }
  }
  return ok(j.end_arr().take());
}

std::string clob_api::order_json(const venue_order& o) {
  json_out j;
  j.obj();
  order_fields(j, o);
  return j.end_obj().take();
}

std::string clob_api::trade_json(const venue_trade& t, const std::string& reader) {
  json_out j;
  j.obj();
  trade_fields(j, t, t.owner == reader ? "TAKER" : "MAKER");
  return j.end_obj().take();
}

} // namespace tdmaker::venue
