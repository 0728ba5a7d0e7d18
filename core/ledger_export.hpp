#pragma once
// `tdmaker export orders|trades|settlements [--from T] [--to T] [--format
// jsonl|csv] [--config FILE]`: the arguments, and the rows of the ledger's fills
// and settlements as CSV or JSON lines (seed 001's audit export). Pure: the
// caller reads LMDB and prints.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/fills.hpp"
#include "core/records.hpp"
#include "core/result.hpp"
#include "core/settlement.hpp"

namespace tdmaker {

struct export_query {
  std::string kind;    // orders | trades | settlements
  std::int64_t from_ms = 0;                  // inclusive
  std::int64_t to_ms = INT64_MAX;            // exclusive
  bool csv = false;
  std::string config;  // --config FILE ("" = embedded default)
};

/// A time argument: Unix seconds or ISO-8601 UTC, in ms.
result<std::int64_t> time_ms(std::string_view text);

/// RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled.
std::string csv_field(std::string_view text);
/// "2026-12-01T19:33:50.123Z" (UTC, milliseconds).
std::string iso8601_utc_ms(std::int64_t ts_ms);

/// `args` after "export". Times are Unix seconds or ISO-8601 UTC.
result<export_query> parse_export_args(const std::vector<std::string>& args);
/// The options `--from T --to T --format F --config FILE` of `args` from index
/// `first` on, into `q` (shared with `tdmaker phase history`).
result<bool> parse_export_options(const std::vector<std::string>& args, std::size_t first, export_query& q);

/// Booked fills (reversed ones included, marked) with match time in range, oldest first.
std::string export_trades(std::vector<fill_record> fills, const export_query& q);
/// Orders created in range, oldest first. The CSV quotes `reason` (free text).
std::string export_orders(std::vector<order_record> orders, const export_query& q);
/// Settlements with settlement time in range, oldest first: CSV one row per
/// strategy's share (column `strategy`), JSON lines one per record with its
/// `by_strategy` (a record older than strategies: all the TD maker's).
std::string export_settlements(std::vector<settlement_record> rows, const export_query& q);

} // namespace tdmaker
