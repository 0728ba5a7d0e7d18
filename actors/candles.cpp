#include "actors/candles.hpp"

#include <algorithm>
#include <deque>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/instrumented.hpp"
#include "actors/util.hpp"
#include "core/candle_aggregator.hpp"
#include "core/redact.hpp"

namespace tdmaker {
namespace {

struct stream {
  std::string name;
  bool valid = false;
  candle_kind kind = candle_kind::ref;
  candle_aggregator agg;
  std::uint64_t completed = 0;
};

struct done_candle {
  std::uint32_t stream = 0;
  candle c;
};

class candles_impl : public instrumented<candles_actor::base> {
public:
  candles_impl(caf::actor_config& cfg, store_actor store, telemetry_actor telemetry, candles_options opts)
    : instrumented(cfg, "candles", telemetry, opts.flush_every),
      store_(std::move(store)),
      telemetry_(std::move(telemetry)),
      opts_(std::move(opts)) {
    if (!opts_.clock)
      opts_.clock = wall_ms;
  }

  behavior_type make_behavior() override {
    delayed_send(this, opts_.tick_every, tick_atom::value);
    return {
      [=, this](candle_samples& s) { take(s); },
      [=, this](tick_atom) {
        if (!closed_)
          for (std::uint32_t i = 0; i < streams_.size(); ++i)
            complete(i, [&](candle_aggregator& a, std::vector<candle>& out) {
              a.complete_until(opts_.clock(), opts_.grace_ms, out);
            });
        write_next();
        publish();
        log_health_if_due();
        delayed_send(this, opts_.tick_every, tick_atom::value);
      },
      [=, this](flush_atom) -> caf::result<candle_stats> { return close(); },
    };
  }

  void on_exit() override {
    if (!pending_.empty())
      spdlog::warn("candles: {} completed candles not written at exit", pending_.size());
    store_ = nullptr;
    telemetry_ = nullptr;
    instrumented::on_exit();
  }

private:
  void take(candle_samples& s) {
    for (auto& name : s.new_streams)
      add_stream(std::move(name));
    if (closed_)
      return; // after the shutdown flush: a candle now could never be written
    for (const auto& x : s.samples) {
      if (x.stream >= streams_.size() || !streams_[x.stream].valid)
        continue;
      complete(x.stream, [&](candle_aggregator& a, std::vector<candle>& out) {
        a.add(x.ts_ms, x.value, x.volume, out);
      });
    }
  }

  void add_stream(std::string name) {
    stream st;
    auto kind = parse_candle_stream(name);
    if (kind) {
      st.valid = true;
      st.kind = *kind;
    } else {
      spdlog::warn("candles: stream ignored: {}", log_escape(kind.error()));
    }
    st.name = std::move(name);
    streams_.push_back(std::move(st));
  }

  /// Runs `f` on one stream's aggregator and queues what it completed.
  template <class F>
  void complete(std::uint32_t i, F f) {
    scratch_.clear();
    f(streams_[i].agg, scratch_);
    for (const auto& c : scratch_) {
      ++completed_[static_cast<std::size_t>(streams_[i].kind)];
      ++streams_[i].completed;
      pending_.push_back({i, c});
      if (opts_.events) // the stored record is the event's payload: one codec for both
        send(opts_.events, event_input{event_kind::candle_completed, opts_.clock(), encode_candle(streams_[i].name, c)});
    }
    while (pending_.size() > opts_.max_pending) {
      pending_.pop_front();
      if (dropped_++ % 1000 == 0)
        spdlog::error("candles: {} completed candles dropped unwritten (the store is not keeping up)", dropped_);
    }
  }

  write_batch batch_of(std::size_t n) {
    write_batch b;
    b.writes.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      const auto& d = pending_[i];
      const auto& name = streams_[d.stream].name;
      b.writes.push_back({record_db::candles, candle_key(name, d.c.start_ms), encode_candle(name, d.c), false});
    }
    return b;
  }

  /// One write in flight at a time; a failed one is tried again on the next tick
  /// (a candle's key is fixed, so a repeated write is harmless).
  void write_next() {
    if (in_flight_ || pending_.empty() || !store_)
      return;
    const auto n = std::min(pending_.size(), opts_.max_batch);
    in_flight_ = true;
    request(store_, store_timeout, batch_of(n))
      .then(
        [=, this](commit_ack&) {
          in_flight_ = false;
          const auto k = std::min(n, pending_.size()); // a shutdown batch may have written them already
          pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(k));
          persisted_ += k;
          write_next();
        },
        [=, this](caf::error& e) {
          in_flight_ = false;
          spdlog::error("candles: writing {} candles failed (retried): {}", n, error_text(e));
        });
  }

  /// Shutdown: completes every open candle and replies once all are written. A
  /// write still in flight is written again in this batch (same keys, harmless).
  caf::result<candle_stats> close() {
    closed_ = true;
    for (std::uint32_t i = 0; i < streams_.size(); ++i)
      complete(i, [](candle_aggregator& a, std::vector<candle>& out) { a.force_complete(out); });
    if (pending_.empty() || !store_) {
      publish();
      return stats();
    }
    auto rp = make_response_promise<candle_stats>();
    request(store_, store_timeout, batch_of(pending_.size()))
      .then(
        [=, this](commit_ack&) mutable {
          persisted_ += pending_.size();
          pending_.clear();
          publish();
          rp.deliver(stats());
        },
        [=, this](caf::error& e) mutable {
          spdlog::error("candles: writing the last {} candles failed: {}", pending_.size(), error_text(e));
          publish();
          rp.deliver(stats());
        });
    return rp;
  }

  /// Beside the feed's health lines (seed 004): each reference stream's candles,
  /// and the completed/persisted pair the checkpoint compares.
  void log_health_if_due() {
    const auto now = opts_.clock();
    if (last_health_log_ms_ < 0)
      last_health_log_ms_ = now;
    if (opts_.health_log_every.count() <= 0 || now - last_health_log_ms_ < opts_.health_log_every.count())
      return;
    last_health_log_ms_ = now;
    for (const auto& st : streams_)
      if (st.valid && st.kind == candle_kind::ref)
        spdlog::info("health: stream {} | candles {}", st.name, st.completed);
    spdlog::info("health: candles completed {} (ref {}, mid {}, last {}), persisted {}, pending {}",
                 completed_[0] + completed_[1] + completed_[2], completed_[0], completed_[1], completed_[2], persisted_,
                 pending_.size());
  }

  candle_stats stats() const {
    candle_stats s;
    for (const auto& st : streams_) {
      const auto& c = st.agg.counters();
      s.ticks += c.ticks;
      s.gaps_filled += c.gaps_filled;
      s.gaps_left += c.gaps_left;
      s.late_ticks += c.late_ticks;
      if (st.valid && st.kind == candle_kind::ref)
        s.by_reference.push_back({st.name, st.completed});
    }
    s.completed_ref = completed_[0];
    s.completed_mid = completed_[1];
    s.completed_last = completed_[2];
    s.persisted = persisted_;
    s.streams = streams_.size();
    return s;
  }

  void publish() {
    if (telemetry_)
      send(telemetry_, stats());
  }

  store_actor store_;
  telemetry_actor telemetry_;
  candles_options opts_;
  std::vector<stream> streams_; // indexed as the feed's tap numbers them
  std::int64_t last_health_log_ms_ = -1;
  std::deque<done_candle> pending_;  // completed, not yet acknowledged by the store
  std::vector<candle> scratch_;
  std::uint64_t completed_[3] = {0, 0, 0};
  std::uint64_t persisted_ = 0;
  std::uint64_t dropped_ = 0;
  bool in_flight_ = false;
  bool closed_ = false;
};

} // namespace

candles_actor spawn_candles(caf::actor_system& sys, store_actor store, telemetry_actor telemetry,
                            candles_options opts) {
  return sys.spawn<candles_impl>(std::move(store), std::move(telemetry), std::move(opts));
}

} // namespace tdmaker
