#pragma once
// What `tdmaker candles` and `GET /candles` ask and how they print the answer
// (issue 18): one stream, a time range [from, to) on the candles' start, a format.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/candle.hpp"
#include "core/result.hpp"

namespace tdmaker {

enum class candle_format : std::uint8_t { json, csv, jsonl };

struct candle_query {
  std::string stream;
  candle_kind kind = candle_kind::ref;
  std::int64_t from_ms = 0; // inclusive, on a candle's start
  std::int64_t to_ms = 0;   // exclusive
  candle_format format = candle_format::csv;
  std::string config;   // CLI: --config FILE
  std::string data_dir; // CLI: --data-dir D (wins over the config's node.data_dir)
};

/// Rows one GET /candles reply holds at most (a longer range is cut, and says so).
inline constexpr std::uint32_t candle_http_max_rows = 10'000;

/// `tdmaker candles` arguments: --stream S --from T --to T [--format csv|jsonl]
/// [--config F | --data-dir D]; T is Unix seconds or ISO-8601 UTC.
result<candle_query> parse_candle_args(const std::vector<std::string>& args);
/// A GET /candles query string: stream, from, to (as above), format json|csv|jsonl
/// (default json); %XX escapes decoded; an unknown or repeated key is refused.
result<candle_query> parse_candle_http_query(std::string_view query);

/// The LMDB key range [first, last) that holds exactly the query's candles.
std::string candle_from_key(const candle_query& q);
std::string candle_to_key(const candle_query& q);

/// The rows in the query's format. Values are exact decimals in the stream's units
/// (ref: 8 places; mid, last and volume: 6). `truncated` (json only in the body) says
/// that more candles lie in the range than the `limit` returned.
std::string render_candles(const candle_query& q, const std::vector<stored_candle>& rows, bool truncated,
                           std::uint32_t limit);

} // namespace tdmaker
