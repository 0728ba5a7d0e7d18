#include "actors/directory.hpp"

#include "core/series.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <optional>
#include <set>

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/instrumented.hpp"
#include "actors/util.hpp"
#include "core/market_cap.hpp"

namespace tdmaker {
namespace {

constexpr auto call_timeout = std::chrono::seconds(10);
constexpr const char* no_fee_refusal = "no readable fee schedule";

struct entry {
  market_actor handle;
  std::string slug;
  market_status status = market_status::discovered;
  std::int64_t slot_end_s = 0;
  std::uint32_t incarnation = 0;
  std::deque<std::chrono::steady_clock::time_point> recent_restarts;
  bool retiring = false;
  bool retired = false; // its record says retired; the actor is quitting
};

class directory_impl : public instrumented<directory_actor::base> {
public:
  directory_impl(caf::actor_config& cfg, store_actor store, telemetry_actor telemetry,
                 notifier_actor notifier, directory_options opts)
    : instrumented(cfg, "directory", telemetry, opts.flush_every),
      store_(std::move(store)),
      notifier_(std::move(notifier)),
      opts_(opts) {
  }

  behavior_type make_behavior() override {
    set_down_handler([=, this](caf::down_msg& dm) { on_down(dm); });
    request(store_, call_timeout, store_scan{record_db::markets, ""})
      .await(
        [=, this](store_rows& rows) {
          std::size_t n = 0;
          for (auto& row : rows.rows) {
            auto rec = decode_market_record(row.payload);
            if (!rec) {
              spdlog::error("directory: skipping unreadable market {}: {}", row.key, rec.error());
              continue;
            }
            if (rec->status == market_status::retired)
              continue;
            spawn_entry(*rec, 0);
            ++n;
          }
          if (n > 0)
            spdlog::info("directory: recreated {} market actors from the store", n);
          publish();
        },
        [=, this](caf::error& e) {
          spdlog::critical("directory: cannot read markets from store: {}", error_text(e));
          quit(e);
        });
    return {
      [=, this](market_record& rec) -> caf::result<market_actor> { return ensure(std::move(rec)); },
      [=, this](get_atom, condition_id& id) -> caf::result<market_actor> {
        auto it = markets_.find(id.hex);
        if (it == markets_.end())
          return op_error("unknown market " + id.hex);
        return it->second.handle;
      },
      [=, this](retire_atom, condition_id& id) -> caf::result<bool> { return retire(id); },
      [=, this](list_atom) -> std::vector<market_summary> { return summaries(); },
      [=, this](phase_record& p) { on_phase(p); },
    };
  }

  void on_exit() override {
    for (auto& [id, e] : markets_)
      anon_send_exit(e.handle, caf::exit_reason::user_shutdown);
    markets_.clear();
    instrumented::on_exit();
  }

private:
  caf::result<market_actor> ensure(market_record rec) {
    if (rec.id.hex.empty())
      return op_error("market record without condition id");
    // Its taker fee would be a guess: no actor, so no order (docs/polymarket.md, Fees).
    if (!rec.fee.known)
      return refuse_no_fee(rec);
    auto it = markets_.find(rec.id.hex);
    market_actor m;
    if (it != markets_.end()) {
      m = it->second.handle;
    } else {
      if (live() >= opts_.max_live)
        return refuse(rec);
      m = spawn_entry(rec, 0);
      spdlog::info("directory: market {} ({}) spawned", rec.id.hex, rec.slug);
    }
    auto& e = markets_[rec.id.hex];
    e.slug = rec.slug;
    e.status = rec.status;
    e.slot_end_s = rec.slot_end_s;
    // Made after every early return: a promise takes over the reply, so an error
    // returned once it exists never reaches the caller (who would see a timeout).
    auto rp = make_response_promise<market_actor>();
    // Reply only once the market has made its record durable.
    request(m, call_timeout, std::move(rec))
      .then([=, this](bool) mutable { rp.deliver(m); },
            [=, this](caf::error& err) mutable { rp.deliver(err); });
    publish();
    return rp;
  }

  /// Discovery refuses nothing itself: it learns the cap from this answer (and
  /// alerts once); the count is the figure in /metrics.
  caf::error refuse(const market_record& rec) {
    ++refused_max_live_;
    spdlog::debug("directory: {} refused: {} markets live", rec.slug, markets_.size());
    publish();
    return op_error(max_live_refusal(opts_.max_live));
  }

  /// Counted once per market, however many passes discovery asks again.
  caf::error refuse_no_fee(const market_record& rec) {
    if (refused_no_fee_.insert(rec.id.hex).second) {
      spdlog::error("directory: {} ({}) refused: no readable fee schedule; it is not traded", rec.slug,
                    rec.id.hex);
      publish();
    }
    return op_error(no_fee_refusal);
  }

  /// Idempotent: settlement retires a settled market and discovery retires every
  /// ended one, so the second ask finds the market gone, or its retirement under
  /// way and joins it. Both are success: no actor is left for the id.
  caf::result<bool> retire(const condition_id& id) {
    auto it = markets_.find(id.hex);
    if (it == markets_.end()) {
      spdlog::debug("directory: market {} already retired (or never live here)", id.hex);
      return true;
    }
    // Retired, its actor not yet down: the answer was given, and a waiter queued now
    // would never get one (the second ask timed out in CI).
    if (it->second.retired)
      return true;
    auto rp = make_response_promise<bool>();
    auto& waiting = retire_waiters_[id.hex];
    waiting.push_back(rp);
    if (it->second.retiring)
      return rp;
    it->second.retiring = true;
    request(it->second.handle, call_timeout, retire_atom::value)
      .then([=, this](bool ok) { retired(id, ok); },
            [=, this](caf::error& err) {
              if (auto j = markets_.find(id.hex); j != markets_.end())
                j->second.retiring = false;
              answer_retire(id, err);
            });
    return rp;
  }

  /// A retired market holds no seat while its actor finishes quitting.
  int live() const {
    return static_cast<int>(std::count_if(markets_.begin(), markets_.end(),
                                          [](const auto& kv) { return !kv.second.retired; }));
  }

  void retired(const condition_id& id, bool ok) {
    if (auto it = markets_.find(id.hex); ok && it != markets_.end())
      it->second.retired = true;
    if (ok) {
      ++retired_;
      spdlog::info("directory: market {} retired", id.hex);
    }
    answer_retire(id, ok);
    publish();
  }

  template <class T>
  void answer_retire(const condition_id& id, T answer) {
    auto w = retire_waiters_.find(id.hex);
    if (w == retire_waiters_.end())
      return;
    auto waiting = std::move(w->second);
    retire_waiters_.erase(w);
    for (auto& rp : waiting)
      rp.deliver(answer);
  }

  /// Its series' strategy settings (discovery.series overrides), else the node's.
  const market_options& options_for(const std::string& slug) const {
    if (opts_.by_series.empty())
      return opts_.market;
    auto it = opts_.by_series.find(series_key_of_slug(slug));
    return it == opts_.by_series.end() ? opts_.market : it->second;
  }

  market_actor spawn_entry(const market_record& rec, std::uint32_t incarnation) {
    auto m = spawn_market(this, rec.id, incarnation, store_, telemetry(), options_for(rec.slug));
    monitor(m);
    if (phase_)
      send(m, *phase_); // the phase in force sizes its strategies' orders
    auto& e = markets_[rec.id.hex];
    e.handle = m;
    e.slug = rec.slug;
    e.status = rec.status;
    e.slot_end_s = rec.slot_end_s;
    e.incarnation = incarnation;
    return m;
  }

  void on_down(const caf::down_msg& dm) {
    auto it = markets_.begin();
    for (; it != markets_.end(); ++it)
      if (it->second.handle.address() == dm.source)
        break;
    if (it == markets_.end())
      return;
    auto id = it->first;
    auto& e = it->second;
    if (e.retiring || dm.reason == caf::exit_reason::normal) {
      const bool was_retired = e.retired;
      markets_.erase(it);
      if (was_retired) // nobody is left waiting on a gone actor (a retire that failed is answered by its request)
        answer_retire(condition_id{id}, true);
      publish();
      return;
    }
    if (dm.reason == caf::exit_reason::user_shutdown)
      return; // the node is stopping
    auto reason = caf::to_string(dm.reason);
    auto now = std::chrono::steady_clock::now();
    while (!e.recent_restarts.empty() && now - e.recent_restarts.front() > opts_.restart_window)
      e.recent_restarts.pop_front();
    if (static_cast<int>(e.recent_restarts.size()) >= opts_.max_restarts) {
      spdlog::critical("directory: market {} failed {} times within {} s; not restarting: {}",
                       id, e.recent_restarts.size() + 1, opts_.restart_window.count(), reason);
      caf::anon_send(notifier_, alert{severity::critical, "restart",
                                      "market " + id + " gave up after repeated failures: "
                                        + reason,
                                      wall_ms()});
      markets_.erase(it);
      publish();
      return;
    }
    e.recent_restarts.push_back(now);
    auto incarnation = e.incarnation + 1;
    market_record rec;
    rec.id = condition_id{id};
    rec.slug = e.slug;
    rec.status = e.status;
    rec.slot_end_s = e.slot_end_s;
    auto restarts = std::move(e.recent_restarts);
    spawn_entry(rec, incarnation);
    markets_[id].recent_restarts = std::move(restarts);
    ++total_restarts_[id];
    spdlog::warn("directory: market {} crashed ({}); restarted from persisted state, "
                 "incarnation {}",
                 id, reason, incarnation);
    if (telemetry())
      caf::anon_send(telemetry(), actor_restart{"market", id, reason});
    caf::anon_send(notifier_, alert{severity::warning, "restart",
                                    "market " + id + " restarted after: " + reason, wall_ms()});
    publish();
  }

  std::vector<market_summary> summaries() const {
    std::vector<market_summary> out;
    out.reserve(markets_.size());
    for (const auto& [id, e] : markets_) {
      auto r = total_restarts_.find(id);
      out.push_back({condition_id{id}, e.slug, e.status,
                     r == total_restarts_.end() ? 0u : r->second, e.slot_end_s});
    }
    return out;
  }

  /// Kept for markets spawned later, and passed to every live one now.
  void on_phase(const phase_record& p) {
    phase_ = p;
    for (auto& [id, e] : markets_)
      if (e.handle)
        send(e.handle, p);
  }

  void publish() {
    if (telemetry())
      caf::anon_send(telemetry(), markets_changed{summaries(), retired_, refused_max_live_, refused_no_fee_.size()});
  }

  store_actor store_;
  notifier_actor notifier_;
  directory_options opts_;
  std::map<std::string, entry> markets_;
  std::map<std::string, std::uint32_t> total_restarts_;
  std::map<std::string, std::vector<caf::typed_response_promise<bool>>> retire_waiters_;
  std::uint64_t retired_ = 0;
  std::uint64_t refused_max_live_ = 0;
  std::set<std::string> refused_no_fee_; // condition ids refused for want of a fee schedule
  std::optional<phase_record> phase_;    // the phase manager's latest
};

} // namespace

directory_actor spawn_directory(caf::actor_system& sys, store_actor store,
                                telemetry_actor telemetry, notifier_actor notifier,
                                directory_options opts) {
  return sys.spawn<directory_impl>(std::move(store), std::move(telemetry), std::move(notifier),
                                   opts);
}

} // namespace tdmaker
