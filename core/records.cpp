#include "core/records.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/decimal.hpp"
#include "core/json_read.hpp"

namespace tdmaker {
namespace {

using writer = rapidjson::Writer<rapidjson::StringBuffer>;

void kv(writer& w, const char* k, std::string_view v) {
  w.Key(k);
  w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
}

void kv(writer& w, const char* k, std::int64_t v) {
  w.Key(k);
  w.Int64(v);
}

/// A market the capture never touched keeps the record as it was before it.
bool capture_touched(const capture_state& c) {
  return c.ordered || c.side != outcome::up || c.order_confidence_ppm != -1 || c.peak_confidence_ppm != -1
         || c.filled_ms != 0 || c.danger_exited;
}

void write_capture(writer& w, const capture_state& c) {
  w.StartObject();
  w.Key("ordered");
  w.Bool(c.ordered);
  kv(w, "side", c.side == outcome::down ? "down" : "up");
  kv(w, "order_confidence_ppm", c.order_confidence_ppm);
  kv(w, "peak_confidence_ppm", c.peak_confidence_ppm);
  kv(w, "filled_ms", c.filled_ms);
  w.Key("danger_exited");
  w.Bool(c.danger_exited);
  w.EndObject();
}

/// A confidence is a probability in ppm, or -1 for none yet.
bool valid_confidence(std::int64_t ppm) { return ppm >= -1 && ppm <= 1'000'000; }

result<capture_state> read_capture(const rapidjson::Value& v) {
  if (!v.IsObject())
    return fail("capture: not an object");
  capture_state c;
  auto ordered = json::get_bool(v, "ordered");
  auto side = json::get_string(v, "side");
  auto order_conf = json::get_int(v, "order_confidence_ppm");
  auto peak = json::get_int(v, "peak_confidence_ppm");
  auto filled = json::get_int(v, "filled_ms");
  auto exited = json::get_bool(v, "danger_exited");
  for (const std::string* e : {ordered ? nullptr : &ordered.error(), side ? nullptr : &side.error(),
                               order_conf ? nullptr : &order_conf.error(), peak ? nullptr : &peak.error(),
                               filled ? nullptr : &filled.error(), exited ? nullptr : &exited.error()})
    if (e)
      return fail("capture: " + *e);
  if (*side != "up" && *side != "down")
    return fail("capture: side must be up or down");
  if (!valid_confidence(*order_conf) || !valid_confidence(*peak))
    return fail("capture: a confidence must be -1 or 0..1000000 ppm");
  if (*filled < 0)
    return fail("capture: filled_ms must not be negative");
  c.ordered = *ordered;
  c.side = *side == "down" ? outcome::down : outcome::up;
  c.order_confidence_ppm = *order_conf;
  c.peak_confidence_ppm = *peak;
  c.filled_ms = *filled;
  c.danger_exited = *exited;
  return c;
}

} // namespace

std::string_view to_string(market_status s) {
  switch (s) {
    case market_status::discovered: return "discovered";
    case market_status::active: return "active";
    case market_status::awaiting_settlement: return "awaiting_settlement";
    case market_status::settled: return "settled";
    case market_status::retired: return "retired";
  }
  return "unknown";
}

std::string encode(const phase_record& r) {
  rapidjson::StringBuffer buf;
  writer w(buf);
  w.StartObject();
  kv(w, "phase", to_string(r.current));
  kv(w, "previous", to_string(r.previous));
  kv(w, "since_ms", r.since_ms);
  kv(w, "reason", r.reason);
  kv(w, "source", r.source);
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

result<phase_record> decode_phase_record(std::string_view text) {
  rapidjson::Document doc;
  if (auto ok = json::parse_object(doc, text); !ok)
    return fail("phase record: " + ok.error());
  phase_record r;
  auto cur = json::get_string(doc, "phase");
  auto prev = json::get_string(doc, "previous");
  auto since = json::get_int(doc, "since_ms");
  auto reason = json::get_string(doc, "reason");
  auto source = json::get_string(doc, "source");
  for (const std::string* e : {cur ? nullptr : &cur.error(), prev ? nullptr : &prev.error(),
                               since ? nullptr : &since.error(),
                               reason ? nullptr : &reason.error(),
                               source ? nullptr : &source.error()})
    if (e)
      return fail("phase record: " + *e);
  auto p = parse_phase(*cur);
  auto pp = parse_phase(*prev);
  if (!p)
    return fail("phase record: " + p.error());
  if (!pp)
    return fail("phase record: " + pp.error());
  r.current = *p;
  r.previous = *pp;
  r.since_ms = *since;
  r.reason = *reason;
  r.source = *source;
  return r;
}

std::string encode(const market_record& r) {
  rapidjson::StringBuffer buf;
  writer w(buf);
  w.StartObject();
  kv(w, "condition_id", r.id.hex);
  kv(w, "slug", r.slug);
  kv(w, "asset", r.asset);
  kv(w, "slot_start_s", r.slot_start_s);
  kv(w, "slot_end_s", r.slot_end_s);
  kv(w, "up_token", r.up_token.digits);
  kv(w, "down_token", r.down_token.digits);
  kv(w, "tick_size", to_string(r.tick));
  kv(w, "min_size", to_string(r.min_size));
  kv(w, "status", to_string(r.status));
  if (r.ref_start.e8 > 0) // absent until captured
    kv(w, "ref_start", to_string(r.ref_start));
  if (r.fee.known) { // absent: the market published no readable schedule
    kv(w, "fee_rate", format_fixed(r.fee.rate_ppm, micro_decimals));
    kv(w, "fee_exponent", std::int64_t{r.fee.exponent});
  }
  if (r.rule != resolution_rule::spot) // absent: spot, as every market before issue 17
    kv(w, "rule", to_string(r.rule));
  if (capture_touched(r.capture)) {
    w.Key("capture");
    write_capture(w, r.capture);
  }
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

result<market_record> decode_market_record(std::string_view text) {
  rapidjson::Document doc;
  if (auto ok = json::parse_object(doc, text); !ok)
    return fail("market record: " + ok.error());
  auto str = [&](const char* k) { return json::get_string(doc, k); };
  auto cid = str("condition_id");
  auto slug = str("slug");
  auto asset = str("asset");
  auto start = json::get_int(doc, "slot_start_s");
  auto end = json::get_int(doc, "slot_end_s");
  auto up = str("up_token");
  auto down = str("down_token");
  auto tick = str("tick_size");
  auto min = str("min_size");
  auto status = str("status");
  for (const std::string* e :
       {cid ? nullptr : &cid.error(), slug ? nullptr : &slug.error(),
        asset ? nullptr : &asset.error(), start ? nullptr : &start.error(),
        end ? nullptr : &end.error(), up ? nullptr : &up.error(), down ? nullptr : &down.error(),
        tick ? nullptr : &tick.error(), min ? nullptr : &min.error(),
        status ? nullptr : &status.error()})
    if (e)
      return fail("market record: " + *e);
  market_record r;
  auto id = parse_condition_id(*cid);
  if (!id)
    return fail("market record: " + id.error());
  r.id = *id;
  r.slug = *slug;
  r.asset = *asset;
  r.slot_start_s = *start;
  r.slot_end_s = *end;
  if (!up->empty()) {
    auto t = parse_token_id(*up);
    if (!t)
      return fail("market record: up_token: " + t.error());
    r.up_token = *t;
  }
  if (!down->empty()) {
    auto t = parse_token_id(*down);
    if (!t)
      return fail("market record: down_token: " + t.error());
    r.down_token = *t;
  }
  auto ts = parse_tick_size(*tick);
  if (!ts)
    return fail("market record: " + ts.error());
  r.tick = *ts;
  auto ms = parse_shares(*min);
  if (!ms)
    return fail("market record: " + ms.error());
  r.min_size = *ms;
  bool known = false;
  for (auto s : {market_status::discovered, market_status::active,
                 market_status::awaiting_settlement, market_status::settled,
                 market_status::retired})
    if (*status == to_string(s)) {
      r.status = s;
      known = true;
    }
  if (!known)
    return fail("market record: unknown status '" + *status + "'");
  // Added with the market lifecycle: records written before it have none.
  if (auto ref = json::get_string(doc, "ref_start"); ref) {
    auto p = parse_ref_price(*ref);
    if (!p)
      return fail("market record: ref_start: " + p.error());
    r.ref_start = *p;
  }
  // Added with per-market fees (issue 15): absent = not known, never guessed.
  if (auto rate = json::get_string(doc, "fee_rate"); rate) {
    auto exp = json::get_int(doc, "fee_exponent");
    if (!exp)
      return fail("market record: fee_exponent: " + exp.error());
    auto f = make_fee_schedule(*rate, std::to_string(*exp), true);
    if (!f)
      return fail("market record: " + f.error());
    r.fee = *f;
  }
  // Added with the 99c capture (issue 17): absent = spot and an untouched capture.
  if (auto rule = json::get_string(doc, "rule"); rule) {
    if (*rule == to_string(resolution_rule::twap60))
      r.rule = resolution_rule::twap60;
    else if (*rule != to_string(resolution_rule::spot))
      return fail("market record: unknown rule '" + *rule + "'");
  }
  if (auto c = doc.FindMember("capture"); c != doc.MemberEnd()) {
    auto cap = read_capture(c->value);
    if (!cap)
      return fail("market record: " + cap.error());
    r.capture = *cap;
  }
  return r;
}

std::string_view to_string(order_state s) {
  switch (s) {
    case order_state::placing: return "placing";
    case order_state::live: return "live";
    case order_state::partially_filled: return "partially_filled";
    case order_state::filled: return "filled";
    case order_state::cancel_pending: return "cancel_pending";
    case order_state::cancelled: return "cancelled";
    case order_state::rejected: return "rejected";
    case order_state::unknown: return "unknown";
    case order_state::delayed: return "delayed";
  }
  return "?";
}

result<order_state> parse_order_state(std::string_view text) {
  for (auto s : {order_state::placing, order_state::live, order_state::partially_filled,
                 order_state::filled, order_state::cancel_pending, order_state::cancelled,
                 order_state::rejected, order_state::unknown, order_state::delayed})
    if (text == to_string(s))
      return s;
  return fail("unknown order state '" + std::string(text) + "'");
}

std::string encode(const order_record& r) {
  rapidjson::StringBuffer buf;
  writer w(buf);
  w.StartObject();
  kv(w, "order_id", r.order_id);
  kv(w, "client_id", r.client_id);
  kv(w, "market", r.market.hex);
  kv(w, "token", r.token.digits);
  kv(w, "outcome", r.side_outcome == outcome::up ? "up" : "down");
  kv(w, "rung", static_cast<std::int64_t>(r.rung));
  kv(w, "side", r.side == order_side::buy ? "BUY" : "SELL");
  kv(w, "price", to_string(r.px));
  kv(w, "size", to_string(r.size));
  kv(w, "matched", to_string(r.matched));
  kv(w, "reserved", to_string(r.reserved));
  kv(w, "state", to_string(r.state));
  kv(w, "created_ms", r.created_ms);
  kv(w, "updated_ms", r.updated_ms);
  kv(w, "cancel_requested_ms", r.cancel_requested_ms);
  kv(w, "slot_end_s", r.slot_end_s);
  kv(w, "checks", static_cast<std::int64_t>(r.checks));
  kv(w, "reason", r.reason);
  w.Key("paper");
  w.Bool(r.paper);
  kv(w, "strategy", to_string(r.strategy));
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

result<order_record> decode_order_record(std::string_view text) {
  rapidjson::Document doc;
  if (auto ok = json::parse_object(doc, text); !ok)
    return fail("order record: " + ok.error());
  std::string err;
  auto str = [&](const char* k) -> std::string {
    auto v = json::get_string(doc, k);
    if (!v && err.empty())
      err = v.error();
    return v ? *v : std::string();
  };
  auto num = [&](const char* k) -> std::int64_t {
    auto v = json::get_int(doc, k);
    if (!v && err.empty())
      err = v.error();
    return v ? *v : 0;
  };
  auto check = [&](auto parsed, auto& out, const char* what) {
    if (!parsed) {
      if (err.empty())
        err = std::string(what) + ": " + parsed.error();
      return;
    }
    out = *parsed;
  };
  order_record r;
  r.order_id = str("order_id");
  r.client_id = str("client_id");
  check(parse_condition_id(str("market")), r.market, "market");
  check(parse_token_id(str("token")), r.token, "token");
  auto oc = str("outcome");
  r.side_outcome = oc == "down" ? outcome::down : outcome::up;
  if (oc != "up" && oc != "down" && err.empty())
    err = "outcome must be up or down";
  r.rung = static_cast<std::uint32_t>(num("rung"));
  auto side = str("side");
  r.side = side == "SELL" ? order_side::sell : order_side::buy;
  if (side != "BUY" && side != "SELL" && err.empty())
    err = "side must be BUY or SELL";
  check(parse_price(str("price")), r.px, "price");
  check(parse_shares(str("size")), r.size, "size");
  check(parse_shares(str("matched")), r.matched, "matched");
  check(parse_usdc(str("reserved")), r.reserved, "reserved");
  check(parse_order_state(str("state")), r.state, "state");
  r.created_ms = num("created_ms");
  r.updated_ms = num("updated_ms");
  r.cancel_requested_ms = num("cancel_requested_ms");
  r.slot_end_s = num("slot_end_s");
  r.checks = static_cast<std::uint32_t>(num("checks"));
  r.reason = str("reason");
  r.paper = doc.HasMember("paper") && doc["paper"].IsBool() && doc["paper"].GetBool();
  // Added with strategies (issue 17): an older record is the TD maker's.
  if (doc.HasMember("strategy"))
    check(parse_strategy_kind(str("strategy")), r.strategy, "strategy");
  if (!err.empty())
    return fail("order record: " + err);
  if (r.order_id.size() != 66 || r.order_id.substr(0, 2) != "0x")
    return fail("order record: order_id must be 0x + 64 hex digits");
  return r;
}

} // namespace tdmaker
