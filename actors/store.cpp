#include "actors/store.hpp"

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/instrumented.hpp"
#include "actors/spawn_blocking.hpp"
#include "actors/util.hpp"
#include "core/record_validation.hpp"

namespace tdmaker {
namespace {

constexpr std::size_t lmdb_max_key = 511;

caf::error store_error(std::string text) {
  return caf::make_error(caf::sec::runtime_error, std::move(text));
}

class store_reader_impl : public instrumented<store_reader_actor::base> {
public:
  store_reader_impl(caf::actor_config& cfg, std::shared_ptr<lmdb_env> env,
                    telemetry_actor telemetry, std::chrono::milliseconds flush)
    : instrumented(cfg, "store_reader", std::move(telemetry), flush), env_(std::move(env)) {
  }

  behavior_type make_behavior() override {
    return {
      [=, this](store_get& q) -> caf::result<store_value> {
        auto r = env_->get(q.db, q.key);
        if (!r)
          return store_error(r.error());
        return std::move(r).value();
      },
      [=, this](store_scan& q) -> caf::result<store_rows> {
        auto r = env_->scan(q.db, q.prefix);
        if (!r)
          return store_error(r.error());
        return std::move(r).value();
      },
      [=, this](store_range& q) -> caf::result<store_rows> {
        if (static_cast<std::size_t>(q.db) >= record_db_count)
          return store_error("store: range of an unknown database");
        auto r = env_->range(q.db, q.from_key, q.to_key, q.limit);
        if (!r)
          return store_error(r.error());
        return std::move(r).value();
      },
    };
  }

  void on_exit() override {
    env_.reset();
    instrumented::on_exit();
  }

private:
  std::shared_ptr<lmdb_env> env_;
};

/// Group commit: every write request is queued with its response promise and a
/// `commit` message is sent to self. The mailbox is FIFO, so by the time `commit`
/// runs, every write that arrived meanwhile is in the group: one transaction, one
/// fsync, then all the replies.
class store_impl : public instrumented<store_actor::base> {
public:
  store_impl(caf::actor_config& cfg, std::shared_ptr<lmdb_env> env, telemetry_actor telemetry,
             store_options opts, store_health_options health)
    : instrumented(cfg, "store", telemetry, opts.flush_every),
      env_(std::move(env)),
      opts_(opts),
      health_opts_(health),
      health_(health.rules) {
  }

  behavior_type make_behavior() override {
    usage_ = env_->usage();
    note(health_.on_usage(usage_));
    sample_changed_ = true; // the map's size is in /metrics from the start
    reader_ = spawn_blocking<store_reader_impl>(home_system(), *this, env_, telemetry(), opts_.flush_every);
    link_to(reader_);
    return {
      [=, this](write_batch& b) -> caf::result<commit_ack> {
        if (auto err = validate(b); !err.empty()) {
          // A refused batch is the writer's defect, not the store's: no trip, but
          // a log line and a count, and the writer sees a failed commit.
          ++sample_.refused;
          spdlog::error("{}", err);
          return store_error(std::move(err));
        }
        auto rp = make_response_promise<commit_ack>();
        group_writes_ += b.writes.size();
        pending_.push_back({std::move(b), rp});
        if (group_writes_ >= opts_.max_group_writes) {
          commit();
        } else if (!commit_scheduled_) {
          commit_scheduled_ = true;
          send(this, commit_atom::value);
        }
        return rp;
      },
      [=, this](commit_atom) {
        commit_scheduled_ = false;
        commit();
      },
      [=, this](flush_atom) -> caf::result<commit_ack> {
        if (!pending_.empty())
          commit();
        if (!last_error_.empty())
          return store_error("store: last commit failed: " + last_error_);
        return commit_ack{seq_, 0};
      },
      [=, this](store_get& q) { return delegate(reader_, std::move(q)); },
      [=, this](store_scan& q) { return delegate(reader_, std::move(q)); },
      [=, this](store_range& q) { return delegate(reader_, std::move(q)); },
      [=, this](watch_atom, store_watcher_actor& w) {
        send(w, status());
        watchers_.push_back(std::move(w));
      },
      [=, this](probe_atom) {
        probe_scheduled_ = false;
        probe();
      },
    };
  }

  void on_exit() override {
    // Nothing acknowledged may be lost: commit what is queued before going away.
    if (!pending_.empty())
      commit();
    // The watchers hold this store's handle too: dropping theirs breaks the cycle
    // that would keep both actors' memory (and this detached thread) alive.
    watchers_.clear();
    reader_ = nullptr;
    env_.reset();
    instrumented::on_exit();
  }

protected:
  void on_flush() override {
    if (sample_.commits == 0 && sample_.failures == 0 && sample_.refused == 0 && !sample_changed_)
      return;
    sample_.state = health_.state();
    sample_.failing_reason = health_.reason();
    sample_.map_used_bytes = usage_.used_bytes;
    sample_.map_size_bytes = usage_.size_bytes;
    if (telemetry())
      caf::anon_send(telemetry(), std::move(sample_));
    sample_ = store_sample{};
    sample_changed_ = false;
  }

private:
  struct pending_write {
    write_batch batch;
    caf::typed_response_promise<commit_ack> rp;
  };

  static std::string validate(const write_batch& b) {
    if (b.writes.empty())
      return "store: empty write batch";
    for (const auto& w : b.writes) {
      if (static_cast<std::size_t>(w.db) >= record_db_count)
        return "store: unknown database";
      if (w.key.empty() || w.key.size() > lmdb_max_key)
        return "store: key must be 1.." + std::to_string(lmdb_max_key) + " bytes";
      // Never commit what the store's own reader would refuse (the batch fails whole).
      if (!w.erase)
        if (auto why = validate_record(db_name(w.db), w.key, w.payload); !why.empty())
          return why;
    }
    return {};
  }

  void commit() {
    if (pending_.empty())
      return;
    std::vector<const write_batch*> batches;
    batches.reserve(pending_.size());
    for (auto& p : pending_)
      batches.push_back(&p.batch);
    auto t0 = clock::now();
    auto err = env_->write(batches);
    auto dt = std::chrono::duration_cast<std::chrono::nanoseconds>(clock::now() - t0).count();
    auto group = pending_.size();
    // Watchers hear of a trip before any writer hears of its failed commit (one
    // mailbox each, FIFO per sender), so no one acts on the failure alone.
    note(health_.on_commit(err.empty(), err));
    if (err.empty()) {
      ++seq_;
      last_error_.clear();
      record(dt, group, true, {});
      usage_ = env_->usage();
      note(health_.on_usage(usage_));
      for (auto& p : pending_)
        p.rp.deliver(commit_ack{seq_, static_cast<std::uint32_t>(group)});
    } else {
      last_error_ = err;
      // The trip was logged once (note); the failures of an episode are counted
      // (tdmaker_store_commit_failures_total), not each logged.
      spdlog::debug("store: commit of {} requests failed: {}", group, err);
      record(dt, group, false, err);
      for (auto& p : pending_)
        p.rp.deliver(store_error("store: commit failed: " + err));
    }
    pending_.clear();
    group_writes_ = 0;
  }

  /// While failing: one small write of the store's own, the only commit that may
  /// say the store is trusted again (with room left in the map).
  void probe() {
    if (!health_.failing())
      return;
    write_batch b;
    b.writes.push_back({record_db::meta, "store_probe", std::to_string(wall_ms()), false});
    auto err = env_->write({&b});
    if (err.empty())
      usage_ = env_->usage();
    auto t = health_.on_probe(err.empty(), err, usage_);
    if (err.empty() && t == store_transition::none && !full_logged_) {
      full_logged_ = true;
      spdlog::critical("store: the probe commits but the map is full ({} of {} bytes used): it stays failing "
                       "until the node restarts with a larger store.map_size_mb",
                       usage_.used_bytes, usage_.size_bytes);
    }
    note(t);
    schedule_probe();
  }

  void schedule_probe() {
    if (health_.failing() && !probe_scheduled_) {
      probe_scheduled_ = true;
      delayed_send(this, health_opts_.probe_every, probe_atom::value);
    }
  }

  store_status status() const {
    return {health_.state(), health_.reason(), health_.headroom_low(), usage_.used_bytes, usage_.size_bytes};
  }

  void tell_watchers() {
    sample_changed_ = true;
    for (auto& w : watchers_)
      send(w, status());
  }

  /// One log line per transition; the watchers alert and act.
  void note(store_transition t) {
    if (t == store_transition::tripped) {
      full_logged_ = false;
      spdlog::critical("store: FAILING: {}; no new order is admitted (cancels and exits go on); "
                       "a probe write every {} ms decides recovery",
                       health_.reason(), health_opts_.probe_every.count());
      schedule_probe();
      tell_watchers();
    } else if (t == store_transition::recovered) {
      spdlog::warn("store: recovered: the probe write committed with {} of {} bytes of the map used; "
                   "new orders are admitted again",
                   usage_.used_bytes, usage_.size_bytes);
      tell_watchers();
    }
  }

  void note(headroom_transition t) {
    if (t == headroom_transition::low)
      spdlog::warn("store: map headroom low: {} of {} bytes used (under {:.0f} % free); raise store.map_size_mb",
                   usage_.used_bytes, usage_.size_bytes, health_opts_.rules.alert_headroom * 100);
    else if (t == headroom_transition::ok)
      spdlog::info("store: map headroom ok: {} of {} bytes used", usage_.used_bytes, usage_.size_bytes);
    if (t != headroom_transition::none)
      tell_watchers();
  }

  void record(std::int64_t ns, std::size_t group, bool ok, const std::string& err) {
    if (sample_.commit_buckets.empty()) {
      sample_.commit_buckets.assign(prom::latency_bounds_ns().size() + 1, 0);
      sample_.batch_buckets.assign(prom::size_bounds().size() + 1, 0);
    }
    prom::histogram c(prom::latency_bounds_ns(), 9), b(prom::size_bounds(), 0);
    c.observe(ns);
    b.observe(static_cast<std::int64_t>(group));
    for (std::size_t i = 0; i < c.counts().size(); ++i)
      sample_.commit_buckets[i] += c.counts()[i];
    for (std::size_t i = 0; i < b.counts().size(); ++i)
      sample_.batch_buckets[i] += b.counts()[i];
    sample_.commit_sum_ns += ns;
    sample_.batch_sum += static_cast<std::int64_t>(group);
    if (ok) {
      ++sample_.commits;
    } else {
      ++sample_.failures;
      sample_.last_error = err;
    }
  }

  std::shared_ptr<lmdb_env> env_;
  store_options opts_;
  store_reader_actor reader_;
  std::vector<pending_write> pending_;
  std::size_t group_writes_ = 0;
  bool commit_scheduled_ = false;
  std::uint64_t seq_ = 0;
  std::string last_error_;
  store_sample sample_;
  bool sample_changed_ = false; // health or map use changed since the last sample
  store_health_options health_opts_;
  store_health health_;
  map_usage usage_;
  std::vector<store_watcher_actor> watchers_;
  bool probe_scheduled_ = false;
  bool full_logged_ = false;
};

} // namespace

store_actor spawn_store(caf::actor_system& sys, std::shared_ptr<lmdb_env> env,
                        telemetry_actor telemetry, store_options opts, store_health_options health) {
  return spawn_blocking<store_impl>(sys, sys, std::move(env), std::move(telemetry), opts, health);
}

} // namespace tdmaker
