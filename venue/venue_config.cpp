#include "venue/venue_config.hpp"

#include <algorithm>
#include <set>

#include <cstdlib>

#include <rapidjson/document.h>

#include "core/decimal.hpp"
#include "core/json_parse.hpp"
#include "venue/wallet_config.hpp"

namespace tdmaker::venue {
namespace {

result<std::int64_t> bounded(const std::string& path, const rapidjson::Value& v, std::int64_t lo, std::int64_t hi) {
  if (!v.IsInt64())
    return fail(path + ": expected an integer");
  auto x = v.GetInt64();
  if (x < lo || x > hi)
    return fail(path + ": expected an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return x;
}

result<std::int64_t> bounded_text(const std::string& path, const std::string& text, std::int64_t lo,
                                  std::int64_t hi) {
  if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos)
    return fail(path + ": expected an integer, got '" + text + "'");
  auto x = std::stoll(text);
  if (x < lo || x > hi)
    return fail(path + ": expected an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return x;
}

bool known_asset(const std::string& a) {
  return !a.empty() && a.size() <= 8 && a.find_first_not_of("abcdefghijklmnopqrstuvwxyz") == std::string::npos;
}

result<limit_mode> mode_of(const std::string& path, const std::string& text) {
  if (text == "off")
    return limit_mode::off;
  if (text == "warn")
    return limit_mode::warn;
  if (text == "enforce")
    return limit_mode::enforce;
  return fail(path + ": expected \"off\", \"warn\" or \"enforce\"");
}

// "rate_limits": {"mode", "tier", "order_rate", "order_burst", "cancel_rate",
// "cancel_burst", "cancel_deficit"}; every key optional, the Standard tier by default.
std::string parse_rate_limits(const rapidjson::Value& v, signer_limits_config& c) {
  if (!v.IsObject())
    return "$.rate_limits: expected an object";
  for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
    std::string k = it->name.GetString(), path = "$.rate_limits." + k;
    const auto& x = it->value;
    auto set = [&](std::int64_t& field, std::int64_t lo, std::int64_t hi) -> std::string {
      auto r = bounded(path, x, lo, hi);
      if (r)
        field = *r;
      return r ? std::string() : r.error();
    };
    std::string e;
    if (k == "mode") {
      auto m = x.IsString() ? mode_of(path, x.GetString()) : result<limit_mode>(fail(path + ": expected a string"));
      if (m)
        c.mode = *m;
      else
        e = m.error();
    } else if (k == "tier") {
      std::string t = x.IsString() ? x.GetString() : "";
      if (t.empty() || t.size() > 32 || t.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-") != std::string::npos)
        e = path + ": expected 1-32 lower-case letters, digits, '_' or '-'";
      else
        c.tier = t;
    } else if (k == "order_rate")
      e = set(c.order.rate, 1, 100'000);
    else if (k == "order_burst")
      e = set(c.order.burst, 1, 1'000'000);
    else if (k == "cancel_rate")
      e = set(c.cancel.rate, 1, 100'000);
    else if (k == "cancel_burst")
      e = set(c.cancel.burst, 1, 1'000'000);
    else if (k == "cancel_deficit") {
      if (!x.IsBool())
        e = path + ": expected a boolean";
      else
        c.cancel.allow_negative = x.GetBool();
    } else
      e = path + ": unknown key";
    if (!e.empty())
      return e;
  }
  return "";
}

/// `{"btc": 250, ...}`: per series, 0 to 10 s (Polymarket's is 250 ms).
std::string parse_taker_delays(const std::string& path, const rapidjson::Value& v,
                               std::map<std::string, std::int64_t>& out) {
  if (!v.IsObject())
    return path + ": expected an object of asset -> milliseconds";
  out.clear();
  for (auto& m : v.GetObject()) {
    std::string asset = m.name.GetString();
    if (!known_asset(asset))
      return path + ": asset names are 1-8 lower-case letters";
    auto ms = bounded(path + "." + asset, m.value, 0, 10'000);
    if (!ms)
      return ms.error();
    out[asset] = *ms;
  }
  return "";
}

/// One series: {"asset", "duration", "slot_seconds"?, "resolution"?: "spot"|"twap60"}.
result<venue_series> parse_series_entry(const std::string& path, const rapidjson::Value& v) {
  if (!v.IsObject())
    return fail(path + ": expected an object {asset, duration, slot_seconds?, resolution?}");
  std::string asset, duration;
  venue_series out;
  std::int64_t slot = 0;
  for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
    std::string k = it->name.GetString();
    const auto& x = it->value;
    if (k == "asset" && x.IsString())
      asset = x.GetString();
    else if (k == "duration" && x.IsString())
      duration = x.GetString();
    else if (k == "slot_seconds") {
      auto r = bounded(path + ".slot_seconds", x, 5, 86400);
      if (!r)
        return fail(r.error());
      slot = *r;
    } else if (k == "resolution" && x.IsString() && (std::string(x.GetString()) == "spot" || std::string(x.GetString()) == "twap60"))
      out.twap = std::string(x.GetString()) == "twap60";
    else
      return fail(path + "." + k + ": unknown key or wrong type");
  }
  auto spec = make_series(asset, duration);
  if (!spec)
    return fail(path + ": " + spec.error());
  out.spec = *spec;
  if (slot > 0)
    out.spec.slot_s = slot;
  return out;
}

/// --series btc-5m=20,eth-1h=40:twap60 (slot seconds and resolution optional).
result<std::vector<venue_series>> parse_series_flag(const std::string& text) {
  std::vector<venue_series> out;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    auto comma = text.find(',', pos);
    auto item = text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    pos = comma == std::string::npos ? text.size() + 1 : comma + 1;
    venue_series vs;
    if (auto colon = item.find(':'); colon != std::string::npos) {
      auto rule = item.substr(colon + 1);
      if (rule != "spot" && rule != "twap60")
        return fail("--series " + item + ": resolution is spot or twap60");
      vs.twap = rule == "twap60";
      item = item.substr(0, colon);
    }
    std::int64_t slot = 0;
    if (auto eq = item.find('='); eq != std::string::npos) {
      auto r = bounded_text("--series " + item, item.substr(eq + 1), 5, 86400);
      if (!r)
        return fail(r.error());
      slot = *r;
      item = item.substr(0, eq);
    }
    auto dash = item.rfind('-');
    auto spec = dash == std::string::npos ? result<series_spec>(fail("expected {asset}-{duration}"))
                                          : make_series(item.substr(0, dash), item.substr(dash + 1));
    if (!spec)
      return fail("--series " + item + ": " + spec.error());
    vs.spec = *spec;
    if (slot > 0)
      vs.spec.slot_s = slot;
    out.push_back(std::move(vs));
  }
  return out;
}

} // namespace

void settle_series(venue_config& c) {
  if (c.series.empty())
    for (auto& a : c.assets) {
      auto spec = make_series(a, slot_label(c.slot_seconds));
      if (spec)
        c.series.push_back({*spec, c.twap_resolution});
    }
  std::vector<std::string> assets;
  for (auto& s : c.series)
    if (std::find(assets.begin(), assets.end(), s.spec.asset) == assets.end())
      assets.push_back(s.spec.asset);
  c.assets = std::move(assets);
}

result<venue_config> parse_venue_config(const std::string& json_text) {
  rapidjson::Document d;
  if (auto parsed = json::parse(d, json_text); !parsed)
    return fail(parsed.error());
  if (!d.IsObject())
    return fail("$: expected an object");
  venue_config c;
  for (auto it = d.MemberBegin(); it != d.MemberEnd(); ++it) {
    std::string k = it->name.GetString();
    std::string path = "$." + k;
    const auto& v = it->value;
    auto set_int = [&](auto& field, std::int64_t lo, std::int64_t hi) -> std::string {
      auto r = bounded(path, v, lo, hi);
      if (!r)
        return r.error();
      field = static_cast<std::remove_reference_t<decltype(field)>>(*r);
      return "";
    };
    std::string e;
    if (k == "_comment")
      continue;
    else if (k == "seed")
      e = set_int(c.seed, 0, INT64_MAX);
    else if (k == "slot_seconds")
      e = set_int(c.slot_seconds, 10, 86400);
    else if (k == "lead_slots")
      e = set_int(c.lead_slots, 0, 200);
    else if (k == "resolution_delay_s")
      e = set_int(c.resolution_delay_s, 0, 3600);
    else if (k == "clob_port")
      e = set_int(c.clob_port, 0, 65535);
    else if (k == "gamma_port")
      e = set_int(c.gamma_port, 0, 65535);
    else if (k == "admin_port")
      e = set_int(c.admin_port, 0, 65535);
    else if (k == "ws_port")
      e = set_int(c.ws_port, 0, 65535);
    else if (k == "rtds_port")
      e = set_int(c.rtds_port, 0, 65535);
    else if (k == "heartbeat_timeout_ms")
      e = set_int(c.heartbeat_timeout_ms, 100, 600'000);
    else if (k == "ping_timeout_ms")
      e = set_int(c.ping_timeout_ms, 100, 600'000);
    else if (k == "sim_traders") {
      if (!v.IsBool())
        e = path + ": expected a boolean";
      else
        c.sim_traders = v.GetBool();
    } else if (k == "sim_taker_rate") {
      if (!v.IsNumber() || v.GetDouble() < 0 || v.GetDouble() > 1)
        e = path + ": expected a probability in [0, 1]";
      else
        c.sim_taker_rate = v.GetDouble();
    } else if (k == "resolution") {
      std::string r = v.IsString() ? v.GetString() : "";
      if (r != "spot" && r != "twap60")
        e = path + ": expected \"spot\" or \"twap60\"";
      else
        c.twap_resolution = r == "twap60";
    } else if (k == "annual_vol") {
      if (!v.IsNumber() || v.GetDouble() < 0 || v.GetDouble() > 10)
        e = path + ": expected a number in [0, 10]";
      else
        c.annual_vol = v.GetDouble();
    } else if (k == "starting_balance") {
      auto r = v.IsString() ? parse_fixed(v.GetString(), 6, 0, INT64_MAX) : result<std::int64_t>(fail("expected a decimal string"));
      if (!r)
        e = path + ": " + r.error();
      else
        c.starting_usdc = *r;
    } else if (k == "rate_limits") {
      e = parse_rate_limits(v, c.rate_limits);
    } else if (k == "host") {
      if (!v.IsString())
        e = path + ": expected a string";
      else
        c.host = v.GetString();
    } else if (k == "assets") {
      c.assets.clear();
      if (!v.IsArray() || v.Empty())
        e = path + ": expected a non-empty array of asset names";
      else
        for (auto& a : v.GetArray()) {
          if (!a.IsString() || !known_asset(a.GetString())) {
            e = path + ": asset names are 1-8 lower-case letters";
            break;
          }
          c.assets.emplace_back(a.GetString());
        }
    } else if (k == "wallets") {
      auto w = parse_wallet_list(v, path);
      if (!w)
        e = w.error();
      else
        c.wallets = *w;
    } else if (k == "deposit_wallet_only") {
      auto o = parse_owner_list(v, path);
      if (!o)
        e = o.error();
      else
        c.deposit_wallet_only = *o;
    } else if (k == "fee_schedules") {
      if (!v.IsObject())
        e = path + ": expected an object of series -> {\"rate\", \"exponent\"}";
      else
        for (auto f = v.MemberBegin(); f != v.MemberEnd() && e.empty(); ++f) {
          auto s = parse_fee_entry(path + "." + f->name.GetString(), f->value);
          if (!s)
            e = s.error();
          else
            c.fee_schedules[f->name.GetString()] = *s;
        }
    } else if (k == "taker_delay_ms") {
      e = parse_taker_delays(path, v, c.taker_delay_ms);
    } else if (k == "series") {
      c.series.clear();
      if (!v.IsArray() || v.Empty())
        e = path + ": expected a non-empty array of series";
      for (rapidjson::SizeType i = 0; e.empty() && v.IsArray() && i < v.Size(); ++i) {
        auto one = parse_series_entry(path + "[" + std::to_string(i) + "]", v[i]);
        if (!one)
          e = one.error();
        else
          c.series.push_back(*one);
      }
    } else {
      e = path + ": unknown key";
    }
    if (!e.empty())
      return fail(e);
  }
  return c;
}

result<venue_config> apply_flags(venue_config c, const std::vector<std::string>& args) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    if (a == "--no-sim") {
      c.sim_traders = false;
      continue;
    }
    if (a == "--twap") {
      c.twap_resolution = true;
      continue;
    }
    if (i + 1 >= args.size())
      return fail(a + ": missing value");
    const auto& v = args[++i];
    result<std::int64_t> r = std::int64_t{0};
    if (a == "--seed" && (r = bounded_text(a, v, 0, INT64_MAX)))
      c.seed = static_cast<std::uint64_t>(*r);
    else if (a == "--slot-seconds" && (r = bounded_text(a, v, 10, 86400)))
      c.slot_seconds = *r;
    else if (a == "--clob-port" && (r = bounded_text(a, v, 0, 65535)))
      c.clob_port = static_cast<int>(*r);
    else if (a == "--gamma-port" && (r = bounded_text(a, v, 0, 65535)))
      c.gamma_port = static_cast<int>(*r);
    else if (a == "--admin-port" && (r = bounded_text(a, v, 0, 65535)))
      c.admin_port = static_cast<int>(*r);
    else if (a == "--ws-port" && (r = bounded_text(a, v, 0, 65535)))
      c.ws_port = static_cast<int>(*r);
    else if (a == "--rtds-port" && (r = bounded_text(a, v, 0, 65535)))
      c.rtds_port = static_cast<int>(*r);
    else if (a == "--heartbeat-timeout-ms" && (r = bounded_text(a, v, 100, 600'000)))
      c.heartbeat_timeout_ms = *r;
    else if (a == "--ping-timeout-ms" && (r = bounded_text(a, v, 100, 600'000)))
      c.ping_timeout_ms = *r;
    else if (a == "--resolution-delay" && (r = bounded_text(a, v, 0, 3600)))
      c.resolution_delay_s = *r;
    else if (a == "--lead-slots" && (r = bounded_text(a, v, 0, 200)))
      c.lead_slots = *r;
    else if (a == "--taker-delay-ms" && (r = bounded_text(a, v, 0, 10'000))) {
      // Every configured series (the JSON key sets them one by one).
      for (auto& asset : c.assets)
        c.taker_delay_ms[asset] = *r;
    } else if (a == "--sim-taker-rate") {
      char* end = nullptr;
      double rate = std::strtod(v.c_str(), &end);
      if (end == v.c_str() || *end != '\0' || rate < 0 || rate > 1)
        return fail(a + ": expected a probability in [0, 1]");
      c.sim_taker_rate = rate;
    } else if (a == "--order-limit" || a == "--cancel-limit") {
      // RATE/BURST, e.g. 40/60
      auto slash = v.find('/');
      auto rate = bounded_text(a + " rate", v.substr(0, slash), 1, 100'000);
      auto burst = slash == std::string::npos ? result<std::int64_t>(fail(a + ": expected RATE/BURST"))
                                              : bounded_text(a + " burst", v.substr(slash + 1), 1, 1'000'000);
      if (!rate || !burst)
        return fail(!rate ? rate.error() : burst.error());
      auto& lim = a == "--order-limit" ? c.rate_limits.order : c.rate_limits.cancel;
      lim.rate = *rate;
      lim.burst = *burst;
    } else if (a == "--rate-limits") {
      auto m = mode_of(a, v);
      if (!m)
        return fail(m.error());
      c.rate_limits.mode = *m;
    } else if (a == "--ports-file")
      c.ports_file = v;
    else if (a == "--faults")
      c.faults_file = v;
    else if (a == "--series") {
      auto list = parse_series_flag(v);
      if (!list)
        return fail(list.error());
      c.series = std::move(list).value();
    } else if (a == "--fee-schedule") {
      auto f = parse_fee_flag(v);
      if (!f)
        return fail(f.error());
      c.fee_schedules[f->first] = f->second;
    }
    else if (!r)
      return fail(r.error());
    else
      return fail(a + ": unknown option (see tdmaker-venue --help)");
  }
  settle_series(c);
  std::set<std::string> keys;
  for (auto& s : c.series)
    if (!keys.insert(s.spec.key()).second)
      return fail("series " + s.spec.key() + " is listed twice");
  if (auto bad = unknown_fee_series(c.fee_schedules, keys); !bad.empty())
    return fail(bad);
  return c;
}

} // namespace tdmaker::venue
