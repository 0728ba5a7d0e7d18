#include "venue/market_catalog.hpp"

#include "core/keccak.hpp"
#include "core/uint256.hpp"

namespace tdmaker::venue {
namespace {

// A token id as the real CLOB has them: a uint256 with 77 or 78 decimal digits.
std::string token_from(std::string seed_text) {
  for (;;) {
    auto h = keccak256(seed_text);
    auto d = uint256_to_decimal(h);
    if (d.size() >= 77)
      return d;
    seed_text += "'";
  }
}

} // namespace

std::string slot_label(std::int64_t slot_seconds) {
  if (slot_seconds % 60 == 0)
    return std::to_string(slot_seconds / 60) + "m";
  return std::to_string(slot_seconds) + "s";
}

std::int64_t slot_start(std::int64_t now_s, std::int64_t slot_seconds) {
  return now_s - ((now_s % slot_seconds) + slot_seconds) % slot_seconds;
}

slot_market make_slot(std::uint64_t seed, const std::string& asset, std::int64_t start_s,
                      std::int64_t slot_seconds, std::int64_t lead_s) {
  slot_market m;
  m.asset = asset;
  m.slug = asset + "-updown-" + slot_label(slot_seconds) + "-" + std::to_string(start_s);
  m.start_s = start_s;
  m.end_s = start_s + slot_seconds;
  m.created_s = start_s - lead_s;
  auto base = std::to_string(seed) + "/" + m.slug;
  m.condition_id = to_hex(keccak256("condition/" + base));
  m.up_token = token_from("token/Up/" + base);
  m.down_token = token_from("token/Down/" + base);
  return m;
}

} // namespace tdmaker::venue
