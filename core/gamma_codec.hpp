#pragma once
// Gamma discovery of the Up/Down slots (protocol ref §1): the slug of a slot and
// the decoding of its event, whose list fields are JSON-encoded strings.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/records.hpp"
#include "core/result.hpp"

namespace tdmaker {

/// Start of the slot containing `now_s`.
std::int64_t slot_start_of(std::int64_t now_s, std::int64_t slot_seconds);
/// "{asset}-updown-{15m|Ns}-{start}".
std::string slot_slug(std::string_view asset, std::int64_t slot_seconds, std::int64_t start_s);

/// "2026-05-10T18:30:00Z" (fractional seconds allowed) -> Unix seconds.
result<std::int64_t> parse_iso8601_utc(std::string_view text);

/// A `GET /events?slug=` reply (array) or `/events/slug/` reply (object): the
/// event's first market as a record (status discovered), or nullopt when the
/// array is empty (not listed yet). `closed` reports Gamma's closed flag.
struct gamma_market {
  market_record record;
  bool closed = false;
  bool accepting_orders = true;
  /// Once closed, `outcomePrices` reads 1/0: the winner (0 Up, 1 Down); -1
  /// while open or when the prices are not a clean 1/0 (not resolved yet).
  int winner = -1;
  /// Why `record.fee` is not known (feeSchedule missing or malformed); empty
  /// when it is. Discovery refuses such a market rather than guess its fee.
  std::string fee_error;
};
result<std::optional<gamma_market>> parse_gamma_event(std::string_view json, std::string_view asset);

/// A series listing (`GET /events?series_slug=…`): every event's first market, each
/// its own result so one malformed event does not hide the others. Fails only
/// when the reply is not a JSON array.
result<std::vector<result<gamma_market>>> parse_gamma_listing(std::string_view json, std::string_view asset);

} // namespace tdmaker
