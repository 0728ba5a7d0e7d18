#pragma once
// Seed 000's danger score: 0 (safe) to 100 for a held 99c-capture position,
// recomputed on every book and reference update. Four components, each a
// weight times a saturating fraction, so the score is monotone in every input:
// the drop of confidence since the peak at fill, the reference moving against
// the position, the time still left for it to go wrong, and the strength of the
// opposite outcome's bid. Pure.
#include <cstdint>

namespace tdmaker {

/// Weights are points out of 100 (they must sum to 1..100); each `*_full` is the
/// input at which its component saturates. Defaults: docs/strategies.md.
struct danger_weights {
  std::int64_t confidence_drop = 40;          // points when the drop reaches drop_full_ppm
  std::int64_t adverse_velocity = 25;         // ... when the adverse velocity reaches velocity_full_ppb
  std::int64_t time_left = 15;                // ... when time_full_s or more are left
  std::int64_t opposite_bid = 20;             // ... when the opposite bid reaches opposite_full
  std::int64_t drop_full_ppm = 300'000;       // a 30-point fall of confidence
  std::int64_t velocity_full_ppb = 100'000;   // 1e-4 of the price per second (parts per billion per s)
  std::int64_t time_full_s = 300;
  std::int64_t opposite_full = 500'000;       // a 0.50 bid on the other outcome (price micro-units)
};

struct danger_inputs {
  std::int64_t peak_confidence_ppm = 0; // at fill (seed 000), see capture state
  std::int64_t confidence_ppm = 0;      // now
  bool velocity_known = false;          // unknown contributes nothing (never a made-up velocity)
  double adverse_velocity = 0;          // relative per s against the position (> 0 is adverse)
  double seconds_to_close = 0;
  std::int64_t opposite_bid = 0;        // price micro-units of the other outcome's best bid (0: none)
};

struct danger_result {
  int score = 0;            // 0..100
  int drop_points = 0;      // each component's points (they sum to `score`, before clamping)
  int velocity_points = 0;
  int time_points = 0;
  int opposite_points = 0;
};

danger_result danger_score(const danger_weights& w, const danger_inputs& in);

} // namespace tdmaker
