#pragma once
// Which source a recorded frame came from (issue 18). The numbers are written to
// disk: append new channels, never renumber.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tdmaker {

enum class record_channel : std::uint8_t {
  market_ws = 0,   // CLOB market WebSocket frame
  user_ws = 1,     // CLOB user WebSocket frame
  rtds_ws = 2,     // RTDS (Chainlink price) WebSocket frame
  gamma = 3,       // Gamma discovery reply
  book_rest = 4,   // CLOB /book re-fetch reply
  resolution = 5,  // settlement's resolution look-up reply
  clob_market = 6, // CLOB /clob-markets/{cid} fee reply
};

inline constexpr std::uint8_t record_channel_count = 7;

std::string_view to_string(record_channel c);
std::optional<record_channel> record_channel_from(std::string_view name);
/// A byte from disk names a channel only if it is one of the known values.
inline bool valid_record_channel(std::uint8_t v) { return v < record_channel_count; }

/// A REST reply as recorded: "<status> <request target>\n<body>" (status 0: no
/// HTTP reply, the body then says why), so a replay knows what was asked.
std::string rest_record_text(int status, std::string_view target, std::string_view body);

} // namespace tdmaker
