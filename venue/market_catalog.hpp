#pragma once
// The venue's rolling series of Up/Down slots: for each asset a market per slot of
// `slot_seconds`, listed `lead_slots` ahead. Identities (condition id, token ids)
// are derived from the seed and the slug, so the same seed gives the same markets.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/fee_schedule.hpp"
#include "core/money.hpp"
#include "core/series.hpp"

namespace tdmaker::venue {

struct slot_market {
  std::string asset; // "btc"
  std::string slug;  // "btc-updown-15m-1778437800"
  std::int64_t start_s = 0;
  std::int64_t end_s = 0;
  std::string condition_id;  // 0x + 64 hex
  std::string up_token;      // 77-78 digit decimal
  std::string down_token;
  std::int64_t created_s = 0; // listing time
  tick_size tick{10'000};
  shares min_size{5'000'000};
  bool closed = false;
  int winner = -1;            // -1 unresolved, 0 Up, 1 Down
  std::int64_t resolved_s = 0;
  fee_schedule fee{true, 70'000, 1, true}; // its series' schedule (venue config fee_schedules)
  std::string series;        // "btc-15m": the fee table's and cryptoMarketConfig's key
  std::string gamma_series;  // the series_slug that lists it
  std::string label;         // "15m", "1h": cryptoMarketConfig.duration
  bool twap = false;         // resolves on the 60 s TWAP (cryptoMarketConfig.twapEnabled)
};

/// A series the venue lists (config `series`): the node's own series rule, and
/// whether its markets resolve on the spot or the 60 s TWAP.
struct venue_series {
  series_spec spec;
  bool twap = false;
};

/// The starts of the current slot of `s` and the next `lead_slots`. Slots are
/// `slot_s` long from the Unix epoch, except a daily series of nominal length,
/// whose slots run noon to noon Eastern (DST days are 23 or 25 hours).
std::vector<std::int64_t> series_slot_starts(const series_spec& s, std::int64_t now_s, std::int64_t lead_slots);

/// The slug of a slot. A scaled-down ET series (slot_s below its nominal length)
/// names a nominal instant that advances one nominal slot per slot, so its slugs
/// stay distinct and keep the real shape.
std::string venue_slug(const series_spec& s, std::int64_t start_s);

/// A slot of series `s`, with its identity derived from the seed and its slug.
slot_market make_series_slot(std::uint64_t seed, const venue_series& s, std::int64_t start_s, std::int64_t lead_s);

/// "15m" for 900 s, else "<n>s"-style minutes/seconds label used in slugs.
std::string slot_label(std::int64_t slot_seconds);

/// Deterministic identity of the slot of `asset` starting at `start_s`.
slot_market make_slot(std::uint64_t seed, const std::string& asset, std::int64_t start_s,
                      std::int64_t slot_seconds, std::int64_t lead_s);

/// Start of the slot containing `now_s`.
std::int64_t slot_start(std::int64_t now_s, std::int64_t slot_seconds);

} // namespace tdmaker::venue
