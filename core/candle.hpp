#pragma once
// One-minute OHLCV candles (seed 004, issue 18): what a candle is, how a stream is
// named, and how a stored candle is encoded. The rules that build them are in
// core/candle_aggregator; docs/candles.md has both.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace tdmaker {

inline constexpr std::int64_t candle_minute_ms = 60'000;

/// What a stream's values are. ref: the RTDS (Chainlink) reference, 1e-8 units,
/// stream `<asset>/usd`. mid: a token's (best bid + best ask) / 2 in price micro-units,
/// stream `<token_id>/mid`. last: a token's last trade price in micro-units, with its
/// size in share micro-units as volume, stream `<token_id>/last`.
enum class candle_kind : std::uint8_t { ref = 0, mid = 1, last = 2 };
std::string_view to_string(candle_kind k);

/// The kind a stream name denotes, or why the name is not a stream: `<asset>/usd`
/// (asset 1-16 of [a-z0-9]) or `<token_id>/mid|last` (token 1-100 decimal digits).
result<candle_kind> parse_candle_stream(std::string_view stream);

inline constexpr std::uint32_t candle_filled = 1; // a flat candle laid over a 1-2 minute gap

/// One minute of one stream. Values are in the stream's units (candle_kind). A
/// filled candle has o = h = l = c = the previous close, no tick and no volume.
struct candle {
  std::int64_t start_ms = 0; // minute-aligned: start_ms % 60000 == 0
  std::int64_t open = 0;
  std::int64_t high = 0;
  std::int64_t low = 0;
  std::int64_t close = 0;
  std::int64_t volume = 0; // shares micro-units (last), 0 for ref and mid
  std::uint32_t ticks = 0;
  std::uint32_t flags = 0;
  bool operator==(const candle&) const = default;
};

template <class Inspector>
auto inspect(Inspector& f, candle& x) {
  return f(x.start_ms, x.open, x.high, x.low, x.close, x.volume, x.ticks, x.flags);
}

/// The start of the minute `ts_ms` falls in (floor, also for negative times).
std::int64_t candle_minute(std::int64_t ts_ms);

/// LMDB `candles` key: the stream, a 0 byte, then the minute's start as 8 bytes
/// big-endian (offset by 2^63 so the byte order is the numeric order), so one
/// stream's candles are one contiguous key range in time order, and no stream's
/// range holds another's even when one name is a prefix of the other.
std::string candle_key(std::string_view stream, std::int64_t start_ms);
/// The key every key of `stream` starts with (the stream and its 0 byte).
std::string candle_key_prefix(std::string_view stream);

/// A candle key for a log line or an error: `btc/usd@1800000000000`, or `<bad key>`.
std::string describe_candle_key(std::string_view key);

/// A stored candle: `{"stream":..,"t":..,"o":..,"h":..,"l":..,"c":..,"v":..,"n":..,"f":..}`.
std::string encode_candle(std::string_view stream, const candle& c);
struct stored_candle {
  std::string stream;
  candle c;
};
/// Refuses what no aggregator makes: an unknown stream, a start that is not
/// minute-aligned, low > open/close or high < them, negative volume, a filled candle
/// with ticks or a flat-less body.
result<stored_candle> decode_candle(std::string_view json);

} // namespace tdmaker
