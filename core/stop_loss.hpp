#pragma once
// Seed 003's StopLossManager as pure rules. Two modes, never both:
//   rule-based - the position's bid once reached `peak` and now sits at or below
//                `exit`: sell, unless the Chainlink fair value of the held outcome
//                still says it wins (>= `fair_hold`), and then only for `grace_ms`
//                after the crash began (a crash that lasts is believed);
//   exit model - a logistic P(win) of the held outcome below `exit_threshold`: sell.
// An empty book means the market has resolved or expired: await settlement, never sell.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/entry_filters.hpp"
#include "core/money.hpp"
#include "core/result.hpp"

namespace tdmaker {

struct stop_rules {
  bool enabled = true;
  price peak{900'000};       // the bid must have reached this since the fill ...
  price exit{650'000};       // ... and now be at or below this
  bool fair_value_override = true;
  double fair_hold = 0.8;    // fair value of the held outcome that defers the exit ...
  std::int64_t grace_ms = 10'000; // ... for at most this long
  std::int64_t annual_vol_ppm = 600'000;
  std::uint32_t max_retries = 3;           // sell attempts per tick, with backoff
  std::uint32_t alert_after_failures = 3;  // failed ticks in a row before a critical alert
};

struct exit_model {
  entry_model model;          // same features as the entry model (docs/configuration.md)
  double exit_threshold = 0.3; // P(win) below this: sell
};
/// `{"intercept": x, "weights": {...}, "exit_threshold": p}`: the entry model's
/// features and weights (its entry thresholds are not needed), p in [0, 1].
result<exit_model> parse_exit_model(std::string_view json_text);

enum class stop_verdict : std::uint8_t { hold = 0, exit = 1, await_settlement = 2 };
std::string_view to_string(stop_verdict v);

/// The position's memory between checks: highest bid seen, and when the bid
/// first sat at or below `exit` in the current crash (0 = not now).
struct stop_state {
  price peak_bid;
  std::int64_t below_exit_since_ms = 0;
};

struct stop_check {
  stop_verdict verdict = stop_verdict::hold;
  std::string_view reason; // static text
  price exit_px;           // the bid to sell into
  double p_win = -1;       // fair value or model probability when computed
};

/// One check of a held outcome: `in` is the entry filters' view of that outcome
/// (bid, ask, references, times). Updates `st`.
stop_check check_stop(const stop_rules& r, const exit_model* model, const entry_inputs& in, stop_state& st);

} // namespace tdmaker
