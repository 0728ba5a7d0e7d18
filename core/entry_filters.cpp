#include "core/entry_filters.hpp"

#include <cmath>

#include <rapidjson/document.h>

#include "core/json_read.hpp"

namespace tdmaker {
namespace {

constexpr double seconds_per_year = 365.0 * 24 * 3600;

double as_probability(price p) { return static_cast<double>(p.micros) / micros_per_unit; }

std::int64_t seconds_into(const entry_inputs& in) { return in.now_ms / 1000 - in.slot_start_s; }
std::int64_t seconds_left(const entry_inputs& in) { return in.slot_end_s - in.now_ms / 1000; }

struct feature_name {
  std::string_view name;
  entry_model::feature f;
};
constexpr feature_name feature_names[] = {
  {"move_ppm", entry_model::feature::move_ppm},   {"seconds_into", entry_model::feature::seconds_into},
  {"seconds_left", entry_model::feature::seconds_left}, {"bid", entry_model::feature::bid},
  {"ask", entry_model::feature::ask},             {"spread", entry_model::feature::spread},
  {"fair", entry_model::feature::fair},
};

} // namespace

std::string_view to_string(entry_model::feature f) {
  for (auto& fn : feature_names)
    if (fn.f == f)
      return fn.name;
  return "?";
}

std::optional<entry_model::feature> parse_entry_feature(std::string_view name) {
  for (auto& fn : feature_names)
    if (fn.name == name)
      return fn.f;
  return std::nullopt;
}

double entry_feature_value(entry_model::feature f, const entry_rules& r, const entry_inputs& in) {
  switch (f) {
    case entry_model::feature::move_ppm:
      return static_cast<double>(directional_move_ppm(in.side, in.ref_start, in.ref_now));
    case entry_model::feature::seconds_into: return static_cast<double>(seconds_into(in));
    case entry_model::feature::seconds_left: return static_cast<double>(seconds_left(in));
    case entry_model::feature::bid: return as_probability(in.bid);
    case entry_model::feature::ask: return as_probability(in.ask);
    case entry_model::feature::spread: return as_probability(in.ask) - as_probability(in.bid);
    case entry_model::feature::fair: {
      auto up = fair_up_probability(in.ref_start, in.ref_now, seconds_left(in), r.annual_vol_ppm);
      return in.side == outcome::up ? up : 1 - up;
    }
  }
  return 0;
}

std::string_view to_string(entry_action a) {
  switch (a) {
    case entry_action::skip: return "skip";
    case entry_action::maker: return "maker";
    case entry_action::taker: return "taker";
  }
  return "?";
}

std::int64_t directional_move_ppm(outcome side, ref_price start, ref_price now) {
  if (start.e8 <= 0)
    return 0;
  // (now - start) * 1e6 can exceed int64 for BTC-sized references (1e13 in
  // e8 units); 128 bits keep it exact for every asset.
  auto diff = static_cast<__int128>(now.e8 - start.e8) * 1'000'000 / start.e8;
  auto ppm = static_cast<std::int64_t>(diff);
  return side == outcome::up ? ppm : -ppm;
}

double fair_up_probability(ref_price start, ref_price now, std::int64_t seconds_left,
                           std::int64_t annual_vol_ppm) {
  if (start.e8 <= 0 || now.e8 <= 0)
    return 0.5; // no reference: no opinion
  if (seconds_left <= 0 || annual_vol_ppm <= 0)
    return now.e8 >= start.e8 ? 1.0 : 0.0; // the venue resolves Up on end >= start
  double sigma = static_cast<double>(annual_vol_ppm) / 1e6;
  double sd = sigma * std::sqrt(static_cast<double>(seconds_left) / seconds_per_year);
  double z = std::log(static_cast<double>(now.e8) / static_cast<double>(start.e8)) / sd;
  return 0.5 * std::erfc(-z / std::sqrt(2.0));
}

std::optional<std::string_view> check_bid_range(const entry_rules& r, const entry_inputs& in) {
  if (in.bid.micros <= 0)
    return "no bid";
  if (in.bid < r.target_bid)
    return "bid below target_bid";
  if (in.bid > r.max_bid)
    return "bid above max_bid";
  if (in.ask.micros > 0 && in.ask <= in.bid)
    return "crossed book";
  return std::nullopt;
}

std::optional<std::string_view> check_min_move(const entry_rules& r, const entry_inputs& in) {
  if (in.ref_start.e8 <= 0)
    return "no reference price at slot start";
  if (in.ref_now.e8 <= 0)
    return "no current reference price";
  if (directional_move_ppm(in.side, in.ref_start, in.ref_now) < r.min_move_ppm)
    return "move below min_move";
  return std::nullopt;
}

std::optional<std::string_view> check_max_move(const entry_rules& r, const entry_inputs& in) {
  if (directional_move_ppm(in.side, in.ref_start, in.ref_now) > r.max_move_ppm)
    return "move above max_move";
  return std::nullopt;
}

std::optional<std::string_view> check_time_gate(const entry_rules& r, const entry_inputs& in) {
  auto into = seconds_into(in);
  if (into < r.min_entry_s)
    return "too early in slot";
  if (into > r.max_entry_s || seconds_left(in) <= 0)
    return "too late in slot";
  return std::nullopt;
}

std::optional<std::string_view> check_fair_value(const entry_rules& r, const entry_inputs& in, double& fair) {
  auto up = fair_up_probability(in.ref_start, in.ref_now, seconds_left(in), r.annual_vol_ppm);
  fair = in.side == outcome::up ? up : 1 - up;
  auto fair_micros = static_cast<std::int64_t>(std::floor(fair * micros_per_unit));
  if (fair_micros - in.bid.micros < r.min_edge.micros)
    return "fair value below bid + min_edge";
  return std::nullopt;
}

result<entry_model> parse_entry_model(std::string_view text) {
  rapidjson::Document doc;
  if (auto ok = json::parse_object(doc, text); !ok)
    return fail("entry model: " + ok.error());
  entry_model m;
  auto number = [&](const char* key, double& out, double lo, double hi) -> std::string {
    if (!doc.HasMember(key))
      return std::string(key) + " is missing";
    auto& v = doc[key];
    if (!v.IsNumber())
      return std::string(key) + " must be a number";
    out = v.GetDouble();
    if (!(out >= lo && out <= hi))
      return std::string(key) + " out of range";
    return {};
  };
  for (auto e : {number("intercept", m.intercept, -1e6, 1e6),
                 number("maker_threshold", m.maker_threshold, 0, 1.5),
                 number("taker_threshold", m.taker_threshold, 0, 1.5)})
    if (!e.empty())
      return fail("entry model: " + e);
  if (!doc.HasMember("weights") || !doc["weights"].IsObject())
    return fail("entry model: weights must be an object of feature -> number");
  for (auto it = doc["weights"].MemberBegin(); it != doc["weights"].MemberEnd(); ++it) {
    std::string_view name(it->name.GetString(), it->name.GetStringLength());
    const feature_name* found = nullptr;
    for (auto& fn : feature_names)
      if (fn.name == name)
        found = &fn;
    if (!found)
      return fail("entry model: unknown feature '" + std::string(name) + "'");
    if (!it->value.IsNumber())
      return fail("entry model: weight of " + std::string(name) + " must be a number");
    m.weights.emplace_back(found->f, it->value.GetDouble());
  }
  for (auto it = doc.MemberBegin(); it != doc.MemberEnd(); ++it) {
    std::string_view k(it->name.GetString(), it->name.GetStringLength());
    if (k != "intercept" && k != "weights" && k != "maker_threshold" && k != "taker_threshold"
        && k != "_comment")
      return fail("entry model: unknown key '" + std::string(k) + "'");
  }
  return m;
}

double entry_model_probability(const entry_model& m, const entry_rules& r, const entry_inputs& in) {
  double z = m.intercept;
  for (auto& [f, w] : m.weights)
    z += w * entry_feature_value(f, r, in);
  return 1.0 / (1.0 + std::exp(-z));
}

filter_result evaluate_entry(const entry_rules& r, const entry_model* model, const entry_inputs& in) {
  filter_result out;
  out.px = in.bid;
  if (auto why = check_bid_range(r, in))
    return out.reason = *why, out;
  if (auto why = check_time_gate(r, in))
    return out.reason = *why, out;
  if (model) {
    out.p_win = entry_model_probability(*model, r, in);
    if (out.p_win >= model->taker_threshold && in.ask.micros > 0) {
      out.action = entry_action::taker;
      out.px = in.ask;
      out.reason = "model: p(win) >= taker_threshold";
    } else if (out.p_win >= model->maker_threshold) {
      out.action = entry_action::maker;
      out.reason = "model: p(win) >= maker_threshold";
    } else {
      out.reason = "model: p(win) below maker_threshold";
    }
    return out;
  }
  if (auto why = check_min_move(r, in))
    return out.reason = *why, out;
  if (auto why = check_max_move(r, in))
    return out.reason = *why, out;
  if (r.fair_value) {
    if (auto why = check_fair_value(r, in, out.p_win))
      return out.reason = *why, out;
  }
  out.action = entry_action::maker;
  out.reason = "filters passed";
  return out;
}

} // namespace tdmaker
