#pragma once
// `discovery.series` (issue 19): which Up/Down series the node trades, and what
// each may set differently from the global strategy sections: a 4-hour slot's
// "last minutes" are not a 5-minute slot's. Unset overrides take the global value.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "core/result.hpp"
#include "core/series.hpp"

namespace tdmaker {

struct series_overrides {
  std::optional<bool> td_maker_enabled;             // strategies.td_maker.enabled
  std::optional<std::int64_t> entry_min_entry_s;    // entry.min_entry_s (TD maker time gate)
  std::optional<std::int64_t> entry_max_entry_s;    // entry.max_entry_s
  std::optional<bool> capture_enabled;              // strategies.capture_99c.enabled
  std::optional<std::int64_t> capture_entry_window_s;
  std::optional<std::int64_t> capture_stop_before_end_s;
  std::optional<std::int64_t> cancel_before_end_ms; // no new buys this close to the slot's end
};

struct series_config {
  series_spec spec;
  series_overrides set;
};

/// The JSON array of `discovery.series`. An element is "all" (7 coins x 5m 15m 1h
/// 4h 1d), "{asset}-{duration}" ("btc-15m"), or an object {asset, duration,
/// slot_seconds?, gamma_series?, entry?, td_maker?, capture_99c?, orders?}. An error
/// starts with the element's path, e.g. "[2].duration: …"; a series listed twice is refused.
result<std::vector<series_config>> parse_series_list(const rapidjson::Value& v);

/// The series the legacy keys name: discovery.assets x discovery.slot_seconds.
std::vector<series_config> legacy_series(const std::vector<std::string>& assets, std::int64_t slot_seconds);

} // namespace tdmaker
