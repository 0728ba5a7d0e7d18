#pragma once
// The strategy seam (issue 17): a strategy is a pure object that turns one
// market's snapshot, and what its own orders hold there, into intents. The
// market actor runs every enabled strategy on every book and reference update
// and merges what they ask for; bidding admits the buys (phase limits, trade
// limiter, the global budget and each strategy's cap); exits go through the
// stop-loss actor. A strategy owns only its own state; it never does I/O and
// its clock is the snapshot's.
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/confidence.hpp"
#include "core/market_data.hpp"
#include "core/money.hpp"
#include "core/reference_window.hpp"
#include "core/strategy_kind.hpp"

namespace tdmaker {

struct book_top {
  price bid;
  shares bid_size;
  price ask;
  shares ask_size;
};

/// One market at one moment, the same for every strategy (built once per update).
struct strategy_snapshot {
  std::int64_t now_ms = 0;
  std::int64_t slot_start_s = 0;
  std::int64_t slot_end_s = 0;
  book_top up;
  book_top down;
  ref_price ref_start; // 0 until captured
  ref_price ref_now;
  reference_motion fast;
  reference_motion slow;
  resolution_rule rule = resolution_rule::spot;
  tick_size tick;
  shares min_size;
  bool awaiting_settlement = false;
  int last_trade_vote_up = 0;   // +1: the last trade favoured Up, -1: Down, 0: unknown
  std::int64_t rung_shares = 0; // the phase's shares per rung (whole shares)

  const book_top& top(outcome o) const { return o == outcome::up ? up : down; }
  double seconds_to_close() const { return static_cast<double>(slot_end_s * 1000 - now_ms) / 1000.0; }
};

/// One book's holding of one strategy in the market.
struct strategy_holding {
  bool open = false;
  outcome side = outcome::up;
  shares qty;
  price entry;
};

/// What a strategy's own orders hold in the market (the market's bookkeeping).
struct strategy_orders {
  std::uint32_t placed[2] = {0, 0}; // rung bits per outcome: an order is open or filled
  std::uint32_t filled[2] = {0, 0}; // rungs filled per outcome
  strategy_holding held[2];         // [0] live, [1] paper
  bool exit_open[2] = {false, false};
  bool any_placed() const { return (placed[0] | placed[1]) != 0; }
};

/// A buy the strategy wants (bidding may refuse it: budget, limits).
struct order_proposal {
  outcome side = outcome::up;
  std::uint32_t rung = 0;
  price px;
  shares size;
  bool post_only = true;
};

/// A sell of what one book holds. `stop_loss`: decided by the stop-loss actor
/// (re-check, best bid, retries, escalation); otherwise a resting limit at `px`.
struct exit_proposal {
  bool paper = false;
  price px;
  bool stop_loss = true;
  std::string_view reason; // static text
};

struct strategy_intents {
  std::vector<order_proposal> place;
  std::vector<exit_proposal> exits;
  std::vector<order_proposal> presign; // orders to sign ahead (known price and size)
  std::string_view reason;             // static text: why (not) for logs and the audit
  void clear() {
    place.clear();
    exits.clear();
    presign.clear();
    reason = {};
  }
};

class strategy {
public:
  virtual ~strategy() = default;
  virtual strategy_kind kind() const = 0;
  /// One evaluation; appends to `out`. Deterministic in its inputs and state.
  virtual void evaluate(const strategy_snapshot& snap, const strategy_orders& mine, strategy_intents& out) = 0;
};

} // namespace tdmaker
