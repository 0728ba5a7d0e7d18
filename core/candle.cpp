#include "core/candle.hpp"

#include <algorithm>

#include "core/json_read.hpp"
#include "core/json_write.hpp"

namespace tdmaker {
namespace {

bool all_of(std::string_view s, bool (*ok)(char)) {
  return std::all_of(s.begin(), s.end(), ok);
}
bool asset_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool digit(char c) { return c >= '0' && c <= '9'; }

/// Why a decoded candle could not have come from an aggregator, or empty.
std::string implausible(const candle& c) {
  if (c.start_ms % candle_minute_ms != 0)
    return "start " + std::to_string(c.start_ms) + " is not minute-aligned";
  if (c.low > c.high || c.open < c.low || c.open > c.high || c.close < c.low || c.close > c.high)
    return "open/close outside [low, high]";
  if (c.volume < 0)
    return "negative volume";
  if (c.flags & ~candle_filled)
    return "unknown flags";
  if ((c.flags & candle_filled) && (c.ticks != 0 || c.volume != 0 || c.low != c.high))
    return "a filled candle with ticks, volume or a range";
  if (!(c.flags & candle_filled) && c.ticks == 0)
    return "a candle of no tick that is not filled";
  return {};
}

} // namespace

std::string_view to_string(candle_kind k) {
  switch (k) {
    case candle_kind::ref: return "ref";
    case candle_kind::mid: return "mid";
    case candle_kind::last: return "last";
  }
  return "?";
}

result<candle_kind> parse_candle_stream(std::string_view s) {
  auto slash = s.find('/');
  if (slash == std::string_view::npos || slash == 0)
    return fail("stream '" + std::string(s.substr(0, 120)) + "' is not <asset>/usd, <token_id>/mid or <token_id>/last");
  auto head = s.substr(0, slash), tail = s.substr(slash + 1);
  if (tail == "usd" && head.size() <= 16 && all_of(head, asset_char))
    return candle_kind::ref;
  if ((tail == "mid" || tail == "last") && head.size() <= 100 && all_of(head, digit))
    return tail == "mid" ? candle_kind::mid : candle_kind::last;
  return fail("stream '" + std::string(s.substr(0, 120)) + "' is not <asset>/usd (asset 1-16 of a-z0-9), "
              "<token_id>/mid or <token_id>/last (token 1-100 digits)");
}

std::int64_t candle_minute(std::int64_t ts_ms) {
  auto m = ts_ms / candle_minute_ms;
  if (ts_ms % candle_minute_ms < 0)
    --m;
  return m * candle_minute_ms;
}

std::string candle_key_prefix(std::string_view stream) {
  std::string k(stream);
  k.push_back('\0');
  return k;
}

std::string candle_key(std::string_view stream, std::int64_t start_ms) {
  auto k = candle_key_prefix(stream);
  auto u = static_cast<std::uint64_t>(start_ms) ^ (std::uint64_t{1} << 63);
  for (int shift = 56; shift >= 0; shift -= 8)
    k.push_back(static_cast<char>((u >> shift) & 0xff));
  return k;
}

std::string describe_candle_key(std::string_view key) {
  auto zero = key.find('\0');
  if (zero == std::string_view::npos || key.size() != zero + 9 || !parse_candle_stream(key.substr(0, zero)))
    return "<bad key>";
  std::uint64_t u = 0;
  for (auto ch : key.substr(zero + 1))
    u = (u << 8) | static_cast<unsigned char>(ch);
  return std::string(key.substr(0, zero)) + "@" + std::to_string(static_cast<std::int64_t>(u ^ (std::uint64_t{1} << 63)));
}

std::string encode_candle(std::string_view stream, const candle& c) {
  json::object_writer w;
  w.str("stream", stream).num("t", c.start_ms).num("o", c.open).num("h", c.high).num("l", c.low);
  w.num("c", c.close).num("v", c.volume).num("n", c.ticks).num("f", c.flags);
  return w.take();
}

result<stored_candle> decode_candle(std::string_view text) {
  rapidjson::Document doc;
  if (auto ok = json::parse_object(doc, text); !ok)
    return fail("candle: " + ok.error());
  json::field_reader in(doc);
  stored_candle out;
  out.stream = in.str("stream");
  auto& c = out.c;
  c.start_ms = in.num("t");
  c.open = in.num("o");
  c.high = in.num("h");
  c.low = in.num("l");
  c.close = in.num("c");
  c.volume = in.num("v");
  auto n = in.num("n"), f = in.num("f");
  if (!in.ok())
    return fail("candle: " + in.error());
  if (n < 0 || n > UINT32_MAX || f < 0 || f > UINT32_MAX)
    return fail("candle: tick count or flags out of range");
  c.ticks = static_cast<std::uint32_t>(n);
  c.flags = static_cast<std::uint32_t>(f);
  if (auto k = parse_candle_stream(out.stream); !k)
    return fail("candle: " + k.error());
  if (auto why = implausible(c); !why.empty())
    return fail("candle: " + why);
  return out;
}

} // namespace tdmaker
