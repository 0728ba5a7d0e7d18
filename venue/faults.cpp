#include "venue/faults.hpp"

#include <optional>
#include <utility>

#include <rapidjson/document.h>

#include "core/json_parse.hpp"
#include "venue/json_out.hpp"

namespace tdmaker::venue {
namespace {

result<std::vector<fault_window>> windows(const rapidjson::Value& v, const std::string& path, std::int64_t now_s) {
  if (!v.IsArray())
    return fail(path + ": expected an array of windows");
  std::vector<fault_window> out;
  for (auto& w : v.GetArray()) {
    if (!w.IsObject())
      return fail(path + ": a window is an object");
    auto get = [&](const char* k) -> std::optional<std::int64_t> {
      auto it = w.FindMember(k);
      if (it == w.MemberEnd() || !it->value.IsInt64() || it->value.GetInt64() < 0)
        return std::nullopt;
      return it->value.GetInt64();
    };
    if (auto in = get("in_s"), len = get("for_s"); in && len)
      out.push_back({now_s + *in, now_s + *in + *len});
    else if (auto a = get("start_s"), b = get("end_s"); a && b && *a <= *b)
      out.push_back({*a, *b});
    else
      return fail(path + ": a window needs in_s and for_s, or start_s <= end_s (non-negative integers)");
  }
  return out;
}

} // namespace

result<fault_plan> parse_fault_plan(const std::string& json_text, std::int64_t now_s) {
  rapidjson::Document d;
  if (auto parsed = json::parse(d, json_text); !parsed)
    return fail("faults: " + parsed.error());
  if (!d.IsObject())
    return fail("faults: expected a JSON object");
  fault_plan p;
  for (auto it = d.MemberBegin(); it != d.MemberEnd(); ++it) {
    std::string k = it->name.GetString();
    auto path = "$." + k;
    const auto& v = it->value;
    auto prob = [&](double& out) -> std::string {
      if (!v.IsNumber() || v.GetDouble() < 0 || v.GetDouble() > 1)
        return path + ": expected a probability in [0, 1]";
      out = v.GetDouble();
      return "";
    };
    auto secs = [&](std::int64_t& out) -> std::string {
      if (!v.IsInt64() || v.GetInt64() < 0 || v.GetInt64() > 86400)
        return path + ": expected seconds in [0, 86400]";
      out = v.GetInt64();
      return "";
    };
    std::string e;
    if (k == "_comment")
      continue;
    else if (k == "seed") {
      if (!v.IsUint64())
        e = path + ": expected a non-negative integer";
      else
        p.seed = v.GetUint64();
    } else if (k == "http_500")
      e = prob(p.http_500);
    else if (k == "http_429")
      e = prob(p.http_429);
    else if (k == "http_425")
      e = prob(p.http_425);
    else if (k == "ghost_order")
      e = prob(p.ghost_order);
    else if (k == "taker_delay_unmatched")
      e = prob(p.taker_delay_unmatched);
    else if (k == "user_trade_drop")
      e = prob(p.user_trade_drop);
    else if (k == "user_trade_duplicate")
      e = prob(p.user_trade_duplicate);
    else if (k == "user_trade_delay")
      e = prob(p.user_trade_delay);
    else if (k == "user_trade_delay_ms") {
      if (!v.IsInt64() || v.GetInt64() < 0 || v.GetInt64() > 600'000)
        e = path + ": expected milliseconds in [0, 600000]";
      else
        p.user_trade_delay_ms = v.GetInt64();
    } else if (k == "late_resolution")
      e = prob(p.late_resolution);
    else if (k == "late_resolution_s")
      e = secs(p.late_resolution_s);
    else if (k == "ws_drop_every_s")
      e = secs(p.ws_drop_every_s);
    else if (k == "ws_stall_every_s")
      e = secs(p.ws_stall_every_s);
    else if (k == "market_event_drop")
      e = prob(p.market_event_drop);
    else if (k == "market_event_duplicate")
      e = prob(p.market_event_duplicate);
    else if (k == "ws_fault_path") {
      if (!v.IsString() || (v.GetStringLength() > 0 && v.GetString()[0] != '/'))
        e = path + ": expected \"\" or a path starting with '/'";
      else
        p.ws_fault_path = v.GetString();
    } else if (auto* target = k == "post_only_windows"     ? &p.post_only_windows
                              : k == "http_425_windows"    ? &p.http_425_windows
                              : k == "ws_refuse_windows"   ? &p.ws_refuse_windows
                              : k == "rtds_freeze_windows" ? &p.rtds_freeze_windows
                                                           : nullptr) {
      auto w = windows(v, path, now_s);
      if (!w)
        e = w.error();
      else
        *target = *w;
    } else
      e = path + ": unknown key";
    if (!e.empty())
      return fail("faults: " + e);
  }
  return p;
}

std::string fault_plan_json(const fault_plan& p) {
  json_out j;
  j.obj().kn("seed", static_cast<std::int64_t>(p.seed));
  j.key("http_500").real(p.http_500).key("http_429").real(p.http_429).key("http_425").real(p.http_425);
  j.key("ghost_order").real(p.ghost_order).key("user_trade_drop").real(p.user_trade_drop);
  j.key("taker_delay_unmatched").real(p.taker_delay_unmatched);
  j.key("user_trade_duplicate").real(p.user_trade_duplicate).key("late_resolution").real(p.late_resolution);
  j.key("user_trade_delay").real(p.user_trade_delay).kn("user_trade_delay_ms", p.user_trade_delay_ms);
  j.kn("late_resolution_s", p.late_resolution_s).kn("ws_drop_every_s", p.ws_drop_every_s);
  j.kn("ws_stall_every_s", p.ws_stall_every_s).kv("ws_fault_path", p.ws_fault_path);
  j.key("market_event_drop").real(p.market_event_drop).key("market_event_duplicate").real(p.market_event_duplicate);
  const std::pair<const char*, const std::vector<fault_window>*> all[] = {
    {"post_only_windows", &p.post_only_windows},
    {"http_425_windows", &p.http_425_windows},
    {"ws_refuse_windows", &p.ws_refuse_windows},
    {"rtds_freeze_windows", &p.rtds_freeze_windows}};
  for (auto& [name, w] : all) {
    j.key(name).arr();
    for (auto& x : *w)
      j.obj().kn("start_s", x.start_s).kn("end_s", x.end_s).end_obj();
    j.end_arr();
  }
  return j.end_obj().take();
}

fault_injector::fault_injector(fault_plan p) : plan_(std::move(p)), rng_(plan_.seed) {}

void fault_injector::set_plan(fault_plan p) {
  plan_ = std::move(p);
  rng_.seed(plan_.seed);
}

bool fault_injector::roll(double p, const std::string& kind) {
  if (p <= 0)
    return false;
  bool hit = std::uniform_real_distribution<double>(0.0, 1.0)(rng_) < p;
  if (hit)
    ++counts_[kind];
  return hit;
}

bool fault_injector::in_window(const std::vector<fault_window>& ws, std::int64_t now_s) const {
  for (auto& w : ws)
    if (now_s >= w.start_s && now_s < w.end_s)
      return true;
  return false;
}

std::size_t fault_injector::pick(std::size_t n) {
  return n == 0 ? 0 : std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_);
}

} // namespace tdmaker::venue
