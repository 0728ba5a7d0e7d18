#include "core/series_config.hpp"

#include <initializer_list>
#include <set>
#include <string_view>

namespace tdmaker {
namespace {

using json = rapidjson::Value;

std::string text(const json& v) { return std::string(v.GetString(), v.GetStringLength()); }

/// Concatenation by append: gcc 12 -O3 warns falsely (-Wrestrict) on chains of operator+.
std::string cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (auto p : parts)
    out.append(p);
  return out;
}

std::string integer(const json& v, const char* key, std::int64_t lo, std::int64_t hi, std::optional<std::int64_t>& out) {
  auto it = v.FindMember(key);
  if (it == v.MemberEnd())
    return {};
  if (!it->value.IsInt64() || it->value.GetInt64() < lo || it->value.GetInt64() > hi)
    return cat({key, ": expected an integer in [", std::to_string(lo), ", ", std::to_string(hi), "]"});
  out = it->value.GetInt64();
  return {};
}

std::string boolean(const json& v, const char* key, std::optional<bool>& out) {
  auto it = v.FindMember(key);
  if (it == v.MemberEnd())
    return {};
  if (!it->value.IsBool())
    return cat({key, ": expected a boolean"});
  out = it->value.GetBool();
  return {};
}

/// Only `allowed` keys in object `v`; "" = so.
std::string only_keys(const json& v, std::initializer_list<const char*> allowed) {
  if (!v.IsObject())
    return ": expected an object";
  for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
    std::string k = text(it->name);
    bool ok = k == "_comment";
    for (auto* a : allowed)
      ok = ok || k == a;
    if (!ok)
      return cat({".", std::string_view(k).substr(0, 40), ": unknown key"});
  }
  return {};
}

/// A section of an element ("entry", ...): its keys, each read by `read`; "" = ok.
template <class Read>
std::string section(const json& e, const char* name, std::initializer_list<const char*> keys, Read read) {
  auto it = e.FindMember(name);
  if (it == e.MemberEnd())
    return {};
  if (auto err = only_keys(it->value, keys); !err.empty())
    return cat({".", name, err});
  if (auto err = read(it->value); !err.empty())
    return cat({".", name, ".", err});
  return {};
}

std::string read_overrides(const json& e, series_overrides& o) {
  if (auto err = section(e, "entry", {"min_entry_s", "max_entry_s"}, [&](const json& s) {
        auto err = integer(s, "min_entry_s", 0, 86400, o.entry_min_entry_s);
        return err.empty() ? integer(s, "max_entry_s", 0, 86400, o.entry_max_entry_s) : err;
      }); !err.empty())
    return err;
  if (auto err = section(e, "td_maker", {"enabled"}, [&](const json& s) { return boolean(s, "enabled", o.td_maker_enabled); });
      !err.empty())
    return err;
  if (auto err = section(e, "capture_99c", {"enabled", "entry_window_s", "stop_before_end_s"}, [&](const json& s) {
        auto err = boolean(s, "enabled", o.capture_enabled);
        if (err.empty())
          err = integer(s, "entry_window_s", 1, 86400, o.capture_entry_window_s);
        return err.empty() ? integer(s, "stop_before_end_s", 0, 86400, o.capture_stop_before_end_s) : err;
      }); !err.empty())
    return err;
  return section(e, "orders", {"cancel_before_end_ms"},
                 [&](const json& s) { return integer(s, "cancel_before_end_ms", 0, 3'600'000, o.cancel_before_end_ms); });
}

/// What holds together within one series: its gates fit in its slot.
std::string check_element(const series_config& c) {
  const auto& o = c.set;
  if (o.entry_min_entry_s && o.entry_max_entry_s && *o.entry_max_entry_s < *o.entry_min_entry_s)
    return ".entry.max_entry_s: must be >= min_entry_s";
  if (o.entry_min_entry_s && *o.entry_min_entry_s >= c.spec.slot_s)
    return ".entry.min_entry_s: " + std::to_string(*o.entry_min_entry_s) + " s is not inside the series' "
           + std::to_string(c.spec.slot_s) + " s slot";
  if (o.capture_entry_window_s && *o.capture_entry_window_s > c.spec.slot_s)
    return ".capture_99c.entry_window_s: longer than the series' " + std::to_string(c.spec.slot_s) + " s slot";
  if (o.capture_entry_window_s && o.capture_stop_before_end_s && *o.capture_stop_before_end_s >= *o.capture_entry_window_s)
    return ".capture_99c.stop_before_end_s: must be below entry_window_s";
  return {};
}

result<series_config> read_object(const json& e) {
  if (auto err = only_keys(e, {"asset", "duration", "slot_seconds", "gamma_series", "entry", "td_maker",
                               "capture_99c", "orders"});
      !err.empty())
    return fail(err);
  auto asset = e.FindMember("asset"), dur = e.FindMember("duration");
  if (asset == e.MemberEnd() || !asset->value.IsString())
    return fail(".asset: expected a string such as \"btc\"");
  if (dur == e.MemberEnd() || !dur->value.IsString())
    return fail(".duration: expected a string such as \"15m\"");
  auto spec = make_series(text(asset->value), text(dur->value));
  if (!spec)
    return fail(".duration: " + spec.error());
  series_config c{*spec, {}};
  std::optional<std::int64_t> slot;
  if (auto err = integer(e, "slot_seconds", 5, 86400, slot); !err.empty())
    return fail(cat({".", err}));
  if (slot)
    c.spec.slot_s = *slot; // a test venue's scaled-down length
  if (auto g = e.FindMember("gamma_series"); g != e.MemberEnd()) {
    if (!g->value.IsString() || g->value.GetStringLength() < 3 || g->value.GetStringLength() > 80)
      return fail(".gamma_series: expected a Gamma series slug of 3-80 characters");
    c.spec.gamma_series = text(g->value);
    for (char ch : c.spec.gamma_series)
      if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-'))
        return fail(".gamma_series: only a-z, 0-9 and '-' (it goes into a query string)");
  }
  if (auto err = read_overrides(e, c.set); !err.empty())
    return fail(err);
  if (auto err = check_element(c); !err.empty())
    return fail(err);
  return c;
}

result<std::vector<series_config>> read_element(const json& e) {
  if (e.IsObject()) {
    auto c = read_object(e);
    if (!c)
      return fail(c.error());
    return std::vector<series_config>{*c};
  }
  if (!e.IsString())
    return fail(": expected \"all\", \"{asset}-{duration}\" or an object");
  const auto s = text(e);
  std::vector<series_config> out;
  if (s == "all") {
    for (auto& a : known_assets())
      for (auto& d : known_durations())
        out.push_back({*make_series(a, d), {}});
    return out;
  }
  auto dash = s.rfind('-');
  auto spec = dash == std::string::npos ? result<series_spec>(fail("expected \"{asset}-{duration}\", got '" + s.substr(0, 40) + "'"))
                                        : make_series(s.substr(0, dash), s.substr(dash + 1));
  if (!spec)
    return fail(": " + spec.error());
  out.push_back({*spec, {}});
  return out;
}

} // namespace

result<std::vector<series_config>> parse_series_list(const rapidjson::Value& v) {
  if (!v.IsArray() || v.Empty())
    return fail(": expected a non-empty array of series");
  if (v.Size() > 64)
    return fail(": at most 64 entries");
  std::vector<series_config> out;
  std::set<std::string> keys;
  for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
    const auto where = cat({"[", std::to_string(i), "]"});
    auto got = read_element(v[i]);
    if (!got)
      return fail(cat({where, got.error()}));
    for (auto& c : *got) {
      if (!keys.insert(c.spec.key()).second)
        return fail(cat({where, ": series ", c.spec.key(), " is listed twice"}));
      out.push_back(std::move(c));
    }
  }
  return out;
}

std::vector<series_config> legacy_series(const std::vector<std::string>& assets, std::int64_t slot_seconds) {
  std::vector<series_config> out;
  for (auto& a : assets)
    if (auto spec = make_series(a, slot_length_label(slot_seconds)))
      out.push_back({*spec, {}});
  return out;
}

} // namespace tdmaker
