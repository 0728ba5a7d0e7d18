#include "app/replay_driver.hpp"

#include <limits>

#include <caf/actor_system.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/send.hpp>

#include "actors/util.hpp"

namespace tdmaker {
namespace {

// The CAF test clock counts from an arbitrary time point; ours from unix ms.
// Both move together: time_point = base + (ms - start) ms.
const caf::actor_clock::time_point clock_base = caf::actor_clock::time_point{} + std::chrono::hours(1);

} // namespace

replay_driver::replay_driver(std::int64_t start_ms) : now_ms_(start_ms) { set_virtual_clock(start_ms); }

void replay_driver::attach(caf::actor_system& sys, feed_actor feed) {
  sched_ = &dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler());
  sched_->clock().current_time = clock_base;
  start_ms_ = now_ms_;
  feed_ = std::move(feed);
  run();
}

http_fetch replay_driver::fetch(recorded_replies& replies) {
  return [this, &replies](http_request req, std::function<void(http_response)> done) {
    auto m = replies.take(req.target, now_ms_); // every read is a GET: the target names it
    http_response r;
    r.status = m.status;
    r.body = std::move(m.body);
    r.attempts = 1;
    due_.emplace(m.deliver_ms, [done = std::move(done), r = std::move(r)]() mutable { done(std::move(r)); });
  };
}

std::int64_t replay_driver::next_timer_ms() const {
  const auto& s = sched_->clock().schedule();
  if (s.empty())
    return std::numeric_limits<std::int64_t>::max();
  // A timer due between two milliseconds fires at the later one: never early.
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(s.begin()->first - clock_base).count();
  return start_ms_ + (ns + 999'999) / 1'000'000;
}

void replay_driver::set_time(std::int64_t ms) {
  if (ms < now_ms_)
    return; // time never runs backwards (a frame received at the same ms as the last)
  now_ms_ = ms;
  set_virtual_clock(ms);
  sched_->clock().current_time = clock_base + std::chrono::milliseconds(ms - start_ms_);
}

void replay_driver::advance_to(std::int64_t ms) {
  for (;;) {
    run();
    const auto timer = next_timer_ms();
    const auto answer = due_.empty() ? std::numeric_limits<std::int64_t>::max() : due_.begin()->first;
    const auto next = std::min(timer, answer);
    if (next > ms)
      break;
    set_time(next);
    if (answer <= timer) {
      auto act = std::move(due_.begin()->second);
      due_.erase(due_.begin());
      act();
    } else {
      sched_->clock().trigger_timeout();
      ++timers_;
    }
  }
  set_time(ms);
}

void replay_driver::deliver_frame(feed_channel channel, std::int64_t recv_ms, std::string text) {
  advance_to(recv_ms);
  auto& seen = seen_[static_cast<int>(channel)];
  if (!seen) {
    // The recording holds frames, not connection events: a channel's first frame
    // says it was connected (and, being data, healthy).
    seen = true;
    caf::anon_send(feed_, ws_state{channel, ws_event::connected, "replay", 1, 0, 0});
    caf::anon_send(feed_, ws_state{channel, ws_event::healthy, "replay", 1, 0, 0});
  }
  caf::anon_send(feed_, ws_frame{channel, std::move(text), recv_ms * 1'000'000});
  run();
}

void replay_driver::run() {
  sched_->run();
}

} // namespace tdmaker
