#pragma once
#include <caf/actor_system_config.hpp>

namespace tdmaker {

/// Announces every message type of messages.hpp to the actor system (names are
/// what CAF prints in errors and uses on the wire). Call before the system starts.
void register_message_types(caf::actor_system_config& cfg);

} // namespace tdmaker
