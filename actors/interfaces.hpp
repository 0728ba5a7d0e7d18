#pragma once
// The whole system's conversations in one place: the typed interface of every
// actor. Read top to bottom it is the message flow of seed 003's tick:
//
//   discovery --market_record--> directory --spawn--> market (one per condition id)
//   discovery --subscribe_market--> feed --book_*/reference_tick--> market --refetch_book--> feed
//   market --market_view--> stop-loss (first, before any gate) --stop_decision--> market
//   market: runs each enabled strategy (core/strategy: TD maker, 99c capture) on every book/reference update
//   market --admission_request (the strategies' proposals)--> bidding --bid_decision (admitted, reserved)--> market --place/cancel_batch--> order
//   market --presign_request--> order (the capture's orders signed ahead);  market --strategy_sample--> telemetry
//   phase-manager --phase_record--> directory --phase_record--> every market (the phase's rung size)
//   order --order_strategy_note--> fill (a fill is booked under its order's strategy)
//   feed --feed_health/safe_mode--> order (risk guard);  order --budget_release/claim--> bidding
//   feed(user ws)/REST reconcile/paper --fill_report--> fill --fill_booked--> order --order_update--> market
//   settlement --positions?--> fill;  settlement --settlement_record--> fill, telemetry; --trade_outcome--> phase
//   control --switch_phase--> phase-manager (gate, history) --phase_record--> bidding (limits, trade limiter), order (cancel above limits), telemetry
//   settlement --trade_outcome--> phase-manager (tracker; downgrade at once) --phase_sample--> telemetry
//   everyone --write_batch--> store;  everyone --alert--> notifier
//   I/O threads --ws_frame (the feed's own message)/record_frame (REST replies)--> recorder --recorder_sample--> telemetry
//   store --store_status (failing, recovered, headroom low)--> order (admission)
//   I/O heartbeat loop --heartbeat_status (healthy, unhealthy, lapse)--> order (admission, reconcile), telemetry
//   feed --candle_samples (reference, token mid and last trade)--> candles --write_batch--> store
//   every instrumented actor --actor_sample--> telemetry <--metrics/status/health-- http
//   feed, order, phase-manager (, candles) --event_input--> events <--query/subscribe-- http (/events, stream)
//   `tdmaker train` only: market --evaluation_sample/evaluation_outcome--> sample writer (JSON lines)
//
// A handler's reply type is part of the contract: "done" replies are sent only
// after the fact is committed to LMDB.
#include <cstdint>
#include <string>
#include <vector>

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "messages/events.hpp"
#include "messages/candles.hpp"
#include "messages/messages.hpp"
#include "messages/recorder.hpp"
#include "messages/training.hpp"

namespace tdmaker {

/// Who wants to hear the store's health (core/store_health): the order actor,
/// which admits no new order while the store is failing.
using store_watcher_actor = caf::typed_actor<caf::reacts_to<store_status>>;

/// LMDB: one writer with group commit; reads served beside it.
using store_actor = caf::typed_actor<
  caf::replies_to<write_batch>::with<commit_ack>,   // after the commit is durable
  caf::replies_to<store_get>::with<store_value>,
  caf::replies_to<store_scan>::with<store_rows>,
  caf::replies_to<store_range>::with<store_rows>,   // bounded key range (candles)
  caf::replies_to<flush_atom>::with<commit_ack>,    // barrier: all earlier writes durable
  caf::reacts_to<watch_atom, store_watcher_actor>,  // told store_status now and on each transition
  caf::reacts_to<commit_atom>,                      // internal: run the pending group
  caf::reacts_to<probe_atom>>;                      // internal: the probe write while failing

/// Serves store reads on its own thread so they never queue behind a commit.
using store_reader_actor = caf::typed_actor<
  caf::replies_to<store_get>::with<store_value>,
  caf::replies_to<store_scan>::with<store_rows>,
  caf::replies_to<store_range>::with<store_rows>>;

/// Aggregates actor samples; renders /metrics, /status and /health for the HTTP server.
using telemetry_actor = caf::typed_actor<
  caf::reacts_to<actor_sample>,
  caf::reacts_to<actor_lifecycle>,
  caf::reacts_to<actor_restart>,
  caf::reacts_to<store_sample>,
  caf::reacts_to<notifier_sample>,                  // notifier
  caf::reacts_to<markets_changed>,
  caf::reacts_to<phase_record>,
  caf::reacts_to<phase_sample>,                     // phase manager: gate progress, session figures
  caf::reacts_to<feed_health>,
  caf::reacts_to<safe_mode>,
  caf::reacts_to<trading_status>,                   // order actor
  caf::reacts_to<heartbeat_status>,                 // I/O heartbeat loop
  caf::reacts_to<fill_status>,                      // fill actor
  caf::reacts_to<settlement_status>,                // settlement actor
  caf::reacts_to<budget_snapshot>,                  // bidding actor
  caf::reacts_to<strategy_sample>,                  // market actors: 99c capture confidence, danger
  caf::reacts_to<recorder_sample>,                  // recorder
  caf::reacts_to<candle_stats>,                     // candles actor
  caf::reacts_to<tick_atom>,                        // status line timer
  caf::replies_to<metrics_atom>::with<std::string>, // Prometheus text
  caf::replies_to<status_atom>::with<std::string>,  // JSON
  caf::replies_to<health_atom>::with<health_report>>;

/// An outside consumer of the event stream: the HTTP server's bridge for one
/// /events/stream connection. Told the backlog first, then each new event.
using event_subscriber_actor = caf::typed_actor<
  caf::reacts_to<event_page>,
  caf::reacts_to<events_refused>>;                  // events.max_subscribers reached

/// Owns the bounded typed-event history (seed 004 EventBus). The actors that know
/// an event send it, fire-and-forget; GET /events and /events/stream read it. It
/// never waits on a consumer: a subscriber is an actor that posts to its socket.
using events_actor = caf::typed_actor<
  caf::reacts_to<event_input>,
  caf::replies_to<events_query>::with<event_page>,  // GET /events?since=&limit=
  caf::reacts_to<events_subscribe, event_subscriber_actor>,
  caf::reacts_to<events_unsubscribe, event_subscriber_actor>,
  caf::replies_to<metrics_atom>::with<std::string>>; // its Prometheus families

/// Outbound alerts: logged, and sent to a Telegram-compatible webhook.
using notifier_actor = caf::typed_actor<
  caf::reacts_to<alert>,
  caf::reacts_to<notice_sent>,                       // I/O: the webhook's answer
  caf::reacts_to<tick_atom>>;                        // internal: pacing / backoff wake-up

/// The append-only JSONL audit trail (its own thread: a file write never
/// stalls a scheduler worker).
using audit_actor = caf::typed_actor<caf::reacts_to<audit_line>,
                                     caf::replies_to<flush_atom>::with<bool>>;

/// The recorder (issue 18; its own thread): every raw frame the node receives,
/// through a bounded buffer, into zstd segment files (docs/recording.md).
using recorder_actor = caf::typed_actor<
  caf::reacts_to<ws_frame>,                          // I/O threads: the feed's own message, shared, not copied
  caf::reacts_to<record_frame>,                      // I/O threads: a REST reply that changes state
  caf::reacts_to<tick_atom>,                         // internal: flush timer
  caf::replies_to<flush_atom>::with<bool>>;          // write the buffer out now (tests, shutdown)

/// Owns the trading phase (seed 002); the only writer of the phase record.
using phase_manager_actor = caf::typed_actor<
  caf::replies_to<switch_phase>::with<phase_switch_reply>, // gate checked; persisted + history before reply
  caf::replies_to<get_atom, phase_atom>::with<phase_record>,
  caf::replies_to<status_atom>::with<std::string>,   // GET /phase: JSON of the phase, gate, watch, session
  caf::reacts_to<trade_outcome>,                     // settlement: the tracker, gates and downgrades
  caf::reacts_to<tick_atom>>;                        // internal: session boundary, sample timer

/// The operator's entry point (HTTP /control/*, `tdmaker ctl`): routes commands
/// to the actors that own the state they change.
using control_actor = caf::typed_actor<
  caf::replies_to<switch_phase>::with<phase_switch_reply>,
  caf::replies_to<status_atom>::with<std::string>>;  // GET /phase, from the phase manager

/// One per market: the only owner of that market's state (seed 003 MarketState).
using market_actor = caf::typed_actor<
  caf::replies_to<market_record>::with<bool>,       // identity/lifecycle, persisted first
  caf::reacts_to<book_snapshot>,
  caf::reacts_to<book_delta>,
  caf::reacts_to<last_trade>,
  caf::reacts_to<tick_size_change>,
  caf::reacts_to<reference_tick>,
  caf::reacts_to<market_resolved>,
  caf::reacts_to<order_update>,                      // incl. fills the order actor attributed
  caf::reacts_to<phase_record>,                      // directory: the phase in force (strategy sizing)
  caf::reacts_to<tick_atom>,                         // lifecycle timer (slot start, end)
  caf::replies_to<get_atom>::with<market_state>,
  caf::replies_to<get_atom, book_atom>::with<std::vector<book_view>>, // both tokens
  caf::replies_to<get_atom, latency_atom>::with<std::vector<std::int64_t>>, // feed->market ns
  caf::replies_to<get_atom, decision_atom>::with<std::vector<std::int64_t>>, // book update->intent ns
  caf::replies_to<retire_atom>::with<bool>,          // persists `retired`, then quits
  caf::reacts_to<crash_atom>>;                       // fault injection (debug.fault_injection)

/// Spawns exactly one market actor per condition id, supervises and retires them.
using directory_actor = caf::typed_actor<
  caf::replies_to<market_record>::with<market_actor>, // ensure: spawn on first sight
  caf::replies_to<get_atom, condition_id>::with<market_actor>,
  caf::replies_to<retire_atom, condition_id>::with<bool>,
  caf::replies_to<list_atom>::with<std::vector<market_summary>>,
  caf::reacts_to<phase_record>>;                      // phase manager: kept, and passed to every market

/// `tdmaker train`'s tap on a replay: every market's evaluations, held until the
/// market resolves, then labelled with its winner and written as JSON lines (one
/// a market, outcome, kind and second). Offline only: a live node has none.
using sample_writer_actor = caf::typed_actor<
  caf::reacts_to<evaluation_sample>,                 // market: one outcome's features now
  caf::reacts_to<evaluation_outcome>>;               // market: resolved; its rows are written

/// One-minute candles (core/candle_aggregator) of the reference and of each token's
/// mid and last trade; completed candles written to LMDB `candles` in batches.
using candles_actor = caf::typed_actor<
  caf::reacts_to<candle_samples>,                    // feed: ticks since its last flush
  caf::reacts_to<tick_atom>,                         // internal: quiet streams, the write batch
  caf::replies_to<flush_atom>::with<candle_stats>>;  // shutdown: complete every open candle, write, reply when durable

/// Market, user and RTDS WebSockets; parses each frame once and routes its
/// events to the owning market actor. Owns feed health and the safe-mode breaker.
using feed_actor = caf::typed_actor<
  caf::reacts_to<subscribe_market, market_actor>,   // discovery: stream this market to it
  caf::reacts_to<unsubscribe_market>,
  caf::reacts_to<ws_frame>,                         // from the I/O threads
  caf::reacts_to<ws_state>,                         // from the I/O threads
  caf::reacts_to<refetch_book>,                     // market: gap or hash mismatch
  caf::reacts_to<credentials_ready>,                // user channel may connect
  caf::reacts_to<resub_atom>,                       // internal: one subscription update per batch
  caf::reacts_to<tick_atom>,                        // health publication timer
  caf::replies_to<status_atom>::with<std::vector<feed_health>>>;

/// Finds the current and next slots of every asset (Gamma) and the reference price
/// at each slot start (RTDS).
using discovery_actor = caf::typed_actor<
  caf::reacts_to<discover_atom>,                     // run one discovery pass
  caf::reacts_to<gamma_reply>,                       // from the I/O threads
  caf::reacts_to<clob_market_reply>,                 // from the I/O threads: a market's fee details
  caf::reacts_to<reference_tick>>;                   // slot-start reference capture

/// Owns the global exposure budget and the ladder policy (seed 003 BiddingEngine).
using bidding_actor = caf::typed_actor<
  caf::replies_to<admission_request>::with<bid_decision>, // admit one market's proposals
  caf::reacts_to<budget_release>,
  caf::reacts_to<budget_claim>,                      // order found resting at start
  caf::reacts_to<balance_update>,                    // wallet auto-sizing
  caf::reacts_to<phase_record>,                      // phase limits changed
  caf::reacts_to<tick_atom>,                         // budget publication timer
  caf::replies_to<get_atom, budget_atom>::with<budget_snapshot>>;

/// Turns venue reports and paper simulation into exactly-once fills: each is
/// committed to LMDB `fills` before the order actor or a position sees it.
/// Positions are the fold of the booked fills of markets not yet settled.
using fill_actor = caf::typed_actor<
  caf::reacts_to<std::vector<fill_report>>,          // feed (user channel), paper simulation
  caf::reacts_to<order_strategy_note>,               // order: which strategy an order id is
  caf::reacts_to<trades_done>,                       // I/O: one /data/trades page
  caf::reacts_to<settlement_record>,                 // settlement: the market is closed
  caf::reacts_to<tick_atom>,                         // periodic reconciliation
  caf::replies_to<reconcile_atom>::with<std::uint32_t>, // reconcile now; fills it booked
  caf::replies_to<get_atom, positions_atom>::with<positions_view>>;

/// The venue's order API (seed 003 OrderManager): placeholders persisted before
/// the request, batches, timeouts and ghost checks, pending-cancel expiry, the
/// cancel of everything before a slot ends, startup reconciliation, and the
/// risk guard (stale escalation, error and loss limits) that gates new orders.
using order_actor = caf::typed_actor<
  caf::reacts_to<place_batch>,                       // market
  caf::reacts_to<presign_request>,                   // market: sign these ahead, keep them
  caf::reacts_to<cancel_batch>,                      // market
  caf::reacts_to<expire_atom>,                       // sweep: timeouts, expiry, slot ends, risk
  caf::reacts_to<reconcile_atom>,                    // startup reconciliation with the venue
  caf::reacts_to<placements_done>,                   // I/O threads
  caf::reacts_to<cancels_done>,
  caf::reacts_to<lookup_done>,
  caf::reacts_to<open_orders_done>,
  caf::reacts_to<balance_update>,                    // I/O: collateral balance
  caf::reacts_to<feed_health>,                       // feed: stale escalation input
  caf::reacts_to<safe_mode>,
  caf::reacts_to<phase_record>,                      // paper or live; a switch clears a halt
  caf::reacts_to<credentials_ready>,
  caf::reacts_to<fill_booked>,                       // fill: attribute it to an order
  caf::reacts_to<fill_actor>,                        // node: the fill actor, spawned after it (strategy notes)
  caf::reacts_to<settlement_status>,                 // settlement: realised PnL (risk.max_loss)
  caf::reacts_to<store_status>,                      // store: failing = no new order admitted
  caf::reacts_to<heartbeat_status>,                  // I/O heartbeat loop: not healthy = no new order; lapse = reconcile
  caf::replies_to<get_atom>::with<std::vector<order_record>>,  // open orders
  caf::replies_to<get_atom, condition_id>::with<std::vector<order_record>>>; // a market's orders

/// Exit rules and escalation (seed 003 StopLossManager).
using stop_loss_actor = caf::typed_actor<
  caf::replies_to<market_view>::with<stop_decision>,
  caf::reacts_to<stop_result>>;

/// Resolution look-ups, deferral/force timers and PnL (seed 003 SettlementManager):
/// works from the fill actor's positions, so a position whose market was never
/// rediscovered after a restart is settled all the same.
using settlement_actor = caf::typed_actor<
  caf::reacts_to<tick_atom>,                         // settle what is due
  caf::reacts_to<resolution_done>,                   // I/O: Gamma, CLOB market, last bid
  caf::replies_to<get_atom, settle_atom>::with<settlement_status>>;

/// The node's supervisor (app/supervisor): monitors every singleton actor above
/// and decides what its death means. A bare `crash_atom` reaches any of them
/// through the instrumented base (actors/instrumented.hpp), so it is in no
/// interface; this is the one door to it from outside.
using supervisor_actor = caf::typed_actor<
  caf::replies_to<crash_atom, std::string>::with<bool>, // fault injection: kill this kind
  caf::replies_to<shutdown_atom>::with<bool>>;          // stop supervising; stop the workers in order

} // namespace tdmaker
