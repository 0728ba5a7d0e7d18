#pragma once
// Every message the actors exchange, as plain structs. Amounts and prices are the
// exact integer types of core/money.hpp; nothing here is a double.
//
// Grouped by conversation; actors/interfaces.hpp says who sends what to whom.
#include <cstdint>
#include <string>
#include <vector>

#include "core/money.hpp"
#include "core/market_data.hpp"
#include "core/phase.hpp"
#include "core/phase_policy.hpp"
#include "core/fills.hpp"
#include "core/records.hpp"
#include "core/settlement.hpp"
#include "core/stop_loss.hpp"
#include "core/store_health.hpp"
#include "core/heartbeat_health.hpp"
#include "messages/atoms.hpp"
#include "messages/link_events.hpp"

namespace tdmaker {

// Enums need no inspect overload: CAF serialises them by their underlying type.
// Market data (feed -> market): book_snapshot, book_delta, last_trade,
// tick_size_change, reference_tick, market_resolved live in core/market_data.hpp,
// because the pure codecs produce them and the feed moves them on unchanged.

// ---------------------------------------------------------------------------
// Feed health and safe mode (seed 004): feed -> telemetry, notifier, markets
// ---------------------------------------------------------------------------

/// One reference symbol of the price channel (per-stream health, seed 004).
struct symbol_health {
  std::string symbol;               // e.g. "btc/usd"
  std::uint64_t ticks = 0;
  std::uint64_t gaps = 0;           // silences of 10 s or more between two ticks (the feed's rule)
  std::int64_t last_tick_age_ms = -1;
};
template <class Inspector>
auto inspect(Inspector& f, symbol_health& x) {
  return f(x.symbol, x.ticks, x.gaps, x.last_tick_age_ms);
}

struct feed_health {
  std::string channel; // "market", "user", "rtds"
  bool connected = false;
  std::uint64_t reconnects = 0;
  std::uint64_t messages = 0;
  std::int64_t last_message_age_ms = -1;
  std::uint32_t consecutive_failures = 0;
  std::uint64_t stalls = 0;         // reconnects forced by silence
  std::uint64_t bad_events = 0;     // frames or events that failed to decode
  std::uint64_t book_refetches = 0; // /book re-fetches after a gap or hash mismatch
  std::uint64_t oversize = 0;       // messages refused for their size (the socket reconnects)
  std::uint64_t ticks = 0;          // market data events routed (book, delta, trade) or reference ticks
  std::vector<symbol_health> symbols; // rtds: per reference symbol
};
template <class Inspector>
auto inspect(Inspector& f, feed_health& x) {
  return f(x.channel, x.connected, x.reconnects, x.messages, x.last_message_age_ms,
           x.consecutive_failures, x.stalls, x.bad_events, x.book_refetches, x.oversize, x.ticks, x.symbols);
}

struct safe_mode {
  bool on = false;
  std::string reason;
};
template <class Inspector>
auto inspect(Inspector& f, safe_mode& x) { return f(x.on, x.reason); }

enum class feed_channel : std::uint8_t { market = 0, user = 1, rtds = 2 };

/// A text frame as a WebSocket client received it (I/O thread -> feed).
struct ws_frame {
  feed_channel channel = feed_channel::market;
  std::string text;
  std::int64_t recv_ns = 0; // steady clock
};
template <class Inspector>
auto inspect(Inspector& f, ws_frame& x) { return f(x.channel, x.text, x.recv_ns); }

/// A WebSocket client's connection event (I/O thread -> feed).
struct ws_state {
  feed_channel channel = feed_channel::market;
  ws_event event = ws_event::connected;
  std::string detail;
  std::uint64_t connects = 0;
  std::uint32_t consecutive_failures = 0;
  std::int64_t next_attempt_ms = 0;
};
template <class Inspector>
auto inspect(Inspector& f, ws_state& x) {
  return f(x.channel, x.event, x.detail, x.connects, x.consecutive_failures, x.next_attempt_ms);
}

/// A market's book for `token` is not trustworthy (gap or hash mismatch):
/// market -> feed, which fetches `/book` and sends the snapshot back.
struct refetch_book {
  condition_id market;
  token_id token;
  std::string reason;
};
template <class Inspector>
auto inspect(Inspector& f, refetch_book& x) { return f(x.market, x.token, x.reason); }

/// A Gamma reply for one slot (I/O thread -> discovery).
struct gamma_reply {
  std::string asset;
  std::string slug;
  int status = 0;
  std::string body;
};
template <class Inspector>
auto inspect(Inspector& f, gamma_reply& x) { return f(x.asset, x.slug, x.status, x.body); }

/// A CLOB `/clob-markets/{cid}` reply for a market Gamma listed (I/O -> discovery):
/// its fee details decide the market's schedule (core/clob_market_codec).
struct clob_market_reply {
  market_record record; // as Gamma described it
  int status = 0;
  std::string body;
};
template <class Inspector>
auto inspect(Inspector& f, clob_market_reply& x) { return f(x.record, x.status, x.body); }

/// The node's CLOB API credentials are ready (the user channel can connect).
struct credentials_ready {
  bool ok = false;
  std::string error;
};
template <class Inspector>
auto inspect(Inspector& f, credentials_ready& x) { return f(x.ok, x.error); }

/// A market actor's book for one token, for tests and `/book` comparison.
struct book_view {
  token_id token;
  std::vector<book_level> bids; // best first
  std::vector<book_level> asks; // best first
  std::int64_t ts_ms = 0;
  bool synced = false; // a snapshot has been applied
};
template <class Inspector>
auto inspect(Inspector& f, book_view& x) { return f(x.token, x.bids, x.asks, x.ts_ms, x.synced); }

// ---------------------------------------------------------------------------
// Discovery -> feed: which tokens and reference symbols to stream
// ---------------------------------------------------------------------------

struct subscribe_market {
  condition_id market;
  token_id up_token;
  token_id down_token;
  std::string reference_symbol; // "btc/usd"
};
template <class Inspector>
auto inspect(Inspector& f, subscribe_market& x) {
  return f(x.market, x.up_token, x.down_token, x.reference_symbol);
}

struct unsubscribe_market {
  condition_id market;
};
template <class Inspector>
auto inspect(Inspector& f, unsubscribe_market& x) { return f(x.market); }

// ---------------------------------------------------------------------------
// Snapshots a market hands to the policy actors (never references into its state)
// ---------------------------------------------------------------------------

struct top_of_book {
  price best_bid;
  shares bid_size;
  price best_ask;
  shares ask_size;
};
template <class Inspector>
auto inspect(Inspector& f, top_of_book& x) {
  return f(x.best_bid, x.bid_size, x.best_ask, x.ask_size);
}

struct position_view {
  bool open = false;
  outcome side = outcome::up;
  token_id token;
  price entry;
  shares qty;
  usdc cost;
  price peak_bid;
  bool paper = false; // the book it is on: an exit sells on the same book, whatever the phase
  // Each strategy's holding is checked apart; a 99c capture is exited on its
  // danger score (the stop-loss actor's escalation), not on seed 003's rules.
  strategy_kind strategy = strategy_kind::td_maker;
  std::int32_t danger_score = -1;     // capture: 0..100 now; -1 unknown / not a capture
  std::int32_t danger_threshold = 0;  // capture: exit at or above it
};
template <class Inspector>
auto inspect(Inspector& f, position_view& x) {
  return f(x.open, x.side, x.token, x.entry, x.qty, x.cost, x.peak_bid, x.paper, x.strategy, x.danger_score,
           x.danger_threshold);
}

/// What the bidding, stop-loss and fill actors need to decide for one market.
struct market_view {
  condition_id market;
  std::string asset;
  token_id up_token;
  token_id down_token;
  bool neg_risk = false;
  std::int64_t now_ms = 0;
  std::int64_t slot_start_s = 0;
  std::int64_t slot_end_s = 0;
  top_of_book up;
  top_of_book down;
  ref_price ref_start;
  ref_price ref_now;
  tick_size tick;
  shares min_size;
  bool awaiting_settlement = false;
  std::uint32_t placed_up = 0;   // bit i: ladder rung i of Up has an order (open or filled)
  std::uint32_t placed_down = 0;
  std::uint32_t filled_up = 0;   // rungs of Up filled so far
  std::uint32_t filled_down = 0;
  usdc exposure;
  position_view position;
  std::int64_t recv_ns = 0; // steady clock of the book update that triggered it (latency)
};
template <class Inspector>
auto inspect(Inspector& f, market_view& x) {
  return f(x.market, x.asset, x.up_token, x.down_token, x.neg_risk, x.now_ms, x.slot_start_s, x.slot_end_s, x.up, x.down, x.ref_start,
           x.ref_now, x.tick, x.min_size, x.awaiting_settlement, x.placed_up, x.placed_down,
           x.filled_up, x.filled_down, x.exposure, x.position, x.recv_ns);
}

// ---------------------------------------------------------------------------
// Bidding (seed 003 BiddingEngine): market -> bidding -> market
// ---------------------------------------------------------------------------

struct place_intent {
  std::string client_id; // "_placing_<n>": the placeholder's name until the venue answers
  condition_id market;
  token_id token;
  outcome side_outcome = outcome::up;
  std::uint32_t rung = 0;
  order_side side = order_side::buy;
  price px;
  shares size;
  usdc reserved;                 // budget bidding reserved for it
  std::int64_t slot_end_s = 0;   // must not rest past this
  std::int64_t expiration_s = 0; // 0 = GTC
  bool post_only = true;
  bool neg_risk = false; // selects the exchange contract the order is signed for
  // A sell (stop-loss exit) goes to the book its position is on: a live position
  // bought before a switch to a paper phase is sold on the venue, a paper one is
  // never sent. A buy takes the phase's book.
  bool paper = false;
  strategy_kind strategy = strategy_kind::td_maker; // its budget cap, its PnL
};
template <class Inspector>
auto inspect(Inspector& f, place_intent& x) {
  return f(x.client_id, x.market, x.token, x.side_outcome, x.rung, x.side, x.px, x.size, x.reserved,
           x.slot_end_s, x.expiration_s, x.post_only, x.neg_risk, x.paper, x.strategy);
}

struct cancel_intent {
  condition_id market;
  std::string order_id;
};
template <class Inspector>
auto inspect(Inspector& f, cancel_intent& x) { return f(x.market, x.order_id); }

/// A market's strategies' proposed buys (market -> bidding): bidding admits
/// them under the phase's limits, the trade limiter, the global budget and each
/// strategy's cap, reserving budget for each it admits, in order.
struct admission_request {
  market_view view;
  std::vector<place_intent> proposals;
};
template <class Inspector>
auto inspect(Inspector& f, admission_request& x) { return f(x.view, x.proposals); }

/// Bidding's answer to a market's evaluate: intents plus the skip/enter reason.
struct bid_decision {
  std::vector<place_intent> place;
  std::vector<cancel_intent> cancel;
  std::string reason;
};
template <class Inspector>
auto inspect(Inspector& f, bid_decision& x) { return f(x.place, x.cancel, x.reason); }

/// Returns reserved budget (cancel, expiry, rejection).
struct budget_release {
  condition_id market;
  usdc amount;
  strategy_kind strategy = strategy_kind::td_maker; // whose cap it frees
  bool all_strategies = false; // retirement: every strategy's reservation in the market
};
template <class Inspector>
auto inspect(Inspector& f, budget_release& x) { return f(x.market, x.amount, x.strategy, x.all_strategies); }

/// Re-establishes a reservation for an order found resting at start (order ->
/// bidding): it is counted even if it exceeds the limit, because it exists.
struct budget_claim {
  condition_id market;
  usdc amount;
  strategy_kind strategy = strategy_kind::td_maker;
};
template <class Inspector>
auto inspect(Inspector& f, budget_claim& x) { return f(x.market, x.amount, x.strategy); }

/// The collateral balance, for wallet auto-sizing (order -> bidding).
struct balance_update {
  usdc balance;
};
template <class Inspector>
auto inspect(Inspector& f, balance_update& x) { return f(x.balance); }

/// One strategy's cap inside the global budget, for /status and /metrics.
struct strategy_budget {
  strategy_kind strategy = strategy_kind::td_maker;
  bool enabled = false;
  usdc limit;
  usdc reserved;
};
template <class Inspector>
auto inspect(Inspector& f, strategy_budget& x) { return f(x.strategy, x.enabled, x.limit, x.reserved); }

struct budget_snapshot {
  usdc limit;
  usdc reserved;
  usdc committed;
  // The phase's limits in force and the trade limiter (seed 002), for /status and /metrics.
  phase current_phase = phase::experience;
  usdc max_per_market;
  shares shares_per_rung;
  std::uint32_t session_trades = 0;       // new positions counted this session on the phase's book
  std::uint32_t session_trade_limit = 0;  // 0 = no limit
  std::uint64_t trades_refused = 0;       // market evaluations refused by the limiter (since start)
  std::vector<strategy_budget> strategies;
};
template <class Inspector>
auto inspect(Inspector& f, budget_snapshot& x) {
  return f(x.limit, x.reserved, x.committed, x.current_phase, x.max_per_market, x.shares_per_rung,
           x.session_trades, x.session_trade_limit, x.trades_refused, x.strategies);
}

// ---------------------------------------------------------------------------
// Orders (seed 003 OrderManager): market -> order -> market
// ---------------------------------------------------------------------------

struct place_batch {
  condition_id market;
  std::vector<place_intent> orders; // at most 15 per venue request
};
template <class Inspector>
auto inspect(Inspector& f, place_batch& x) { return f(x.market, x.orders); }

/// Orders a market will want soon at a price and size known now (the 99c
/// capture, market -> order): the order actor signs each ahead and keeps it, so
/// the place_intent that matches one (market, token, side, px, size, neg_risk,
/// paper, strategy) later only sends bytes. A kept order is used once; a market's
/// are dropped when its slot ends.
struct presign_request {
  condition_id market;
  std::vector<place_intent> orders;
};
template <class Inspector>
auto inspect(Inspector& f, presign_request& x) { return f(x.market, x.orders); }

struct cancel_batch {
  condition_id market;
  std::vector<std::string> order_ids;
};
template <class Inspector>
auto inspect(Inspector& f, cancel_batch& x) { return f(x.market, x.order_ids); }

struct order_update {
  std::string client_id;
  std::string order_id;
  condition_id market;
  outcome side_outcome = outcome::up;
  std::uint32_t rung = 0;
  order_state state = order_state::placing;
  shares matched;
  std::string reason;
  std::int64_t ts_ms = 0;
  // What the order is, so the market can simulate paper fills against its book.
  token_id token;
  price px;
  shares size;
  bool paper = false;
  order_side side = order_side::buy;
  strategy_kind strategy = strategy_kind::td_maker;
};
template <class Inspector>
auto inspect(Inspector& f, order_update& x) {
  return f(x.client_id, x.order_id, x.market, x.side_outcome, x.rung, x.state, x.matched, x.reason,
           x.ts_ms, x.token, x.px, x.size, x.paper, x.side, x.strategy);
}

/// Which strategy placed these orders (order -> fill, before the request goes
/// out): a fill is booked under its order's strategy.
struct order_strategy_note {
  std::vector<std::string> order_ids;
  strategy_kind strategy = strategy_kind::td_maker;
};
template <class Inspector>
auto inspect(Inspector& f, order_strategy_note& x) { return f(x.order_ids, x.strategy); }

// Venue answers, from the I/O threads to the order actor (one per request).

/// One order of a placement request: placed, rejected, or unknown (no clear
/// answer even after the ghost-order check).
struct placement_result {
  std::string order_id;
  place_verdict verdict = place_verdict::placed;
  std::string status;       // live, matched, delayed, unmatched; or the venue look-up's status
  std::string error;
  bool ghost_checked = false;
};
template <class Inspector>
auto inspect(Inspector& f, placement_result& x) {
  return f(x.order_id, x.verdict, x.status, x.error, x.ghost_checked);
}

struct placements_done {
  std::vector<placement_result> results;
};
template <class Inspector>
auto inspect(Inspector& f, placements_done& x) { return f(x.results); }

struct cancels_done {
  std::vector<std::string> requested;
  bool ok = false;
  std::string error;
  std::vector<std::string> canceled;
  std::vector<std::string> not_canceled;
  std::vector<std::string> not_canceled_reason;
};
template <class Inspector>
auto inspect(Inspector& f, cancels_done& x) {
  return f(x.requested, x.ok, x.error, x.canceled, x.not_canceled, x.not_canceled_reason);
}

/// `GET /data/order/{id}`: `found` false with `not_found` true is a definite 404.
struct lookup_done {
  std::string order_id;
  bool found = false;
  bool not_found = false;
  std::string status; // LIVE, MATCHED, CANCELED...
  shares matched;
  shares size;
  std::string error;
};
template <class Inspector>
auto inspect(Inspector& f, lookup_done& x) {
  return f(x.order_id, x.found, x.not_found, x.status, x.matched, x.size, x.error);
}

struct venue_open_order {
  std::string order_id;
  std::string status;
  std::string market;
  std::string token;
  price px;
  shares size;
  shares matched;
};
template <class Inspector>
auto inspect(Inspector& f, venue_open_order& x) {
  return f(x.order_id, x.status, x.market, x.token, x.px, x.size, x.matched);
}

/// Every open order of the account (`GET /data/orders`, all pages).
struct open_orders_done {
  bool ok = false;
  std::string error;
  std::vector<venue_open_order> orders;
};
template <class Inspector>
auto inspect(Inspector& f, open_orders_done& x) { return f(x.ok, x.error, x.orders); }

/// What the order actor reports for the status line, /status and /metrics.
struct trading_status {
  bool allow_new = false;
  bool halted = false;
  bool reconciled = false;
  std::string reason; // why new orders are refused
  std::uint32_t open_orders = 0; // venue orders that may rest (paper ones apart)
  std::uint32_t paper_open_orders = 0;
  usdc open_exposure; // price x remaining size of open venue orders
  std::uint64_t placed = 0;
  std::uint64_t rejected = 0;
  std::uint64_t cancelled = 0;
  std::uint64_t filled = 0;
  std::uint64_t ghosts_found = 0;
  std::uint64_t orphans_cancelled = 0;
  std::uint64_t adopted = 0;
  std::uint64_t refused_store = 0; // new orders refused up front because the store is failing
  std::uint64_t refused_heartbeat = 0; // new orders refused up front because the heartbeat is not healthy
  std::uint64_t refused_limits = 0;    // new buys above the current phase's limits (sized before a switch)
  std::uint64_t delayed_placements = 0;   // answered `delayed` (taker delay): no fill booked from the reply
  std::uint64_t unmatched_placements = 0; // answered `unmatched` (the delay failed)
  std::uint32_t followed = 0;             // delayed orders being followed to their end now
  std::uint64_t cancel_retries = 0;       // DELETEs that failed and were scheduled again
};
template <class Inspector>
auto inspect(Inspector& f, trading_status& x) {
  return f(x.allow_new, x.halted, x.reconciled, x.reason, x.open_orders, x.paper_open_orders, x.open_exposure, x.placed,
           x.rejected, x.cancelled, x.filled, x.ghosts_found, x.orphans_cancelled, x.adopted, x.refused_store,
           x.refused_heartbeat, x.refused_limits, x.delayed_placements, x.unmatched_placements, x.followed, x.cancel_retries);
}

/// One line of the append-only audit log (JSON object, no newline).
struct audit_line {
  std::string json;
};
template <class Inspector>
auto inspect(Inspector& f, audit_line& x) { return f(x.json); }

// ---------------------------------------------------------------------------
// Fills (seed 003 FillDetector): feed/order/paper -> fill -> market
// ---------------------------------------------------------------------------

// fill_report (a leg of a venue trade, before dedup) and fill_record (a booked
// fill) live in core/fills.hpp: the pure codecs and rules produce them.

/// A fill the fill actor committed, or a change to one (fill -> order, which
/// attributes it to one of its orders).
struct fill_booked {
  fill_record fill;
  fill_change change = fill_change::booked;
};
template <class Inspector>
auto inspect(Inspector& f, fill_booked& x) { return f(x.fill, x.change); }

/// Every open position (fill -> settlement): markets not yet settled.
struct positions_view {
  std::vector<position> positions;
  bool loaded = false; // the fills of earlier runs are in
};
template <class Inspector>
auto inspect(Inspector& f, positions_view& x) { return f(x.positions, x.loaded); }

/// One `GET /data/trades` page (I/O thread -> fill).
struct trades_done {
  bool ok = false;
  std::string error;
  std::vector<fill_report> fills;
  std::string next_cursor;
  std::size_t trades = 0;
};
template <class Inspector>
auto inspect(Inspector& f, trades_done& x) { return f(x.ok, x.error, x.fills, x.next_cursor, x.trades); }

/// What the fill actor reports for the status line, /status and /metrics.
struct fill_status {
  std::uint64_t booked = 0;
  std::uint64_t duplicates = 0;
  std::uint64_t reversed = 0;
  std::uint64_t from_reconcile = 0; // booked by REST reconciliation (missed by the WebSocket)
  std::uint64_t paper = 0;
  std::uint64_t reconciles = 0;
  std::uint32_t open_positions = 0;       // on the venue
  std::uint32_t paper_open_positions = 0; // the paper book
  usdc open_cost;                         // of the venue positions
  std::uint64_t fee_unknown = 0;          // taker legs of a market with no fee schedule (fee 0)
  std::uint64_t paper_oversells = 0;      // paper sells above the paper holding, refused
  std::uint64_t strategy_unknown = 0;     // fills of an order no strategy is known for (booked as td_maker)
};
template <class Inspector>
auto inspect(Inspector& f, fill_status& x) {
  return f(x.booked, x.duplicates, x.reversed, x.from_reconcile, x.paper, x.reconciles, x.open_positions,
           x.paper_open_positions, x.open_cost, x.fee_unknown, x.paper_oversells, x.strategy_unknown);
}

// ---------------------------------------------------------------------------
// Stop-loss (seed 003 StopLossManager): market -> stop-loss -> market
// ---------------------------------------------------------------------------

// The verdict is core/stop_loss's own type: the rules decide, the message carries.
struct stop_decision {
  stop_verdict verdict = stop_verdict::hold;
  std::string reason;
  price exit_px;
};
template <class Inspector>
auto inspect(Inspector& f, stop_decision& x) { return f(x.verdict, x.reason, x.exit_px); }

/// Outcome of an exit attempt; three consecutive failures escalate (critical alert).
struct stop_result {
  condition_id market;
  bool ok = false;
  std::string error;
  std::uint32_t consecutive_failures = 0;
  shares sold;
  price px;
  bool paper = false; // the book of the position it sold: failures are counted per book
  strategy_kind strategy = strategy_kind::td_maker; // ... and per strategy
};
template <class Inspector>
auto inspect(Inspector& f, stop_result& x) {
  return f(x.market, x.ok, x.error, x.consecutive_failures, x.sold, x.px, x.paper, x.strategy);
}

// ---------------------------------------------------------------------------
// Settlement (seed 003 SettlementManager): market -> settlement -> market
// ---------------------------------------------------------------------------

// settlement_record (core/settlement.hpp) is both the LMDB record and the
// message: settlement -> fill (drop the market's positions), phase, telemetry.

/// A resolution look-up's answer (I/O thread -> settlement).
struct resolution_done {
  condition_id market;
  settle_method source = settle_method::gamma;
  bool ok = false;          // the source answered
  bool resolved = false;    // ... and says who won
  std::string winner;       // token id digits
  std::string error;
  std::int64_t slot_end_s = 0; // CLOB market: its end, for positions of markets never discovered
  bool has_bid = false;        // last-bid fallback: the token's best bid
  price bid;
};
template <class Inspector>
auto inspect(Inspector& f, resolution_done& x) {
  return f(x.market, x.source, x.ok, x.resolved, x.winner, x.error, x.slot_end_s, x.has_bid, x.bid);
}

/// A strategy's realised PnL (settled markets, since the store began).
struct strategy_pnl_total {
  strategy_kind strategy = strategy_kind::td_maker;
  usdc realised_pnl;
  usdc paper_pnl;
  std::uint64_t settled = 0; // settlement records it had a share in
};
template <class Inspector>
auto inspect(Inspector& f, strategy_pnl_total& x) { return f(x.strategy, x.realised_pnl, x.paper_pnl, x.settled); }

struct settlement_status {
  std::uint64_t settled = 0;
  std::uint64_t deferred = 0; // due, not resolved yet
  std::uint64_t forced = 0;
  usdc realised_pnl; // the venue's positions
  usdc paper_pnl;    // the paper book (Experience phase, paper mode)
  std::vector<strategy_pnl_total> by_strategy; // one per strategy, always all of them
};
template <class Inspector>
auto inspect(Inspector& f, settlement_status& x) {
  return f(x.settled, x.deferred, x.forced, x.realised_pnl, x.paper_pnl, x.by_strategy);
}

// ---------------------------------------------------------------------------
// Phase (seed 002): control -> phase-manager; settlement -> phase-manager
// ---------------------------------------------------------------------------

struct switch_phase {
  phase target = phase::experience;
  std::string reason;
  std::string source; // "control-http", "control-cli", "auto"
  bool force = false; // an upgrade whose gate fails goes anyway, recorded as an override
};
template <class Inspector>
auto inspect(Inspector& f, switch_phase& x) { return f(x.target, x.reason, x.source, x.force); }

/// The phase manager's answer to a switch: accepted (the record as now durable),
/// or refused by the gate (HTTP 409) with every criterion's value and threshold.
struct phase_switch_reply {
  bool accepted = false;
  bool override_ = false;   // accepted only because of `force`
  phase_record record;      // the phase in force after the request
  gate_report gate;         // the gate that was checked (empty criteria: none needed)
  std::string error;        // refusal text ("gate Experience->ProofOfConcept not met: ...")
};
template <class Inspector>
auto inspect(Inspector& f, phase_switch_reply& x) {
  return f(x.accepted, x.override_, x.record, x.gate, x.error);
}

/// A closed trade's result (one settlement record), the input of the phase
/// gates and downgrade triggers.
struct trade_outcome {
  condition_id market;
  usdc pnl;
  std::int64_t ts_ms = 0;
  bool paper = false; // the book it settled on
};
template <class Inspector>
auto inspect(Inspector& f, trade_outcome& x) { return f(x.market, x.pnl, x.ts_ms, x.paper); }

/// Phase manager -> telemetry, on every change and on its timer: what /status
/// and /metrics show of seed 002 (the gate's progress, the downgrade watch, the
/// session's figures of the phase's book).
struct phase_sample {
  phase_record record;
  gate_report gate;              // toward the next phase (criteria empty at Scaling)
  downgrade_report downgrade;    // the watch (never fires in Experience)
  std::int64_t session = 0;      // the current session's index
  bool upgrade_proposed = false; // a gate passed, waiting for the operator
  bool auto_upgrade = false;     // phase.auto_upgrade
  std::uint64_t transitions = 0; // history entries written since start (all kinds)
  std::int64_t ts_ms = 0;
  std::string status_json;       // the phase manager's GET /phase object (core/phase_status.hpp), for /status
};
template <class Inspector>
auto inspect(Inspector& f, phase_sample& x) {
  return f(x.record, x.gate, x.downgrade, x.session, x.upgrade_proposed, x.auto_upgrade, x.transitions,
           x.ts_ms, x.status_json);
}

// ---------------------------------------------------------------------------
// Notifier: anyone -> notifier
// ---------------------------------------------------------------------------

enum class severity : std::uint8_t { info = 0, warning = 1, critical = 2 };

struct alert {
  severity level = severity::info;
  std::string topic; // "fill", "settlement", "stop_loss", "restart", "phase", ...
  std::string text;
  std::int64_t ts_ms = 0;
};
template <class Inspector>
auto inspect(Inspector& f, alert& x) { return f(x.level, x.topic, x.text, x.ts_ms); }

/// The webhook's answer to one message (I/O thread -> notifier).
struct notice_sent {
  int level = 0;
  std::string text; // the message, to put back in the queue if it failed
  int status = 0;   // HTTP status; 0 = no reply
  std::string error;
};
template <class Inspector>
auto inspect(Inspector& f, notice_sent& x) { return f(x.level, x.text, x.status, x.error); }

// ---------------------------------------------------------------------------
// Store (LMDB): anyone who persists -> store
// ---------------------------------------------------------------------------

/// The named databases of the one LMDB environment.
enum class record_db : std::uint8_t {
  meta = 0,
  markets = 1,
  orders = 2,
  fills = 3,
  positions = 4,
  settlements = 5,
  phase = 6,
  audit = 7,
  candles = 8, // one-minute candles (core/candle): key = stream, 0, big-endian minute
};

struct store_write {
  record_db db = record_db::audit;
  std::string key;
  std::string payload; // sealed with a checksum by the store
  bool erase = false;
};
template <class Inspector>
auto inspect(Inspector& f, store_write& x) { return f(x.db, x.key, x.payload, x.erase); }

/// Writes that commit atomically together; the reply comes after the fsync.
struct write_batch {
  std::vector<store_write> writes;
};
template <class Inspector>
auto inspect(Inspector& f, write_batch& x) { return f(x.writes); }

struct commit_ack {
  std::uint64_t commit_seq = 0;
  std::uint32_t group_size = 0; // requests that shared this transaction
};
template <class Inspector>
auto inspect(Inspector& f, commit_ack& x) { return f(x.commit_seq, x.group_size); }

struct store_get {
  record_db db = record_db::meta;
  std::string key;
};
template <class Inspector>
auto inspect(Inspector& f, store_get& x) { return f(x.db, x.key); }

struct store_value {
  bool found = false;
  std::string payload;
};
template <class Inspector>
auto inspect(Inspector& f, store_value& x) { return f(x.found, x.payload); }

struct store_scan {
  record_db db = record_db::meta;
  std::string prefix;
};
template <class Inspector>
auto inspect(Inspector& f, store_scan& x) { return f(x.db, x.prefix); }

struct store_row {
  std::string key;
  std::string payload;
};
template <class Inspector>
auto inspect(Inspector& f, store_row& x) { return f(x.key, x.payload); }

struct store_rows {
  std::vector<store_row> rows;
};
template <class Inspector>
auto inspect(Inspector& f, store_rows& x) { return f(x.rows); }

// ---------------------------------------------------------------------------
// Market directory
// ---------------------------------------------------------------------------

struct market_summary {
  condition_id id;
  std::string slug;
  market_status status = market_status::discovered;
  std::uint32_t restarts = 0;
  std::int64_t slot_end_s = 0; // a restarted discovery retires what already ended
};
template <class Inspector>
auto inspect(Inspector& f, market_summary& x) { return f(x.id, x.slug, x.status, x.restarts, x.slot_end_s); }

/// A market actor's answer to `get`: its record and current view.
struct market_state {
  market_record record;
  market_view view;
  std::uint32_t incarnation = 0; // 0 on first spawn, +1 per supervised restart
};
template <class Inspector>
auto inspect(Inspector& f, market_state& x) { return f(x.record, x.view, x.incarnation); }

// ---------------------------------------------------------------------------
// Telemetry: every instrumented actor -> telemetry -> HTTP
// ---------------------------------------------------------------------------

/// A market's 99c-capture figures (market -> telemetry, on change, at most once
/// per flush interval): /status "strategies", tdmaker_danger_score{market}.
struct strategy_sample {
  condition_id market;
  std::string asset;
  strategy_kind strategy = strategy_kind::capture_99c;
  std::int64_t slot_end_s = 0;
  bool holding = false;                 // a capture position is held
  outcome side = outcome::up;           // the held (or ordered) outcome
  bool paper = false;
  std::int64_t confidence_ppm = -1;     // the held outcome's (or the best outcome's) now; -1 unknown
  std::int64_t peak_confidence_ppm = -1;// at fill; -1 none
  std::int32_t danger_score = -1;       // -1: no position
  std::int32_t drop_points = 0;         // the danger components
  std::int32_t velocity_points = 0;
  std::int32_t time_points = 0;
  std::int32_t opposite_points = 0;
  std::string reasons;                  // describe_reasons of the confidence
  bool retired = false;                 // the market is done: forget it
  std::int64_t ts_ms = 0;
};
template <class Inspector>
auto inspect(Inspector& f, strategy_sample& x) {
  return f(x.market, x.asset, x.strategy, x.slot_end_s, x.holding, x.side, x.paper, x.confidence_ppm,
           x.peak_confidence_ppm, x.danger_score, x.drop_points, x.velocity_points, x.time_points,
           x.opposite_points, x.reasons, x.retired, x.ts_ms);
}

/// Counters accumulated by one actor since its previous sample.
struct actor_sample {
  std::string kind;
  std::uint64_t actor_id = 0;
  std::uint64_t handled = 0;
  std::vector<std::uint64_t> latency_buckets; // prom::latency_bounds_ns() + Inf
  std::int64_t latency_sum_ns = 0;
  std::int64_t mailbox_depth = 0;
};
template <class Inspector>
auto inspect(Inspector& f, actor_sample& x) {
  return f(x.kind, x.actor_id, x.handled, x.latency_buckets, x.latency_sum_ns, x.mailbox_depth);
}

struct actor_lifecycle {
  std::string kind;
  std::uint64_t actor_id = 0;
  bool alive = false;
};
template <class Inspector>
auto inspect(Inspector& f, actor_lifecycle& x) { return f(x.kind, x.actor_id, x.alive); }

struct actor_restart {
  std::string kind;
  std::string id;
  std::string reason;
};
template <class Inspector>
auto inspect(Inspector& f, actor_restart& x) { return f(x.kind, x.id, x.reason); }

/// The notifier's totals since start (notifier -> telemetry, after each answer).
struct notifier_sample {
  std::uint64_t sent = 0;
  std::uint64_t refused = 0; // dropped after a permanent 4xx
  std::uint64_t queue_dropped = 0; // dropped for room in a full queue
};
template <class Inspector>
auto inspect(Inspector& f, notifier_sample& x) { return f(x.sent, x.refused, x.queue_dropped); }

struct store_sample {
  std::vector<std::uint64_t> commit_buckets; // latency, ns
  std::int64_t commit_sum_ns = 0;
  std::vector<std::uint64_t> batch_buckets; // writes per transaction
  std::int64_t batch_sum = 0;
  std::uint64_t commits = 0;
  std::uint64_t failures = 0;
  std::string last_error;
  // Absolute, not deltas: the store's health (core/store_health) and map use.
  store_state state = store_state::healthy;
  std::string failing_reason;
  std::uint64_t map_used_bytes = 0;
  std::uint64_t map_size_bytes = 0;
  std::uint64_t refused = 0; // write batches refused before LMDB: a record its reader would refuse
};
template <class Inspector>
auto inspect(Inspector& f, store_sample& x) {
  return f(x.commit_buckets, x.commit_sum_ns, x.batch_buckets, x.batch_sum, x.commits,
           x.failures, x.last_error, x.state, x.failing_reason, x.map_used_bytes, x.map_size_bytes, x.refused);
}

/// The store's health, told to every watcher (store -> order) when it subscribes
/// and on every transition: failing (new orders refused), recovered, headroom low.
struct store_status {
  store_state state = store_state::healthy;
  std::string reason;        // the failure that tripped it (empty unless failing)
  bool headroom_low = false; // less than 10 % of the map free
  std::uint64_t map_used_bytes = 0;
  std::uint64_t map_size_bytes = 0;
};
template <class Inspector>
auto inspect(Inspector& f, store_status& x) {
  return f(x.state, x.reason, x.headroom_low, x.map_used_bytes, x.map_size_bytes);
}

/// The CLOB heartbeat chain (core/heartbeat_health), told by the I/O threads'
/// heartbeat loop to the order actor (admission; a lapse = reconcile) and to
/// telemetry, on every reply and every transition.
struct heartbeat_status {
  heartbeat_state state = heartbeat_state::starting;
  std::string reason;      // why it is not healthy (empty when healthy)
  std::uint64_t sent = 0;
  std::uint64_t failed = 0;
  std::uint64_t lapses = 0; // chains broken: the venue cancelled every order
};
template <class Inspector>
auto inspect(Inspector& f, heartbeat_status& x) { return f(x.state, x.reason, x.sent, x.failed, x.lapses); }

struct markets_changed {
  std::vector<market_summary> markets;
  std::uint64_t retired = 0;           // market actors retired since start
  std::uint64_t refused_max_live = 0;  // new markets refused by markets.max_live since start
  std::uint64_t refused_no_fee = 0;    // markets refused: no readable fee schedule (issue 15)
};
template <class Inspector>
auto inspect(Inspector& f, markets_changed& x) {
  return f(x.markets, x.retired, x.refused_max_live, x.refused_no_fee);
}

struct health_report {
  bool healthy = true;
  std::vector<std::string> reasons;
};
template <class Inspector>
auto inspect(Inspector& f, health_report& x) { return f(x.healthy, x.reasons); }

} // namespace tdmaker
