#include "venue/reference_move.hpp"

#include <rapidjson/document.h>

#include "core/json_parse.hpp"

namespace tdmaker::venue {

result<reference_move> parse_reference_move(std::string_view body) {
  rapidjson::Document d;
  if (auto parsed = json::parse(d, body, {.max_bytes = 4096, .max_depth = 4}); !parsed)
    return fail("Invalid payload: " + parsed.error());
  if (!d.IsObject())
    return fail("Invalid payload: expected {\"asset\": \"btc\", \"move_bps\": <integer>}");
  for (auto& m : d.GetObject()) {
    std::string_view k(m.name.GetString(), m.name.GetStringLength());
    if (k != "asset" && k != "move_bps")
      return fail("Invalid payload: unknown key '" + std::string(k.substr(0, 40)) + "'");
  }
  auto a = d.FindMember("asset");
  if (a == d.MemberEnd() || !a->value.IsString() || a->value.GetStringLength() == 0
      || a->value.GetStringLength() > 16)
    return fail("Invalid payload: 'asset' must be an asset name such as \"btc\"");
  auto mv = d.FindMember("move_bps");
  if (mv == d.MemberEnd() || !mv->value.IsInt64())
    return fail("Invalid payload: 'move_bps' must be an integer number of basis points");
  if (d.MemberCount() != 2)
    return fail("Invalid payload: 'asset' and 'move_bps' must appear once each");
  auto bps = mv->value.GetInt64();
  if (bps < -max_reference_move_bps || bps > max_reference_move_bps)
    return fail("Invalid payload: 'move_bps' " + std::to_string(bps) + " is outside +-"
                + std::to_string(max_reference_move_bps));
  return reference_move{std::string(a->value.GetString(), a->value.GetStringLength()), bps};
}

} // namespace tdmaker::venue
