#pragma once
// The node's configuration: parsed from JSON text and validated completely before
// anything starts. Secrets never live here; they come from the environment only.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/confidence.hpp"
#include "core/danger_score.hpp"
#include "core/phase.hpp"
#include "core/phase_policy.hpp"
#include "core/result.hpp"
#include "core/series_config.hpp"

namespace tdmaker {

enum class trading_mode : std::uint8_t { paper, live };

struct listen_address {
  std::string host = "127.0.0.1";
  std::uint16_t port = 9464;
};

/// `strategies.td_maker`: seed 003's maker ladder (the entry_*, ladder_* keys are its knobs).
struct td_maker_config {
  bool enabled = true;
  std::int64_t max_exposure = 0; // pUSD micros: its cap inside the global budget; 0 = the global budget
};

/// `strategies.capture_99c`: seed 000's 99c capture (docs/strategies.md).
struct capture_config {
  bool enabled = false;
  std::int64_t entry_window_s = 180;   // enter only in the slot's last this many seconds
  std::int64_t stop_before_end_s = 3;  // ... and not in its last this many
  std::int64_t threshold_ppm = 800'000;// confidence that triggers an entry (<= confidence.cap_ppm)
  std::int64_t max_price = 990'000;    // the limit price: buy only when the ask is at or below it
  std::int64_t shares = 5;             // whole shares per capture (the phase's rung size caps it)
  std::int64_t max_exposure = 20'000'000; // pUSD micros: its cap inside the global budget
  bool presign = true;                 // sign each outcome's capture order before it is needed
  std::int64_t velocity_window_ms = 5'000; // the fast reference window (velocity, acceleration)
  std::int64_t slow_window_ms = 60'000;    // the slow one (volatility, TWAP estimate)
  confidence_rules confidence;
  danger_weights danger;
  std::int64_t danger_exit = 60;       // score (0..100) at or above which a held capture is exited
  bool winning_exit = false;           // seed 001 smart exit: sell a winner at winning_exit_px before resolution
  std::int64_t winning_exit_px = 999'000;
};

struct node_config {
  // node
  int worker_threads = 2;
  std::string data_dir = "data";
  std::string log_dir = "logs";
  trading_mode mode = trading_mode::paper;
  // log
  std::string log_level = "info";
  std::string log_file; // empty: console only
  // http
  listen_address http_listen;
  bool http_allow_non_loopback = false;
  int http_max_connections = 64;    // connections served at once; past it: 503 (docs/operations.md)
  int http_idle_timeout_ms = 5000;  // a request must arrive whole within this of open / last reply
  // phase
  phase initial_phase = phase::experience;
  phase_policy phases; // seed 002: limits, gates, downgrades, sessions (limits not given: ladder/budget)
  // store
  std::int64_t store_map_size_mb = 1024;
  int store_max_batch = 512;
  // markets
  int markets_max_live = 64;
  int markets_max_restarts = 5;
  int markets_restart_window_s = 60;
  // telemetry
  int telemetry_flush_ms = 250;
  // recorder (issue 18, docs/recording.md): off unless asked for
  bool record_enabled = false;
  int record_flush_ms = 1'000;
  std::int64_t record_block_bytes = 1 << 20;
  std::int64_t record_segment_bytes = 256LL << 20;
  int record_segment_seconds = 3'600;
  int record_retention_hours = 168;                   // 0: no age limit
  std::int64_t record_retention_bytes = 10LL << 30;   // 0: no size limit
  int record_buffer_size = 10'000;
  int record_buffer_ttl_ms = 60'000;
  // debug
  bool debug_fault_injection = false;
  // candles (issue 18, docs/candles.md): one-minute OHLCV of the reference; with tokens also each token's mid and last
  bool candles_enabled = true;
  bool candles_tokens = true;
  // venue: where the exchange is (the local tdmaker-venue by default)
  std::string venue_clob_url = "http://127.0.0.1:18080";
  std::string venue_gamma_url = "http://127.0.0.1:18081";
  std::string venue_market_ws_url = "ws://127.0.0.1:18082/ws/market";
  std::string venue_user_ws_url = "ws://127.0.0.1:18082/ws/user";
  std::string venue_rtds_url = "ws://127.0.0.1:18083";
  int venue_io_threads = 1;
  int venue_request_timeout_ms = 10000;
  // wallet: which Polymarket wallet type the orders are signed as (core/wallet.hpp)
  std::string wallet_signature_type = "EOA";
  std::string wallet_funder; // 0x address holding the funds; "" = the key's address
  // feed
  int feed_ping_ms = 10000;
  int feed_market_stale_ms = 30000;
  int feed_user_stale_ms = 30000;
  int feed_rtds_stale_ms = 30000;
  int feed_reconnect_min_ms = 1000;
  int feed_reconnect_max_ms = 60000;
  int feed_breaker_failures = 10;
  bool feed_book_hash_check = true;
  int feed_refetch_min_interval_ms = 2000;
  // heartbeat: the CLOB heartbeat chain of a live node with a key
  int heartbeat_interval_ms = 5000;
  int heartbeat_grace_ms = 3000;
  int heartbeat_venue_timeout_ms = 10000;
  // discovery
  std::vector<std::string> discovery_assets{"btc", "eth", "sol", "xrp"};
  int discovery_slot_seconds = 900;
  bool discovery_legacy_keys = false; // assets or slot_seconds given: then series may not be
  // The series traded (issue 19, docs/series.md): discovery.series, or else the
  // legacy assets x slot_seconds; never empty after parse_config.
  std::vector<series_config> discovery_series;
  int discovery_interval_ms = 5000;
  int discovery_lookahead_slots = 1;
  int discovery_retire_after_end_s = 300; // settlement grace: retire this long after the slot end
  // entry filters (seed 003 EntryFilters); prices in micro-units
  std::int64_t entry_target_bid = 800'000;
  std::int64_t entry_max_bid = 920'000;
  std::int64_t entry_min_move_ppm = 0;
  std::int64_t entry_max_move_ppm = 20'000;
  std::int64_t entry_min_entry_s = 0;
  std::int64_t entry_max_entry_s = 840;
  bool entry_fair_value = true;
  std::int64_t entry_annual_vol_ppm = 600'000;
  std::int64_t entry_min_edge = 0;
  std::string entry_model_file; // logistic entry model (JSON); empty = rule-based
  // ladder and budget
  int ladder_rungs = 3;
  int ladder_spacing_ticks = 1;
  int ladder_shares_per_rung = 5;
  bool ladder_sequential = true;
  std::int64_t budget_max_exposure = 50'000'000;   // pUSD micro-units
  std::int64_t budget_max_per_market = 15'000'000;
  std::int64_t budget_auto_fraction_ppm = 0;       // wallet auto-sizing (0 = off)
  // orders (seed 003 OrderManager)
  int orders_placement_timeout_ms = 15'000;
  int orders_cancel_timeout_ms = 30'000;
  int orders_cancel_before_end_ms = 10'000;
  int orders_batch_max = 15;
  // per-signer rate limits (Polymarket's Standard tier; the node paces itself)
  bool rate_limits_enabled = true;
  std::int64_t rate_limits_order_rate = 40;   // tokens per second
  std::int64_t rate_limits_order_burst = 60;
  std::int64_t rate_limits_cancel_rate = 80;
  std::int64_t rate_limits_cancel_burst = 120;
  std::int64_t rate_limits_exit_reserve = 10; // order tokens new buys leave for stop-loss exits
  std::int64_t rate_limits_entry_max_wait_ms = 3'000; // a new buy waiting longer is dropped
  // risk guard and stale escalation
  int risk_stale_cancel_ms = 15'000;
  int risk_stale_halt_ms = 60'000;
  int risk_max_order_errors = 20;
  std::int64_t risk_max_loss = 50'000'000;
  // fills (seed 003 FillDetector)
  int fills_reconcile_interval_ms = 60'000;
  std::int64_t fills_lookback_s = 7'200;
  // stop-loss (seed 003 StopLossManager)
  bool stop_loss_enabled = true;
  std::int64_t stop_loss_peak = 900'000;
  std::int64_t stop_loss_exit = 650'000;
  bool stop_loss_fair_value_override = true;
  std::int64_t stop_loss_fair_hold = 800'000; // fair value (probability, micro-units) that defers an exit
  std::int64_t stop_loss_grace_ms = 10'000;
  std::string stop_loss_model_file; // logistic exit model (JSON); empty = rule-based
  // settlement (seed 003 SettlementManager)
  std::int64_t settlement_grace_s = 300;
  std::int64_t settlement_defer_max_s = 3'600;
  std::int64_t settlement_win_bid = 950'000;
  int settlement_interval_ms = 5'000;
  // notifier (Telegram Bot API-compatible webhook; empty url = log only)
  std::string notifier_webhook_url;
  std::string notifier_chat_id;
  int notifier_min_level = 0; // 0 info, 1 warning, 2 critical
  int notifier_per_minute = 20;
  int notifier_queue_max = 200;
  std::string notifier_bot_token; // from TDMAKER_TELEGRAM_TOKEN only, never from the file
  // status line
  int status_interval_ms = 30'000;
  // typed-event history and stream (issue 18, docs/events.md)
  int events_history = 1000;
  int events_tick_sample_ms = 1000;
  int events_max_subscribers = 8;
  // strategies (issue 17): each with its own switch, section and budget cap
  td_maker_config td_maker;
  capture_config capture;
};

/// Parses and validates a config document. Unknown keys, wrong types, values out
/// of range and secrets placed in the file are errors naming the JSON path, e.g.
/// "$.node.worker_threads: expected an integer in [1, 64], got 0".
result<node_config> parse_config(std::string_view json_text);

/// Parses "host:port" / "[v6]:port"; the host must be an IP literal or localhost.
result<listen_address> parse_listen_address(std::string_view text);

/// True for 127.0.0.0/8, ::1 and localhost.
bool is_loopback_host(std::string_view host);

std::string_view to_string(trading_mode m);

} // namespace tdmaker
