#include "actors/feed.hpp"

#include <map>
#include <set>
#include <unordered_map>

#include <caf/actor_system.hpp>
#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "net/clob_session.hpp"
#include "core/trade_codec.hpp"
#include "net/http_client.hpp"
#include "actors/instrumented.hpp"
#include "actors/util.hpp"
#include "net/io_pool.hpp"
#include "net/weak_handle.hpp"
#include "net/ws_client.hpp"
#include "core/candle_tap.hpp"
#include "core/circuit_breaker.hpp"
#include "core/feed_codec.hpp"
#include "core/json_parse.hpp"
#include "core/json_write.hpp"
#include "core/stream_health.hpp"

namespace tdmaker {
namespace {

constexpr const char* channel_names[] = {"market", "user", "rtds"};

class feed_impl : public instrumented<feed_actor::base>, private market_event_sink {
public:
  feed_impl(caf::actor_config& cfg, io_pool* io, http_fetch clob,
            std::shared_ptr<clob_session> session, telemetry_actor telemetry, notifier_actor notifier,
            feed_options opts)
    : instrumented(cfg, "feed", telemetry, opts.flush_every),
      io_(io),
      clob_(std::move(clob)),
      session_(std::move(session)),
      telemetry_(std::move(telemetry)),
      notifier_(std::move(notifier)),
      opts_(std::move(opts)),
      tap_(opts_.candle_tokens) {
    for (int i = 0; i < 3; ++i) {
      ch_[i].health.channel = channel_names[i];
      ch_[i].breaker = circuit_breaker(opts_.breaker_failures);
    }
  }

  behavior_type make_behavior() override {
    start_clients();
    send(this, tick_atom::value);
    return {
      [=, this](subscribe_market& s, market_actor& m) { add_market(std::move(s), std::move(m)); },
      [=, this](unsubscribe_market& u) { remove_market(u.market); },
      [=, this](const ws_frame& f) { on_frame(f); }, // const&: the recorder may share the message
      [=, this](ws_state& s) { on_state(s); },
      [=, this](refetch_book& r) { refetch(r); },
      [=, this](resub_atom) {
        resub_pending_ = false;
        resubscribe();
      },
      [=, this](credentials_ready& c) {
        if (!c.ok) {
          spdlog::error("feed: user channel not started: {}", c.error);
          return;
        }
        start_user();
      },
      [=, this](tick_atom) {
        publish_health();
        log_health_if_due();
        flush_candles();
        delayed_send(this, opts_.health_every, tick_atom::value);
      },
      [=, this](status_atom) { return health(); },
    };
  }

  void on_exit() override {
    for (auto& c : ch_)
      if (c.client)
        c.client->stop();
    // Markets hold the feed too: drop our side so neither keeps the other alive.
    routes_.clear();
    opts_.risk = nullptr;
    opts_.fills = nullptr;
    opts_.recorder = nullptr;
    opts_.events = nullptr;
    if (opts_.candles && !tap_.empty())
      caf::anon_send(opts_.candles, tap_.take()); // the last ticks before shutdown
    opts_.candles = nullptr;
    symbols_.clear();
    instrumented::on_exit();
  }

private:
  struct route {
    market_actor handle;
    subscribe_market sub;
  };

  struct channel {
    std::shared_ptr<ws_client> client;
    feed_health health;
    circuit_breaker breaker;
    std::int64_t last_ns = 0;
    bool in_use = false;
  };

  // ---- clients ----

  ws_callbacks callbacks(feed_channel which) {
    weak_handle<feed_actor> self(caf::actor_cast<feed_actor>(this));
    weak_handle<recorder_actor> rec(opts_.recorder);
    ws_callbacks cb;
    cb.on_frame = [self, rec, which](std::string text, std::int64_t recv_ns) {
      if (!rec)
        return self.send(ws_frame{which, std::move(text), recv_ns});
      // One message for both: the recorder reads the feed's bytes, never a copy made here.
      auto msg = caf::make_message(ws_frame{which, std::move(text), recv_ns});
      self.send_message(msg);
      rec.send_message(std::move(msg));
    };
    cb.on_status = [self, which](const ws_status& s) {
      self.send(ws_state{which, s.event, s.detail, s.connects,
                         s.consecutive_failures, s.next_attempt_in.count()});
    };
    return cb;
  }

  ws_client_options client_options(feed_channel which) {
    ws_client_options o;
    o.name = channel_names[static_cast<int>(which)];
    o.ping_every = opts_.ping_every;
    o.backoff = opts_.reconnect;
    switch (which) {
      case feed_channel::market:
        o.where = opts_.market_ws;
        o.stale_after = opts_.market_stale;
        break;
      case feed_channel::user:
        o.where = opts_.user_ws;
        o.stale_after = opts_.user_stale;
        o.pong_is_data = true;
        o.connect_when_empty = true;
        break;
      case feed_channel::rtds:
        o.where = opts_.rtds;
        o.stale_after = opts_.rtds_stale;
        o.ping_text = "PING";
        break;
    }
    return o;
  }

  void start_clients() {
    if (!io_)
      return;
    auto market_cb = callbacks(feed_channel::market);
    market_cb.first_frame = [](const std::vector<std::string>& all) { return market_subscribe_frame(all); };
    market_cb.update_frame = [](bool sub, const std::vector<std::string>& items) {
      return market_update_frame(sub, items);
    };
    ch_[0].client = ws_client::make(*io_, client_options(feed_channel::market), std::move(market_cb));
    auto rtds_cb = callbacks(feed_channel::rtds);
    rtds_cb.first_frame = [](const std::vector<std::string>& all) { return rtds_subscribe_frame(true, all); };
    rtds_cb.update_frame = [](bool sub, const std::vector<std::string>& items) {
      return rtds_subscribe_frame(sub, items);
    };
    ch_[2].client = ws_client::make(*io_, client_options(feed_channel::rtds), std::move(rtds_cb));
    ch_[0].in_use = ch_[2].in_use = true;
    ch_[0].client->start();
    ch_[2].client->start();
  }

  void start_user() {
    if (!io_ || !session_ || !session_->has_credentials() || ch_[1].client)
      return;
    auto cb = callbacks(feed_channel::user);
    auto session = session_;
    // The first frame carries the credentials: built on the I/O thread, never logged.
    cb.first_frame = [session](const std::vector<std::string>& all) {
      return user_subscribe_frame(session->credentials(), all);
    };
    cb.update_frame = [](bool sub, const std::vector<std::string>& items) { return user_update_frame(sub, items); };
    ch_[1].client = ws_client::make(*io_, client_options(feed_channel::user), std::move(cb));
    ch_[1].in_use = true;
    ch_[1].client->set_subscriptions(markets_list());
    ch_[1].client->start();
    spdlog::info("feed: user channel starting ({})", opts_.user_ws.text());
  }

  // ---- subscriptions ----

  void add_market(subscribe_market s, market_actor m) {
    auto key = s.market.hex;
    spdlog::info("feed: streaming market {} ({})", key, s.reference_symbol);
    routes_[key] = route{std::move(m), std::move(s)};
    route_symbols();
    resubscribe_soon();
  }

  void remove_market(const condition_id& id) {
    if (routes_.erase(id.hex)) {
      route_symbols();
      resubscribe_soon();
    }
  }

  /// RTDS ticks go to every market of their symbol, from the moment it is added.
  void route_symbols() {
    symbols_.clear();
    for (auto& [k, r] : routes_)
      if (!r.sub.reference_symbol.empty())
        symbols_[r.sub.reference_symbol].push_back(r.handle);
  }

  /// Discovery adds a pass's markets one message each; the subscription update
  /// goes out once, after every message already queued has been handled.
  void resubscribe_soon() {
    if (resub_pending_)
      return;
    resub_pending_ = true;
    send(this, resub_atom::value);
  }

  std::vector<std::string> markets_list() const {
    std::vector<std::string> v;
    for (auto& [k, r] : routes_)
      v.push_back(k);
    return v;
  }

  void resubscribe() {
    std::vector<std::string> tokens;
    std::set<std::string> symbols;
    for (auto& [k, r] : routes_) {
      tokens.push_back(r.sub.up_token.digits);
      tokens.push_back(r.sub.down_token.digits);
      if (!r.sub.reference_symbol.empty())
        symbols.insert(r.sub.reference_symbol);
    }
    if (ch_[0].client)
      ch_[0].client->set_subscriptions(std::move(tokens));
    if (ch_[2].client)
      ch_[2].client->set_subscriptions({symbols.begin(), symbols.end()});
    if (ch_[1].client)
      ch_[1].client->set_subscriptions(markets_list());
  }

  // ---- frames ----

  void on_frame(const ws_frame& f) {
    auto& c = ch_[static_cast<int>(f.channel)];
    ++c.health.messages;
    c.last_ns = steady_ns();
    switch (f.channel) {
      case feed_channel::market: {
        recv_ns_ = f.recv_ns;
        auto st = parse_market_frame(f.text, market_doc_, *this);
        if (!st) {
          ++c.health.bad_events;
          spdlog::warn("feed: market frame dropped: {}", st.error());
        }
        break;
      }
      case feed_channel::rtds: {
        auto ticks = parse_rtds_frame(f.text, rtds_doc_);
        if (!ticks) {
          ++c.health.bad_events;
          spdlog::warn("feed: RTDS frame dropped: {}", ticks.error());
          break;
        }
        for (auto& t : ticks.value()) {
          observe(t);
          count_tick(t, f.recv_ns / 1'000'000);
          if (opts_.candles)
            tap_.reference(t.symbol, t.source_ts_ms, t.value.e8);
          auto it = symbols_.find(t.symbol);
          if (it == symbols_.end())
            continue;
          for (auto& m : it->second)
            send(m, t);
        }
        break;
      }
      case feed_channel::user: {
        // Trade events carry the fills; order events only echo what the order
        // actor learns from the venue's order records.
        if (!opts_.fills)
          break;
        const auto& key = session_ && session_->has_credentials() ? session_->credentials().key : opts_.api_key;
        auto legs = parse_user_frame(f.text, key);
        if (!legs) {
          ++c.health.bad_events;
          spdlog::warn("feed: user frame dropped: {}", legs.error());
        } else if (!legs->empty()) {
          send(opts_.fills, std::move(legs).value());
        }
        break;
      }
    }
  }

  market_actor* target(const condition_id& id) {
    auto it = routes_.find(id.hex);
    return it == routes_.end() ? nullptr : &it->second.handle;
  }

  template <class T>
  void route_event(T&& ev) {
    ++ch_[0].health.ticks;
    if (auto* m = target(ev.market))
      send(*m, std::forward<T>(ev));
  }

  void on_book(book_snapshot&& b) override {
    if (opts_.candles && !b.bids.empty() && !b.asks.empty())
      tap_.top(b.token.digits, b.ts_ms, b.bids.back().px, b.asks.back().px); // best last
    route_event(std::move(b));
  }
  void on_delta(book_delta&& d) override {
    d.recv_ns = recv_ns_;
    if (opts_.candles)
      for (const auto& c : d.changes)
        tap_.top(c.token.digits, d.ts_ms, c.best_bid, c.best_ask);
    route_event(std::move(d));
  }
  void on_last_trade(last_trade&& t) override {
    if (opts_.candles)
      tap_.trade(t.token.digits, t.ts_ms, t.px, t.size);
    route_event(std::move(t));
  }

  /// The candle streams' ticks since the last flush, in one message.
  void flush_candles() {
    if (opts_.candles && !tap_.empty())
      send(opts_.candles, tap_.take());
  }
  void on_tick_size(tick_size_change&& t) override { route_event(std::move(t)); }
  void on_resolved(market_resolved&& r) override { route_event(std::move(r)); }
  void on_bad_event(std::string_view why) override {
    ++ch_[0].health.bad_events;
    spdlog::warn("feed: market event skipped: {}", why);
  }

  // ---- connection health, breaker, safe mode ----

  void on_state(const ws_state& s) {
    auto& c = ch_[static_cast<int>(s.channel)];
    c.in_use = true; // a channel that reports is one the node depends on
    const auto ev = s.event;
    const char* name = channel_names[static_cast<int>(s.channel)];
    switch (ev) {
      case ws_event::connected:
        c.health.connected = true;
        c.health.reconnects = s.connects > 0 ? s.connects - 1 : 0;
        spdlog::info("feed: {} connected ({})", name, s.detail);
        emit(event_kind::feed_connected, channel_payload(name, s.detail));
        break;
      case ws_event::healthy:
        if (c.breaker.on_healthy() == circuit_breaker::change::recovered)
          update_safe_mode(std::string(name) + " feed healthy again");
        break;
      case ws_event::stale:
        ++c.health.stalls;
        spdlog::warn("feed: {} stale ({}), reconnecting", name, s.detail);
        emit(event_kind::feed_disconnected, channel_payload(name, "stale: " + s.detail));
        break;
      case ws_event::failed:
        c.health.connected = false;
        spdlog::warn("feed: {} connect failed ({}); {} in a row, next try in {} ms", name, s.detail,
                     s.consecutive_failures, s.next_attempt_ms);
        if (c.breaker.on_failure() == circuit_breaker::change::tripped) {
          emit(event_kind::breaker_tripped, json::object_writer()
                                              .str("channel", name)
                                              .num("consecutive_failures", s.consecutive_failures)
                                              .take());
          update_safe_mode(std::string(name) + " feed: " + std::to_string(s.consecutive_failures)
                           + " consecutive failed connects");
        }
        break;
      case ws_event::oversize:
        ++c.health.oversize;
        spdlog::error("feed: {} refused a message: {}; the connection is replaced", name, s.detail);
        break;
      case ws_event::closed:
        c.health.connected = false;
        spdlog::warn("feed: {} disconnected ({}); reconnecting in {} ms", name, s.detail, s.next_attempt_ms);
        emit(event_kind::feed_disconnected, channel_payload(name, s.detail));
        break;
    }
    c.health.consecutive_failures = c.breaker.consecutive_failures();
    publish_health();
  }

  void update_safe_mode(const std::string& why) {
    std::string reason;
    for (int i = 0; i < 3; ++i)
      if (ch_[i].in_use && ch_[i].breaker.tripped())
        reason += (reason.empty() ? "" : "; ") + std::string(channel_names[i])
                  + " feed down after " + std::to_string(ch_[i].breaker.consecutive_failures())
                  + " failed connects";
    const bool on = !reason.empty();
    if (on == safe_)
      return;
    safe_ = on;
    safe_mode sm{on, on ? reason : why};
    send(telemetry_, sm);
    emit(on ? event_kind::safe_mode_entered : event_kind::safe_mode_left,
         json::object_writer().str("reason", sm.reason).take());
    if (opts_.risk)
      send(opts_.risk, sm); // the order actor stops new orders and cancels resting ones
    alert a;
    a.level = on ? severity::critical : severity::warning;
    a.topic = "safe_mode";
    a.text = on ? "SAFE MODE ON: no new orders: " + reason : "safe mode off: " + why;
    a.ts_ms = wall_ms();
    send(notifier_, std::move(a));
  }

  std::vector<feed_health> health() {
    std::vector<feed_health> out;
    const auto now = steady_ns();
    for (auto& c : ch_) {
      if (!c.in_use)
        continue;
      auto h = c.health;
      h.last_message_age_ms = c.last_ns ? (now - c.last_ns) / 1'000'000 : -1;
      if (&c == &ch_[2])
        for (auto& [sym, st] : streams_)
          h.symbols.push_back({sym, st.ticks, st.gaps, last_tick_age_ms(st, now / 1'000'000)});
      out.push_back(std::move(h));
    }
    return out;
  }

  void publish_health() {
    for (auto& h : health()) {
      if (opts_.risk && h.channel == "market")
        send(opts_.risk, h); // stale escalation input
      send(telemetry_, std::move(h));
    }
  }

  // ---- typed events and per-stream health (issue 18) ----

  void emit(event_kind kind, std::string payload) {
    if (opts_.events)
      send(opts_.events, event_input{kind, wall_ms(), std::move(payload)});
  }

  static std::string channel_payload(std::string_view channel, std::string_view detail) {
    return json::object_writer().str("channel", channel).str("detail", detail).take();
  }

  /// `recv_ms` is the frame's receive time (steady): the stream's clock for gaps
  /// and sampling. Only the sampled tick (one per tick_sample) builds a payload.
  void count_tick(const reference_tick& t, std::int64_t recv_ms) {
    ++ch_[2].health.ticks;
    auto it = streams_.find(t.symbol);
    if (it == streams_.end())
      it = streams_.emplace(t.symbol, stream_counter{}).first; // once per symbol
    if (!record_tick(it->second, recv_ms, opts_.tick_sample.count()) || !opts_.events)
      return;
    emit(event_kind::tick_sampled, json::object_writer()
                                     .str("stream", t.symbol)
                                     .str("value", to_string(t.value))
                                     .num("source_ts_ms", t.source_ts_ms)
                                     .take());
  }

  /// Seed 004's health monitor: one line per stream every health_log_every.
  void log_health_if_due() {
    const auto now = steady_ns();
    const auto every = std::chrono::duration_cast<std::chrono::nanoseconds>(opts_.health_log_every).count();
    if (last_health_log_ns_ == 0)
      last_health_log_ns_ = now;
    if (every <= 0 || now - last_health_log_ns_ < every)
      return;
    last_health_log_ns_ = now;
    for (auto& h : health()) {
      spdlog::info("health: stream {} {} | messages {} ticks {} drops {} gaps {} | last message {} ms ago",
                   h.channel, h.connected ? "up" : "down", h.messages, h.ticks, h.bad_events + h.oversize,
                   h.book_refetches + h.stalls, h.last_message_age_ms);
      for (auto& s : h.symbols)
        spdlog::info("health: stream {} | ticks {} gaps {} | last tick {} ms ago", s.symbol, s.ticks, s.gaps,
                     s.last_tick_age_ms);
    }
  }

  // ---- /book re-fetch ----

  void refetch(const refetch_book& r) {
    auto* m = target(r.market);
    if (!m || !clob_)
      return;
    const auto now = steady_ns();
    auto& last = last_refetch_ns_[r.token.digits];
    if (last && now - last < std::chrono::duration_cast<std::chrono::nanoseconds>(opts_.refetch_min_interval).count())
      return; // one is recent; the next delta check asks again if still wrong
    last = now;
    ++ch_[0].health.book_refetches;
    spdlog::info("feed: re-fetching /book for {} of {}: {}", r.token.digits.substr(0, 12), r.market.hex, r.reason);
    weak_handle<market_actor> handle(*m);
    http_request req;
    req.target = "/book?token_id=" + r.token.digits;
    req.rate_class = "book";
    clob_(std::move(req), [handle](http_response res) {
      auto b = parse_book_reply(res.status, res.body);
      if (!b) {
        spdlog::warn("feed: /book re-fetch failed: {}", b.error());
        return;
      }
      b.value().from_rest = true;
      handle.send(std::move(b).value());
    });
  }

  io_pool* io_;
  http_fetch clob_; // /book re-fetches
  std::shared_ptr<clob_session> session_;
  telemetry_actor telemetry_;
  notifier_actor notifier_;
  feed_options opts_;
  channel ch_[3];
  std::unordered_map<std::string, route> routes_;
  std::map<std::string, std::vector<market_actor>> symbols_;
  std::unordered_map<std::string, std::int64_t> last_refetch_ns_;
  // One document per stream, reused for every frame: a plain Document's pool kept
  // every frame's nodes (~495 bytes a frame, issue 14); these are emptied per parse.
  json::reusable_document market_doc_;
  /// Every tick of an asset goes into its windows, which live as long as the
  /// feed (across slots: seed 000's pitfall 1); the tick carries their motion
  /// at its own source time, so a market sees velocity from its first tick.
  void observe(reference_tick& t) {
    auto it = windows_.find(t.symbol);
    if (it == windows_.end())
      it = windows_.emplace(t.symbol, std::pair{reference_window(opts_.fast_window.count()),
                                                reference_window(opts_.slow_window.count())}).first;
    it->second.first.add(t.source_ts_ms, t.value);
    it->second.second.add(t.source_ts_ms, t.value);
    t.fast = it->second.first.motion(t.source_ts_ms);
    t.slow = it->second.second.motion(t.source_ts_ms);
  }

  std::map<std::string, std::pair<reference_window, reference_window>, std::less<>> windows_; // by RTDS symbol
  json::reusable_document rtds_doc_{16 * 1024}; // RTDS frames are one tick or a short backfill
  std::int64_t recv_ns_ = 0;
  std::map<std::string, stream_counter, std::less<>> streams_; // per reference symbol
  std::int64_t last_health_log_ns_ = 0;
  candle_tap tap_;
  bool safe_ = false;
  bool resub_pending_ = false;
};

} // namespace

feed_actor spawn_feed(caf::actor_system& sys, io_pool* io, http_fetch clob,
                      std::shared_ptr<clob_session> session, telemetry_actor telemetry,
                      notifier_actor notifier, feed_options opts) {
  return sys.spawn<feed_impl>(io, std::move(clob), std::move(session), std::move(telemetry),
                              std::move(notifier), std::move(opts));
}

} // namespace tdmaker
