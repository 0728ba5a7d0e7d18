#include "actors/events.hpp"

#include <algorithm>

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/instrumented.hpp"
#include "core/prometheus.hpp"

namespace tdmaker {
namespace {

// Holds the history and the stream subscribers. Every send to a subscriber is
// fire-and-forget to an actor that only posts to its connection's I/O thread, so
// a consumer that stops reading costs this actor nothing: its connection's own
// bounded queue overflows and the server drops it (events_unsubscribe, dropped).
class events_impl : public instrumented<events_actor::base> {
public:
  events_impl(caf::actor_config& cfg, telemetry_actor telemetry, events_options opts)
    : instrumented(cfg, "events", std::move(telemetry), opts.flush_every), opts_(opts), history_(opts.history) {
    set_down_handler([=, this](caf::down_msg& dm) { remove(dm.source, false); });
  }

  behavior_type make_behavior() override {
    return {
      [=, this](event_input& e) { add(std::move(e)); },
      [=, this](events_query& q) { return history_.since(q.since, std::min(q.limit, history_.capacity())); },
      [=, this](events_subscribe& s, event_subscriber_actor& who) { subscribe(s, std::move(who)); },
      [=, this](events_unsubscribe& u, event_subscriber_actor& who) {
        remove(caf::actor_cast<caf::actor_addr>(who), u.dropped);
        // The bridge served only this subscription; its connection is gone.
        send_exit(who, caf::exit_reason::user_shutdown);
      },
      [=, this](metrics_atom) { return metrics(); },
    };
  }

  void on_exit() override {
    subs_.clear();
    instrumented::on_exit();
  }

private:
  void add(event_input&& e) {
    const auto& rec = history_.add(e.kind, e.time_ms, std::move(e.payload));
    for (auto& s : subs_)
      send(s, event_page{{rec}, rec.seq, false});
  }

  void subscribe(const events_subscribe& s, event_subscriber_actor who) {
    if (subs_.size() >= opts_.max_subscribers) {
      spdlog::warn("events: stream consumer refused: {} subscribers already (events.max_subscribers)",
                   subs_.size());
      send(who, events_refused{"too many event stream subscribers (events.max_subscribers "
                               + std::to_string(opts_.max_subscribers) + ")"});
      return;
    }
    // The backlog goes first and every later event after it, from this actor
    // alone: the subscriber sees each seq once, in order.
    auto page = s.from_now ? event_page{{}, history_.last_seq(), false} : history_.since(s.since, history_.capacity());
    if (page.missed)
      spdlog::info("events: stream consumer asked after seq {}; oldest held is {} (it missed some)", s.since,
                   history_.first_seq());
    send(who, std::move(page));
    monitor(who);
    subs_.push_back(std::move(who));
    spdlog::info("events: stream consumer subscribed ({} of {})", subs_.size(), opts_.max_subscribers);
  }

  void remove(const caf::actor_addr& who, bool dropped) {
    auto it = std::find_if(subs_.begin(), subs_.end(),
                           [&](const event_subscriber_actor& s) { return caf::actor_cast<caf::actor_addr>(s) == who; });
    if (it == subs_.end())
      return;
    demonitor(caf::actor_cast<caf::actor_addr>(*it));
    subs_.erase(it);
    if (dropped) {
      ++dropped_;
      spdlog::warn("events: stream consumer dropped: it did not keep up ({} dropped since start)", dropped_);
    } else {
      spdlog::info("events: stream consumer left ({} of {})", subs_.size(), opts_.max_subscribers);
    }
  }

  std::string metrics() const {
    prom::exposition e;
    e.family("tdmaker_events_total", "Typed events added to the event history, by kind.", "counter");
    for (std::size_t i = 0; i < event_kind_count; ++i) {
      auto k = static_cast<event_kind>(i);
      e.sample("tdmaker_events_total", {{"kind", std::string(to_string(k))}}, history_.total(k));
    }
    e.family("tdmaker_event_subscribers", "Event stream connections subscribed now.", "gauge");
    e.sample("tdmaker_event_subscribers", {}, static_cast<std::int64_t>(subs_.size()));
    e.family("tdmaker_event_consumers_dropped_total",
             "Event stream connections closed because their consumer did not keep up.", "counter");
    e.sample("tdmaker_event_consumers_dropped_total", {}, dropped_);
    return e.text();
  }

  events_options opts_;
  event_history history_;
  std::vector<event_subscriber_actor> subs_;
  std::uint64_t dropped_ = 0;
};

} // namespace

events_actor spawn_events(caf::actor_system& sys, telemetry_actor telemetry, events_options opts) {
  return sys.spawn<events_impl>(std::move(telemetry), opts);
}

} // namespace tdmaker
