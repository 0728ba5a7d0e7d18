#pragma once
// Seed 003's SettlementManager as pure rules: when a market with a position is
// due, which source says who won (Gamma, then the CLOB market, then the last
// bid, where anything ambiguous is a loss), how long to defer before forcing,
// and the exact PnL of the position in micro-units.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/fills.hpp"
#include "core/money.hpp"
#include "core/result.hpp"

namespace tdmaker {

struct settlement_rules {
  std::int64_t grace_s = 300;       // after the slot end before the first look-up
  std::int64_t defer_max_s = 3'600; // unresolved this long after the grace: force
  price win_bid{950'000};           // last-bid fallback: a bid this high is a win
};

enum class settle_step : std::uint8_t { wait = 0, resolve = 1, force = 2 };
settle_step settle_due(std::int64_t now_s, std::int64_t slot_end_s, const settlement_rules& rules);

enum class settle_method : std::uint8_t { gamma = 0, clob = 1, last_bid = 2, forced = 3 };
std::string_view to_string(settle_method m);

/// Who won: the winning token, or none (a forced settlement with nothing clear).
struct resolution {
  settle_method method = settle_method::gamma;
  std::optional<token_id> winner;
};

/// `GET /markets/{condition_id}`: its end, and the winning token once `closed`
/// and one token says `winner: true` (nullopt while unresolved).
struct clob_market_status {
  std::int64_t end_s = 0; // 0 when `end_date_iso` is absent
  std::optional<token_id> winner;
};
result<clob_market_status> parse_clob_market(std::string_view json);

/// The fallback: a position's token wins if its last bid is at least
/// `rules.win_bid`; no bid or a lower one counts as a loss.
resolution last_bid_resolution(const token_id& token, std::optional<price> bid, const settlement_rules& rules);

/// One strategy's share of a settled market (its positions only).
struct strategy_pnl {
  strategy_kind strategy = strategy_kind::td_maker;
  shares held;
  usdc payout;
  usdc cost;
  usdc proceeds;
  usdc fees;
  usdc pnl;
  std::uint32_t fills = 0;
};

/// A settled market, as stored in LMDB `settlements` under the condition id.
struct settlement_record {
  condition_id market;
  std::string winner; // token id digits; empty = none (counted as a loss)
  settle_method method = settle_method::gamma;
  shares held;        // shares still held at settlement, all tokens
  usdc payout;        // 1 pUSD per winning share held
  usdc cost;
  usdc proceeds;
  usdc fees;
  usdc pnl;           // payout + proceeds - cost - fees
  std::uint32_t fills = 0;
  std::int64_t settled_ms = 0;
  bool paper = false; // the market's simulated positions (key "<condition id>/paper")
  // Per strategy, the strategies that held a position here; they sum to the
  // totals above. Absent in older records: all of it is the TD maker's.
  std::vector<strategy_pnl> by_strategy;
};

/// The LMDB key: the condition id, with "/paper" for the paper book.
std::string settlement_key(const settlement_record& r);

/// Settles `positions` (one market's, one book: live or paper) at `winner`.
settlement_record settle(const condition_id& market, std::span<const position> positions,
                         const resolution& r, std::int64_t now_ms);

/// The record's split by strategy: `by_strategy`, or for a record older than
/// strategies one TD maker entry holding all of it.
std::vector<strategy_pnl> split_of(const settlement_record& r);

/// "td_maker 0.85, capture_99c -1.2": the split for an operator's line.
std::string describe_split(const settlement_record& r);

std::string encode(const settlement_record& r);
result<settlement_record> decode_settlement_record(std::string_view json);

template <class Inspector>
auto inspect(Inspector& f, strategy_pnl& x) {
  return f(x.strategy, x.held, x.payout, x.cost, x.proceeds, x.fees, x.pnl, x.fills);
}

template <class Inspector>
auto inspect(Inspector& f, settlement_record& x) {
  return f(x.market, x.winner, x.method, x.held, x.payout, x.cost, x.proceeds, x.fees, x.pnl, x.fills,
           x.settled_ms, x.paper, x.by_strategy);
}

} // namespace tdmaker
