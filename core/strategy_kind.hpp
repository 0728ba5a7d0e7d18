#pragma once
// Which strategy an order, a fill, a position or a PnL figure belongs to. Every
// durable record names its strategy; a record written before strategies existed
// has none and is the TD maker's (the only strategy there was).
#include <array>
#include <cstdint>
#include <string_view>

#include "core/result.hpp"

namespace tdmaker {

enum class strategy_kind : std::uint8_t { td_maker = 0, capture_99c = 1 };
inline constexpr std::size_t strategy_count = 2;
inline constexpr std::array<strategy_kind, strategy_count> all_strategies{strategy_kind::td_maker,
                                                                          strategy_kind::capture_99c};

/// "td_maker", "capture_99c": the names in config, records, metrics labels and exports.
std::string_view to_string(strategy_kind s);
result<strategy_kind> parse_strategy_kind(std::string_view text);
inline std::size_t index_of(strategy_kind s) { return static_cast<std::size_t>(s); }

} // namespace tdmaker
