#include "core/strategy_kind.hpp"

#include <string>

namespace tdmaker {

std::string_view to_string(strategy_kind s) {
  switch (s) {
    case strategy_kind::td_maker: return "td_maker";
    case strategy_kind::capture_99c: return "capture_99c";
  }
  return "unknown";
}

result<strategy_kind> parse_strategy_kind(std::string_view text) {
  for (auto s : all_strategies)
    if (text == to_string(s))
      return s;
  return failure{"unknown strategy \"" + std::string(text) + "\" (expected td_maker or capture_99c)"};
}

} // namespace tdmaker
