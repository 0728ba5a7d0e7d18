#pragma once
// Seed 000's 99c-capture confidence with seed 001's rules: the probability that
// an outcome wins under its market's own resolution rule, blended with what the
// ask says, less a penalty for little time left to be filled and for a thin book;
// above 75 % the price move must confirm it, above the extreme level a weighted
// directional vote must agree, and it never exceeds the cap (85 %). Pure: the
// strategy calls it on every book and reference update.
#include <cstdint>
#include <string>

#include "core/market_data.hpp"
#include "core/money.hpp"
#include "core/reference_window.hpp"

namespace tdmaker {

/// How the market resolves (Gamma `cryptoMarketConfig.twapEnabled`).
enum class resolution_rule : std::uint8_t {
  spot = 0,   // Up iff the reference at the end >= the reference at the start
  twap60 = 1, // Up iff the 60 s TWAP of the reference at the end >= the start
};
std::string_view to_string(resolution_rule r);

/// Every knob, in exact integers (ppm = parts per million of 1). Defaults are
/// the documented ones (docs/strategies.md); config validation refuses a
/// threshold above `cap_ppm` and a validation level above the cap.
struct confidence_rules {
  std::int64_t cap_ppm = 850'000;             // seed 001: never above 85 %
  std::int64_t validate_above_ppm = 750'000;  // above it the move since start and the velocity must agree
  std::int64_t extreme_ppm = 800'000;         // above it the weighted vote must agree
  std::int64_t vote_min_ppm = 600'000;        // weighted agreement (of all weight) an extreme needs
  std::int64_t vote_move_ppm = 400'000;       // vote weights: move since start,
  std::int64_t vote_velocity_ppm = 300'000;   //   velocity,
  std::int64_t vote_imbalance_ppm = 200'000;  //   book imbalance (this outcome's bid size vs the other's),
  std::int64_t vote_last_trade_ppm = 100'000; //   the last trade's side
  std::int64_t market_weight_ppm = 500'000;   // weight of the ask in the blend (the rest is the model)
  std::int64_t annual_vol_ppm = 600'000;      // volatility floor (annualised) when the window knows less
  std::int64_t fill_time_s = 10;              // under this many seconds left, a time penalty grows
  std::int64_t time_penalty_max_ppm = 100'000;// ... to this at 0 s
  std::int64_t thin_book_shares = 50;         // an ask with fewer shares than this is thin
  std::int64_t thin_penalty_max_ppm = 50'000; // ... penalised up to this (no shares at all)
};

struct confidence_inputs {
  outcome side = outcome::up;      // the outcome whose confidence is asked
  price ask;                       // its best ask (0 = none: confidence 0)
  shares ask_size;                 // shares at that ask
  double seconds_to_close = 0;     // to the slot end
  bool move_known = false;         // the start reference is captured
  double move_since_start = 0;     // (reference now - start) / start; > 0 is Up's way
  reference_motion motion;         // the fast window: velocity (and its volatility, if known)
  double volatility = 0;           // relative per sqrt(s) from a longer window; <= 0: unknown
  resolution_rule rule = resolution_rule::spot;
  bool twap_mean_known = false;    // for twap60: the mean of the reference over the last 60 s
  double twap_move = 0;            // (that mean - start) / start
  shares own_bid_size;             // best bid size of this outcome's book
  shares other_bid_size;           // best bid size of the other outcome's book
  int last_trade_vote = 0;         // +1 the last trade bought this outcome (or sold the other), -1 the reverse, 0 unknown
};

/// Why a confidence is what it is: bits, so a result allocates nothing.
enum confidence_reason : std::uint32_t {
  reason_no_ask = 1u << 0,
  reason_no_start = 1u << 1,          // no start reference: no model, confidence 0
  reason_capped = 1u << 2,            // limited to cap_ppm
  reason_unconfirmed_move = 1u << 3,  // above validate_above_ppm, move or velocity disagree: limited to it
  reason_vote_disagrees = 1u << 4,    // above extreme_ppm, the weighted vote is short: limited to it
  reason_time_penalty = 1u << 5,
  reason_thin_book = 1u << 6,
  reason_velocity_unknown = 1u << 7,  // fewer than 2 points: the velocity neither confirms nor votes
  reason_vol_floor = 1u << 8,         // the volatility floor was used
  reason_twap = 1u << 9,              // the TWAP rule applied
};
/// "capped,time_penalty" (empty for none): for logs, /status and the audit log.
std::string describe_reasons(std::uint32_t reasons);

struct confidence_result {
  std::int64_t confidence_ppm = 0;  // what the strategy compares with its threshold
  std::int64_t probability_ppm = 0; // the model's win probability under the rule (before blend)
  std::int64_t blended_ppm = 0;     // model and ask blended, before penalty and limits
  std::int64_t penalty_ppm = 0;     // time + thin book
  std::int64_t vote_ppm = 0;        // weighted directional vote, -1e6..1e6 (agreement with `side`)
  std::uint32_t reasons = 0;        // confidence_reason bits
};

/// confidence_99c(ask, seconds_to_close, move_since_start, volatility, velocity,
/// resolution_rule) of the issue, with the book and trade inputs of the vote.
/// Monotone: a larger move in the outcome's direction never lowers it; less
/// time never raises it through the penalty. Deterministic; never throws.
confidence_result confidence_99c(const confidence_rules& rules, const confidence_inputs& in);

/// The volatility floor per sqrt(second) from an annualised ppm figure.
double per_second_volatility(std::int64_t annual_vol_ppm);

} // namespace tdmaker
