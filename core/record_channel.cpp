#include "core/record_channel.hpp"

namespace tdmaker {
namespace {
constexpr std::string_view names[record_channel_count] = {"market_ws",  "user_ws",    "rtds_ws",    "gamma",
                                                          "book_rest",  "resolution", "clob_market"};
} // namespace

std::string_view to_string(record_channel c) {
  const auto i = static_cast<std::uint8_t>(c);
  return i < record_channel_count ? names[i] : std::string_view("unknown");
}

std::optional<record_channel> record_channel_from(std::string_view name) {
  for (std::uint8_t i = 0; i < record_channel_count; ++i)
    if (names[i] == name)
      return static_cast<record_channel>(i);
  return std::nullopt;
}

std::string rest_record_text(int status, std::string_view target, std::string_view body) {
  std::string out = std::to_string(status);
  out += ' ';
  out += target;
  out += '\n';
  out += body;
  return out;
}

} // namespace tdmaker
