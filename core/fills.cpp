#include "core/fills.hpp"

#include <rapidjson/document.h>

#include "core/json_read.hpp"
#include "core/json_write.hpp"
#include "core/order_lifecycle.hpp"

namespace tdmaker {
namespace {

/// Progress of a trade: RETRYING sits between MATCHED and MINED (a failed
/// settlement attempt that may still be mined), FAILED ends everything.
int rank(trade_status s) {
  switch (s) {
    case trade_status::matched: return 0;
    case trade_status::retrying: return 1;
    case trade_status::mined: return 2;
    case trade_status::confirmed: return 3;
    case trade_status::failed: return 4;
  }
  return 0;
}

bool counts(const fill_record& f) { return f.status != trade_status::failed; }

} // namespace

std::string_view to_string(fill_source s) {
  switch (s) {
    case fill_source::user_ws: return "user_ws";
    case fill_source::reconcile: return "reconcile";
    case fill_source::paper: return "paper";
  }
  return "unknown";
}

std::string_view to_string(trade_status s) {
  switch (s) {
    case trade_status::matched: return "MATCHED";
    case trade_status::mined: return "MINED";
    case trade_status::confirmed: return "CONFIRMED";
    case trade_status::retrying: return "RETRYING";
    case trade_status::failed: return "FAILED";
  }
  return "UNKNOWN";
}

result<trade_status> parse_trade_status(std::string_view text) {
  std::string up;
  for (char c : text)
    up.push_back(static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c));
  std::string_view t = up;
  if (t.rfind("TRADE_STATUS_", 0) == 0)
    t.remove_prefix(13);
  for (auto s : {trade_status::matched, trade_status::mined, trade_status::confirmed,
                 trade_status::retrying, trade_status::failed})
    if (t == to_string(s))
      return s;
  return fail("unknown trade status '" + std::string(text) + "'");
}

std::string_view to_string(fill_change c) {
  switch (c) {
    case fill_change::booked: return "booked";
    case fill_change::advanced: return "advanced";
    case fill_change::reversed: return "reversed";
    case fill_change::duplicate: return "duplicate";
    case fill_change::never_booked: return "never_booked";
  }
  return "unknown";
}

std::string_view to_string(match_kind k) {
  switch (k) {
    case match_kind::exact: return "exact";
    case match_kind::placeholder: return "placeholder";
    case match_kind::pending_cancel: return "pending_cancel";
    case match_kind::broad: return "broad";
    case match_kind::none: return "none";
  }
  return "unknown";
}

std::string fill_key(const condition_id& market, std::string_view order_id, std::string_view trade_id) {
  std::string k;
  k.reserve(market.hex.size() + order_id.size() + trade_id.size() + 2);
  k.append(market.hex).append(":").append(order_id).append(":").append(trade_id);
  return k;
}

usdc fill_cash(shares size, price px) {
  return usdc{static_cast<std::int64_t>(static_cast<__int128>(size.micros) * px.micros / micros_per_unit)};
}

fill_change apply_report(const std::optional<fill_record>& known, const fill_report& r, std::int64_t now_ms,
                         fill_record& next) {
  if (known) {
    if (known->status == trade_status::failed || rank(r.status) <= rank(known->status))
      return fill_change::duplicate;
    next = *known;
    next.status = r.status;
    if (r.status == trade_status::failed) {
      next.reversed = true;
      return fill_change::reversed;
    }
    return fill_change::advanced;
  }
  next = fill_record{fill_key(r.market, r.order_id, r.trade_id), r.trade_id, r.order_id, r.market, r.token,
                     r.side, r.px, r.size, r.fee, r.taker, r.status, false, r.ts_ms, now_ms, r.source,
                     strategy_kind::td_maker}; // the fill actor names its order's strategy
  return r.status == trade_status::failed ? fill_change::never_booked : fill_change::booked;
}

void fold_fill(position& p, const fill_record& f, bool remove) {
  const std::int64_t sign = remove ? -1 : 1;
  auto cash = fill_cash(f.size, f.px).micros * sign;
  if (f.side == order_side::buy) {
    p.bought.micros += f.size.micros * sign;
    p.cost.micros += cash;
  } else {
    p.sold.micros += f.size.micros * sign;
    p.proceeds.micros += cash;
  }
  p.fees.micros += f.fee.micros * sign;
  p.fills = static_cast<std::uint32_t>(static_cast<std::int64_t>(p.fills) + sign);
}

std::string position_key(const fill_record& f) {
  std::string k = f.source == fill_source::paper ? f.token.digits + "/paper" : f.token.digits;
  if (f.strategy != strategy_kind::td_maker) // the TD maker's keys are as they were before strategies
    k.append("/").append(to_string(f.strategy));
  return k;
}

bool paper_oversell(const position* held, const fill_report& r) {
  if (r.source != fill_source::paper || r.side != order_side::sell || r.status == trade_status::failed)
    return false;
  return r.size > (held ? held->held() : shares{0});
}

std::map<std::string, position> positions_of(std::span<const fill_record> fills) {
  std::map<std::string, position> out;
  for (auto& f : fills) {
    if (!counts(f))
      continue;
    auto& p = out[position_key(f)];
    p.market = f.market;
    p.token = f.token;
    p.paper = f.source == fill_source::paper;
    p.strategy = f.strategy;
    fold_fill(p, f, false);
  }
  return out;
}

fill_match match_fill(const fill_report& f, std::span<const order_record> orders) {
  // A fill credits only an order of its own book: a venue fill never moves a
  // paper order (the market would then sell paper shares the paper book never
  // bought), a paper fill never a venue order.
  const bool paper = f.source == fill_source::paper;
  for (auto& o : orders) {
    if (o.order_id != f.order_id || o.paper != paper)
      continue;
    switch (o.state) {
      case order_state::placing:
      case order_state::unknown: return {match_kind::placeholder, &o};
      case order_state::cancel_pending: return {match_kind::pending_cancel, &o};
      default: return {match_kind::exact, &o};
    }
  }
  // The venue named an order the ledger does not know by id: the oldest open
  // order that could have traded this leg takes it.
  const order_record* best = nullptr;
  for (auto& o : orders)
    if (is_open(o.state) && o.paper == paper && o.market == f.market && o.token == f.token && o.side == f.side && o.px == f.px
        && o.size.micros - o.matched.micros >= f.size.micros && (!best || o.created_ms < best->created_ms))
      best = &o;
  return best ? fill_match{match_kind::broad, best} : fill_match{};
}

std::string encode(const fill_record& r) {
  return json::object_writer()
    .str("key", r.key)
    .str("trade_id", r.trade_id)
    .str("order_id", r.order_id)
    .str("market", r.market.hex)
    .str("token", r.token.digits)
    .str("side", r.side == order_side::buy ? "BUY" : "SELL")
    .str("price", to_string(r.px))
    .str("size", to_string(r.size))
    .str("fee", to_string(r.fee))
    .flag("taker", r.taker)
    .str("status", to_string(r.status))
    .flag("reversed", r.reversed)
    .num("ts_ms", r.ts_ms)
    .num("booked_ms", r.booked_ms)
    .str("source", to_string(r.source))
    .str("strategy", to_string(r.strategy))
    .take();
}

result<fill_record> decode_fill_record(std::string_view text) {
  rapidjson::Document doc;
  if (auto ok = json::parse_object(doc, text); !ok)
    return fail("fill record: " + ok.error());
  json::field_reader in(doc);
  fill_record r;
  r.key = in.str("key");
  r.trade_id = in.str("trade_id");
  r.order_id = in.str("order_id");
  in.check(parse_condition_id(in.str("market")), r.market, "market");
  in.check(parse_token_id(in.str("token")), r.token, "token");
  auto side = in.str("side");
  if (side != "BUY" && side != "SELL")
    in.note("side must be BUY or SELL");
  r.side = side == "SELL" ? order_side::sell : order_side::buy;
  in.check(parse_price(in.str("price")), r.px, "price");
  in.check(parse_shares(in.str("size")), r.size, "size");
  in.check(parse_usdc(in.str("fee")), r.fee, "fee");
  r.taker = in.flag("taker");
  in.check(parse_trade_status(in.str("status")), r.status, "status");
  r.reversed = in.flag("reversed");
  r.ts_ms = in.num("ts_ms");
  r.booked_ms = in.num("booked_ms");
  auto src = in.str("source");
  r.source = src == "paper" ? fill_source::paper : src == "reconcile" ? fill_source::reconcile : fill_source::user_ws;
  // Added with strategies (issue 17): an older record is the TD maker's.
  if (doc.HasMember("strategy"))
    in.check(parse_strategy_kind(in.str("strategy")), r.strategy, "strategy");
  if (!in.ok())
    return fail("fill record: " + in.error());
  if (r.key != fill_key(r.market, r.order_id, r.trade_id))
    return fail("fill record: key does not match market, order and trade");
  return r;
}

} // namespace tdmaker
