#pragma once
// Seed 003's entry filters, one pure function each, and the chain that runs them.
// A filter answers skip (with a reason) or passes; the chain's answer is
// skip/maker/taker with the price to bid. Reasons are static strings, so an
// evaluation on the hot path allocates nothing; the audit log adds the inputs.
//
// The probability of Up is the only floating-point quantity: it is a model
// output, compared against a price only after rounding to whole micro-units.
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/market_data.hpp"
#include "core/money.hpp"
#include "core/result.hpp"

namespace tdmaker {

enum class entry_action : std::uint8_t { skip = 0, maker = 1, taker = 2 };
std::string_view to_string(entry_action a);

struct entry_rules {
  price target_bid{800'000};       // lowest best bid worth joining ...
  price max_bid{920'000};          // ... and the highest
  std::int64_t min_move_ppm = 0;   // directional Chainlink move since the slot start, >=
  std::int64_t max_move_ppm = 20'000; // volatility cap: a bigger move is a spike, not a trend
  std::int64_t min_entry_s = 0;    // seconds into the slot
  std::int64_t max_entry_s = 840;
  bool fair_value = true;          // require fair value - bid >= min_edge
  std::int64_t annual_vol_ppm = 600'000; // sigma of the reference (0.60 = 60 % a year)
  price min_edge{0};
};

/// What one outcome of one market looks like at this moment.
struct entry_inputs {
  outcome side = outcome::up;
  price bid;        // best bid of this outcome's token (0 = none)
  price ask;        // best ask (0 = none)
  ref_price ref_start;
  ref_price ref_now;
  std::int64_t now_ms = 0;
  std::int64_t slot_start_s = 0;
  std::int64_t slot_end_s = 0;
};

struct filter_result {
  entry_action action = entry_action::skip;
  std::string_view reason; // static text
  price px;                // the price to bid (maker) or take (taker)
  double p_win = -1;       // fair value or model probability when computed, else -1
};

/// Directional move of the reference since the slot start, in parts per million,
/// positive when it favours `side`. Integer arithmetic, truncated toward zero.
std::int64_t directional_move_ppm(outcome side, ref_price start, ref_price now);

/// Probability that the reference ends at or above its start (Up wins), for a
/// driftless GBM with `annual_vol_ppm` and `seconds_left`: Phi(ln(now/start) / (sigma sqrt(t))).
double fair_up_probability(ref_price start, ref_price now, std::int64_t seconds_left,
                           std::int64_t annual_vol_ppm);

// The filters of seed 003's chain; each returns the skip reason or nothing.
std::optional<std::string_view> check_bid_range(const entry_rules& r, const entry_inputs& in);
std::optional<std::string_view> check_min_move(const entry_rules& r, const entry_inputs& in);
std::optional<std::string_view> check_max_move(const entry_rules& r, const entry_inputs& in);
std::optional<std::string_view> check_time_gate(const entry_rules& r, const entry_inputs& in);
std::optional<std::string_view> check_fair_value(const entry_rules& r, const entry_inputs& in, double& fair);

/// Logistic regression over documented features (docs/configuration.md):
/// p = 1 / (1 + exp(-(intercept + sum w_i x_i))). When present it replaces the
/// move and fair-value filters; the bid range and time gate still bound it.
struct entry_model {
  enum class feature : std::uint8_t {
    move_ppm,       // directional_move_ppm
    seconds_into,   // now - slot start
    seconds_left,   // slot end - now
    bid,            // best bid as a probability (0..1)
    ask,            // best ask as a probability
    spread,         // ask - bid as a probability
    fair,           // fair value of the outcome (0..1) with the rules' volatility
  };
  double intercept = 0;
  std::vector<std::pair<feature, double>> weights;
  double maker_threshold = 0.5; // p >= this: rest a bid
  double taker_threshold = 1.1; // p >= this: take the ask (> 1 = never)
};

/// Every feature, in the order a training sample holds them.
inline constexpr entry_model::feature all_entry_features[] = {
  entry_model::feature::move_ppm, entry_model::feature::seconds_into, entry_model::feature::seconds_left,
  entry_model::feature::bid,      entry_model::feature::ask,          entry_model::feature::spread,
  entry_model::feature::fair};
inline constexpr std::size_t entry_feature_count = std::size(all_entry_features);

/// "move_ppm", "seconds_into", ...: the names in model files and `tdmaker train --features`.
std::string_view to_string(entry_model::feature f);
std::optional<entry_model::feature> parse_entry_feature(std::string_view name);
/// One feature's value as the model sees it live: training computes its samples
/// with this same function, so a fitted weight means what the node will apply.
double entry_feature_value(entry_model::feature f, const entry_rules& r, const entry_inputs& in);

/// `{"intercept": x, "weights": {"move_ppm": w, ...}, "maker_threshold": p,
/// "taker_threshold": p}`; unknown features and thresholds outside [0, 1.5] are errors.
result<entry_model> parse_entry_model(std::string_view json_text);
double entry_model_probability(const entry_model& m, const entry_rules& r, const entry_inputs& in);

/// The chain: bid range, min move, max move, time gate, fair value (or the model).
filter_result evaluate_entry(const entry_rules& r, const entry_model* model, const entry_inputs& in);

} // namespace tdmaker
