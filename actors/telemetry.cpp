#include "actors/telemetry.hpp"

#include <unistd.h>

#include <map>
#include <set>

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/telemetry_phase.hpp"
#include "actors/telemetry_recorder.hpp"
#include "actors/telemetry_candles.hpp"
#include "actors/telemetry_strategies.hpp"
#include "actors/util.hpp"
#include "core/decimal.hpp"
#include "core/json_write.hpp"
#include "core/process_stats.hpp"
#include "generated/build_info.hpp"

namespace tdmaker {
namespace {

struct kind_stats {
  std::uint64_t handled = 0;
  prom::histogram latency{prom::latency_bounds_ns(), 9};
  std::set<std::uint64_t> live;
  std::map<std::uint64_t, std::int64_t> depth; // latest depth per live actor
  std::uint64_t restarts = 0;
};

/// A /proc file's text; empty when unreadable (the parsers then report -1).
std::string proc_text(const char* path) {
  auto text = read_text_file(path);
  return text ? std::move(text).value() : std::string();
}

class telemetry_impl : public instrumented<telemetry_actor::base> {
public:
  telemetry_impl(caf::actor_config& cfg, telemetry_options opts)
    : instrumented(cfg, "telemetry", telemetry_actor{}, opts.flush_every), opts_(std::move(opts)) {
  }

  behavior_type make_behavior() override {
    apply(actor_lifecycle{"telemetry", id(), true});
    if (opts_.status_every.count() > 0)
      delayed_send(this, opts_.status_every, tick_atom::value);
    return {
      [=, this](trading_status& t) {
        trading_ = std::move(t);
        trading_known_ = true;
      },
      [=, this](heartbeat_status& h) {
        heartbeat_ = std::move(h);
        heartbeat_known_ = true;
      },
      [=, this](fill_status& f) { fills_ = f; },
      [=, this](settlement_status& st) { settle_ = st; },
      [=, this](strategy_sample& s) { strategies_.apply(std::move(s), wall_ms()); },
      [=, this](candle_stats& s) {
        candles_ = s;
        candles_known_ = true;
      },
      [=, this](budget_snapshot& b) {
        budget_ = b;
        budget_known_ = true;
      },
      [=, this](tick_atom) {
        spdlog::info("{}", status_line());
        delayed_send(this, opts_.status_every, tick_atom::value);
      },
      [=, this](actor_sample& s) { apply(std::move(s)); },
      [=, this](actor_lifecycle& l) { apply(std::move(l)); },
      [=, this](actor_restart& r) {
        ++kinds_[r.kind].restarts;
        ++restarts_by_kind_[r.kind];
      },
      [=, this](store_sample& s) { apply(std::move(s)); },
      [=, this](notifier_sample& n) { notifier_ = n; },
      [=, this](recorder_sample& r) {
        recorder_ = std::move(r);
        recorder_known_ = true;
      },
      [=, this](markets_changed& m) {
        markets_ = std::move(m.markets);
        markets_retired_ = m.retired;
        markets_refused_max_live_ = m.refused_max_live;
        markets_refused_no_fee_ = m.refused_no_fee;
      },
      [=, this](phase_record& p) {
        phase_ = std::move(p);
        phase_known_ = true;
      },
      [=, this](phase_sample& s) {
        // The sample carries the phase record it was computed on: the same sender
        // sent that record before it, so this is never older than phase_.
        phase_ = s.record;
        phase_known_ = true;
        phase_sample_ = std::move(s);
        phase_sample_known_ = true;
      },
      [=, this](feed_health& f) { feeds_[f.channel] = std::move(f); },
      [=, this](safe_mode& s) { safe_mode_ = std::move(s); },
      [=, this](metrics_atom) -> std::string { return render_metrics(); },
      [=, this](status_atom) -> std::string { return render_status(); },
      [=, this](health_atom) -> health_report { return health(); },
    };
  }

protected:
  void publish_sample(actor_sample&& s) override { apply(std::move(s)); }
  void publish_lifecycle(actor_lifecycle&& l) override { apply(std::move(l)); }

private:
  void apply(actor_sample&& s) {
    auto& k = kinds_[s.kind];
    k.handled += s.handled;
    prom::histogram delta(prom::latency_bounds_ns(), 9);
    if (s.latency_buckets.size() == delta.counts().size()) {
      delta.mutable_counts() = std::move(s.latency_buckets);
      delta.set_totals(s.handled, s.latency_sum_ns);
      k.latency.merge(delta);
    }
    if (k.live.count(s.actor_id))
      k.depth[s.actor_id] = s.mailbox_depth;
  }

  void apply(actor_lifecycle&& l) {
    auto& k = kinds_[l.kind];
    if (l.alive) {
      k.live.insert(l.actor_id);
    } else {
      k.live.erase(l.actor_id);
      k.depth.erase(l.actor_id);
    }
  }

  void apply(store_sample&& s) {
    prom::histogram c(prom::latency_bounds_ns(), 9);
    prom::histogram b(prom::size_bounds(), 0);
    if (s.commit_buckets.size() == c.counts().size()
        && s.batch_buckets.size() == b.counts().size()) {
      std::uint64_t n = 0;
      for (auto v : s.commit_buckets)
        n += v;
      c.mutable_counts() = std::move(s.commit_buckets);
      c.set_totals(n, s.commit_sum_ns);
      b.mutable_counts() = std::move(s.batch_buckets);
      b.set_totals(n, s.batch_sum);
      commit_latency_.merge(c);
      batch_size_.merge(b);
    }
    commits_ += s.commits;
    commit_failures_ += s.failures;
    writes_refused_ += s.refused;
    store_state_ = s.state;
    store_failing_reason_ = std::move(s.failing_reason);
    map_used_ = s.map_used_bytes;
    map_size_ = s.map_size_bytes;
  }

  std::int64_t uptime_s() const {
    return std::chrono::duration_cast<std::chrono::seconds>(clock::now() - started_).count();
  }

  std::string render_metrics() {
    prom::exposition e;
    process_metrics(e);
    actor_metrics(e);
    phase_metrics(e);
    store_metrics(e);
    if (candles_known_)
      candle_metrics(e, candles_);
    feed_metrics(e);
    stream_metrics(e);
    order_metrics(e);
    book_metrics(e);
    if (opts_.io_metrics)
      opts_.io_metrics(e);
    return e.text();
  }

  void process_metrics(prom::exposition& e) const {
    e.family("tdmaker_build_info", "Build of the running node (value is always 1).", "gauge");
    e.sample("tdmaker_build_info",
             {{"version", build::version}, {"commit", build::commit},
              {"build_type", build::build_type}},
             std::int64_t{1});
    e.family("tdmaker_wallet_info", "Wallet type orders are signed as (value is always 1).", "gauge");
    e.sample("tdmaker_wallet_info", {{"signature_type", opts_.wallet_type}}, std::int64_t{1});
    e.family("tdmaker_uptime_seconds", "Seconds since the node started.", "gauge");
    e.sample("tdmaker_uptime_seconds", {}, uptime_s());
    auto rss = parse_statm_resident_pages(proc_text("/proc/self/statm"));
    auto threads = parse_status_threads(proc_text("/proc/self/status"));
    e.family("process_resident_memory_bytes", "Resident memory size in bytes.", "gauge");
    e.sample("process_resident_memory_bytes", {},
             rss < 0 ? std::int64_t{0} : rss * sysconf(_SC_PAGESIZE));
    e.family("process_threads", "OS threads of the node process.", "gauge");
    e.sample("process_threads", {}, threads < 0 ? std::int64_t{0} : threads);
  }

  void actor_metrics(prom::exposition& e) const {
    e.family("tdmaker_actor_messages_handled_total", "Messages handled, per actor kind.",
             "counter");
    for (auto& [kind, k] : kinds_)
      e.sample("tdmaker_actor_messages_handled_total", {{"kind", kind}}, k.handled);
    e.family("tdmaker_actor_handler_duration_seconds",
             "Time spent handling one message, per actor kind.", "histogram");
    for (auto& [kind, k] : kinds_)
      e.hist("tdmaker_actor_handler_duration_seconds", {{"kind", kind}}, k.latency);
    e.family("tdmaker_actor_mailbox_depth",
             "Messages waiting in mailboxes at the last sample, summed per actor kind.", "gauge");
    for (auto& [kind, k] : kinds_) {
      std::int64_t d = 0;
      for (auto& [id, v] : k.depth)
        d += v;
      e.sample("tdmaker_actor_mailbox_depth", {{"kind", kind}}, d);
    }
    e.family("tdmaker_actors_live", "Live actors, per actor kind.", "gauge");
    for (auto& [kind, k] : kinds_)
      e.sample("tdmaker_actors_live", {{"kind", kind}},
               static_cast<std::uint64_t>(k.live.size()));
    e.family("tdmaker_actor_restarts_total", "Supervised restarts, per actor kind.", "counter");
    for (auto& [kind, k] : kinds_)
      e.sample("tdmaker_actor_restarts_total", {{"kind", kind}}, k.restarts);
    e.family("tdmaker_markets_live", "Market actors currently alive.", "gauge");
    auto it = kinds_.find("market");
    e.sample("tdmaker_markets_live", {},
             static_cast<std::uint64_t>(it == kinds_.end() ? 0 : it->second.live.size()));
    e.family("tdmaker_markets_retired_total", "Market actors retired (their record says retired).", "counter");
    e.sample("tdmaker_markets_retired_total", {}, markets_retired_);
    e.family("tdmaker_markets_refused_total", "New markets the directory refused, per reason.", "counter");
    e.sample("tdmaker_markets_refused_total", {{"reason", "max_live"}}, markets_refused_max_live_);
    e.sample("tdmaker_markets_refused_total", {{"reason", "no_fee_schedule"}}, markets_refused_no_fee_);
  }

  void phase_metrics(prom::exposition& e) const {
    e.family("tdmaker_phase", "Current trading phase (1 for the active phase).", "gauge");
    for (auto p : all_phases)
      e.sample("tdmaker_phase", {{"phase", std::string(to_string(p))}},
               std::int64_t{phase_known_ && phase_.current == p ? 1 : 0});
    phase_policy_metrics(e, phase_sample_known_ ? &phase_sample_ : nullptr, budget_known_ ? &budget_ : nullptr);
    strategy_metrics(e, budget_known_ ? &budget_ : nullptr, settle_, strategies_, wall_ms());
    e.family("tdmaker_paper_mode", "1 when no real orders can be sent.", "gauge");
    e.sample("tdmaker_paper_mode", {}, std::int64_t{paper() ? 1 : 0});
    e.family("tdmaker_safe_mode", "1 while the node is in safe mode (no new orders).", "gauge");
    e.sample("tdmaker_safe_mode", {}, std::int64_t{safe_mode_.on ? 1 : 0});
  }

  void store_metrics(prom::exposition& e) const {
    e.family("tdmaker_store_commit_duration_seconds", "LMDB group commit latency (incl. fsync).",
             "histogram");
    e.hist("tdmaker_store_commit_duration_seconds", {}, commit_latency_);
    e.family("tdmaker_store_commit_batch_size", "Write requests per LMDB transaction.",
             "histogram");
    e.hist("tdmaker_store_commit_batch_size", {}, batch_size_);
    e.family("tdmaker_store_commits_total", "LMDB transactions committed.", "counter");
    e.sample("tdmaker_store_commits_total", {}, commits_);
    e.family("tdmaker_store_commit_failures_total", "LMDB transactions that failed.", "counter");
    e.sample("tdmaker_store_commit_failures_total", {}, commit_failures_);
    e.family("tdmaker_store_writes_refused_total",
             "Write batches refused before LMDB: a record its own reader would refuse.", "counter");
    e.sample("tdmaker_store_writes_refused_total", {}, writes_refused_);
    e.family("tdmaker_store_failed", "1 while the store is failing: no new order is admitted.", "gauge");
    e.sample("tdmaker_store_failed", {}, std::int64_t{store_state_ == store_state::failing ? 1 : 0});
    e.family("tdmaker_store_map_used_bytes", "LMDB map high-water mark (last page x page size).", "gauge");
    e.sample("tdmaker_store_map_used_bytes", {}, map_used_);
    e.family("tdmaker_store_map_size_bytes", "LMDB map size (store.map_size_mb).", "gauge");
    e.sample("tdmaker_store_map_size_bytes", {}, map_size_);
    e.family("tdmaker_notifier_messages_total",
             "Webhook messages: sent, refused (permanent 4xx, dropped), dropped (queue full).", "counter");
    e.sample("tdmaker_notifier_messages_total", {{"result", "sent"}}, notifier_.sent);
    e.sample("tdmaker_notifier_messages_total", {{"result", "refused"}}, notifier_.refused);
    e.sample("tdmaker_notifier_messages_total", {{"result", "dropped"}}, notifier_.queue_dropped);
    recorder_metrics(e, recorder_known_ ? &recorder_ : nullptr);
  }

  void feed_metrics(prom::exposition& e) const {
    if (feeds_.empty())
      return;
    auto per_channel = [&](const char* name, const char* help, const char* type, auto value) {
      e.family(name, help, type);
      for (auto& [ch, f] : feeds_)
        e.sample(name, {{"channel", ch}}, value(f));
    };
    per_channel("tdmaker_feed_connected", "1 while the feed connection is up.", "gauge",
                [](const feed_health& f) { return std::int64_t{f.connected ? 1 : 0}; });
    per_channel("tdmaker_feed_reconnects_total", "Feed reconnects.", "counter",
                [](const feed_health& f) { return f.reconnects; });
    per_channel("tdmaker_feed_messages_total", "Frames received.", "counter",
                [](const feed_health& f) { return f.messages; });
    per_channel("tdmaker_feed_last_message_age_seconds", "Seconds since the last frame (-1: none yet).",
                "gauge", [](const feed_health& f) {
                  return f.last_message_age_ms < 0 ? std::string("-1") : format_fixed(f.last_message_age_ms, 3);
                });
    per_channel("tdmaker_feed_consecutive_failures", "Failed connects in a row (10 trips safe mode).",
                "gauge", [](const feed_health& f) { return std::int64_t{f.consecutive_failures}; });
    per_channel("tdmaker_feed_stalls_total", "Reconnects forced by a silent connection.", "counter",
                [](const feed_health& f) { return f.stalls; });
    per_channel("tdmaker_feed_bad_events_total", "Frames or events that failed to decode.", "counter",
                [](const feed_health& f) { return f.bad_events; });
    per_channel("tdmaker_feed_book_refetches_total", "/book re-fetches after a gap or hash mismatch.",
                "counter", [](const feed_health& f) { return f.book_refetches; });
    per_channel("tdmaker_feed_oversize_messages_total",
                "Messages refused for being over the WebSocket size limit (the connection is replaced).",
                "counter", [](const feed_health& f) { return f.oversize; });
  }

  /// Per-stream health (seed 004, docs/events.md): each channel, and each reference
  /// symbol of the price channel, as one `stream`. Drops: frames refused (bad or
  /// oversize); gaps: a channel's forced reconnects and book re-fetches, a
  /// symbol's silences of 10 s or more. Candles: a symbol's completed one-minute
  /// candles (with candles.enabled; a channel has none of its own).
  void stream_metrics(prom::exposition& e) const {
    if (feeds_.empty())
      return;
    struct row {
      std::string stream;
      std::uint64_t messages, ticks, drops, gaps;
      std::int64_t age_ms;
    };
    std::vector<row> rows;
    for (auto& [ch, f] : feeds_) {
      rows.push_back({ch, f.messages, f.ticks, f.bad_events + f.oversize, f.stalls + f.book_refetches,
                      f.last_message_age_ms});
      for (auto& s : f.symbols)
        rows.push_back({s.symbol, s.ticks, s.ticks, 0, s.gaps, s.last_tick_age_ms});
    }
    auto family = [&](const char* name, const char* help, const char* type, auto value) {
      e.family(name, help, type);
      for (auto& r : rows)
        e.sample(name, {{"stream", r.stream}}, value(r));
    };
    family("tdmaker_stream_messages_total", "Messages received per stream (a symbol: its ticks).", "counter",
           [](const row& r) { return r.messages; });
    family("tdmaker_stream_ticks_total", "Market data events or reference ticks per stream.", "counter",
           [](const row& r) { return r.ticks; });
    family("tdmaker_stream_drops_total", "Messages of the stream refused (undecodable or oversize).", "counter",
           [](const row& r) { return r.drops; });
    family("tdmaker_stream_gaps_total", "Gaps per stream: forced reconnects and book re-fetches, a symbol's silences.",
           "counter", [](const row& r) { return r.gaps; });
    family("tdmaker_stream_last_message_age_seconds", "Seconds since the stream's last message (-1: none yet).",
           "gauge", [](const row& r) { return r.age_ms < 0 ? std::string("-1") : format_fixed(r.age_ms, 3); });
    if (!candles_known_)
      return;
    e.family("tdmaker_stream_candles_total", "One-minute candles completed per reference stream.", "counter");
    for (auto& c : candles_.by_reference)
      e.sample("tdmaker_stream_candles_total", {{"stream", c.stream}}, c.completed);
  }

  /// The order actor's trading state and the bidding budget.
  void order_metrics(prom::exposition& e) const {
    e.family("tdmaker_trading_allowed", "1 while new orders may be placed.", "gauge");
    e.sample("tdmaker_trading_allowed", {}, std::int64_t{trading_.allow_new ? 1 : 0});
    e.family("tdmaker_trading_halted", "1 after stale escalation halted trading (a phase switch resumes).", "gauge");
    e.sample("tdmaker_trading_halted", {}, std::int64_t{trading_.halted ? 1 : 0});
    e.family("tdmaker_orders_open", "Orders that may rest on the venue (paper orders apart).", "gauge");
    e.sample("tdmaker_orders_open", {}, std::int64_t{trading_.open_orders});
    e.family("tdmaker_paper_orders_open", "Paper orders open (recorded, never sent).", "gauge");
    e.sample("tdmaker_paper_orders_open", {}, std::int64_t{trading_.paper_open_orders});
    e.family("tdmaker_open_exposure_usdc", "Price x remaining size of open orders, pUSD.", "gauge");
    e.sample("tdmaker_open_exposure_usdc", {}, format_fixed(trading_.open_exposure.micros, 6));
    e.family("tdmaker_orders_total", "Order outcomes since start.", "counter");
    e.sample("tdmaker_orders_total", {{"result", "placed"}}, trading_.placed);
    e.sample("tdmaker_orders_total", {{"result", "rejected"}}, trading_.rejected);
    e.sample("tdmaker_orders_total", {{"result", "cancelled"}}, trading_.cancelled);
    e.sample("tdmaker_orders_total", {{"result", "filled"}}, trading_.filled);
    e.family("tdmaker_orders_refused_total", "New orders refused up front, by reason.", "counter");
    e.sample("tdmaker_orders_refused_total", {{"reason", "store"}}, trading_.refused_store);
    e.sample("tdmaker_orders_refused_total", {{"reason", "heartbeat"}}, trading_.refused_heartbeat);
    e.sample("tdmaker_orders_refused_total", {{"reason", "phase_limits"}}, trading_.refused_limits);
    e.family("tdmaker_delayed_placements_total", "Placements answered delayed/unmatched (taker delay).", "counter");
    e.sample("tdmaker_delayed_placements_total", {{"status", "delayed"}}, trading_.delayed_placements);
    e.sample("tdmaker_delayed_placements_total", {{"status", "unmatched"}}, trading_.unmatched_placements);
    e.family("tdmaker_delayed_orders_followed", "Delayed orders being followed on the venue to their end.", "gauge");
    e.sample("tdmaker_delayed_orders_followed", {}, static_cast<std::int64_t>(trading_.followed));
    e.family("tdmaker_cancel_retries_total", "Cancels that failed (after the REST retries) and were sent again.", "counter");
    e.sample("tdmaker_cancel_retries_total", {}, trading_.cancel_retries);
    e.family("tdmaker_ghost_orders_found_total", "Orders without a clear reply found on the venue.", "counter");
    e.sample("tdmaker_ghost_orders_found_total", {}, trading_.ghosts_found);
    e.family("tdmaker_orphan_orders_cancelled_total", "Venue orders unknown to the ledger, cancelled at start.", "counter");
    e.sample("tdmaker_orphan_orders_cancelled_total", {}, trading_.orphans_cancelled);
    e.family("tdmaker_orders_adopted_total", "Ledger orders found resting at start and adopted.", "counter");
    e.sample("tdmaker_orders_adopted_total", {}, trading_.adopted);
    heartbeat_metrics(e);
    e.family("tdmaker_budget_limit_usdc", "Global exposure budget, pUSD.", "gauge");
    e.sample("tdmaker_budget_limit_usdc", {}, format_fixed(budget_.limit.micros, 6));
    e.family("tdmaker_budget_reserved_usdc", "Budget reserved by resting orders and positions, pUSD.", "gauge");
    e.sample("tdmaker_budget_reserved_usdc", {}, format_fixed(budget_.reserved.micros, 6));
  }

  /// The CLOB heartbeat chain: only a live node with a key runs one.
  void heartbeat_metrics(prom::exposition& e) const {
    if (!heartbeat_known_)
      return;
    e.family("tdmaker_heartbeat_state", "The CLOB heartbeat chain: 1 for its state (not healthy = no new order).", "gauge");
    for (auto s : {heartbeat_state::starting, heartbeat_state::healthy, heartbeat_state::unhealthy})
      e.sample("tdmaker_heartbeat_state", {{"state", std::string(to_string(s))}},
               std::int64_t{heartbeat_.state == s ? 1 : 0});
    e.family("tdmaker_heartbeats_sent_total", "POST /v1/heartbeats sent.", "counter");
    e.sample("tdmaker_heartbeats_sent_total", {}, heartbeat_.sent);
    e.family("tdmaker_heartbeats_failed_total", "Heartbeats failed, unanswered or refused (Invalid Heartbeat ID).", "counter");
    e.sample("tdmaker_heartbeats_failed_total", {}, heartbeat_.failed);
    e.family("tdmaker_heartbeat_lapses_total", "Heartbeat chains broken: the venue cancelled every order; reconciled.", "counter");
    e.sample("tdmaker_heartbeat_lapses_total", {}, heartbeat_.lapses);
  }

  /// PnL, positions, fills and settlements.
  void book_metrics(prom::exposition& e) const {
    e.family("tdmaker_realised_pnl_usdc", "Realised PnL of every settlement on record, pUSD.", "gauge");
    e.sample("tdmaker_realised_pnl_usdc", {}, format_fixed(settle_.realised_pnl.micros, 6));
    e.family("tdmaker_paper_pnl_usdc", "PnL of the settled paper book (simulated fills), pUSD.", "gauge");
    e.sample("tdmaker_paper_pnl_usdc", {}, format_fixed(settle_.paper_pnl.micros, 6));
    e.family("tdmaker_open_positions", "Positions (tokens) held on the venue in markets not yet settled.", "gauge");
    e.sample("tdmaker_open_positions", {}, static_cast<std::uint64_t>(fills_.open_positions));
    e.family("tdmaker_paper_open_positions", "Paper-book positions of markets not yet settled.", "gauge");
    e.sample("tdmaker_paper_open_positions", {}, static_cast<std::uint64_t>(fills_.paper_open_positions));
    e.family("tdmaker_open_position_cost_usdc", "Net cost of the open positions, pUSD.", "gauge");
    e.sample("tdmaker_open_position_cost_usdc", {}, format_fixed(fills_.open_cost.micros, 6));
    e.family("tdmaker_fills_total", "Fills booked since start, by the source that delivered them first.", "counter");
    e.sample("tdmaker_fills_total", {{"source", "user_ws"}}, fills_.booked - fills_.from_reconcile - fills_.paper);
    e.sample("tdmaker_fills_total", {{"source", "reconcile"}}, fills_.from_reconcile);
    e.sample("tdmaker_fills_total", {{"source", "paper"}}, fills_.paper);
    e.family("tdmaker_fill_duplicates_total", "Fill reports ignored as already booked (replays, reconciliation).", "counter");
    e.sample("tdmaker_fill_duplicates_total", {}, fills_.duplicates);
    e.family("tdmaker_fills_reversed_total", "Booked fills whose trade FAILED.", "counter");
    e.sample("tdmaker_fills_reversed_total", {}, fills_.reversed);
    e.family("tdmaker_fills_fee_unknown_total",
             "Venue taker fills of a market with no fee schedule known, booked with fee 0.", "counter");
    e.sample("tdmaker_fills_fee_unknown_total", {}, fills_.fee_unknown);
    e.family("tdmaker_fills_paper_oversells_total",
             "Paper sells above the paper holding, refused (the paper book never goes short).", "counter");
    e.sample("tdmaker_fills_paper_oversells_total", {}, fills_.paper_oversells);
    e.family("tdmaker_fills_strategy_unknown_total",
             "Fills of an order no strategy is known for, booked as td_maker.", "counter");
    e.sample("tdmaker_fills_strategy_unknown_total", {}, fills_.strategy_unknown);
    e.family("tdmaker_settlements_total", "Markets settled (all runs).", "counter");
    e.sample("tdmaker_settlements_total", {}, settle_.settled);
    e.family("tdmaker_settlements_forced_total", "Settlements forced after the deferral limit.", "counter");
    e.sample("tdmaker_settlements_forced_total", {}, settle_.forced);
    e.family("tdmaker_settlements_deferred_total", "Markets due but not yet resolved when first asked.", "counter");
    e.sample("tdmaker_settlements_deferred_total", {}, settle_.deferred);
  }

  /// The 30 s status line: markets, orders, exposure, PnL, feed health.
  std::string status_line() const {
    std::string line = "status: markets " + std::to_string(markets_.size());
    line += " | orders open " + std::to_string(trading_.open_orders) + " (exposure "
            + format_fixed(trading_.open_exposure.micros, 6) + ")";
    line += " | budget " + format_fixed(budget_.reserved.micros, 6) + "/" + format_fixed(budget_.limit.micros, 6);
    line += " | fills " + std::to_string(fills_.booked) + " | positions " + std::to_string(fills_.open_positions)
            + " paper " + std::to_string(fills_.paper_open_positions)
            + " (cost " + format_fixed(fills_.open_cost.micros, 6) + ") | pnl realised "
            + format_fixed(settle_.realised_pnl.micros, 6) + " paper " + format_fixed(settle_.paper_pnl.micros, 6) + " ("
            + std::to_string(settle_.settled) + " settled)";
    line += " | feeds";
    for (auto& [ch, f] : feeds_)
      line += " " + ch + (f.connected ? " up " : " DOWN ")
              + (f.last_message_age_ms < 0 ? std::string("-") : format_fixed(f.last_message_age_ms, 3) + "s");
    line += " | trading ";
    line += !trading_known_ ? "starting"
            : trading_.allow_new ? (trading_.reason.empty() ? "on" : "on (" + trading_.reason + ")")
                                 : "OFF (" + trading_.reason + ")";
    return line;
  }

  bool paper() const {
    return opts_.mode == trading_mode::paper || !phase_known_ || is_paper_only(phase_.current);
  }

  std::string render_status() const {
    json::object_writer w;
    w.str("version", build::version)
      .str("commit", build::commit)
      .num("uptime_s", uptime_s())
      .str("mode", to_string(opts_.mode))
      .flag("paper", paper())
      .str("market_connection", opts_.market_connection);
    status_phase(w);
    status_trading(w);
    write_strategies(w, budget_known_ ? &budget_ : nullptr, settle_, strategies_, wall_ms());
    w.flag("safe_mode", safe_mode_.on);
    if (safe_mode_.on)
      w.str("safe_mode_reason", safe_mode_.reason);
    status_feeds(w);
    status_markets(w);
    status_actors(w);
    w.open("store")
      .num("commits", commits_)
      .num("failures", commit_failures_)
      .str("state", to_string(store_state_))
      .str("failing_reason", store_failing_reason_)
      .num("map_used_bytes", map_used_)
      .num("map_size_bytes", map_size_)
      .close();
    return w.take();
  }

  void status_phase(json::object_writer& w) const {
    if (!phase_known_) {
      w.null("phase");
      return;
    }
    // The phase manager's GET /phase object, as it rendered it; until its first
    // sample, the record's part of it.
    if (phase_sample_known_ && !phase_sample_.status_json.empty())
      w.raw("phase", phase_sample_.status_json);
    else
      w.open("phase")
        .str("phase", to_string(phase_.current))
        .str("previous", to_string(phase_.previous))
        .num("since_ms", phase_.since_ms)
        .str("source", phase_.source)
        .str("reason", phase_.reason)
        .close();
    if (budget_known_) {
      w.open("phase_limits");
      write_phase_limits(w, budget_);
      w.close();
    }
  }

  void status_trading(json::object_writer& w) const {
    w.open("trading")
      .flag("allow_new", trading_.allow_new)
      .flag("halted", trading_.halted)
      .flag("reconciled", trading_.reconciled)
      .str("reason", trading_.reason)
      .num("open_orders", trading_.open_orders)
      .num("paper_open_orders", trading_.paper_open_orders)
      .str("open_exposure", format_fixed(trading_.open_exposure.micros, 6))
      .str("budget_limit", format_fixed(budget_.limit.micros, 6))
      .str("budget_reserved", format_fixed(budget_.reserved.micros, 6))
      .str("realised_pnl", format_fixed(settle_.realised_pnl.micros, 6))
      .str("paper_pnl", format_fixed(settle_.paper_pnl.micros, 6))
      .str("open_position_cost", format_fixed(fills_.open_cost.micros, 6))
      .num("open_positions", fills_.open_positions)
      .num("paper_open_positions", fills_.paper_open_positions)
      .num("fills", fills_.booked)
      .num("fills_from_reconcile", fills_.from_reconcile)
      .num("fill_duplicates", fills_.duplicates)
      .num("settlements", settle_.settled)
      .num("placed", trading_.placed)
      .num("rejected", trading_.rejected)
      .num("cancelled", trading_.cancelled)
      .num("ghosts_found", trading_.ghosts_found)
      .num("delayed_placements", trading_.delayed_placements + trading_.unmatched_placements)
      .num("delayed_followed", trading_.followed)
      .num("orphans_cancelled", trading_.orphans_cancelled)
      .num("adopted", trading_.adopted)
      .close();
  }

  void status_feeds(json::object_writer& w) const {
    w.open("feeds");
    for (auto& [ch, f] : feeds_)
      w.open(ch)
        .flag("connected", f.connected)
        .num("reconnects", f.reconnects)
        .num("messages", f.messages)
        .num("last_message_age_ms", f.last_message_age_ms)
        .num("consecutive_failures", f.consecutive_failures)
        .close();
    w.close();
  }

  void status_markets(json::object_writer& w) const {
    w.open_array("markets");
    for (auto& m : markets_)
      w.open()
        .str("condition_id", m.id.hex)
        .str("slug", m.slug)
        .str("status", to_string(m.status))
        .num("restarts", m.restarts)
        .close();
    w.close_array();
  }

  void status_actors(json::object_writer& w) const {
    w.open("actors");
    for (auto& [kind, k] : kinds_)
      w.open(kind).num("live", k.live.size()).num("handled", k.handled).num("restarts", k.restarts).close();
    w.close();
  }

  health_report health() {
    health_report r;
    // The store's own rule says when it is trusted again: a commit that slips
    // through a nearly full map does not make it healthy, and its probe does
    // (every failed commit trips it, so this covers the last commit failing).
    if (store_state_ == store_state::failing)
      r.reasons.push_back("store: failing: " + store_failing_reason_);
    if (!phase_known_)
      r.reasons.push_back("phase: not loaded yet");
    if (safe_mode_.on)
      r.reasons.push_back("safe mode: " + safe_mode_.reason);
    for (auto& kind : opts_.required_kinds) {
      auto it = kinds_.find(kind);
      if (it == kinds_.end() || it->second.live.empty())
        r.reasons.push_back("actor down: " + kind);
    }
    r.healthy = r.reasons.empty();
    return r;
  }

  telemetry_options opts_;
  clock::time_point started_ = clock::now();
  std::map<std::string, kind_stats> kinds_;
  std::map<std::string, std::uint64_t> restarts_by_kind_;
  prom::histogram commit_latency_{prom::latency_bounds_ns(), 9};
  prom::histogram batch_size_{prom::size_bounds(), 0};
  std::uint64_t commits_ = 0;
  std::uint64_t commit_failures_ = 0;
  std::uint64_t writes_refused_ = 0;
  store_state store_state_ = store_state::healthy;
  std::string store_failing_reason_;
  std::uint64_t map_used_ = 0;
  std::uint64_t map_size_ = 0;
  notifier_sample notifier_;
  recorder_sample recorder_;
  bool recorder_known_ = false;
  std::vector<market_summary> markets_;
  std::uint64_t markets_retired_ = 0;
  std::uint64_t markets_refused_max_live_ = 0;
  std::uint64_t markets_refused_no_fee_ = 0;
  phase_record phase_;
  bool phase_known_ = false;
  phase_sample phase_sample_;
  bool phase_sample_known_ = false;
  std::map<std::string, feed_health> feeds_;
  safe_mode safe_mode_;
  trading_status trading_;
  bool trading_known_ = false;
  heartbeat_status heartbeat_;
  bool heartbeat_known_ = false;
  budget_snapshot budget_;
  bool budget_known_ = false;
  fill_status fills_;
  settlement_status settle_;
  strategy_samples strategies_; // the 99c capture's markets (market actors' samples)
  candle_stats candles_;
  bool candles_known_ = false; // no candles actor (candles.enabled false): no family
};

} // namespace

telemetry_actor spawn_telemetry(caf::actor_system& sys, telemetry_options opts) {
  return sys.spawn<telemetry_impl>(std::move(opts));
}

} // namespace tdmaker
