#include "core/paper_fills.hpp"

namespace tdmaker {

std::string_view to_string(paper_fill f) {
  switch (f) {
    case paper_fill::none: return "none";
    case paper_fill::ask_crossed: return "ask crossed";
    case paper_fill::bid_through: return "bid-through";
    case paper_fill::time_at_bid: return "time at bid";
  }
  return "unknown";
}

paper_fill check_paper_fill(paper_bid& bid, price best_bid, price best_ask, tick_size tick, std::int64_t now_ms,
                            const paper_rules& rules) {
  if (best_ask.micros > 0 && best_ask <= bid.px)
    return paper_fill::ask_crossed;
  // An empty bid side is no evidence of sellers: the book may just be thin.
  if (best_bid.micros > 0 && best_bid < bid.px)
    return paper_fill::bid_through;
  const bool tight = best_ask.micros > 0 && best_ask.micros - best_bid.micros <= rules.tight_spread_ticks * tick.micros;
  if (best_bid != bid.px || !tight) {
    bid.at_bid_since_ms = 0;
    return paper_fill::none;
  }
  if (bid.at_bid_since_ms == 0) {
    bid.at_bid_since_ms = now_ms;
    return paper_fill::none;
  }
  return now_ms - bid.at_bid_since_ms >= rules.time_at_bid_ms ? paper_fill::time_at_bid : paper_fill::none;
}

} // namespace tdmaker
