#pragma once
// Seed 002's state as the operator reads it: the JSON of `GET /phase` (and of
// /status's "phase" object), the 409 body of a refused switch, and the sentences
// the phase manager logs, alerts and records. Pure: the phase manager computes
// the figures (tracker, gate, downgrade watch) and this only renders them.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/performance.hpp"
#include "core/phase_policy.hpp"
#include "core/records.hpp"
#include "core/result.hpp"

namespace tdmaker {

struct phase_status {
  phase_record record;
  bool auto_upgrade = false;
  bool upgrade_proposed = false;       // a gate passed, waiting for the operator
  gate_report gate;                    // toward the next phase (criteria empty at Scaling)
  downgrade_report downgrade;          // the watch (never fires in Experience)
  std::int64_t session = 0;            // the current session's index
  std::int64_t session_start_ms = 0;
  std::int64_t session_end_ms = 0;     // exclusive
  performance_figures session_figures; // the phase's book, this session, since the phase began
  /// (sessions, figures) of the rolling windows (core/performance.hpp rolling_windows); empty renders {}.
  std::vector<std::pair<std::int64_t, performance_figures>> windows;
};

/// The status of `record`'s phase at `now_ms`: the gate toward the next phase and the
/// downgrade watch on the phase's book since it began, this session's figures, and the
/// rolling windows of the book's whole record.
phase_status make_phase_status(const phase_record& record, bool upgrade_proposed, const performance_tracker& t,
                               const phase_policy& p, std::int64_t now_ms);

/// The contract's `GET /phase` object: {"phase", "previous", "since_ms", "source", "reason",
/// "auto_upgrade", "upgrade_proposed", "gate", "downgrade", "session", "windows"}. Money and
/// ratios are decimal strings ("" when undefined), counts are integers.
std::string phase_status_json(const phase_status& s);

/// One figures object ({"trades", "wins", ..., "max_drawdown"}), as in "windows".
std::string performance_figures_json(const performance_figures& f);

/// "Experience->ProofOfConcept"; "" when `from == to` (no gate, e.g. at Scaling).
std::string transition_name(phase from, phase to);

/// "min_trades 3 < 20": one failing criterion, with the comparison it failed.
std::string criterion_failure_text(const criterion& c);

/// "gate Experience->ProofOfConcept not met: min_trades 3 < 20; min_sessions 1 < 5".
std::string gate_refusal_text(const gate_report& g);

/// The 409 body: {"error", "transition", "failing": [{criterion, value, threshold}],
/// "criteria": [every criterion with "pass"]}.
std::string gate_refusal_json(const gate_report& g, std::string_view error);

/// The operator's reading of a 409 body (`tdmaker ctl phase`): the error line, then
/// one line per failing criterion ("  min_trades 3 < 20"). Fails on a body that
/// is not a refusal, so the caller prints it raw instead.
result<std::string> describe_gate_refusal(std::string_view body);

/// The 200 body of an accepted switch: the phase record, plus "override": true when forced.
std::string phase_switch_json(const phase_record& r, bool override_);

/// The sentence of a fired downgrade trigger with its figures, e.g.
/// "3 consecutive losses (threshold 3)"; "" when nothing fired.
std::string downgrade_sentence(const downgrade_report& r);

} // namespace tdmaker
