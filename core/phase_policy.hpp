#pragma once
// Seed 002's phase policy as pure rules: each phase's limits, the profitability
// gate of each upgrade, the automatic downgrade triggers, and which resting
// orders a phase change must cancel. The phase manager actor feeds it the
// tracker and the clock; bidding and the order actor take the limits.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/money.hpp"
#include "core/performance.hpp"
#include "core/phase.hpp"

namespace tdmaker {

/// What a phase lets bidding do. Experience is paper only (core/phase.hpp).
struct phase_limits {
  shares shares_per_rung{5 * micros_per_unit};
  usdc max_exposure{50 * micros_per_unit};   // the global exposure budget
  usdc max_per_market{15 * micros_per_unit};
  std::uint32_t max_trades_per_session = 0;  // new positions per session on this phase's book; 0 = no limit
  usdc capital{50 * micros_per_unit};        // what "a session loss above x % of the phase's capital" means
};

/// The criteria to enter a phase, over the last `window_sessions` sessions of
/// the current phase's book since the current phase began.
struct gate_rule {
  std::int64_t window_sessions = 20;
  std::uint32_t min_sessions = 5;
  std::uint32_t min_trades = 20;
  std::int64_t min_win_rate_ppm = 600'000;
  std::int64_t min_rr_ppm = 1'000'000;         // no loss in the window passes
  bool require_positive_pnl = true;
  std::optional<usdc> max_drawdown;            // nullopt: not checked
};

struct downgrade_rule {
  bool enabled = true;
  std::uint32_t consecutive_losses = 3;        // 0 = trigger off
  std::int64_t min_win_rate_ppm = 550'000;     // rolling win rate below this fires (once the window has enough trades)
  std::int64_t win_rate_window_sessions = 20;
  std::uint32_t win_rate_min_trades = 10;
  std::int64_t max_session_loss_ppm = 50'000;  // of the phase's capital; 0 = trigger off
};

struct phase_policy {
  std::array<phase_limits, 4> limits;          // by phase index
  std::array<gate_rule, 3> gates;              // gates[i]: phase i -> phase i+1
  downgrade_rule downgrade;
  session_clock session;
  bool auto_upgrade = false;

  const phase_limits& limits_of(phase p) const { return limits[static_cast<std::size_t>(p)]; }
  /// The defaults: every phase's size from the ladder/budget config, ProofOfConcept one trade a session.
  static phase_policy defaults();
};

std::optional<phase> next_phase(phase p); // nullopt at Scaling
std::optional<phase> prev_phase(phase p); // nullopt at Experience (the floor)

/// One gate criterion or downgrade watch, with its figures as exact decimal
/// text ("0.600000", "12.500000", "7"), for /status, /metrics, 409 bodies and history.
struct criterion {
  std::string name;      // "min_sessions", "min_trades", "min_win_rate", "min_rr", "positive_pnl", "max_drawdown",
                         // "consecutive_losses", "rolling_win_rate", "session_loss"
  std::string value;     // "" when the figure is undefined (no trades)
  std::string threshold;
  bool pass = false;     // gates: criterion met; downgrade watch: trigger NOT fired
  std::int64_t value_micros = 0;     // the same figures as integers (ppm / micro-units / counts) for /metrics
  std::int64_t threshold_micros = 0;
};

/// A micro-unit (or ppm) figure with exactly 6 decimals: 600000 -> "0.600000",
/// -12500000 -> "-12.500000" (the criterion text).
std::string format_micros6(std::int64_t micros);

template <class Inspector>
auto inspect(Inspector& f, criterion& x) {
  return f(x.name, x.value, x.threshold, x.pass, x.value_micros, x.threshold_micros);
}

struct gate_report {
  phase from = phase::experience;
  phase to = phase::experience;
  bool pass = false;                    // every criterion met (false at Scaling: no next phase)
  std::vector<criterion> criteria;
  performance_figures figures;          // the window the gate looked at
};

template <class Inspector>
auto inspect(Inspector& f, gate_report& x) { return f(x.from, x.to, x.pass, x.criteria, x.figures); }

/// The gate from `current` to the next phase; the book is `current`'s
/// (Experience: paper), trades since `since_ms`.
gate_report evaluate_gate(phase current, std::int64_t since_ms, std::int64_t now_ms,
                          const performance_tracker& t, const phase_policy& p);

/// The gate for a switch `from` -> `to` an operator asked for: an upgrade by
/// more than one step checks every gate on the way with the same figures
/// (`from`'s book since `since_ms`, each gate's own window) and reports the
/// first that fails, or the last when all pass; a downgrade or a same-phase
/// switch always passes (empty criteria).
gate_report evaluate_switch(phase from, phase to, std::int64_t since_ms, std::int64_t now_ms,
                            const performance_tracker& t, const phase_policy& p);

struct downgrade_report {
  bool fire = false;
  std::string trigger;                  // the first criterion that fired ("consecutive_losses", ...)
  std::vector<criterion> watch;         // every trigger with its figures
  performance_figures session;          // the current session's figures
};

template <class Inspector>
auto inspect(Inspector& f, downgrade_report& x) { return f(x.fire, x.trigger, x.watch, x.session); }

/// The triggers for `current` (never fires in Experience, the floor, or when disabled).
downgrade_report evaluate_downgrade(phase current, std::int64_t since_ms, std::int64_t now_ms,
                                    const performance_tracker& t, const phase_policy& p);

/// A resting buy as the order actor sees it, for the cancel-above-limits rule.
struct resting_buy {
  std::string order_id;
  std::string market;    // condition id hex
  shares size;
  usdc reserved;
  std::int64_t created_ms = 0;
  bool paper = false;
};

/// The resting buys a switch to `to` must cancel: those of the book `to` does not
/// trade on, those larger than its shares per rung, and (newest first) those that
/// keep a market above its per-market cap or the total above its exposure budget.
std::vector<std::string> orders_above_limits(const std::vector<resting_buy>& open, phase to, const phase_limits& l);

/// The new buys (by index in `entries`) that `current`'s limits refuse beside the
/// `open` ones: a market sized its bids before it heard of a switch, and its batch
/// reached the order actor after it. Open orders are never named here.
std::vector<std::size_t> entries_above_limits(const std::vector<resting_buy>& open,
                                              const std::vector<resting_buy>& entries, phase current,
                                              const phase_limits& l);

} // namespace tdmaker
