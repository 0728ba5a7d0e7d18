#pragma once
#include <chrono>

#include "actors/interfaces.hpp"

namespace tdmaker {

/// Routes operator commands to the actor that owns the state they change.
control_actor spawn_control(caf::actor_system& sys, phase_manager_actor phases,
                            telemetry_actor telemetry, std::chrono::milliseconds flush_every);

} // namespace tdmaker
