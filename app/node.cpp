#include "app/node.hpp"

#include <fstream>
#include <sstream>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <spdlog/spdlog.h>

#include <boost/asio/steady_timer.hpp>

#include "actors/audit.hpp"
#include "actors/bidding.hpp"
#include "net/clob_session.hpp"
#include "actors/fill.hpp"
#include "actors/notifier.hpp"
#include "actors/settlement.hpp"
#include "actors/stop_loss.hpp"
#include "net/venue_reads.hpp"
#include "actors/order.hpp"
#include "net/order_venue.hpp"
#include "actors/control.hpp"
#include "actors/directory.hpp"
#include "actors/discovery.hpp"
#include "actors/feed.hpp"
#include "net/http_client.hpp"
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
#include "generated/build_info.hpp"
#include "messages/register.hpp"

namespace tdmaker {

struct node::impl {
  caf::actor_system_config sys_cfg;
  std::unique_ptr<caf::actor_system> sys;
  telemetry_actor telemetry;
  store_actor store;
  notifier_actor notifier;
  audit_actor audit;
  bidding_actor bidding;
  order_actor orders;
  phase_manager_actor phases;
  control_actor control;
  directory_actor directory;
  fill_actor fills;
  settlement_actor settlement;
  stop_loss_actor stop_loss;
  feed_actor feed;
  discovery_actor discovery;
  std::unique_ptr<io_pool> io;
  std::shared_ptr<http_client> clob;
  std::shared_ptr<http_client> gamma;
  std::shared_ptr<clob_session> session;
  std::unique_ptr<http_server> http;
  std::uint16_t port = 0;
  bool stopped = false;
};

node::node(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

node::~node() { shutdown(); }

std::uint16_t node::http_port() const { return impl_->port; }

namespace {

/// Taker fee rate of the crypto up/down markets (ref §3.5: 0.07, taker only).
constexpr std::int64_t taker_fee_rate_ppm = 70'000;

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
  o.flush_every = flush;
  return o;
}

// L1 create-or-derive, retried until it works: the user channel and the
// order actor's reconciliation wait for it.
void establish_credentials(std::shared_ptr<clob_session> s, weak_handle<feed_actor> feed,
                           weak_handle<order_actor> orders, boost::asio::any_io_executor ex,
                           std::chrono::seconds retry) {
  s->establish_credentials([s, feed, orders, ex, retry](result<api_credentials> c) {
    if (c) {
      spdlog::info("clob: API credentials ready for {} (not logged)", to_checksum(s->address()));
      feed.send(credentials_ready{true, ""});
      orders.send(credentials_ready{true, ""});
      return;
    }
    spdlog::error("clob: API credentials not obtained: {}; retrying in {} s", c.error(), retry.count());
    auto t = std::make_shared<boost::asio::steady_timer>(ex, retry);
    t->async_wait([s, feed, orders, ex, retry, t](const boost::system::error_code& ec) {
      if (!ec)
        establish_credentials(s, feed, orders, ex, std::min(retry * 2, std::chrono::seconds(60)));
    });
  });
}

bidding_options bidding_options_of(const node_config& cfg, std::optional<entry_model> model,
                                   std::chrono::milliseconds flush) {
  bidding_options o;
  o.entry.target_bid = price{cfg.entry_target_bid};
  o.entry.max_bid = price{cfg.entry_max_bid};
  o.entry.min_move_ppm = cfg.entry_min_move_ppm;
  o.entry.max_move_ppm = cfg.entry_max_move_ppm;
  o.entry.min_entry_s = cfg.entry_min_entry_s;
  o.entry.max_entry_s = cfg.entry_max_entry_s;
  o.entry.fair_value = cfg.entry_fair_value;
  o.entry.annual_vol_ppm = cfg.entry_annual_vol_ppm;
  o.entry.min_edge = price{cfg.entry_min_edge};
  o.model = std::move(model);
  o.ladder.rungs = static_cast<std::uint32_t>(cfg.ladder_rungs);
  o.ladder.spacing_ticks = static_cast<std::uint32_t>(cfg.ladder_spacing_ticks);
  o.ladder.shares_per_rung = cfg.ladder_shares_per_rung;
  o.ladder.sequential = cfg.ladder_sequential;
  o.max_exposure = usdc{cfg.budget_max_exposure};
  o.max_per_market = usdc{cfg.budget_max_per_market};
  o.auto_fraction_ppm = cfg.budget_auto_fraction_ppm;
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

} // namespace

result<std::unique_ptr<node>> node::start(const node_config& cfg, std::string control_token,
                                           std::optional<private_key> key) {
  auto model = load_model<entry_model>("entry.model_file", cfg.entry_model_file, parse_entry_model);
  if (!model)
    return fail(model.error());
  auto exit = load_model<exit_model>("stop_loss.model_file", cfg.stop_loss_model_file, parse_exit_model);
  if (!exit)
    return fail(exit.error());
  auto env = lmdb_env::open(cfg.data_dir, cfg.store_map_size_mb);
  if (!env)
    return fail(env.error());
  for (auto& m : (*env)->migrations_run())
    spdlog::info("store: migration {} applied", m);
  spdlog::info("store: LMDB at {} schema {}", cfg.data_dir, (*env)->schema_version());

  auto p = std::make_unique<impl>();
  register_message_types(p->sys_cfg);
  p->sys_cfg.set("scheduler.max-threads", static_cast<std::size_t>(cfg.worker_threads));
  p->sys_cfg.set("logger.verbosity", caf::atom("quiet"));
  p->sys = std::make_unique<caf::actor_system>(p->sys_cfg);
  auto& sys = *p->sys;
  std::chrono::milliseconds flush{cfg.telemetry_flush_ms};

  telemetry_options topts;
  topts.flush_every = flush;
  topts.mode = cfg.mode;
  topts.market_connection = cfg.venue_clob_url + " (market " + cfg.venue_market_ws_url + ")";
  topts.required_kinds = {"store", "phase_manager", "directory", "control", "notifier", "feed",
                          "discovery", "bidding", "order", "fill", "settlement", "stop_loss"};
  topts.status_every = std::chrono::milliseconds(cfg.status_interval_ms);
  p->telemetry = spawn_telemetry(sys, topts);
  p->store = spawn_store(sys, std::move(env).value(), p->telemetry,
                         {static_cast<std::size_t>(cfg.store_max_batch), flush});
  // The exchange link: I/O threads (the notifier's webhook uses them too).
  p->io = std::make_unique<io_pool>(cfg.venue_io_threads);
  notifier_options nopts;
  nopts.flush_every = flush;
  if (!cfg.notifier_webhook_url.empty()) {
    http_client_options wopts;
    wopts.timeout = std::chrono::milliseconds(10'000);
    nopts.webhook = http_client::make(*p->io, *parse_endpoint(cfg.notifier_webhook_url), wopts);
    nopts.bot_token = cfg.notifier_bot_token;
    nopts.chat_id = cfg.notifier_chat_id;
    nopts.min_level = cfg.notifier_min_level;
    nopts.per_minute = cfg.notifier_per_minute;
    nopts.queue_max = static_cast<std::size_t>(cfg.notifier_queue_max);
  }
  p->notifier = spawn_notifier(sys, p->telemetry, nopts);
  p->audit = spawn_audit(sys, cfg.log_dir);
  // The exchange link: REST clients, the feed.
  http_client_options hopts;
  hopts.timeout = std::chrono::milliseconds(cfg.venue_request_timeout_ms);
  hopts.limits = polymarket_rate_limits();
  p->clob = http_client::make(*p->io, *parse_endpoint(cfg.venue_clob_url), hopts);
  p->gamma = http_client::make(*p->io, *parse_endpoint(cfg.venue_gamma_url), hopts);
  if (key)
    p->session = clob_session::make(p->clob, std::move(*key));
  // Trading: bidding owns the budget, the order actor the venue's order API.
  p->bidding = spawn_bidding(sys, p->telemetry, p->audit, bidding_options_of(cfg, std::move(model).value(), flush));
  p->orders = spawn_order(sys, p->session ? make_clob_order_venue(p->session) : nullptr,
                          order_peers{p->store, p->bidding, p->telemetry, p->notifier, p->audit},
                          order_options_of(cfg, flush));
  phase_manager_options popts{cfg.initial_phase, cfg.log_dir, flush, p->bidding, p->orders};
  p->phases = spawn_phase_manager(sys, p->store, p->telemetry, p->notifier, popts);
  p->control = spawn_control(sys, p->phases, p->telemetry, flush);
  // Fills and settlement: every fill committed once, positions settled from them.
  fill_options fill_opts;
  fill_opts.flush_every = flush;
  fill_opts.reconcile_every = std::chrono::milliseconds(cfg.fills_reconcile_interval_ms);
  fill_opts.lookback_s = cfg.fills_lookback_s;
  fill_opts.fetch_trades = make_trades_fetcher(p->session, taker_fee_rate_ppm);
  p->fills = spawn_fill(sys, fill_peers{p->store, p->orders, p->telemetry, p->notifier, p->audit}, fill_opts);
  p->stop_loss = spawn_stop_loss(sys, stop_loss_peers{p->telemetry, p->notifier, p->audit},
                                 stop_loss_options_of(cfg, std::move(exit).value(), flush));
  auto fopts = feed_options_of(cfg, flush);
  fopts.risk = p->orders;
  fopts.fills = p->fills;
  fopts.fee_rate_ppm = taker_fee_rate_ppm;
  p->feed = spawn_feed(sys, p->io.get(), p->clob, p->session, p->telemetry, p->notifier, fopts);
  if (p->session)
    establish_credentials(p->session, weak_handle<feed_actor>(p->feed), weak_handle<order_actor>(p->orders),
                          p->clob->executor(), std::chrono::seconds(2));
  else
    spdlog::info("clob: no TDMAKER_PRIVATE_KEY: market data only (no user channel, no venue orders)");

  directory_options dopts;
  dopts.max_live = cfg.markets_max_live;
  dopts.max_restarts = cfg.markets_max_restarts;
  dopts.restart_window = std::chrono::seconds(cfg.markets_restart_window_s);
  dopts.market.fault_injection = cfg.debug_fault_injection;
  dopts.market.flush_every = flush;
  dopts.market.book_hash_check = cfg.feed_book_hash_check;
  dopts.market.feed = p->feed;
  dopts.market.bidding = p->bidding;
  dopts.market.orders = p->orders;
  dopts.market.fills = p->fills;
  dopts.market.stop_loss = p->stop_loss;
  dopts.market.audit = p->audit;
  dopts.market.fee_rate_ppm = taker_fee_rate_ppm;
  dopts.market.stop_before_end_ms = cfg.orders_cancel_before_end_ms;
  dopts.flush_every = flush;
  p->directory = spawn_directory(sys, p->store, p->telemetry, p->notifier, dopts);
  settlement_options sopts;
  sopts.flush_every = flush;
  sopts.rules = {cfg.settlement_grace_s, cfg.settlement_defer_max_s, price{cfg.settlement_win_bid}};
  sopts.tick_every = std::chrono::milliseconds(cfg.settlement_interval_ms);
  p->settlement = spawn_settlement(
    sys, settlement_peers{p->store, p->fills, p->orders, p->directory, p->phases, p->telemetry, p->notifier, p->audit},
    make_resolution_sources(p->gamma, p->clob), sopts);
  discovery_options disc;
  disc.assets = cfg.discovery_assets;
  disc.slot_seconds = cfg.discovery_slot_seconds;
  disc.lookahead_slots = cfg.discovery_lookahead_slots;
  disc.interval = std::chrono::milliseconds(cfg.discovery_interval_ms);
  disc.retire_after_end = std::chrono::seconds(cfg.discovery_retire_after_end_s);
  disc.flush_every = flush;
  p->discovery = spawn_discovery(sys, p->gamma, p->directory, p->feed, p->telemetry, disc);

  spdlog::info("node: tdmaker {} ({}) started: {} worker threads, mode {}, data {}",
               build::version, build::commit, cfg.worker_threads, to_string(cfg.mode),
               cfg.data_dir);
  spdlog::info("node: venue CLOB {}, Gamma {}, market WS {}, RTDS {}", cfg.venue_clob_url,
               cfg.venue_gamma_url, cfg.venue_market_ws_url, cfg.venue_rtds_url);

  if (control_token.empty())
    spdlog::warn("http: control endpoint disabled: TDMAKER_CONTROL_TOKEN is not set");
  p->http = std::make_unique<http_server>(sys, http_targets{p->telemetry, p->control, p->directory},
                                          std::move(control_token));
  auto port = p->http->start(cfg.http_listen);
  std::unique_ptr<node> n(new node(std::move(p)));
  if (!port) {
    n->shutdown();
    return fail(port.error());
  }
  n->impl_->port = *port;
  spdlog::info("http: listening on {}:{} (/metrics /health /status /control/phase)",
               cfg.http_listen.host, *port);
  return n;
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
    for (auto h : {caf::actor_cast<caf::actor>(p.discovery), caf::actor_cast<caf::actor>(p.feed),
                   caf::actor_cast<caf::actor>(p.directory), caf::actor_cast<caf::actor>(p.control),
                   caf::actor_cast<caf::actor>(p.phases), caf::actor_cast<caf::actor>(p.settlement),
                   caf::actor_cast<caf::actor>(p.fills), caf::actor_cast<caf::actor>(p.stop_loss),
                   caf::actor_cast<caf::actor>(p.orders),
                   caf::actor_cast<caf::actor>(p.bidding), caf::actor_cast<caf::actor>(p.notifier)})
      self->send_exit(h, caf::exit_reason::user_shutdown);
    // Everything acknowledged is already durable; this barrier commits whatever
    // was queued by actors that were still running a moment ago.
    self->request(p.store, std::chrono::seconds(3), flush_atom::value)
      .receive([](commit_ack& a) { spdlog::info("store: flushed (commit {})", a.commit_seq); },
               [](caf::error& e) { spdlog::error("store: flush failed: {}", error_text(e)); });
    if (p.io)
      p.io->stop(); // no callback runs after this; sockets close with the clients
    self->send_exit(p.store, caf::exit_reason::user_shutdown);
    self->send_exit(p.audit, caf::exit_reason::user_shutdown);
    self->send_exit(p.telemetry, caf::exit_reason::user_shutdown);
  }
  p.discovery = nullptr;
  p.feed = nullptr;
  p.directory = nullptr;
  p.control = nullptr;
  p.phases = nullptr;
  p.notifier = nullptr;
  p.settlement = nullptr;
  p.stop_loss = nullptr;
  p.fills = nullptr;
  p.orders = nullptr;
  p.bidding = nullptr;
  p.audit = nullptr;
  p.store = nullptr;
  p.telemetry = nullptr;
  p.http.reset();
  p.session.reset();
  p.clob.reset();
  p.gamma.reset();
  p.sys.reset(); // waits for every actor to finish
  p.io.reset();
  spdlog::info("node: stopped");
  spdlog::default_logger()->flush();
}

} // namespace tdmaker
