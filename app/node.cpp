#include "app/node.hpp"

#include <poll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <caf/scoped_actor.hpp>
#include <spdlog/spdlog.h>

#include <boost/asio/steady_timer.hpp>

#include "actors/audit.hpp"
#include "actors/instrumented.hpp"
#include "app/supervisor.hpp"
#include "actors/events.hpp"
#include "actors/bidding.hpp"
#include "net/clob_session.hpp"
#include "net/heartbeat_loop.hpp"
#include "actors/fill.hpp"
#include "actors/notifier.hpp"
#include "actors/settlement.hpp"
#include "actors/stop_loss.hpp"
#include "actors/candles.hpp"
#include "net/venue_reads.hpp"
#include "actors/order.hpp"
#include "net/order_venue.hpp"
#include "actors/control.hpp"
#include "actors/directory.hpp"
#include "actors/discovery.hpp"
#include "actors/recorder.hpp"
#include "actors/sample_writer.hpp"
#include "net/recording_tap.hpp"
#include "actors/feed.hpp"
#include "net/http_client.hpp"
#include "net/signer_limit_metrics.hpp"
#include "net/io_pool.hpp"
#include "net/weak_handle.hpp"
#include "core/rate_limiter.hpp"
#include "net/http_server.hpp"
#include "db/lmdb_env.hpp"
#include "actors/phase_manager.hpp"
#include "actors/store.hpp"
#include "actors/telemetry.hpp"
#include "actors/util.hpp"
#include "core/eth_address.hpp"
#include "core/wallet.hpp"
#include "generated/build_info.hpp"
#include "messages/register.hpp"

namespace tdmaker {

struct node::impl {
  node_config cfg;
  std::chrono::milliseconds flush{250};
  std::optional<entry_model> entry;  // the TD maker's, given to every market
  std::optional<exit_model> exit;    // moved into the stop-loss actor
  std::shared_ptr<lmdb_env> env;     // moved into the store actor
  caf::actor_system_config sys_cfg;
  std::unique_ptr<caf::actor_system> sys;
  // The typed handles peers are wired with: only kinds that stop the node when
  // they die, so none of these is ever replaced.
  telemetry_actor telemetry;
  events_actor events;
  store_actor store;
  notifier_actor notifier;
  audit_actor audit;
  bidding_actor bidding;
  order_actor orders;
  phase_manager_actor phases;
  control_actor control;
  directory_actor directory;
  fill_actor fills;
  stop_loss_actor stop_loss;
  candles_actor candles;
  feed_actor feed;
  recorder_actor recorder; // record.enabled only: every tap sends to it (docs/recording.md)
  sample_writer_actor samples; // `tdmaker train`'s replay only
  std::vector<supervised> singletons; // the table below, as started
  supervisor_actor supervisor;
  std::shared_ptr<failure_latch> failure = std::make_shared<failure_latch>();
  std::unique_ptr<io_pool> io;
  std::shared_ptr<http_client> clob;
  std::shared_ptr<http_client> gamma;
  // What discovery, the feed's /book re-fetch and settlement ask: the clients
  // above live, the recording in a replay (app/replay).
  http_fetch gamma_fetch;
  http_fetch clob_fetch;
  std::shared_ptr<clob_session> session;
  std::shared_ptr<heartbeat_loop> heartbeat; // live with a key only
  std::unique_ptr<http_server> http;
  std::uint16_t port = 0;
  bool stopped = false;
};

node::node(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

node::~node() { shutdown(); }

std::uint16_t node::http_port() const { return impl_->port; }

namespace {


feed_options feed_options_of(const node_config& cfg, std::chrono::milliseconds flush) {
  feed_options o;
  o.market_ws = *parse_endpoint(cfg.venue_market_ws_url); // validated with the config
  o.user_ws = *parse_endpoint(cfg.venue_user_ws_url);
  o.rtds = *parse_endpoint(cfg.venue_rtds_url);
  o.ping_every = std::chrono::milliseconds(cfg.feed_ping_ms);
  o.market_stale = std::chrono::milliseconds(cfg.feed_market_stale_ms);
  o.user_stale = std::chrono::milliseconds(cfg.feed_user_stale_ms);
  o.rtds_stale = std::chrono::milliseconds(cfg.feed_rtds_stale_ms);
  o.reconnect = {std::chrono::milliseconds(cfg.feed_reconnect_min_ms),
                 std::chrono::milliseconds(cfg.feed_reconnect_max_ms)};
  o.breaker_failures = static_cast<std::uint32_t>(cfg.feed_breaker_failures);
  o.refetch_min_interval = std::chrono::milliseconds(cfg.feed_refetch_min_interval_ms);
  o.fast_window = std::chrono::milliseconds(cfg.capture.velocity_window_ms);
  o.slow_window = std::chrono::milliseconds(cfg.capture.slow_window_ms);
  o.flush_every = flush;
  return o;
}

// L1 create-or-derive, retried until it works: the user channel and the
// order actor's reconciliation wait for it.
// The heartbeat chain (may be null) starts with them: its beats are L2-signed.
void establish_credentials(std::shared_ptr<clob_session> s, weak_handle<feed_actor> feed,
                           weak_handle<order_actor> orders, boost::asio::any_io_executor ex,
                           std::chrono::seconds retry, std::shared_ptr<heartbeat_loop> heartbeat) {
  s->establish_credentials([s, feed, orders, ex, retry, heartbeat](result<api_credentials> c) {
    if (c) {
      spdlog::info("clob: API credentials ready for {} (not logged)", to_checksum(s->address()));
      feed.send(credentials_ready{true, ""});
      orders.send(credentials_ready{true, ""});
      if (heartbeat)
        heartbeat->start();
      return;
    }
    spdlog::error("clob: API credentials not obtained: {}; retrying in {} s", c.error(), retry.count());
    auto t = std::make_shared<boost::asio::steady_timer>(ex, retry);
    t->async_wait([s, feed, orders, ex, retry, t, heartbeat](const boost::system::error_code& ec) {
      if (!ec)
        establish_credentials(s, feed, orders, ex, std::min(retry * 2, std::chrono::seconds(60)), heartbeat);
    });
  });
}

ladder_rules ladder_of(const node_config& cfg) {
  ladder_rules l;
  l.rungs = static_cast<std::uint32_t>(cfg.ladder_rungs);
  l.spacing_ticks = static_cast<std::uint32_t>(cfg.ladder_spacing_ticks);
  l.shares_per_rung = cfg.ladder_shares_per_rung;
  l.sequential = cfg.ladder_sequential;
  return l;
}

/// The TD maker's knobs (config `entry`, `ladder`), run by every market when enabled.
td_maker_setup td_maker_of(const node_config& cfg, std::optional<entry_model> model) {
  td_maker_setup t;
  t.entry.target_bid = price{cfg.entry_target_bid};
  t.entry.max_bid = price{cfg.entry_max_bid};
  t.entry.min_move_ppm = cfg.entry_min_move_ppm;
  t.entry.max_move_ppm = cfg.entry_max_move_ppm;
  t.entry.min_entry_s = cfg.entry_min_entry_s;
  t.entry.max_entry_s = cfg.entry_max_entry_s;
  t.entry.fair_value = cfg.entry_fair_value;
  t.entry.annual_vol_ppm = cfg.entry_annual_vol_ppm;
  t.entry.min_edge = price{cfg.entry_min_edge};
  t.model = std::move(model);
  t.ladder = ladder_of(cfg);
  return t;
}

bidding_options bidding_options_of(const node_config& cfg, std::chrono::milliseconds flush) {
  bidding_options o;
  o.ladder = ladder_of(cfg);
  // A strategy one series turns on is on for the budget too; its markets alone propose it.
  bool td = cfg.td_maker.enabled, capture = cfg.capture.enabled;
  for (auto& s : cfg.discovery_series) {
    td = td || s.set.td_maker_enabled.value_or(false);
    capture = capture || s.set.capture_enabled.value_or(false);
  }
  o.strategies[index_of(strategy_kind::td_maker)] = {td, usdc{cfg.td_maker.max_exposure}};
  o.strategies[index_of(strategy_kind::capture_99c)] = {capture, usdc{cfg.capture.max_exposure}};
  o.max_exposure = usdc{cfg.budget_max_exposure};
  o.max_per_market = usdc{cfg.budget_max_per_market};
  o.auto_fraction_ppm = cfg.budget_auto_fraction_ppm;
  o.phases = cfg.phases;
  o.paper = cfg.mode == trading_mode::paper;
  o.flush_every = flush;
  return o;
}

order_options order_options_of(const node_config& cfg, std::chrono::milliseconds flush) {
  order_options o;
  o.timeouts.placement_ms = cfg.orders_placement_timeout_ms;
  o.timeouts.cancel_ms = cfg.orders_cancel_timeout_ms;
  o.cancel_before_end_ms = cfg.orders_cancel_before_end_ms;
  o.batch_max = static_cast<std::size_t>(cfg.orders_batch_max);
  o.risk.stale_cancel_ms = cfg.risk_stale_cancel_ms;
  o.risk.stale_halt_ms = cfg.risk_stale_halt_ms;
  o.risk.max_order_errors = static_cast<std::uint32_t>(cfg.risk_max_order_errors);
  o.risk.max_loss = usdc{cfg.risk_max_loss};
  o.paper = cfg.mode == trading_mode::paper;
  o.phases = cfg.phases;
  if (cfg.budget_auto_fraction_ppm > 0)
    o.balance_every = std::chrono::seconds(60);
  o.flush_every = flush;
  return o;
}

/// A model file named by `key` (empty path = no model), parsed with `parse`.
template <class Model, class Parse>
result<std::optional<Model>> load_model(const char* key, const std::string& path, Parse parse) {
  if (path.empty())
    return std::optional<Model>{};
  auto text = read_text_file(path);
  if (!text)
    return fail(std::string(key) + ": cannot read " + path);
  auto m = parse(*text);
  if (!m)
    return fail(std::string(key) + " " + path + ": " + m.error());
  spdlog::info("node: {} {} loaded", key, path);
  return std::optional<Model>{std::move(m).value()};
}

stop_loss_options stop_loss_options_of(const node_config& cfg, std::optional<exit_model> model,
                                       std::chrono::milliseconds flush) {
  stop_loss_options o;
  o.rules.enabled = cfg.stop_loss_enabled;
  o.rules.peak = price{cfg.stop_loss_peak};
  o.rules.exit = price{cfg.stop_loss_exit};
  o.rules.fair_value_override = cfg.stop_loss_fair_value_override;
  o.rules.fair_hold = static_cast<double>(cfg.stop_loss_fair_hold) / micros_per_unit;
  o.rules.grace_ms = cfg.stop_loss_grace_ms;
  o.rules.annual_vol_ppm = cfg.entry_annual_vol_ppm;
  o.model = std::move(model);
  o.flush_every = flush;
  return o;
}

// ---- the singleton actors: how each one starts ----
// Each takes the node as wired so far (the kinds above it in the table) and
// returns the actor; a kind peers hold also keeps its typed handle in the node.

using impl = node::impl;

std::vector<std::string> singleton_kinds();

caf::actor start_telemetry(impl& p) {
  telemetry_options o;
  o.flush_every = p.flush;
  o.mode = p.cfg.mode;
  o.market_connection = redact_url(p.cfg.venue_clob_url) + " (market " + redact_url(p.cfg.venue_market_ws_url) + ")";
  o.required_kinds = singleton_kinds();
  o.status_every = std::chrono::milliseconds(p.cfg.status_interval_ms);
  o.wallet_type = p.cfg.wallet_signature_type;
  if (p.clob && p.cfg.rate_limits_enabled)
    o.io_metrics = [clob = std::weak_ptr<http_client>(p.clob)](prom::exposition& e) {
      if (auto c = clob.lock()) // weak: the telemetry actor must not keep the client past the I/O pool
        signer_limit_metrics(e, c->stats());
    };
  p.telemetry = spawn_telemetry(*p.sys, o);
  return caf::actor_cast<caf::actor>(p.telemetry);
}

// The typed-event history (docs/events.md): before every actor that reports to it.
caf::actor start_events(impl& p) {
  events_options o;
  o.history = static_cast<std::size_t>(p.cfg.events_history);
  o.max_subscribers = static_cast<std::size_t>(p.cfg.events_max_subscribers);
  o.flush_every = p.flush;
  p.events = spawn_events(*p.sys, p.telemetry, o);
  return caf::actor_cast<caf::actor>(p.events);
}

caf::actor start_store(impl& p) {
  p.store = spawn_store(*p.sys, std::move(p.env), p.telemetry,
                        {static_cast<std::size_t>(p.cfg.store_max_batch), p.flush});
  return caf::actor_cast<caf::actor>(p.store);
}

caf::actor start_notifier(impl& p) {
  const auto& cfg = p.cfg;
  notifier_options o;
  o.flush_every = p.flush;
  if (!cfg.notifier_webhook_url.empty()) {
    http_client_options wopts;
    wopts.timeout = std::chrono::milliseconds(10'000);
    o.webhook = http_client::make(*p.io, *parse_endpoint(cfg.notifier_webhook_url), wopts);
    o.bot_token = cfg.notifier_bot_token;
    o.chat_id = cfg.notifier_chat_id;
    o.min_level = cfg.notifier_min_level;
    o.per_minute = cfg.notifier_per_minute;
    o.queue_max = static_cast<std::size_t>(cfg.notifier_queue_max);
  }
  p.notifier = spawn_notifier(*p.sys, p.telemetry, o);
  return caf::actor_cast<caf::actor>(p.notifier);
}

caf::actor start_audit(impl& p) {
  p.audit = spawn_audit(*p.sys, p.cfg.log_dir);
  return caf::actor_cast<caf::actor>(p.audit);
}

// Trading: bidding owns the budget, the order actor the venue's order API.
caf::actor start_bidding(impl& p) {
  p.bidding = spawn_bidding(*p.sys, p.telemetry, p.audit, p.store, bidding_options_of(p.cfg, p.flush));
  return caf::actor_cast<caf::actor>(p.bidding);
}

caf::actor start_order(impl& p) {
  auto o = order_options_of(p.cfg, p.flush);
  o.heartbeat_required = !o.paper && p.session; // the heartbeat chain runs (start_credentials)
  o.events = p.events;
  p.orders = spawn_order(*p.sys, p.session ? make_clob_order_venue(p.session) : nullptr,
                         order_peers{p.store, p.bidding, p.telemetry, p.notifier, p.audit}, std::move(o));
  return caf::actor_cast<caf::actor>(p.orders);
}

caf::actor start_phase_manager(impl& p) {
  phase_manager_options o;
  o.initial = p.cfg.initial_phase;
  o.log_dir = p.cfg.log_dir;
  o.flush_every = p.flush;
  o.bidding = p.bidding;
  o.orders = p.orders;
  o.directory = p.directory;
  o.policy = p.cfg.phases; // gates, downgrades, sessions, auto_upgrade (config `phase`)
  o.events = p.events;
  p.phases = spawn_phase_manager(*p.sys, p.store, p.telemetry, p.notifier, o);
  return caf::actor_cast<caf::actor>(p.phases);
}

caf::actor start_control(impl& p) {
  p.control = spawn_control(*p.sys, p.phases, p.telemetry, p.flush);
  return caf::actor_cast<caf::actor>(p.control);
}

// Fills and settlement: every fill committed once, positions settled from them.
caf::actor start_fill(impl& p) {
  fill_options o;
  o.flush_every = p.flush;
  o.reconcile_every = std::chrono::milliseconds(p.cfg.fills_reconcile_interval_ms);
  o.lookback_s = p.cfg.fills_lookback_s;
  o.fetch_trades = make_trades_fetcher(p.session);
  p.fills = spawn_fill(*p.sys, fill_peers{p.store, p.orders, p.telemetry, p.notifier, p.audit}, o);
  // The order actor is spawned first (the fill actor's peer); it names each
  // order's strategy to this one before the order can trade.
  caf::anon_send(p.orders, p.fills);
  return caf::actor_cast<caf::actor>(p.fills);
}

caf::actor start_stop_loss(impl& p) {
  p.stop_loss = spawn_stop_loss(*p.sys, stop_loss_peers{p.telemetry, p.notifier, p.audit},
                                stop_loss_options_of(p.cfg, std::move(p.exit), p.flush));
  return caf::actor_cast<caf::actor>(p.stop_loss);
}

/// Not a supervised singleton: the node runs without it when record.enabled is
/// false, and the taps hold it weakly. Spawned before the feed, its first tap.
void start_recorder(impl& p) {
  const auto& cfg = p.cfg;
  if (!cfg.record_enabled || p.recorder)
    return;
  recorder_options o;
  o.dir = (std::filesystem::path(cfg.data_dir) / "recording").string();
  o.flush_every = std::chrono::milliseconds(cfg.record_flush_ms);
  o.block_bytes = static_cast<std::size_t>(cfg.record_block_bytes);
  o.segment_bytes = static_cast<std::uint64_t>(cfg.record_segment_bytes);
  o.segment_ms = std::int64_t{cfg.record_segment_seconds} * 1000;
  o.retention_ms = std::int64_t{cfg.record_retention_hours} * 3'600'000;
  o.retention_bytes = static_cast<std::uint64_t>(cfg.record_retention_bytes);
  o.buffer_size = static_cast<std::size_t>(cfg.record_buffer_size);
  o.buffer_ttl_ms = cfg.record_buffer_ttl_ms;
  p.recorder = spawn_recorder(*p.sys, p.telemetry, std::move(o));
}

caf::actor start_candles(impl& p) {
  candles_options o;
  o.max_batch = static_cast<std::size_t>(p.cfg.store_max_batch);
  o.flush_every = p.flush;
  o.events = p.events;
  p.candles = spawn_candles(*p.sys, p.store, p.telemetry, o);
  if (!p.cfg.candles_enabled)
    spdlog::info("candles: off (candles.enabled false): no candle is made or stored");
  else
    spdlog::info("candles: one-minute candles of the reference{} into LMDB 'candles'",
                 p.cfg.candles_tokens ? " and of each token's mid and last trade" : "");
  return caf::actor_cast<caf::actor>(p.candles);
}

caf::actor start_feed(impl& p) {
  start_recorder(p);
  auto o = feed_options_of(p.cfg, p.flush);
  o.risk = p.orders;
  o.fills = p.fills;
  o.recorder = p.recorder; // the WebSocket frames; the /book re-fetches through the fetch below
  o.events = p.events;
  o.tick_sample = std::chrono::milliseconds(p.cfg.events_tick_sample_ms);
  if (p.cfg.candles_enabled)
    o.candles = p.candles;
  o.candle_tokens = p.cfg.candles_tokens;
  p.feed = spawn_feed(*p.sys, p.io.get(), recorded_fetch(p.clob_fetch, p.recorder, record_channel::book_rest),
                      p.session, p.telemetry, p.notifier, o);
  return caf::actor_cast<caf::actor>(p.feed);
}

bool has_overrides(const series_overrides& o) {
  return o.td_maker_enabled || o.entry_min_entry_s || o.entry_max_entry_s || o.capture_enabled
         || o.capture_entry_window_s || o.capture_stop_before_end_s || o.cancel_before_end_ms;
}

/// A series' markets: the node's options with what discovery.series sets for it.
market_options series_market_options(market_options m, const series_overrides& set, const node_config& cfg,
                                     const std::optional<entry_model>& entry) {
  if (set.td_maker_enabled.value_or(cfg.td_maker.enabled)) {
    m.td_maker = td_maker_of(cfg, entry);
    m.td_maker->entry.min_entry_s = set.entry_min_entry_s.value_or(cfg.entry_min_entry_s);
    m.td_maker->entry.max_entry_s = set.entry_max_entry_s.value_or(cfg.entry_max_entry_s);
  } else {
    m.td_maker.reset();
  }
  if (set.capture_enabled.value_or(cfg.capture.enabled)) {
    m.capture = cfg.capture;
    m.capture->entry_window_s = set.capture_entry_window_s.value_or(cfg.capture.entry_window_s);
    m.capture->stop_before_end_s = set.capture_stop_before_end_s.value_or(cfg.capture.stop_before_end_s);
  } else {
    m.capture.reset();
  }
  m.stop_before_end_ms = set.cancel_before_end_ms.value_or(cfg.orders_cancel_before_end_ms);
  return m;
}

caf::actor start_directory(impl& p) {
  const auto& cfg = p.cfg;
  directory_options o;
  o.max_live = cfg.markets_max_live;
  o.max_restarts = cfg.markets_max_restarts;
  o.restart_window = std::chrono::seconds(cfg.markets_restart_window_s);
  o.market.fault_injection = cfg.debug_fault_injection;
  o.market.flush_every = p.flush;
  o.market.book_hash_check = cfg.feed_book_hash_check;
  o.market.feed = p.feed;
  o.market.bidding = p.bidding;
  o.market.orders = p.orders;
  o.market.fills = p.fills;
  o.market.stop_loss = p.stop_loss;
  o.market.audit = p.audit;
  o.market.stop_before_end_ms = cfg.orders_cancel_before_end_ms;
  if (cfg.td_maker.enabled)
    o.market.td_maker = td_maker_of(cfg, p.entry);
  if (cfg.capture.enabled)
    o.market.capture = cfg.capture;
  o.market.phases = cfg.phases;
  o.market.samples = p.samples;
  for (auto& s : cfg.discovery_series)
    if (has_overrides(s.set))
      o.by_series.emplace(s.spec.key(), series_market_options(o.market, s.set, cfg, p.entry));
  o.flush_every = p.flush;
  p.directory = spawn_directory(*p.sys, p.store, p.telemetry, p.notifier, o);
  return caf::actor_cast<caf::actor>(p.directory);
}

// Restartable: no peer holds either of these two, so they keep no typed handle
// in the node and may run again (the supervisor calls them on a restart).
caf::actor start_settlement(impl& p) {
  settlement_options o;
  o.flush_every = p.flush;
  o.rules = {p.cfg.settlement_grace_s, p.cfg.settlement_defer_max_s, price{p.cfg.settlement_win_bid}};
  o.tick_every = std::chrono::milliseconds(p.cfg.settlement_interval_ms);
  return caf::actor_cast<caf::actor>(spawn_settlement(
    *p.sys, settlement_peers{p.store, p.fills, p.orders, p.directory, p.phases, p.telemetry, p.notifier, p.audit},
    make_resolution_sources(recorded_fetch(p.gamma_fetch, p.recorder, record_channel::resolution),
                            recorded_fetch(p.clob_fetch, p.recorder, record_channel::resolution)),
    o));
}

caf::actor start_discovery(impl& p) {
  const auto& cfg = p.cfg;
  discovery_options o;
  o.series.clear();
  for (auto& s : cfg.discovery_series)
    o.series.push_back(s.spec);
  o.lookahead_slots = cfg.discovery_lookahead_slots;
  o.interval = std::chrono::milliseconds(cfg.discovery_interval_ms);
  o.retire_after_end = std::chrono::seconds(cfg.discovery_retire_after_end_s);
  o.flush_every = p.flush;
  o.notifier = p.notifier; // the market cap alert
  // Each market's fee details (`fd`), which win over Gamma's feeSchedule.
  o.clob = recorded_fetch(p.clob_fetch, p.recorder, record_channel::clob_market);
  return caf::actor_cast<caf::actor>(spawn_discovery(
    *p.sys, recorded_fetch(p.gamma_fetch, p.recorder, record_channel::gamma), p.directory, p.feed, p.telemetry, o));
}

struct singleton {
  const char* kind;
  on_death policy;
  bool stops_after_flush; // serves the others until the store's last barrier
  caf::actor (*start)(impl&);
};

/// The node's singleton actors in start (dependency) order; they stop in reverse.
/// This table alone drives spawn, supervision, shutdown and /health's list.
/// Why each kind gets its policy: docs/architecture.md, "Supervision".
constexpr singleton singletons[] = {
  {"telemetry", on_death::stop_node, true, start_telemetry},
  {"events", on_death::stop_node, false, start_events},
  {"store", on_death::stop_node, true, start_store},
  {"notifier", on_death::stop_node, false, start_notifier},
  {"audit", on_death::stop_node, true, start_audit},
  {"bidding", on_death::stop_node, false, start_bidding},
  {"order", on_death::stop_node, false, start_order},
  {"fill", on_death::stop_node, false, start_fill},
  {"stop_loss", on_death::stop_node, false, start_stop_loss},
  {"candles", on_death::stop_node, false, start_candles}, // before the feed, which feeds it
  {"feed", on_death::stop_node, false, start_feed},
  {"directory", on_death::stop_node, false, start_directory},
  // After the directory: every phase it publishes reaches the markets too.
  {"phase_manager", on_death::stop_node, false, start_phase_manager},
  {"control", on_death::stop_node, false, start_control},
  {"settlement", on_death::restart, false, start_settlement},
  {"discovery", on_death::restart, false, start_discovery},
};

std::vector<std::string> singleton_kinds() {
  std::vector<std::string> out;
  for (const auto& s : singletons)
    out.emplace_back(s.kind);
  return out;
}

// ---- node::start, step by step ----

result<bool> load_models(impl& p) {
  auto entry = load_model<entry_model>("entry.model_file", p.cfg.entry_model_file, parse_entry_model);
  if (!entry)
    return fail(entry.error());
  auto exit = load_model<exit_model>("stop_loss.model_file", p.cfg.stop_loss_model_file, parse_exit_model);
  if (!exit)
    return fail(exit.error());
  p.entry = std::move(entry).value();
  p.exit = std::move(exit).value();
  return true;
}

result<bool> open_store(impl& p) {
  auto env = lmdb_env::open(p.cfg.data_dir, p.cfg.store_map_size_mb);
  if (!env)
    return fail(env.error());
  for (auto& m : (*env)->migrations_run())
    spdlog::info("store: migration {} applied", m);
  // Every record is checked before any actor loads one: an actor that died on a
  // corrupt record at start would leave the node half-alive (issue 14).
  if (auto bad = (*env)->verify_all(); !bad.empty())
    return fail(std::string(corrupt_store_error) + bad + " (in " + p.cfg.data_dir + ")");
  spdlog::info("store: LMDB at {} schema {}", p.cfg.data_dir, (*env)->schema_version());
  p.env = std::move(env).value();
  return true;
}

void start_actor_system(impl& p, bool deterministic = false) {
  register_message_types(p.sys_cfg);
  if (deterministic) // the replay: one thread, timers on a clock only the driver moves
    p.sys_cfg.set("scheduler.policy", caf::atom("testing"));
  p.sys_cfg.set("scheduler.max-threads", static_cast<std::size_t>(p.cfg.worker_threads));
  p.sys_cfg.set("logger.verbosity", caf::atom("quiet"));
  caf::put(p.sys_cfg.content, fault_injection_key, p.cfg.debug_fault_injection);
  p.sys = std::make_unique<caf::actor_system>(p.sys_cfg);
}

// The exchange link: I/O threads (the notifier's webhook uses them too), the
// REST clients and, with a key, the CLOB session.
void start_exchange_link(impl& p, std::optional<private_key> key, const std::optional<wallet_setup>& wallet) {
  p.io = std::make_unique<io_pool>(p.cfg.venue_io_threads);
  http_client_options o;
  o.timeout = std::chrono::milliseconds(p.cfg.venue_request_timeout_ms);
  o.limits = polymarket_rate_limits();
  p.gamma = http_client::make(*p.io, *parse_endpoint(p.cfg.venue_gamma_url), o);
  if (p.cfg.rate_limits_enabled)
    o.signer = signer_pacer_options{{p.cfg.rate_limits_order_rate, p.cfg.rate_limits_order_burst, false},
                                    {p.cfg.rate_limits_cancel_rate, p.cfg.rate_limits_cancel_burst, false},
                                    p.cfg.rate_limits_exit_reserve, p.cfg.rate_limits_entry_max_wait_ms};
  p.clob = http_client::make(*p.io, *parse_endpoint(p.cfg.venue_clob_url), o);
  p.gamma_fetch = fetch_of(p.gamma);
  p.clob_fetch = fetch_of(p.clob);
  if (key && wallet) {
    clob_session_options so;
    so.sig_type = wallet->type;
    so.funder = wallet->funder;
    so.cancel_chunk = static_cast<std::size_t>(std::min<std::int64_t>(1000, p.cfg.rate_limits_cancel_burst));
    p.session = clob_session::make(p.clob, std::move(*key), so);
  }
}

void start_singletons(impl& p) {
  for (const auto& s : singletons) {
    supervised row{s.kind, s.policy, s.stops_after_flush, s.start(p), {}};
    // The node outlives its supervisor, and the handles a restart reads are
    // fixed from here until the supervisor has stopped (node::shutdown).
    if (s.policy == on_death::restart)
      row.respawn = [&p, start = s.start] { return start(p); };
    p.singletons.push_back(std::move(row));
  }
}

// A live node keeps a heartbeat chain: if it dies, the venue cancels its orders.
// Paper never sends an order, so it has nothing for the venue to cancel.
std::shared_ptr<heartbeat_loop> make_heartbeat(impl& p) {
  heartbeat_options o;
  o.interval = std::chrono::milliseconds(p.cfg.heartbeat_interval_ms);
  o.rules.grace_ms = p.cfg.heartbeat_grace_ms;
  o.rules.venue_timeout_ms = p.cfg.heartbeat_venue_timeout_ms;
  o.retry.max = std::min(o.retry.max, o.interval);
  return heartbeat_loop::make(p.session, p.clob->executor(), o,
                              [orders = weak_handle<order_actor>(p.orders),
                               telemetry = weak_handle<telemetry_actor>(p.telemetry)](heartbeat_status s) {
                                orders.send(s);
                                telemetry.send(std::move(s));
                              });
}

void start_credentials(impl& p) {
  if (!p.session) {
    spdlog::info("clob: no TDMAKER_PRIVATE_KEY: market data only (no user channel, no venue orders)");
    return;
  }
  if (p.cfg.mode == trading_mode::live)
    p.heartbeat = make_heartbeat(p);
  establish_credentials(p.session, weak_handle<feed_actor>(p.feed), weak_handle<order_actor>(p.orders),
                        p.clob->executor(), std::chrono::seconds(2), p.heartbeat);
}

void start_supervisor(impl& p) {
  supervisor_options o;
  o.table = p.singletons;
  o.fault_injection = p.cfg.debug_fault_injection;
  o.notifier = p.notifier;
  o.telemetry = p.telemetry;
  o.latch = p.failure;
  p.supervisor = spawn_supervisor(*p.sys, std::move(o));
  if (p.cfg.debug_fault_injection)
    spdlog::warn("node: debug.fault_injection is on: POST /debug/crash?kind=<kind> kills that actor");
}

result<std::uint16_t> start_http(impl& p, std::string control_token) {
  if (control_token.empty())
    spdlog::warn("http: control endpoint disabled: TDMAKER_CONTROL_TOKEN is not set");
  http_targets t{p.telemetry, p.control, p.directory, p.supervisor, p.cfg.debug_fault_injection, p.events,
                 static_cast<std::size_t>(p.cfg.events_history), p.store};
  p.http = std::make_unique<http_server>(*p.sys, std::move(t), std::move(control_token));
  http_limits lim{static_cast<std::size_t>(p.cfg.http_max_connections),
                  std::chrono::milliseconds(p.cfg.http_idle_timeout_ms)};
  return p.http->start(p.cfg.http_listen, lim);
}

} // namespace

namespace {

/// What a live node and a replay do first: the models, then the store (every record checked).
result<std::unique_ptr<impl>> prepare(const node_config& cfg) {
  auto p = std::make_unique<impl>();
  p->cfg = cfg;
  p->flush = std::chrono::milliseconds(cfg.telemetry_flush_ms);
  if (auto ok = load_models(*p); !ok)
    return fail(ok.error());
  if (auto ok = open_store(*p); !ok)
    return fail(ok.error());
  return p;
}

} // namespace

result<std::unique_ptr<node>> node::start(const node_config& cfg, std::string control_token,
                                           std::optional<private_key> key) {
  auto prepared = prepare(cfg);
  if (!prepared)
    return fail(prepared.error());
  auto p = std::move(prepared).value();
  // The wallet is checked against the key before anything starts: a funder the
  // venue would refuse on every order is a configuration error, not a runtime one.
  std::optional<wallet_setup> wallet;
  if (key) {
    auto w = resolve_wallet(*parse_signature_type(cfg.wallet_signature_type), cfg.wallet_funder, key->address());
    if (!w)
      return fail(w.error());
    wallet = *w;
    spdlog::info("wallet: signature type {} ({}), funder (maker) {}, signer {}, API key owner {}",
                 to_string(w->type), static_cast<unsigned>(w->type), to_checksum(w->funder), to_checksum(w->signer),
                 to_checksum(w->key_address));
  }
  start_actor_system(*p);
  start_exchange_link(*p, std::move(key), wallet);
  start_singletons(*p);
  start_credentials(*p);
  start_supervisor(*p);
  spdlog::info("node: tdmaker {} ({}) started: {} worker threads, mode {}, data {}", build::version,
               build::commit, cfg.worker_threads, to_string(cfg.mode), cfg.data_dir);
  spdlog::info("node: venue CLOB {}, Gamma {}, market WS {}, RTDS {}", redact_url(cfg.venue_clob_url),
               redact_url(cfg.venue_gamma_url), redact_url(cfg.venue_market_ws_url), redact_url(cfg.venue_rtds_url));
  auto port = start_http(*p, std::move(control_token));
  std::unique_ptr<node> n(new node(std::move(p)));
  if (!port) {
    n->shutdown();
    return fail(port.error());
  }
  n->impl_->port = *port;
  spdlog::info("http: listening on {}:{} (/metrics /health /status /control/phase)", cfg.http_listen.host,
               *port);
  return n;
}

result<std::unique_ptr<node>> node::start_replay(const node_config& cfg, http_fetch gamma, http_fetch clob,
                                                  std::string samples_path) {
  if (cfg.mode != trading_mode::paper)
    return fail("replay: the config's mode must be paper (a replay never sends an order)");
  auto prepared = prepare(cfg);
  if (!prepared)
    return fail(prepared.error());
  auto p = std::move(prepared).value();
  start_actor_system(*p, true);
  p->gamma_fetch = std::move(gamma);
  p->clob_fetch = std::move(clob);
  if (!samples_path.empty()) {
    auto w = spawn_sample_writer(*p->sys, {std::move(samples_path)});
    if (!w)
      return fail(w.error());
    p->samples = *w;
  }
  start_singletons(*p);
  start_supervisor(*p);
  spdlog::info("replay: node started (deterministic scheduler, paper, data {})", cfg.data_dir);
  return std::unique_ptr<node>(new node(std::move(p)));
}

caf::actor_system& node::system() { return *impl_->sys; }

feed_actor node::feed() const { return impl_->feed; }

node::stop_cause node::wait(const sigset_t& signals) {
  int sfd = ::signalfd(-1, &signals, SFD_CLOEXEC);
  if (sfd < 0)
    return {1, std::string("cannot wait for signals: ") + std::strerror(errno)};
  pollfd fds[2] = {{sfd, POLLIN, 0}, {impl_->failure->fd(), POLLIN, 0}};
  stop_cause cause{1, "poll failed"};
  for (;;) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR)
        continue;
      cause.why = std::string("poll failed: ") + std::strerror(errno);
      break;
    }
    if ((fds[1].revents & POLLIN) && impl_->failure->tripped()) {
      auto& f = *impl_->failure;
      cause = {exit_actor_died, "the " + f.kind() + " actor died (" + f.reason() + ")"};
      break;
    }
    signalfd_siginfo si{};
    if ((fds[0].revents & POLLIN) && ::read(sfd, &si, sizeof si) == sizeof si) {
      cause = {0, si.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT"};
      break;
    }
  }
  ::close(sfd);
  return cause;
}

namespace {

// Workers first, in reverse start order: the supervisor knows the current
// incarnation of each, and stops watching before they go.
void stop_workers(impl& p, caf::scoped_actor& self) {
  if (!p.supervisor)
    return;
  self->request(p.supervisor, std::chrono::seconds(3), shutdown_atom::value)
    .receive([](bool) {}, [](caf::error& e) { spdlog::error("node: supervisor: {}", error_text(e)); });
  self->send_exit(p.supervisor, caf::exit_reason::user_shutdown);
}

// Before the workers stop: every open candle is completed and written, and the log
// says how many were completed and persisted (seed 004's checkpoint figures).
void flush_candles(impl& p, caf::scoped_actor& self) {
  if (!p.candles || !p.cfg.candles_enabled)
    return;
  self->request(p.candles, std::chrono::seconds(3), flush_atom::value)
    .receive(
      [](candle_stats& s) {
        spdlog::info("candles: closed: {} completed (ref {}, mid {}, last {}), {} persisted, {} gaps filled, {} left, "
                     "{} late ticks",
                     s.completed_ref + s.completed_mid + s.completed_last, s.completed_ref, s.completed_mid,
                     s.completed_last, s.persisted, s.gaps_filled, s.gaps_left, s.late_ticks);
      },
      [](caf::error& e) { spdlog::error("candles: closing failed: {}", error_text(e)); });
}

// Everything acknowledged is already durable; this barrier commits whatever was
// queued by actors that were still running a moment ago. A dead store fails it,
// and nothing is lost: it acknowledged only what it had committed.
void flush_store(impl& p, caf::scoped_actor& self) {
  self->request(p.store, std::chrono::seconds(3), flush_atom::value)
    .receive([](commit_ack& a) { spdlog::info("store: flushed (commit {})", a.commit_seq); },
             [](caf::error& e) { spdlog::error("store: flush failed: {}", error_text(e)); });
}

void stop_serving_actors(impl& p, caf::scoped_actor& self) {
  for (auto it = p.singletons.rbegin(); it != p.singletons.rend(); ++it)
    if (it->stops_after_flush)
      self->send_exit(it->handle, caf::exit_reason::user_shutdown);
}

void release(impl& p) {
  p.singletons.clear();
  p.supervisor = nullptr;
  p.feed = nullptr;
  p.recorder = nullptr;
  p.samples = nullptr;
  p.candles = nullptr;
  p.directory = nullptr;
  p.control = nullptr;
  p.phases = nullptr;
  p.notifier = nullptr;
  p.stop_loss = nullptr;
  p.fills = nullptr;
  p.orders = nullptr;
  p.bidding = nullptr;
  p.audit = nullptr;
  p.store = nullptr;
  p.events = nullptr;
  p.telemetry = nullptr;
  p.http.reset();
  p.heartbeat.reset();
  p.session.reset();
  // The fetches hold the clients too: every client must be gone with the actors,
  // before the I/O pool it runs on.
  p.gamma_fetch = nullptr;
  p.clob_fetch = nullptr;
  p.clob.reset();
  p.gamma.reset();
  p.sys.reset(); // waits for every actor to finish
  p.io.reset();
}

} // namespace

void node::shutdown_replay(const std::function<void()>& run) {
  auto& p = *impl_;
  if (p.stopped)
    return;
  p.stopped = true;
  auto& sys = *p.sys;
  // The same order as shutdown(), each step drained by `run` (nothing may block
  // on an answer: the answer comes only when the driver runs the scheduler).
  sys.spawn([sup = p.supervisor](caf::event_based_actor* self) {
    self->request(sup, std::chrono::seconds(3), shutdown_atom::value).then([](bool) {}, [](caf::error&) {});
  });
  run();
  caf::anon_send_exit(p.supervisor, caf::exit_reason::user_shutdown);
  run();
  sys.spawn([store = p.store](caf::event_based_actor* self) {
    self->request(store, std::chrono::seconds(3), flush_atom::value)
      .then([](commit_ack& a) { spdlog::info("store: flushed (commit {})", a.commit_seq); },
            [](caf::error& e) { spdlog::error("store: flush failed: {}", error_text(e)); });
  });
  run();
  for (auto it = p.singletons.rbegin(); it != p.singletons.rend(); ++it)
    if (it->stops_after_flush)
      caf::anon_send_exit(it->handle, caf::exit_reason::user_shutdown);
  run();
  if (p.samples) // the markets are gone: no row comes after this; its exit flushes the file
    caf::anon_send_exit(p.samples, caf::exit_reason::user_shutdown);
  run();
  release(p);
  spdlog::info("replay: node stopped");
}

void node::shutdown() {
  auto& p = *impl_;
  if (p.stopped)
    return;
  p.stopped = true;
  spdlog::info("node: shutting down");
  if (p.http)
    p.http->stop(); // no new work from outside
  {
    caf::scoped_actor self{*p.sys};
    flush_candles(p, self);
    stop_workers(p, self);
    flush_store(p, self);
    if (p.heartbeat)
      p.heartbeat->stop(); // the venue's chain lapses: it cancels what still rests
    if (p.io)
      p.io->stop(); // no callback runs after this; sockets close with the clients
    if (p.recorder) // the I/O threads are stopped: no frame comes after this; its exit writes the rest
      self->send_exit(p.recorder, caf::exit_reason::user_shutdown);
    stop_serving_actors(p, self);
  }
  release(p);
  spdlog::info("node: stopped");
  spdlog::default_logger()->flush();
}

} // namespace tdmaker
