#pragma once
#include <chrono>
#include <cstddef>

#include "actors/interfaces.hpp"

namespace tdmaker {

/// Config `events.*` (docs/events.md).
struct events_options {
  std::size_t history = 1000;        // events.history: the ring's size
  std::size_t max_subscribers = 8;   // events.max_subscribers: stream connections at once
  std::chrono::milliseconds flush_every{250};
};

/// Spawns the events actor: the one owner of the typed-event history.
events_actor spawn_events(caf::actor_system& sys, telemetry_actor telemetry, events_options opts);

} // namespace tdmaker
