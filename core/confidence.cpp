#include "core/confidence.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace tdmaker {

namespace {

constexpr double seconds_per_year = 365.0 * 24 * 3600; // as core/entry_filters.cpp
constexpr double twap_window_s = 60.0;
constexpr double ppm = 1e6;

double phi(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

/// +1 when `x` points the outcome's way, -1 against, 0 flat.
int direction(outcome side, double x) {
  if (!(x != 0))
    return 0; // also NaN: no direction
  bool up = x > 0;
  return (side == outcome::up) == up ? 1 : -1;
}

std::int64_t to_ppm(double p) {
  if (!std::isfinite(p))
    return 0;
  return static_cast<std::int64_t>(std::llround(std::clamp(p, 0.0, 1.0) * ppm));
}

/// Up's win probability under the market's rule. At or past the end nothing can
/// change: the sign decides and a tie is Up's (the venue resolves Up on end >= start).
double up_probability(const confidence_inputs& in, double sigma, std::uint32_t& reasons) {
  const double t = in.seconds_to_close;
  const bool twap = in.rule == resolution_rule::twap60;
  if (twap)
    reasons |= reason_twap;
  double mu = in.move_since_start, var = 0;
  if (twap && t < twap_window_s) {
    // Part of the averaging window is behind us: what has been averaged is
    // known (the TWAP estimate), what is left moves with the spot.
    if (in.twap_mean_known && std::isfinite(in.twap_move))
      mu = ((twap_window_s - t) * in.twap_move + t * in.move_since_start) / twap_window_s;
    var = sigma * sigma * t * t * t / (3.0 * twap_window_s * twap_window_s);
  } else if (twap) {
    var = sigma * sigma * (t - twap_window_s + twap_window_s / 3.0);
  } else {
    var = sigma * sigma * t;
  }
  if (!(t > 0) || !(var > 0))
    return mu >= 0 ? 1.0 : 0.0; // decided, or no volatility at all: the sign decides
  if (!std::isfinite(var))
    return 0.5; // an endless horizon: no opinion
  return phi(mu / std::sqrt(var));
}

std::int64_t time_penalty(const confidence_rules& r, double t) {
  if (r.fill_time_s <= 0 || r.time_penalty_max_ppm <= 0 || t >= static_cast<double>(r.fill_time_s))
    return 0;
  double fill = static_cast<double>(r.fill_time_s);
  double frac = std::clamp((fill - (t > 0 ? t : 0.0)) / fill, 0.0, 1.0);
  return std::llround(frac * static_cast<double>(r.time_penalty_max_ppm));
}

std::int64_t thin_penalty(const confidence_rules& r, shares ask_size) {
  if (r.thin_book_shares <= 0 || r.thin_penalty_max_ppm <= 0)
    return 0;
  const __int128 full = static_cast<__int128>(r.thin_book_shares) * micros_per_unit;
  const __int128 have = std::max<std::int64_t>(ask_size.micros, 0);
  if (have >= full)
    return 0;
  // Exact: the shortfall's share of the thin level, rounded half up.
  return static_cast<std::int64_t>(((full - have) * r.thin_penalty_max_ppm + full / 2) / full);
}

/// Weighted directional vote in ppm of the total weight: -1e6 all against, 1e6 all for.
std::int64_t directional_vote(const confidence_rules& r, const confidence_inputs& in) {
  const int imbalance = in.own_bid_size > in.other_bid_size ? 1 : in.own_bid_size < in.other_bid_size ? -1 : 0;
  const int velocity = in.motion.velocity_known ? direction(in.side, in.motion.velocity) : 0;
  const std::array<std::pair<std::int64_t, int>, 4> votes{{
    {r.vote_move_ppm, direction(in.side, in.move_since_start)},
    {r.vote_velocity_ppm, velocity},
    {r.vote_imbalance_ppm, imbalance},
    {r.vote_last_trade_ppm, std::clamp(in.last_trade_vote, -1, 1)},
  }};
  __int128 total = 0, sum = 0;
  for (auto [weight, vote] : votes) {
    total += std::max<std::int64_t>(weight, 0);
    sum += static_cast<__int128>(std::max<std::int64_t>(weight, 0)) * vote;
  }
  if (total == 0)
    return 0;
  return static_cast<std::int64_t>(sum * 1'000'000 / total);
}

} // namespace

std::string_view to_string(resolution_rule r) { return r == resolution_rule::twap60 ? "twap60" : "spot"; }

std::string describe_reasons(std::uint32_t reasons) {
  static constexpr std::array<std::pair<std::uint32_t, std::string_view>, 10> names{{
    {reason_no_ask, "no_ask"},
    {reason_no_start, "no_start"},
    {reason_capped, "capped"},
    {reason_unconfirmed_move, "unconfirmed_move"},
    {reason_vote_disagrees, "vote_disagrees"},
    {reason_time_penalty, "time_penalty"},
    {reason_thin_book, "thin_book"},
    {reason_velocity_unknown, "velocity_unknown"},
    {reason_vol_floor, "vol_floor"},
    {reason_twap, "twap"},
  }};
  std::string out;
  for (auto [bit, name] : names) {
    if ((reasons & bit) == 0)
      continue;
    if (!out.empty())
      out += ',';
    out += name;
  }
  return out;
}

double per_second_volatility(std::int64_t annual_vol_ppm) {
  if (annual_vol_ppm <= 0)
    return 0;
  return static_cast<double>(annual_vol_ppm) / ppm / std::sqrt(seconds_per_year);
}

confidence_result confidence_99c(const confidence_rules& r, const confidence_inputs& given) {
  confidence_result out;
  confidence_inputs in = given;
  if (std::isnan(in.seconds_to_close))
    in.seconds_to_close = 0; // never NaN out: an unknown clock is treated as the end
  if (!in.motion.velocity_known)
    out.reasons |= reason_velocity_unknown;
  if (in.ask.micros <= 0) {
    out.reasons |= reason_no_ask;
    return out;
  }
  if (!in.move_known || !std::isfinite(in.move_since_start)) {
    out.reasons |= reason_no_start;
    return out;
  }
  // The model: a driftless walk with the window's volatility, never below the floor.
  const double floor = per_second_volatility(r.annual_vol_ppm);
  const double measured = std::isfinite(in.volatility) && in.volatility > 0 ? in.volatility : 0.0;
  if (floor > measured)
    out.reasons |= reason_vol_floor;
  const double sigma = std::max(measured, floor);
  double p_up = up_probability(in, sigma, out.reasons);
  double p = in.side == outcome::up ? p_up : 1.0 - p_up;
  out.probability_ppm = to_ppm(p);

  // The ask is the market's own probability of the outcome.
  const std::int64_t w = std::clamp<std::int64_t>(r.market_weight_ppm, 0, 1'000'000);
  const std::int64_t ask = std::clamp<std::int64_t>(in.ask.micros, 0, 1'000'000);
  out.blended_ppm = static_cast<std::int64_t>(
    (static_cast<__int128>(1'000'000 - w) * out.probability_ppm + static_cast<__int128>(w) * ask + 500'000)
    / 1'000'000);

  const std::int64_t tp = time_penalty(r, in.seconds_to_close);
  const std::int64_t bp = thin_penalty(r, in.ask_size);
  if (tp > 0)
    out.reasons |= reason_time_penalty;
  if (bp > 0)
    out.reasons |= reason_thin_book;
  out.penalty_ppm = tp + bp;
  const std::int64_t raw = out.blended_ppm - out.penalty_ppm;
  std::int64_t c = raw;

  // Seed 001: a high confidence the price move does not confirm is not believed.
  const bool move_confirms = direction(in.side, in.move_since_start) > 0;
  const bool velocity_against = in.motion.velocity_known && direction(in.side, in.motion.velocity) < 0;
  if (raw > r.validate_above_ppm && (!move_confirms || velocity_against)) {
    c = std::min(c, r.validate_above_ppm);
    out.reasons |= reason_unconfirmed_move;
  }
  // ... and an extreme one needs the signals' weighted agreement.
  out.vote_ppm = directional_vote(r, in);
  if (raw > r.extreme_ppm && out.vote_ppm < r.vote_min_ppm) {
    c = std::min(c, r.extreme_ppm);
    out.reasons |= reason_vote_disagrees;
  }
  const std::int64_t cap = std::clamp<std::int64_t>(r.cap_ppm, 0, 1'000'000);
  if (c > cap) {
    c = cap;
    out.reasons |= reason_capped;
  }
  out.confidence_ppm = std::clamp<std::int64_t>(c, 0, cap);
  return out;
}

} // namespace tdmaker
