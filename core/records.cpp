#include "core/records.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

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
  return r;
}

} // namespace tdmaker
