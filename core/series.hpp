#pragma once
// The Up/Down series a node trades (issue 19): an asset and a slot duration, the
// Gamma series that lists it, and the slug rule of each of its slots. Polymarket
// names slots three ways (protocol ref §1):
//   5m, 15m, 4h (and any "Ns"/"Nm" test length): btc-updown-15m-1778437800, the start in Unix s;
//   1h: bitcoin-up-or-down-december-2-4am-et, the Eastern hour the slot starts;
//   1d: bitcoin-up-or-down-on-december-2, the Eastern date at whose noon it ends [unconfirmed].
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace tdmaker {

enum class slug_shape : std::uint8_t {
  timestamped, // {asset}-updown-{label}-{start}
  hourly_et,   // {coin}-up-or-down-{month}-{day}-{h}{am|pm}-et
  daily_et,    // {coin}-up-or-down-on-{month}-{day}
};

struct series_spec {
  std::string asset;        // "btc"
  std::string label;        // "15m", "1h", "4h", "1d", or a test length "30s"
  slug_shape shape = slug_shape::timestamped;
  std::int64_t nominal_s = 900; // what the label means: 900 for "15m"
  std::int64_t slot_s = 900;    // how long its slots are; a test venue scales them down
  std::string gamma_series;     // Gamma's series_slug that lists its events
  /// "btc-15m": the key per-series settings and metrics use.
  std::string key() const { return asset + "-" + label; }
};

/// The seven coins Polymarket lists Up/Down series for, in a fixed order.
const std::vector<std::string>& known_assets();
/// The durations "all" expands to, in a fixed order.
const std::vector<std::string>& known_durations();

/// "bitcoin" for "btc": the name the hourly and daily slugs use. Fails for an
/// asset outside known_assets().
result<std::string> coin_name(std::string_view asset);

/// A series of `asset` and `duration` ("5m", "15m", "1h", "4h", "1d", or "Ns"/"Nm"
/// with N seconds or minutes of a timestamped test series): its shape, lengths and
/// default Gamma series "{asset}-up-or-down-{label}" [unconfirmed for 1h and 1d].
/// Assets are 2-10 lower-case letters; hourly and daily series need a known coin.
result<series_spec> make_series(std::string_view asset, std::string_view duration);

/// The label of a timestamped slot length as slugs spell it: "15m" for 900 s,
/// "30s" for 30 (3600 s is "60m": the hourly series is "1h", a different shape).
std::string slot_length_label(std::int64_t seconds);

/// The slug of the slot of `s` that starts at `start_s` (nominal lengths: an ET
/// shape names the Eastern hour or date of that instant).
std::string series_slug(const series_spec& s, std::int64_t start_s);

/// What a slug says. `start_s` is the slot start it names; for the ET shapes the
/// year is not in the slug and is taken nearest to `near_s` (the event's start).
struct slug_parts {
  std::string asset;
  std::string label;
  slug_shape shape = slug_shape::timestamped;
  std::int64_t start_s = 0;
};
result<slug_parts> parse_series_slug(std::string_view slug, std::int64_t near_s);

/// Whether a listed slot belongs to `s`: its slug has the series' shape, asset and
/// label, its length is `s.slot_s`, and a timestamped slug (or an ET one of a
/// slot of nominal length) names `start_s`. Empty = it does; else why not.
std::string slot_matches(const series_spec& s, std::string_view slug, std::int64_t start_s, std::int64_t end_s);

/// The series key ("btc-15m") a slug belongs to, "" when it has no series shape.
std::string series_key_of_slug(std::string_view slug);

} // namespace tdmaker
