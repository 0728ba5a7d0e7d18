#pragma once
// Seed 002's performance tracker as pure arithmetic: closed trades (one per
// settled market and book) folded into per-session and rolling-window figures.
// Exact: every amount is micro-units, every ratio parts per million, never a
// double. The phase manager rebuilds it from LMDB `settlements` at start, so a
// restart changes no figure.
#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/money.hpp"

namespace tdmaker {

/// A trading session (seed 002's trading day): sessions start at `boundary_s`
/// seconds after UTC midnight and last `length_s` (86 400 in production; tests
/// use short sessions). Session n covers [origin + n*length, origin + (n+1)*length)
/// where origin = boundary_s (epoch seconds), so session indices are stable.
struct session_clock {
  std::int64_t boundary_s = 0;   // [0, 86400)
  std::int64_t length_s = 86'400; // > 0
  std::int64_t index(std::int64_t ts_ms) const;    // floor division: correct before the epoch too
  std::int64_t start_ms(std::int64_t index) const;
  std::int64_t end_ms(std::int64_t index) const;   // exclusive
};

/// One settled position: the settlement record's PnL on its book.
struct closed_trade {
  std::string key;         // the settlement key ("<condition id>" or "<condition id>/paper"): a repeat is ignored
  usdc pnl;
  std::int64_t ts_ms = 0;  // settled_ms
  bool paper = false;
};

/// Figures over a set of trades. A win is pnl > 0, a loss pnl < 0; a trade at
/// exactly 0 counts as a trade and neither. A ratio that is undefined (no
/// trades; no loss for R:R) is `undefined` (-1), never a made-up 0: it travels
/// in CAF messages, which have no std::optional in 0.17.
struct performance_figures {
  std::uint32_t trades = 0;
  std::uint32_t wins = 0;
  std::uint32_t losses = 0;
  std::uint32_t sessions = 0;                 // sessions with at least one trade
  static constexpr std::int64_t undefined = -1;
  std::int64_t win_rate_ppm = undefined;      // floor(wins * 1e6 / trades)
  usdc avg_win;                               // >= 0, floor of the mean
  usdc avg_loss;                              // >= 0 (magnitude), floor of the mean
  std::int64_t rr_ppm = undefined;            // floor(avg_win * 1e6 / avg_loss); undefined without a loss
  usdc pnl;
  usdc largest_loss;                          // >= 0 (magnitude)
  std::uint32_t loss_streak = 0;              // consecutive losses at the end (a win resets; 0 pnl does not)
  std::uint32_t max_loss_streak = 0;
  usdc max_drawdown;                          // >= 0: largest peak-to-trough fall of cumulative pnl (from 0)
};

template <class Inspector>
auto inspect(Inspector& f, performance_figures& x) {
  return f(x.trades, x.wins, x.losses, x.sessions, x.win_rate_ppm, x.avg_win, x.avg_loss, x.rr_ppm, x.pnl,
           x.largest_loss, x.loss_streak, x.max_loss_streak, x.max_drawdown);
}

/// What the tracker is asked about: one book, trades at or after `since_ms`
/// (the phase's start, so a downgrade is not re-fired by the trades that caused it).
struct trade_filter {
  bool paper = false;
  std::int64_t since_ms = 0;
};

class performance_tracker {
public:
  explicit performance_tracker(session_clock clock = {});

  /// Adds a trade; false (and nothing changes) when its key was added before.
  bool add(const closed_trade& t);

  /// The trades of session `index` that pass `f`.
  performance_figures session(std::int64_t index, const trade_filter& f) const;
  /// The last `sessions` sessions up to and including the one holding `now_ms`.
  performance_figures window(std::int64_t sessions, std::int64_t now_ms, const trade_filter& f) const;
  /// Every trade that passes `f`.
  performance_figures all(const trade_filter& f) const;

  const session_clock& clock() const { return clock_; }
  std::size_t size() const { return trades_.size(); }

private:
  /// The trades in [from_ms, to_ms) that pass `f`.
  performance_figures range(std::int64_t from_ms, std::int64_t to_ms, const trade_filter& f) const;

  session_clock clock_;
  std::vector<closed_trade> trades_; // in ts order (ties: insertion order)
  std::unordered_set<std::string> keys_; // every key added: add() is idempotent
};

/// The rolling windows seed 002 reports: the last 10, 20, 50 and 100 sessions.
inline constexpr std::int64_t rolling_windows[] = {10, 20, 50, 100};

/// Fold of `trades` (already filtered, in time order); exposed for tests.
performance_figures figures_of(const std::vector<const closed_trade*>& trades, const session_clock& clock);

} // namespace tdmaker
