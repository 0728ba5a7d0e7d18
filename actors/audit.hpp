#pragma once
#include <string>

#include "actors/interfaces.hpp"

namespace tdmaker {

/// Spawns the audit writer (detached: its file writes never stall a scheduler
/// worker). Lines go to `<log_dir>/audit.jsonl`, appended and flushed per message.
audit_actor spawn_audit(caf::actor_system& sys, std::string log_dir);

} // namespace tdmaker
