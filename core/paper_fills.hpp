#pragma once
// Seed 003's paper-fill simulation: when a resting paper bid would have been
// filled by the real market. A paper order is never on the venue, so the real
// book is read as the queue it would have joined. Three conditions, any one fills
// the whole remaining size at the order's own price (a maker fill):
//   ask crossed  - someone offers at or below the bid: a real buyer would take it;
//   bid-through  - the best bid fell below the paper price: sellers went through it;
//   time at bid  - the paper price is the best bid with a tight spread for long
//                  enough that the queue ahead of it has traded.
#include <cstdint>
#include <string_view>

#include "core/money.hpp"

namespace tdmaker {

struct paper_rules {
  std::int64_t time_at_bid_ms = 10'000;
  std::int64_t tight_spread_ticks = 1; // spread <= this many ticks counts as tight
};

enum class paper_fill : std::uint8_t { none = 0, ask_crossed, bid_through, time_at_bid };
std::string_view to_string(paper_fill f);

/// One paper bid's view of its book: `at_bid_since_ms` is its memory of when it
/// started being the tight best bid (0 = not now).
struct paper_bid {
  price px;
  std::int64_t at_bid_since_ms = 0;
};

/// The book's best bid and ask (price 0 = that side is empty) at `now_ms`.
paper_fill check_paper_fill(paper_bid& bid, price best_bid, price best_ask, tick_size tick, std::int64_t now_ms,
                            const paper_rules& rules);

} // namespace tdmaker
