#include "core/reference_window.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <ranges>

namespace tdmaker {

namespace {

struct slope_fit {
  bool known = false;
  double slope = 0;    // relative change per second
  double center_s = 0; // mean time of the points (s after the window's first point)
};

/// Least-squares slope of price / base over time. Two points at distinct times
/// are the least that make a slope; all at one time is no slope at all.
template <class It>
slope_fit fit_slope(It first, It last, std::int64_t t0_ms, double base) {
  slope_fit f;
  if (std::distance(first, last) < 2)
    return f;
  double n = static_cast<double>(std::distance(first, last)), sx = 0, sy = 0;
  for (const auto& p : std::ranges::subrange(first, last)) {
    sx += static_cast<double>(p.ts_ms - t0_ms) / 1000.0;
    sy += static_cast<double>(p.value.e8) / base;
  }
  double mx = sx / n, my = sy / n, sxx = 0, sxy = 0;
  for (const auto& p : std::ranges::subrange(first, last)) {
    double dx = static_cast<double>(p.ts_ms - t0_ms) / 1000.0 - mx;
    sxx += dx * dx;
    sxy += dx * (static_cast<double>(p.value.e8) / base - my);
  }
  if (!(sxx > 0))
    return f;
  f.known = true;
  f.slope = sxy / sxx;
  f.center_s = mx;
  return f;
}

/// Realised volatility: the sample standard deviation of the log returns, each
/// normalised by the square root of its own interval, so irregular ticks weigh
/// as the time they cover. Needs two returns (three points).
template <class Points>
bool realised_volatility(const Points& pts, double& out) {
  if (pts.size() < 3)
    return false;
  double sum = 0, sum_sq = 0;
  std::size_t n = 0;
  for (std::size_t i = 1; i < pts.size(); ++i) {
    double dt = static_cast<double>(pts[i].ts_ms - pts[i - 1].ts_ms) / 1000.0;
    if (!(dt > 0))
      continue;
    double r = std::log(static_cast<double>(pts[i].value.e8) / static_cast<double>(pts[i - 1].value.e8))
               / std::sqrt(dt);
    sum += r;
    sum_sq += r * r;
    ++n;
  }
  if (n < 2)
    return false;
  double mean = sum / static_cast<double>(n);
  double var = (sum_sq - static_cast<double>(n) * mean * mean) / static_cast<double>(n - 1);
  out = std::sqrt(var > 0 ? var : 0.0);
  return true;
}

/// Time-weighted mean: each point holds from its time to the next one's, the
/// newest to `now`. A single point at `now` weighs nothing: its value is the mean.
template <class Points>
ref_price time_weighted_mean(const Points& pts, std::int64_t now_ms) {
  __int128 weighted = 0, total = 0;
  for (std::size_t i = 0; i < pts.size(); ++i) {
    std::int64_t until = i + 1 < pts.size() ? pts[i + 1].ts_ms : now_ms;
    std::int64_t held = until > pts[i].ts_ms ? until - pts[i].ts_ms : 0;
    weighted += static_cast<__int128>(pts[i].value.e8) * held;
    total += held;
  }
  if (total == 0)
    return pts.back().value;
  return ref_price{static_cast<std::int64_t>((weighted + total / 2) / total)};
}

} // namespace

reference_window::reference_window(std::int64_t span_ms) : span_ms_(span_ms > 0 ? span_ms : 1) {}

bool reference_window::add(std::int64_t ts_ms, ref_price value) {
  if (value.e8 <= 0)
    return false;
  if (!points_.empty() && ts_ms <= points_.back().ts_ms)
    return false; // a replayed or duplicate tick: the window stays ordered
  points_.push_back({ts_ms, value});
  expire(ts_ms); // bounded even if nobody asks for the motion
  return true;
}

void reference_window::expire(std::int64_t now_ms) {
  while (!points_.empty() && points_.front().ts_ms < now_ms - span_ms_)
    points_.pop_front();
}

reference_motion reference_window::motion(std::int64_t now_ms) {
  expire(now_ms);
  reference_motion m;
  m.points = static_cast<std::uint32_t>(points_.size());
  if (points_.empty())
    return m;
  const auto& pts = points_;
  const auto t0 = pts.front().ts_ms;
  const double base = static_cast<double>(pts.front().value.e8);
  m.span_ms = pts.back().ts_ms - t0;
  m.last = pts.back().value;
  m.last_ts_ms = pts.back().ts_ms;
  m.mean_known = true;
  m.mean = time_weighted_mean(pts, now_ms);
  if (auto f = fit_slope(pts.begin(), pts.end(), t0, base); f.known) {
    m.velocity_known = true;
    m.velocity = f.slope;
  }
  if (pts.size() >= 3) {
    // The halves split the window's time at its middle; a half holding one
    // point borrows its neighbour across the middle, so each has a slope.
    const auto mid = t0 + m.span_ms / 2;
    std::size_t early_end = 0, late_begin = pts.size() - 1;
    while (early_end + 1 < pts.size() && pts[early_end + 1].ts_ms <= mid)
      ++early_end;
    while (late_begin > 0 && pts[late_begin - 1].ts_ms >= mid)
      --late_begin;
    early_end = std::max<std::size_t>(early_end, 1);
    late_begin = std::min(late_begin, pts.size() - 2);
    auto early = fit_slope(pts.begin(), pts.begin() + static_cast<std::ptrdiff_t>(early_end + 1), t0, base);
    auto late = fit_slope(pts.begin() + static_cast<std::ptrdiff_t>(late_begin), pts.end(), t0, base);
    double gap = late.center_s - early.center_s;
    if (early.known && late.known && gap > 0) {
      m.acceleration_known = true;
      m.acceleration = (late.slope - early.slope) / gap;
    }
  }
  m.volatility_known = realised_volatility(pts, m.volatility);
  return m;
}

} // namespace tdmaker
