#include "venue/market_catalog.hpp"

#include "core/civil_time.hpp"
#include "core/keccak.hpp"
#include "core/uint256.hpp"

namespace tdmaker::venue {
namespace {

// A token id as the real CLOB has them: a uint256 with 77 or 78 decimal digits.
std::string token_from(std::string seed_text) {
  for (;;) {
    auto h = keccak256(seed_text);
    auto d = uint256_to_decimal(h);
    if (d.size() >= 77)
      return d;
    seed_text += "'";
  }
}

} // namespace

std::string slot_label(std::int64_t slot_seconds) { return slot_length_label(slot_seconds); }

std::int64_t slot_start(std::int64_t now_s, std::int64_t slot_seconds) {
  return now_s - ((now_s % slot_seconds) + slot_seconds) % slot_seconds;
}

namespace {

slot_market with_identity(slot_market m, std::uint64_t seed) {
  auto base = std::to_string(seed) + "/" + m.slug;
  m.condition_id = to_hex(keccak256("condition/" + base));
  m.up_token = token_from("token/Up/" + base);
  m.down_token = token_from("token/Down/" + base);
  return m;
}

bool daily_noon(const series_spec& s) { return s.shape == slug_shape::daily_et && s.slot_s == s.nominal_s; }

/// Noon Eastern of the ET date `days_ahead` after the one holding `t`.
std::int64_t eastern_noon(std::int64_t t, std::int64_t days_ahead) {
  const auto local = t + eastern_offset_s(t);
  const auto d = civil_from_days(local / 86400 - (local % 86400 < 0) + days_ahead);
  return unix_of_eastern(d.year, d.month, d.day, 12);
}

constexpr std::int64_t nominal_anchor_s = 1'767'225'600; // 2026-01-01 00:00 UTC

} // namespace

slot_market make_slot(std::uint64_t seed, const std::string& asset, std::int64_t start_s,
                      std::int64_t slot_seconds, std::int64_t lead_s) {
  slot_market m;
  m.asset = asset;
  m.label = slot_label(slot_seconds);
  m.slug = asset + "-updown-" + m.label + "-" + std::to_string(start_s);
  m.series = asset + "-" + m.label;
  m.gamma_series = asset + "-up-or-down-" + m.label;
  m.start_s = start_s;
  m.end_s = start_s + slot_seconds;
  m.created_s = start_s - lead_s;
  return with_identity(std::move(m), seed);
}

std::vector<std::int64_t> series_slot_starts(const series_spec& s, std::int64_t now_s, std::int64_t lead_slots) {
  std::vector<std::int64_t> out;
  if (daily_noon(s)) {
    auto first = eastern_noon(now_s, 0) <= now_s ? 0 : -1;
    for (std::int64_t k = 0; k <= lead_slots; ++k)
      out.push_back(eastern_noon(now_s, first + k));
    return out;
  }
  const auto current = slot_start(now_s, s.slot_s);
  for (std::int64_t k = 0; k <= lead_slots; ++k)
    out.push_back(current + k * s.slot_s);
  return out;
}

std::string venue_slug(const series_spec& s, std::int64_t start_s) {
  if (s.shape == slug_shape::timestamped || s.slot_s == s.nominal_s)
    return series_slug(s, start_s);
  auto index = (start_s - nominal_anchor_s) / s.slot_s - ((start_s - nominal_anchor_s) % s.slot_s < 0);
  return series_slug(s, nominal_anchor_s + index * s.nominal_s);
}

slot_market make_series_slot(std::uint64_t seed, const venue_series& vs, std::int64_t start_s, std::int64_t lead_s) {
  const auto& s = vs.spec;
  slot_market m;
  m.asset = s.asset;
  m.label = s.label;
  m.slug = venue_slug(s, start_s);
  m.series = s.key();
  m.gamma_series = s.gamma_series;
  m.twap = vs.twap;
  m.start_s = start_s;
  m.end_s = daily_noon(s) ? eastern_noon(start_s, 1) : start_s + s.slot_s;
  m.created_s = start_s - lead_s;
  return with_identity(std::move(m), seed);
}

} // namespace tdmaker::venue
