#include "core/danger_score.hpp"

#include <algorithm>
#include <cmath>

namespace tdmaker {

namespace {

/// weight * clamp(input / full, 0, 1), rounded to whole points. A component
/// with no saturation level (full <= 0) is all or nothing; NaN counts as 0.
int component(std::int64_t weight, double input, double full) {
  if (weight <= 0 || !(input > 0))
    return 0;
  double frac = full > 0 ? std::min(input / full, 1.0) : 1.0;
  return static_cast<int>(std::lround(static_cast<double>(weight) * frac));
}

} // namespace

danger_result danger_score(const danger_weights& w, const danger_inputs& in) {
  danger_result r;
  const std::int64_t drop = std::max<std::int64_t>(0, in.peak_confidence_ppm - in.confidence_ppm);
  r.drop_points = component(w.confidence_drop, static_cast<double>(drop), static_cast<double>(w.drop_full_ppm));
  // Only a known velocity against the position counts: unknown is not a made-up 0 risk or a made-up alarm.
  if (in.velocity_known)
    r.velocity_points = component(w.adverse_velocity, in.adverse_velocity * 1e9,
                                  static_cast<double>(w.velocity_full_ppb));
  r.time_points = component(w.time_left, in.seconds_to_close, static_cast<double>(w.time_full_s));
  r.opposite_points = component(w.opposite_bid, static_cast<double>(in.opposite_bid),
                                static_cast<double>(w.opposite_full));
  r.score = std::clamp(r.drop_points + r.velocity_points + r.time_points + r.opposite_points, 0, 100);
  return r;
}

} // namespace tdmaker
