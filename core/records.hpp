#pragma once
// Durable facts as they are stored in LMDB (JSON payloads inside a checksummed
// envelope). JSON keeps records inspectable with mdb_dump and migratable by key.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/eip712.hpp" // order_side
#include "core/market_data.hpp" // outcome
#include "core/confidence.hpp" // resolution_rule
#include "core/fee_schedule.hpp"
#include "core/money.hpp"
#include "core/phase.hpp"
#include "core/result.hpp"
#include "core/strategy_kind.hpp"

namespace tdmaker {

/// The current trading phase and how it got there.
struct phase_record {
  phase current = phase::experience;
  phase previous = phase::experience;
  std::int64_t since_ms = 0;
  std::string reason;
  std::string source; // "config", "control-http", "control-cli", "auto"
};

enum class market_status : std::uint8_t {
  discovered = 0,
  active = 1,
  awaiting_settlement = 2,
  settled = 3,
  retired = 4,
};

std::string_view to_string(market_status s);

/// The 99c capture's durable state in its market (seed 000): which outcome it
/// bought and the confidence recomputed when the fill was booked (not the
/// placement's). Peak -1 = no capture fill yet.
struct capture_state {
  bool ordered = false;           // a capture order went out (never both outcomes)
  outcome side = outcome::up;
  std::int64_t order_confidence_ppm = -1; // at placement
  std::int64_t peak_confidence_ppm = -1;  // at the first fill
  std::int64_t filled_ms = 0;
  bool danger_exited = false;     // the danger score exited it
};

/// Seed 003's market identity and lifecycle; books, orders and positions are
/// separate records owned by the same market actor.
struct market_record {
  condition_id id;
  std::string slug;
  std::string asset; // "btc", "eth", ...
  std::int64_t slot_start_s = 0;
  std::int64_t slot_end_s = 0;
  token_id up_token;
  token_id down_token;
  tick_size tick;
  shares min_size{5 * micros_per_unit};
  market_status status = market_status::discovered;
  ref_price ref_start; // Chainlink price at the slot start; 0 until captured
  fee_schedule fee;    // the market's taker fee (Gamma feeSchedule); not known = not traded
  resolution_rule rule = resolution_rule::spot; // Gamma cryptoMarketConfig.twapEnabled
  capture_state capture;
};

/// An order's life, as seed 003's OrderManager tracks it.
enum class order_state : std::uint8_t {
  placing = 0,          // placeholder: persisted, request not answered yet
  live = 1,
  partially_filled = 2,
  filled = 3,
  cancel_pending = 4,   // cancel sent, not confirmed
  cancelled = 5,
  rejected = 6,
  unknown = 7,          // no clear reply; the ghost-order check decides
  delayed = 8,          // placed marketable and held by a taker delay: followed to its end
};
std::string_view to_string(order_state s);
result<order_state> parse_order_state(std::string_view text);

/// One order of the node's account. Keyed by `order_id`, the EIP-712 digest the
/// node signs, so the record exists (as a placeholder) before the venue sees it.
struct order_record {
  std::string order_id;  // 0x + 64 hex
  std::string client_id; // "_placing_<n>": the placeholder name in logs and the audit trail
  condition_id market;
  token_id token;
  outcome side_outcome = outcome::up;
  std::uint32_t rung = 0;
  order_side side = order_side::buy;
  price px;
  shares size;
  shares matched;
  usdc reserved; // exposure budget held for it
  order_state state = order_state::placing;
  std::int64_t created_ms = 0;
  std::int64_t updated_ms = 0;
  std::int64_t cancel_requested_ms = 0;
  std::int64_t slot_end_s = 0;
  std::uint32_t checks = 0; // venue look-ups made for it
  std::string reason;       // why it was rejected / cancelled / is unknown
  bool paper = false;       // recorded only, never sent (paper mode)
  strategy_kind strategy = strategy_kind::td_maker; // absent in records older than strategies
};

std::string encode(const phase_record& r);
result<phase_record> decode_phase_record(std::string_view json);

std::string encode(const market_record& r);
result<market_record> decode_market_record(std::string_view json);

std::string encode(const order_record& r);
result<order_record> decode_order_record(std::string_view json);

template <class Inspector>
auto inspect(Inspector& f, phase_record& x) {
  return f(x.current, x.previous, x.since_ms, x.reason, x.source);
}

template <class Inspector>
auto inspect(Inspector& f, capture_state& x) {
  return f(x.ordered, x.side, x.order_confidence_ppm, x.peak_confidence_ppm, x.filled_ms, x.danger_exited);
}

template <class Inspector>
auto inspect(Inspector& f, market_record& x) {
  return f(x.id, x.slug, x.asset, x.slot_start_s, x.slot_end_s, x.up_token, x.down_token, x.tick,
           x.min_size, x.status, x.ref_start, x.fee, x.rule, x.capture);
}

template <class Inspector>
auto inspect(Inspector& f, order_record& x) {
  return f(x.order_id, x.client_id, x.market, x.token, x.side_outcome, x.rung, x.side, x.px, x.size,
           x.matched, x.reserved, x.state, x.created_ms, x.updated_ms, x.cancel_requested_ms,
           x.slot_end_s, x.checks, x.reason, x.paper, x.strategy);
}

} // namespace tdmaker
