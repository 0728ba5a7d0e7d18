#pragma once
// A time-based rolling window of one asset's reference price (seed 000): every
// reference tick goes in, points older than the span fall out. It is not a count
// of samples: a feed that ticks twice a second and one that ticks every two
// seconds cover the same 5 s. The feed keeps one per asset for the whole run, so
// the window survives slot boundaries (seed 000's pitfall 1: a window reset per
// slot shows no velocity at the start of every slot).
#include <cstdint>
#include <deque>

#include "core/money.hpp"

namespace tdmaker {

/// What the window says about the price's motion. Relative units: a velocity of
/// 1e-4 is 0.01 % of the price per second, whatever the asset. Probabilities and
/// rates, not amounts: nothing here is stored, signed or compared for equality.
struct reference_motion {
  std::uint32_t points = 0;        // ticks inside the span
  std::int64_t span_ms = 0;        // newest - oldest point
  bool velocity_known = false;     // >= 2 points with distinct times; never a made-up 0
  double velocity = 0;             // relative change per second (least squares over the window)
  bool acceleration_known = false; // >= 3 points spread over both halves of the window
  double acceleration = 0;         // relative change per second^2 (later half's velocity - earlier half's, per s)
  bool volatility_known = false;   // >= 3 points: realised volatility of the window's returns
  double volatility = 0;           // relative, per sqrt(second)
  bool mean_known = false;         // >= 1 point
  ref_price mean;                  // time-weighted mean over the window (a TWAP estimate)
  ref_price last;                  // newest point (0 when empty)
  std::int64_t last_ts_ms = 0;
};

class reference_window {
public:
  explicit reference_window(std::int64_t span_ms = 5'000);

  /// Adds a tick. A tick older than the newest kept point (an RTDS backfill
  /// replayed after a reconnect) or at the same time is ignored: the window
  /// stays ordered and a duplicate never weighs twice. A zero price is refused.
  /// Returns whether the point was kept.
  bool add(std::int64_t ts_ms, ref_price value);

  /// The motion over the last `span_ms` before `now_ms` (points older are dropped
  /// first: a window whose feed went quiet reports fewer points, then unknown).
  reference_motion motion(std::int64_t now_ms);

  std::int64_t span_ms() const { return span_ms_; }
  std::size_t size() const { return points_.size(); }

private:
  struct point {
    std::int64_t ts_ms;
    ref_price value;
  };
  void expire(std::int64_t now_ms);
  std::int64_t span_ms_;
  std::deque<point> points_;
};

} // namespace tdmaker
