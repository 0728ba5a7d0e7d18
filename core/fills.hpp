#pragma once
// Seed 003's FillDetector as pure rules: one fill per (market, order, trade),
// booked once whatever repeats it (WebSocket replay, REST reconciliation, a
// restart); its status moves MATCHED -> MINED -> CONFIRMED, and FAILED takes a
// booked fill back out. Positions are the fold of the booked fills, so a
// position can never disagree with the fills it came from.
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/eip712.hpp" // order_side
#include "core/money.hpp"
#include "core/records.hpp"
#include "core/result.hpp"

namespace tdmaker {

enum class fill_source : std::uint8_t { user_ws = 0, reconcile = 1, paper = 2 };
enum class trade_status : std::uint8_t { matched = 0, mined = 1, confirmed = 2, retrying = 3, failed = 4 };

std::string_view to_string(fill_source s);
std::string_view to_string(trade_status s);
/// "MATCHED", "TRADE_STATUS_MINED", ... (the REST prefix is optional).
result<trade_status> parse_trade_status(std::string_view text);

/// One leg of a venue trade that belongs to the node's account, before dedup.
struct fill_report {
  std::string trade_id;
  std::string order_id;
  condition_id market;
  token_id token;
  order_side side = order_side::buy;
  price px;
  shares size;
  usdc fee;              // taker fee; makers pay none on these markets
  bool taker = false;
  trade_status status = trade_status::matched;
  std::int64_t ts_ms = 0; // match time
  fill_source source = fill_source::user_ws;
};

/// A booked fill as stored in LMDB `fills`, keyed by `key`.
struct fill_record {
  std::string key; // "<condition>:<order>:<trade>"
  std::string trade_id;
  std::string order_id;
  condition_id market;
  token_id token;
  order_side side = order_side::buy;
  price px;
  shares size;
  usdc fee;
  bool taker = false;
  trade_status status = trade_status::matched;
  bool reversed = false; // FAILED after it was booked: counts for nothing
  std::int64_t ts_ms = 0;
  std::int64_t booked_ms = 0;
  fill_source source = fill_source::user_ws;
  strategy_kind strategy = strategy_kind::td_maker; // its order's; absent in older records
};

std::string fill_key(const condition_id& market, std::string_view order_id, std::string_view trade_id);

/// pUSD that changes hands for `size` shares at `px`, exactly as the exchange
/// moves it (floor of size x price; exact on the tick grid).
usdc fill_cash(shares size, price px);

enum class fill_change : std::uint8_t {
  booked,      // new: act on it (position, order, notification)
  advanced,    // known: its status moved forward; nothing else changes
  reversed,    // known and booked: FAILED takes it back out
  duplicate,   // known, same or older status: ignore
  never_booked // FAILED before it was ever booked: remember, do nothing
};
std::string_view to_string(fill_change c);

/// What `report` does to the record already kept under its key (if any). On
/// anything but `duplicate`, `next` holds the record to persist.
fill_change apply_report(const std::optional<fill_record>& known, const fill_report& report,
                         std::int64_t now_ms, fill_record& next);

/// One market's holdings and cash flows, folded from its fills.
struct position {
  condition_id market;
  token_id token;
  shares bought;
  shares sold;
  usdc cost;     // paid for bought shares
  usdc proceeds; // received for sold shares
  usdc fees;
  std::uint32_t fills = 0;
  bool paper = false; // simulated fills are a book of their own, never mixed with the venue's
  strategy_kind strategy = strategy_kind::td_maker; // each strategy's holding is its own position
  shares held() const { return shares{bought.micros - sold.micros}; }
};

/// The key of the position a fill belongs to: its token, apart for paper fills
/// and apart for each strategy but the TD maker (whose keys are as before).
std::string position_key(const fill_record& f);

/// Adds (or, for a reversal, removes) one fill's effect on its position.
void fold_fill(position& p, const fill_record& f, bool remove);

/// True for a paper sell of more shares than `held` (the paper position of its
/// token; null = none) holds: the paper book never goes short, so the fill
/// actor refuses it. Venue fills are the venue's truth and always booked.
bool paper_oversell(const position* held, const fill_report& r);

/// Positions by position_key, the fold of `fills` (reversed ones count for nothing).
std::map<std::string, position> positions_of(std::span<const fill_record> fills);

// ---- matching a fill to one of the node's orders (seed 003's four priorities) ----

enum class match_kind : std::uint8_t { exact = 0, placeholder = 1, pending_cancel = 2, broad = 3, none = 4 };
std::string_view to_string(match_kind k);

struct fill_match {
  match_kind kind = match_kind::none;
  const order_record* order = nullptr;
};

/// Exact order id of a confirmed order, then a placeholder (sent, not yet
/// answered) under that id, then an order being cancelled, then the oldest open
/// order of the same market, token, side and price with room for the size.
/// Only orders of the fill's book (paper fills: paper orders) are candidates.
fill_match match_fill(const fill_report& f, std::span<const order_record> orders);

std::string encode(const fill_record& r);
result<fill_record> decode_fill_record(std::string_view json);

template <class Inspector>
auto inspect(Inspector& f, fill_report& x) {
  return f(x.trade_id, x.order_id, x.market, x.token, x.side, x.px, x.size, x.fee, x.taker, x.status,
           x.ts_ms, x.source);
}

template <class Inspector>
auto inspect(Inspector& f, fill_record& x) {
  return f(x.key, x.trade_id, x.order_id, x.market, x.token, x.side, x.px, x.size, x.fee, x.taker,
           x.status, x.reversed, x.ts_ms, x.booked_ms, x.source, x.strategy);
}

template <class Inspector>
auto inspect(Inspector& f, position& x) {
  return f(x.market, x.token, x.bought, x.sold, x.cost, x.proceeds, x.fees, x.fills, x.paper, x.strategy);
}

} // namespace tdmaker
