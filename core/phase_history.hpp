#pragma once
// Seed 002's phase history (FR-004/007/008): every transition, proposal and
// refusal with the metrics that decided it. The same JSON is the LMDB record
// (db `phase`, key "history/<ts_ms 15 digits>/<seq 6 digits>") and the line in
// logs/phase/phase-history.jsonl; overrides also go to phase-overrides.jsonl.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/performance.hpp"
#include "core/phase.hpp"
#include "core/phase_policy.hpp"
#include "core/result.hpp"

namespace tdmaker {

enum class transition_kind : std::uint8_t {
  upgrade = 0,    // a gate passed and the switch took effect (operator-confirmed or auto)
  downgrade = 1,  // a trigger fired (automatic)
  switch_ = 2,    // an operator switch that needed no gate (down, or same book rules)
  override_ = 3,  // an operator switch that failed its gate, forced
  refusal = 4,    // an operator switch refused by its gate (phase unchanged)
  proposal = 5,   // a gate passed; waiting for the operator (phase unchanged)
  initial = 6,    // the first phase of a new store
};
std::string_view to_string(transition_kind k);
result<transition_kind> parse_transition_kind(std::string_view s);

struct phase_transition {
  std::int64_t ts_ms = 0;
  std::uint32_t seq = 0;               // orders transitions within one ms
  transition_kind kind = transition_kind::switch_;
  phase from = phase::experience;
  phase to = phase::experience;        // for a refusal/proposal: the phase asked for / proposed
  std::string source;                  // "auto", "control-http", "control-cli", "config"
  std::string reason;                  // operator text or the trigger's sentence
  std::string trigger;                 // downgrade: the trigger's name; else ""
  std::vector<criterion> criteria;     // the gate's or the downgrade watch's figures
  performance_figures figures;         // the window that decided it
};

std::string history_key(const phase_transition& t);
/// One JSON object, no newline (the LMDB payload and the JSONL line).
std::string encode(const phase_transition& t);
result<phase_transition> decode_phase_transition(std::string_view json);

/// `tdmaker phase history`: rows with from_ms <= ts_ms < to_ms, in key order.
std::string phase_history_csv(const std::vector<phase_transition>& rows);
std::string phase_history_jsonl(const std::vector<phase_transition>& rows);

} // namespace tdmaker
