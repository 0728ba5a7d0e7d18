#include "core/settlement.hpp"

#include <algorithm>
#include <array>

#include <rapidjson/document.h>

#include "core/gamma_codec.hpp" // parse_iso8601_utc
#include "core/json_read.hpp"
#include "core/json_write.hpp"

namespace tdmaker {

settle_step settle_due(std::int64_t now_s, std::int64_t slot_end_s, const settlement_rules& rules) {
  if (now_s < slot_end_s + rules.grace_s)
    return settle_step::wait;
  if (now_s < slot_end_s + rules.grace_s + rules.defer_max_s)
    return settle_step::resolve;
  return settle_step::force;
}

std::string_view to_string(settle_method m) {
  switch (m) {
    case settle_method::gamma: return "gamma";
    case settle_method::clob: return "clob";
    case settle_method::last_bid: return "last_bid";
    case settle_method::forced: return "forced";
  }
  return "unknown";
}

result<clob_market_status> parse_clob_market(std::string_view json) {
  rapidjson::Document d;
  if (auto ok = json::parse_object(d, json); !ok)
    return fail("clob market: " + ok.error());
  auto closed = d.FindMember("closed");
  if (closed == d.MemberEnd() || !closed->value.IsBool())
    return fail("clob market: missing boolean 'closed'");
  auto tokens = d.FindMember("tokens");
  if (tokens == d.MemberEnd() || !tokens->value.IsArray())
    return fail("clob market: missing 'tokens' array");
  clob_market_status out;
  if (auto end = d.FindMember("end_date_iso"); end != d.MemberEnd() && end->value.IsString()) {
    auto t = parse_iso8601_utc({end->value.GetString(), end->value.GetStringLength()});
    if (!t)
      return fail("clob market: end_date_iso: " + t.error());
    out.end_s = *t;
  }
  if (!closed->value.GetBool())
    return out;
  auto& winner = out.winner;
  for (auto& t : tokens->value.GetArray()) {
    if (!t.IsObject())
      return fail("clob market: token is not an object");
    auto w = t.FindMember("winner");
    if (w == t.MemberEnd() || !w->value.IsBool() || !w->value.GetBool())
      continue;
    auto id = json::get_string(t, "token_id");
    if (!id)
      return fail("clob market: " + id.error());
    auto tok = parse_token_id(*id);
    if (!tok)
      return fail("clob market: token_id: " + tok.error());
    if (winner)
      return fail("clob market: two winning tokens");
    winner = *tok;
  }
  return out; // closed without a winner flag yet: unresolved
}

resolution last_bid_resolution(const token_id& token, std::optional<price> bid, const settlement_rules& rules) {
  resolution r{settle_method::last_bid, std::nullopt};
  if (bid && *bid >= rules.win_bid)
    r.winner = token;
  return r;
}

std::string settlement_key(const settlement_record& r) { return r.paper ? r.market.hex + "/paper" : r.market.hex; }

namespace {

/// The entry of `s.by_strategy` for `k`, added in strategy order when new.
strategy_pnl& share_of(settlement_record& s, strategy_kind k) {
  auto it = std::find_if(s.by_strategy.begin(), s.by_strategy.end(),
                         [&](const strategy_pnl& e) { return e.strategy == k; });
  if (it != s.by_strategy.end())
    return *it;
  auto at = std::find_if(s.by_strategy.begin(), s.by_strategy.end(),
                         [&](const strategy_pnl& e) { return index_of(e.strategy) > index_of(k); });
  return *s.by_strategy.insert(at, strategy_pnl{k, {}, {}, {}, {}, {}, {}, 0});
}

result<strategy_pnl> read_share(const rapidjson::Value& v) {
  if (!v.IsObject())
    return fail("by_strategy: entry is not an object");
  json::field_reader in(v);
  strategy_pnl e;
  in.check(parse_strategy_kind(in.str("strategy")), e.strategy, "strategy");
  in.check(parse_shares(in.str("held")), e.held, "held");
  in.check(parse_usdc(in.str("payout")), e.payout, "payout");
  in.check(parse_usdc(in.str("cost")), e.cost, "cost");
  in.check(parse_usdc(in.str("proceeds")), e.proceeds, "proceeds");
  in.check(parse_usdc(in.str("fees")), e.fees, "fees");
  in.check(parse_usdc(in.str("pnl")), e.pnl, "pnl");
  auto fills = in.num("fills");
  if (fills < 0 || fills > 0xFFFF'FFFF)
    in.note("fills out of range");
  e.fills = static_cast<std::uint32_t>(fills);
  if (!in.ok())
    return fail("by_strategy: " + in.error());
  if (e.pnl.micros != e.payout.micros + e.proceeds.micros - e.cost.micros - e.fees.micros)
    return fail("by_strategy: " + std::string(to_string(e.strategy)) + " pnl is not payout + proceeds - cost - fees");
  return e;
}

/// Old records have no split; a present one must be whole: each strategy once,
/// and its figures summing exactly to the record's.
result<bool> check_split(const settlement_record& r) {
  if (r.by_strategy.empty())
    return true;
  strategy_pnl sum;
  std::array<bool, strategy_count> seen{};
  for (auto& e : r.by_strategy) {
    if (seen[index_of(e.strategy)])
      return fail("by_strategy: " + std::string(to_string(e.strategy)) + " twice");
    seen[index_of(e.strategy)] = true;
    sum.held.micros += e.held.micros;
    sum.payout.micros += e.payout.micros;
    sum.cost.micros += e.cost.micros;
    sum.proceeds.micros += e.proceeds.micros;
    sum.fees.micros += e.fees.micros;
    sum.pnl.micros += e.pnl.micros;
    sum.fills += e.fills;
  }
  if (sum.held != r.held || sum.payout != r.payout || sum.cost != r.cost || sum.proceeds != r.proceeds
      || sum.fees != r.fees || sum.pnl != r.pnl || sum.fills != r.fills)
    return fail("by_strategy does not sum to the record's totals");
  return true;
}

} // namespace

settlement_record settle(const condition_id& market, std::span<const position> positions, const resolution& r,
                         std::int64_t now_ms) {
  settlement_record s;
  s.paper = !positions.empty() && positions.front().paper;
  s.market = market;
  s.winner = r.winner ? r.winner->digits : std::string();
  s.method = r.method;
  s.settled_ms = now_ms;
  for (auto& p : positions) {
    auto& part = share_of(s, p.strategy);
    // Only shares held count (a book that sold more than it bought holds none and
    // is paid nothing; its proceeds are in the PnL): a negative count is not a
    // quantity, and the record's own reader would refuse it.
    auto held = std::max<std::int64_t>(p.held().micros, 0);
    s.held.micros += held;
    if (r.winner && p.token == *r.winner)
      s.payout.micros += held; // 1 pUSD per share: both have 6 decimals
    s.cost.micros += p.cost.micros;
    s.proceeds.micros += p.proceeds.micros;
    s.fees.micros += p.fees.micros;
    s.fills += p.fills;
    part.held.micros += held;
    if (r.winner && p.token == *r.winner)
      part.payout.micros += held;
    part.cost.micros += p.cost.micros;
    part.proceeds.micros += p.proceeds.micros;
    part.fees.micros += p.fees.micros;
    part.fills += p.fills;
  }
  s.pnl.micros = s.payout.micros + s.proceeds.micros - s.cost.micros - s.fees.micros;
  for (auto& part : s.by_strategy)
    part.pnl.micros = part.payout.micros + part.proceeds.micros - part.cost.micros - part.fees.micros;
  return s;
}

std::vector<strategy_pnl> split_of(const settlement_record& r) {
  if (!r.by_strategy.empty())
    return r.by_strategy;
  return {strategy_pnl{strategy_kind::td_maker, r.held, r.payout, r.cost, r.proceeds, r.fees, r.pnl, r.fills}};
}

std::string describe_split(const settlement_record& r) {
  std::string out;
  for (auto& e : split_of(r)) {
    if (!out.empty())
      out += ", ";
    out.append(to_string(e.strategy)).append(" ").append(to_string(e.pnl));
  }
  return out;
}

std::string encode(const settlement_record& r) {
  json::object_writer w;
  w
    .str("market", r.market.hex)
    .str("winner", r.winner)
    .str("method", to_string(r.method))
    .str("held", to_string(r.held))
    .str("payout", to_string(r.payout))
    .str("cost", to_string(r.cost))
    .str("proceeds", to_string(r.proceeds))
    .str("fees", to_string(r.fees))
    .str("pnl", to_string(r.pnl))
    .num("fills", r.fills)
    .num("settled_ms", r.settled_ms)
    .flag("paper", r.paper);
  if (!r.by_strategy.empty()) { // absent in records older than strategies
    w.open_array("by_strategy");
    for (auto& e : r.by_strategy)
      w.open()
        .str("strategy", to_string(e.strategy))
        .str("held", to_string(e.held))
        .str("payout", to_string(e.payout))
        .str("cost", to_string(e.cost))
        .str("proceeds", to_string(e.proceeds))
        .str("fees", to_string(e.fees))
        .str("pnl", to_string(e.pnl))
        .num("fills", e.fills)
        .close();
    w.close_array();
  }
  return w.take();
}

result<settlement_record> decode_settlement_record(std::string_view text) {
  rapidjson::Document doc;
  if (auto ok = json::parse_object(doc, text); !ok)
    return fail("settlement record: " + ok.error());
  json::field_reader in(doc);
  settlement_record r;
  in.check(parse_condition_id(in.str("market")), r.market, "market");
  r.winner = in.str("winner");
  auto m = in.str("method");
  bool known = false;
  for (auto k : {settle_method::gamma, settle_method::clob, settle_method::last_bid, settle_method::forced})
    if (m == to_string(k)) {
      r.method = k;
      known = true;
    }
  if (!known)
    in.note("unknown method '" + m + "'");
  in.check(parse_shares(in.str("held")), r.held, "held");
  in.check(parse_usdc(in.str("payout")), r.payout, "payout");
  in.check(parse_usdc(in.str("cost")), r.cost, "cost");
  in.check(parse_usdc(in.str("proceeds")), r.proceeds, "proceeds");
  in.check(parse_usdc(in.str("fees")), r.fees, "fees");
  in.check(parse_usdc(in.str("pnl")), r.pnl, "pnl");
  r.fills = static_cast<std::uint32_t>(in.num("fills"));
  r.settled_ms = in.num("settled_ms");
  r.paper = in.flag("paper");
  if (!in.ok())
    return fail("settlement record: " + in.error());
  if (auto split = doc.FindMember("by_strategy"); split != doc.MemberEnd()) {
    if (!split->value.IsArray())
      return fail("settlement record: by_strategy is not an array");
    for (auto& v : split->value.GetArray()) {
      auto e = read_share(v);
      if (!e)
        return fail("settlement record: " + e.error());
      r.by_strategy.push_back(*e);
    }
  }
  if (auto ok = check_split(r); !ok)
    return fail("settlement record: " + ok.error());
  return r;
}

} // namespace tdmaker
