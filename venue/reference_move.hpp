#pragma once
// The admin command that moves an asset's reference price (POST /admin/reference):
// tests script an adverse move (a jump of the Chainlink price) at a chosen moment,
// which the seeded random path alone cannot. Parsing only; the world applies it.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace tdmaker::venue {

/// The largest jump accepted, in basis points either way (50 %): past it the
/// price path would stop looking like a reference price at all.
inline constexpr std::int64_t max_reference_move_bps = 5'000;

struct reference_move {
  std::string asset;       // "btc"
  std::int64_t move_bps = 0; // signed: -80 moves the price down 0.8 %
};

/// `{"asset":"btc","move_bps":-80}`: exactly these two keys, a non-empty asset
/// string, an integer within +-max_reference_move_bps. Whether the asset exists
/// is the world's question.
result<reference_move> parse_reference_move(std::string_view body);

} // namespace tdmaker::venue
