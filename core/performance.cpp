#include "core/performance.hpp"

#include <algorithm>
#include <limits>

namespace tdmaker {
namespace {

/// Floor division (C++ rounds toward zero, which is wrong before the origin).
std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  auto q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

std::int64_t clamp64(__int128 v) {
  constexpr auto lo = std::numeric_limits<std::int64_t>::min();
  constexpr auto hi = std::numeric_limits<std::int64_t>::max();
  return v < lo ? lo : v > hi ? hi : static_cast<std::int64_t>(v);
}

std::int64_t length_ms(const session_clock& c) { return std::max<std::int64_t>(c.length_s, 1) * 1000; }

/// Running totals of one fold; kept wide so a long history cannot overflow.
struct fold {
  __int128 win_sum = 0, loss_sum = 0, cum = 0, peak = 0, drawdown = 0;
  std::int64_t largest_loss = 0;
  std::uint32_t streak = 0, max_streak = 0;

  void add(std::int64_t pnl) {
    if (pnl > 0) {
      win_sum += pnl;
      streak = 0; // a win resets the streak; a zero trade neither adds nor resets
    } else if (pnl < 0) {
      loss_sum -= static_cast<__int128>(pnl);
      largest_loss = std::max(largest_loss, -pnl);
      max_streak = std::max(max_streak, ++streak);
    }
    cum += pnl;
    peak = std::max(peak, cum); // the peak starts at 0: a first loss is a drawdown
    drawdown = std::max(drawdown, peak - cum);
  }
};

} // namespace

std::int64_t session_clock::index(std::int64_t ts_ms) const {
  return floor_div(ts_ms - boundary_s * 1000, length_ms(*this));
}

std::int64_t session_clock::start_ms(std::int64_t idx) const { return boundary_s * 1000 + idx * length_ms(*this); }

std::int64_t session_clock::end_ms(std::int64_t idx) const { return start_ms(idx + 1); }

performance_figures figures_of(const std::vector<const closed_trade*>& trades, const session_clock& clock) {
  performance_figures out;
  fold acc;
  std::vector<std::int64_t> sessions;
  sessions.reserve(trades.size());
  for (const auto* t : trades) {
    ++out.trades;
    if (t->pnl.micros > 0)
      ++out.wins;
    else if (t->pnl.micros < 0)
      ++out.losses;
    acc.add(t->pnl.micros);
    sessions.push_back(clock.index(t->ts_ms));
  }
  std::sort(sessions.begin(), sessions.end());
  out.sessions = static_cast<std::uint32_t>(std::unique(sessions.begin(), sessions.end()) - sessions.begin());
  if (out.trades > 0)
    out.win_rate_ppm = static_cast<std::int64_t>(out.wins) * 1'000'000 / out.trades;
  if (out.wins > 0)
    out.avg_win.micros = clamp64(acc.win_sum / out.wins);
  if (out.losses > 0) {
    out.avg_loss.micros = clamp64(acc.loss_sum / out.losses);
    // avg_loss >= 1 micro: a loss is at least one micro-unit below zero.
    out.rr_ppm = clamp64(static_cast<__int128>(out.avg_win.micros) * 1'000'000 / out.avg_loss.micros);
  }
  out.pnl.micros = clamp64(acc.cum);
  out.largest_loss.micros = acc.largest_loss;
  out.loss_streak = acc.streak;
  out.max_loss_streak = acc.max_streak;
  out.max_drawdown.micros = clamp64(acc.drawdown);
  return out;
}

performance_tracker::performance_tracker(session_clock clock) : clock_(clock) {}

bool performance_tracker::add(const closed_trade& t) {
  if (!keys_.insert(t.key).second)
    return false;
  auto at = std::upper_bound(trades_.begin(), trades_.end(), t.ts_ms,
                             [](std::int64_t ts, const closed_trade& x) { return ts < x.ts_ms; });
  trades_.insert(at, t);
  return true;
}

performance_figures performance_tracker::range(std::int64_t from_ms, std::int64_t to_ms, const trade_filter& f) const {
  from_ms = std::max(from_ms, f.since_ms);
  std::vector<const closed_trade*> picked;
  auto it = std::lower_bound(trades_.begin(), trades_.end(), from_ms,
                             [](const closed_trade& x, std::int64_t ts) { return x.ts_ms < ts; });
  for (; it != trades_.end() && it->ts_ms < to_ms; ++it)
    if (it->paper == f.paper)
      picked.push_back(&*it);
  return figures_of(picked, clock_);
}

performance_figures performance_tracker::session(std::int64_t index, const trade_filter& f) const {
  return range(clock_.start_ms(index), clock_.end_ms(index), f);
}

performance_figures performance_tracker::window(std::int64_t sessions, std::int64_t now_ms,
                                                const trade_filter& f) const {
  if (sessions <= 0)
    return {};
  auto last = clock_.index(now_ms);
  return range(clock_.start_ms(last - sessions + 1), clock_.end_ms(last), f);
}

performance_figures performance_tracker::all(const trade_filter& f) const {
  return range(std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max(), f);
}

} // namespace tdmaker
