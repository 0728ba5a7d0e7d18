#pragma once
// What /status and /metrics show of seed 002's phase policy: the phase manager's
// latest phase_sample (gate progress, downgrade watch, session figures) and
// bidding's budget_snapshot (the limits in force, the trade limiter's counts).
// Pure rendering, kept out of the telemetry actor. The phase object itself is
// the phase manager's (core/phase_status.hpp), carried rendered in the sample.
#include "core/json_write.hpp"
#include "core/prometheus.hpp"
#include "messages/messages.hpp"

namespace tdmaker {

/// The limits bidding applies to new orders and the trade limiter's counts.
void write_phase_limits(json::object_writer& w, const budget_snapshot& b);

/// The phase families of /metrics from the latest sample (nullptr: none yet, so
/// no figure is made up) and bidding's snapshot (nullptr: none yet).
void phase_policy_metrics(prom::exposition& e, const phase_sample* s, const budget_snapshot* b);

} // namespace tdmaker
