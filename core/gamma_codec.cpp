#include "core/gamma_codec.hpp"

#include <vector>

#include <rapidjson/document.h>

#include "core/civil_time.hpp"
#include "core/decimal.hpp"
#include "core/json_parse.hpp"
#include "core/series.hpp"

namespace tdmaker {
namespace {

using value = rapidjson::Value;

std::string text_of(const value& o, const char* key) {
  auto it = o.FindMember(key);
  return it != o.MemberEnd() && it->value.IsString()
           ? std::string(it->value.GetString(), it->value.GetStringLength())
           : std::string();
}

bool flag_of(const value& o, const char* key, bool dflt) {
  auto it = o.FindMember(key);
  return it != o.MemberEnd() && it->value.IsBool() ? it->value.GetBool() : dflt;
}

// clobTokenIds / outcomes: a string holding a JSON array of strings (or, on
// some versions, a real array).
result<std::vector<std::string>> string_list(const value& o, const char* key) {
  auto it = o.FindMember(key);
  if (it == o.MemberEnd())
    return fail(std::string("'") + key + "' missing");
  rapidjson::Document inner;
  const value* arr = &it->value;
  if (it->value.IsString()) {
    // JSON inside a string: outside bytes again, with their own depth.
    if (auto parsed = json::parse(inner, {it->value.GetString(), it->value.GetStringLength()}); !parsed)
      return fail(std::string("'") + key + "' is not a JSON-encoded array: " + parsed.error());
    arr = &inner;
  }
  if (!arr->IsArray())
    return fail(std::string("'") + key + "' is not an array");
  std::vector<std::string> out;
  for (auto& v : arr->GetArray()) {
    if (!v.IsString())
      return fail(std::string("'") + key + "' holds a non-string");
    out.emplace_back(v.GetString(), v.GetStringLength());
  }
  return out;
}

// feesEnabled / feeSchedule {exponent, rate, takerOnly, rebateRate} (ref §1):
// numbers arrive as text. A market with fees disabled charges none.
result<fee_schedule> fee_schedule_of(const value& m) {
  if (!flag_of(m, "feesEnabled", true))
    return fee_schedule{true, 0, 1, true};
  auto it = m.FindMember("feeSchedule");
  if (it == m.MemberEnd() || !it->value.IsObject())
    return fail("feeSchedule missing");
  const value& f = it->value;
  auto taker = f.FindMember("takerOnly");
  if (taker != f.MemberEnd() && !taker->value.IsBool())
    return fail("feeSchedule.takerOnly is not a boolean");
  auto s = make_fee_schedule(text_of(f, "rate"), text_of(f, "exponent"),
                             taker == f.MemberEnd() || taker->value.GetBool());
  if (!s)
    return fail("feeSchedule: " + s.error());
  return s;
}

// cryptoMarketConfig.twapEnabled (ref §1 Resolution): newer markets resolve on
// the 60 s TWAP. Older ones carry no config (or null): they resolve on the spot.
// A config that is there but unreadable is refused, not guessed: the two rules
// can pick different winners near the start price.
result<resolution_rule> resolution_rule_of(const value& m) {
  auto it = m.FindMember("cryptoMarketConfig");
  if (it == m.MemberEnd() || it->value.IsNull())
    return resolution_rule::spot;
  if (!it->value.IsObject())
    return fail("cryptoMarketConfig is not an object");
  auto twap = it->value.FindMember("twapEnabled");
  if (twap == it->value.MemberEnd())
    return resolution_rule::spot;
  if (!twap->value.IsBool())
    return fail("cryptoMarketConfig.twapEnabled is not a boolean");
  return twap->value.GetBool() ? resolution_rule::twap60 : resolution_rule::spot;
}

} // namespace

std::int64_t slot_start_of(std::int64_t now_s, std::int64_t slot_seconds) {
  return now_s - ((now_s % slot_seconds) + slot_seconds) % slot_seconds;
}

std::string slot_slug(std::string_view asset, std::int64_t slot_seconds, std::int64_t start_s) {
  std::string s(asset);
  s += "-updown-";
  s += slot_length_label(slot_seconds);
  s += "-";
  s += std::to_string(start_s);
  return s;
}

result<std::int64_t> parse_iso8601_utc(std::string_view t) {
  // YYYY-MM-DDTHH:MM:SS[.fff]Z
  auto num = [&](std::size_t pos, std::size_t len) -> std::int64_t {
    if (pos + len > t.size())
      return -1;
    std::int64_t v = 0;
    for (std::size_t i = pos; i < pos + len; ++i) {
      if (t[i] < '0' || t[i] > '9')
        return -1;
      v = v * 10 + (t[i] - '0');
    }
    return v;
  };
  if (t.size() < 20 || t[4] != '-' || t[7] != '-' || (t[10] != 'T' && t[10] != ' ') || t[13] != ':'
      || t[16] != ':' || t.back() != 'Z')
    return fail("not an ISO-8601 UTC time: '" + std::string(t.substr(0, 40)) + "'");
  auto y = num(0, 4), mo = num(5, 2), d = num(8, 2), h = num(11, 2), mi = num(14, 2), s = num(17, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0
      || s > 60)
    return fail("not an ISO-8601 UTC time: '" + std::string(t.substr(0, 40)) + "'");
  return days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 + h * 3600
         + mi * 60 + s;
}

namespace {

result<gamma_market> event_market(const value* ev, std::string_view asset) {
  if (!ev->IsObject())
    return fail("gamma: event is not an object");
  auto mk = ev->FindMember("markets");
  if (mk == ev->MemberEnd() || !mk->value.IsArray() || mk->value.Empty() || !mk->value[0].IsObject())
    return fail("gamma: event has no markets");
  const value& m = mk->value[0];
  gamma_market g;
  auto& r = g.record;
  r.asset = std::string(asset);
  r.slug = text_of(m, "slug");
  if (r.slug.empty())
    r.slug = text_of(*ev, "slug");
  auto cid = parse_condition_id(text_of(m, "conditionId"));
  if (!cid)
    return fail("gamma " + r.slug + ": conditionId: " + cid.error());
  r.id = *cid;
  const bool v2 = text_of(m, "version") == "v2";
  auto tokens = string_list(m, v2 ? "positionIds" : "clobTokenIds");
  auto outcomes = string_list(m, "outcomes");
  if (!tokens)
    return fail("gamma " + r.slug + ": " + tokens.error());
  if (!outcomes)
    return fail("gamma " + r.slug + ": " + outcomes.error());
  if (tokens->size() != 2 || outcomes->size() != 2)
    return fail("gamma " + r.slug + ": expected two tokens and two outcomes");
  // Token order follows `outcomes`; do not assume Up is first.
  int up = (*outcomes)[0] == "Up" ? 0 : (*outcomes)[1] == "Up" ? 1 : -1;
  if (up < 0)
    return fail("gamma " + r.slug + ": outcomes are not Up/Down");
  auto t_up = parse_token_id((*tokens)[up]);
  auto t_down = parse_token_id((*tokens)[1 - up]);
  if (!t_up || !t_down)
    return fail("gamma " + r.slug + ": token id: " + (t_up ? t_down.error() : t_up.error()));
  r.up_token = *t_up;
  r.down_token = *t_down;
  auto start = parse_iso8601_utc(text_of(m, "eventStartTime"));
  auto end = parse_iso8601_utc(text_of(m, "endDate"));
  if (!start || !end)
    return fail("gamma " + r.slug + ": " + (start ? end.error() : start.error()));
  // A slot that ends before it starts would be traded with a negative time left
  // (found by the gamma fuzz target).
  if (*end <= *start)
    return fail("gamma " + r.slug + ": endDate is not after eventStartTime");
  r.slot_start_s = *start;
  r.slot_end_s = *end;
  if (auto it = m.FindMember("orderPriceMinTickSize"); it != m.MemberEnd() && it->value.IsString()) {
    auto t = parse_tick_size({it->value.GetString(), it->value.GetStringLength()});
    if (!t)
      return fail("gamma " + r.slug + ": orderPriceMinTickSize: " + t.error());
    r.tick = *t;
  }
  if (auto it = m.FindMember("orderMinSize"); it != m.MemberEnd() && it->value.IsString()) {
    auto s = parse_shares({it->value.GetString(), it->value.GetStringLength()});
    if (!s)
      return fail("gamma " + r.slug + ": orderMinSize: " + s.error());
    r.min_size = *s;
  }
  auto rule = resolution_rule_of(m);
  if (!rule)
    return fail("gamma " + r.slug + ": " + rule.error());
  r.rule = *rule;
  if (auto fee = fee_schedule_of(m))
    r.fee = *fee;
  else
    g.fee_error = fee.error();
  g.closed = flag_of(m, "closed", false);
  g.accepting_orders = flag_of(m, "acceptingOrders", true);
  if (auto prices = string_list(m, "outcomePrices"); g.closed && prices && prices->size() == 2) {
    auto one = [](const std::string& t) { return t == "1" || t == "1.0" || t == "1.00"; };
    auto zero = [](const std::string& t) { return t == "0" || t == "0.0" || t == "0.00"; };
    const auto& pu = (*prices)[up];
    const auto& pd = (*prices)[1 - up];
    g.winner = one(pu) && zero(pd) ? 0 : one(pd) && zero(pu) ? 1 : -1;
  }
  return g;
}

} // namespace

result<std::optional<gamma_market>> parse_gamma_event(std::string_view json, std::string_view asset) {
  rapidjson::Document d;
  // Numbers stay text: tick and min size are exact decimals.
  if (auto parsed = json::parse<rapidjson::kParseNumbersAsStringsFlag>(d, json); !parsed)
    return fail("gamma: reply refused: " + parsed.error());
  const value* ev = &d;
  if (d.IsArray()) {
    if (d.Empty())
      return std::optional<gamma_market>{};
    ev = &d[0];
  }
  auto g = event_market(ev, asset);
  if (!g)
    return fail(g.error());
  return std::optional<gamma_market>{std::move(g).value()};
}

result<std::vector<result<gamma_market>>> parse_gamma_listing(std::string_view json, std::string_view asset) {
  rapidjson::Document d;
  if (auto parsed = json::parse<rapidjson::kParseNumbersAsStringsFlag>(d, json); !parsed)
    return fail("gamma: listing refused: " + parsed.error());
  if (!d.IsArray())
    return fail("gamma: a series listing is not an array");
  std::vector<result<gamma_market>> out;
  out.reserve(d.Size());
  for (auto& ev : d.GetArray())
    out.push_back(event_market(&ev, asset));
  return out;
}

} // namespace tdmaker
