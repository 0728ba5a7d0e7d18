#pragma once
// The replay's virtual time (issue 18, docs/replay.md): the node runs on CAF's
// deterministic scheduler, and this driver is the only thing that moves time.
// Before each recorded input it fires, in time order, every CAF timer and every
// scheduled REST answer due by then, running the scheduler until idle after
// each; then it sets the clock to the input's receive time, delivers it and runs
// until idle again. So no actor sees an input before its receive time, every
// consequence of one input is done before the next arrives, and the same
// recording gives the same run, message for message.
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "actors/interfaces.hpp"
#include "core/recorded_replies.hpp"
#include "net/http_client.hpp"

namespace caf::scheduler {
class test_coordinator;
}

namespace tdmaker {

class replay_driver {
public:
  /// `start_ms`: the virtual instant the node starts at (the recording's first).
  /// Sets the node's clock: call before the node starts.
  explicit replay_driver(std::int64_t start_ms);

  /// After the node started on the deterministic scheduler of `sys`.
  void attach(caf::actor_system& sys, feed_actor feed);

  /// The REST reads of the node: answered from `replies` at their receive times.
  http_fetch fetch(recorded_replies& replies);

  /// Fires timers and scheduled answers due up to `ms`, then sets the clock to it.
  void advance_to(std::int64_t ms);
  /// One recorded WebSocket frame at its receive time.
  void deliver_frame(feed_channel channel, std::int64_t recv_ms, std::string text);
  /// Runs the scheduler until no actor has work left.
  void run();

  std::int64_t now_ms() const { return now_ms_; }
  std::uint64_t timers_fired() const { return timers_; }

private:
  void set_time(std::int64_t ms);
  std::int64_t next_timer_ms() const;

  std::int64_t now_ms_;
  std::int64_t start_ms_ = 0; // the CAF clock's base instant
  caf::scheduler::test_coordinator* sched_ = nullptr;
  feed_actor feed_;
  std::multimap<std::int64_t, std::function<void()>> due_; // scheduled answers, in time then call order
  bool seen_[3] = {false, false, false};                   // the channel's connection announced
  std::uint64_t timers_ = 0;
};

} // namespace tdmaker
