#pragma once
// The phase history's JSONL mirror (seed 002 FR-004/007/008): every transition,
// proposal and refusal as one line of <log_dir>/phase/phase-history.jsonl, and
// each override also in phase-overrides.jsonl. LMDB holds the durable record;
// these files are for people and tools that read logs.
#include <string>

#include "core/phase_history.hpp"

namespace tdmaker {

/// Appends `t` (encode(t) + '\n'); "" on success, else the path whose append
/// failed (the caller logs and alerts: the entry is durable in LMDB already).
std::string append_phase_history(const std::string& log_dir, const phase_transition& t);

} // namespace tdmaker
