#pragma once
// The node's supervisor: monitors every singleton actor and decides, kind by kind,
// what its death means (docs/architecture.md, "Supervision"). Market actors are
// the directory's business, not this one's.
#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "actors/interfaces.hpp"

namespace tdmaker {

/// Exit code of a node that stopped because a singleton actor died (EX_SOFTWARE):
/// the service manager starts it again, and the new process recovers from LMDB.
inline constexpr int exit_actor_died = 70;

enum class on_death {
  restart,   // no peer holds its handle and its state is durable: respawned in place
  stop_node, // peers hold its handle: the node stops cleanly and exits 70
};

enum class death_action { ignore, restart, stop_node };

struct restart_budget {
  int max_restarts = 3; // per kind within `window`; one more death stops the node
  std::chrono::seconds window{60};
};

/// What one death means. `recent` (this kind's restart times) is pruned to the
/// window, and gains `now` when the answer is restart.
death_action decide(on_death policy, bool stopping, std::deque<std::chrono::steady_clock::time_point>& recent,
                    std::chrono::steady_clock::time_point now, const restart_budget& budget);

/// The first fatal death, handed from the supervisor to the main thread: written
/// once, then `fd()` (an eventfd) becomes readable.
class failure_latch {
public:
  failure_latch();
  ~failure_latch();
  failure_latch(const failure_latch&) = delete;
  failure_latch& operator=(const failure_latch&) = delete;

  /// The first call wins and wakes the waiter; later ones return false.
  bool trip(std::string kind, std::string reason);
  bool tripped() const { return tripped_.load(std::memory_order_acquire); }
  /// Valid once tripped().
  const std::string& kind() const { return kind_; }
  const std::string& reason() const { return reason_; }
  int fd() const { return fd_; }

private:
  std::atomic<bool> claimed_{false};
  std::atomic<bool> tripped_{false};
  std::string kind_;
  std::string reason_;
  int fd_ = -1;
};

/// One row of the node's singleton table, as the supervisor keeps it.
struct supervised {
  std::string kind;
  on_death policy = on_death::stop_node;
  bool stops_after_flush = false;       // the node stops it itself, after the store's last barrier
  caf::actor handle;                    // the current incarnation
  std::function<caf::actor()> respawn;  // on_death::restart only
};

struct supervisor_options {
  std::vector<supervised> table; // start order; workers stop in reverse
  restart_budget budget;
  bool fault_injection = false;  // debug.fault_injection: crash requests are honoured
  notifier_actor notifier;
  telemetry_actor telemetry;
  std::shared_ptr<failure_latch> latch;
};

supervisor_actor spawn_supervisor(caf::actor_system& sys, supervisor_options opts);

} // namespace tdmaker
