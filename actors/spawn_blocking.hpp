#pragma once
// Actors that block on a file (the store's fsync, the audit and phase-history
// appends) get a thread of their own live, so a slow disk never stalls a
// scheduler worker. Under CAF's deterministic test coordinator (the replay, and
// actor tests that use it) every actor must run on its one thread instead: a
// detached actor would answer from another thread, at a moment no driver
// controls, and the run would no longer be the same run after run.
#include <utility>

#include <caf/actor_system.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/spawn_options.hpp>

namespace tdmaker {

inline bool deterministic_scheduler(caf::actor_system& sys) {
  return dynamic_cast<caf::scheduler::test_coordinator*>(&sys.scheduler()) != nullptr;
}

/// `spawner` is the actor system or a spawning actor (`*this`).
template <class Impl, class Spawner, class... Ts>
auto spawn_blocking(caf::actor_system& sys, Spawner& spawner, Ts&&... xs) {
  if (deterministic_scheduler(sys))
    return spawner.template spawn<Impl>(std::forward<Ts>(xs)...);
  return spawner.template spawn<Impl, caf::detached>(std::forward<Ts>(xs)...);
}

} // namespace tdmaker
