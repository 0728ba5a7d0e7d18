#pragma once
// Per-series taker fee schedules of tdmaker-venue (config `fee_schedules`, flag
// --fee-schedule). A series is an asset and a slot length, named as Gamma's
// series slugs end: "btc-15m", "eth-20s". A series not listed charges Polymarket's
// crypto default, rate 0.07, exponent 1, taker only.
#include <map>
#include <set>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "core/fee_schedule.hpp"
#include "core/result.hpp"

namespace tdmaker::venue {

using fee_table = std::map<std::string, fee_schedule>; // series -> schedule

/// `{"rate": "0.05", "exponent": 2}`: rate a decimal string, exponent an integer.
result<fee_schedule> parse_fee_entry(const std::string& path, const rapidjson::Value& v);
/// "btc-15m=0.05" or "btc-15m=0.05:2" (the --fee-schedule flag).
result<std::pair<std::string, fee_schedule>> parse_fee_flag(const std::string& text);
/// Every listed series must be one the venue lists (its keys, "btc-15m"): a typo
/// would otherwise charge the default silently. Empty when all are.
std::string unknown_fee_series(const fee_table& fees, const std::set<std::string>& series);
/// The schedule of series `key` ("btc-15m").
fee_schedule fee_for(const fee_table& fees, const std::string& key);
/// The schedule of `asset`'s series at `slot_seconds` (a timestamped series).
fee_schedule fee_for(const fee_table& fees, const std::string& asset, std::int64_t slot_seconds);

} // namespace tdmaker::venue
