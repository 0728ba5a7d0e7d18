#pragma once
// The rows `tdmaker train` fits on (issue 18): one market evaluation of one
// outcome seen in a replay, its feature values as the live node computes them
// (entry_feature_value), and whether that outcome won. A JSON line each, so the
// samples of a run can be kept, read and fitted again without the replay.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/entry_filters.hpp"
#include "core/logistic_fit.hpp"
#include "core/market_data.hpp"
#include "core/result.hpp"

namespace tdmaker {

/// entry: every TD maker evaluation of an outcome (where the entry model decides);
/// exit: every evaluation of an outcome a TD maker position holds (where the
/// exit model decides).
enum class sample_kind : std::uint8_t { entry = 0, exit = 1 };
std::string_view to_string(sample_kind k);

using feature_values = std::array<double, entry_feature_count>; // all_entry_features order

struct sample_row {
  sample_kind kind = sample_kind::entry;
  std::string market; // condition id hex
  outcome side = outcome::up;
  std::int64_t ts_ms = 0;
  bool won = false;
  feature_values x{};
};

/// `{"kind":"entry","market":"0x…","side":"up","ts_ms":…,"won":true,"x":{"move_ppm":…,…}}` and a newline.
std::string sample_row_jsonl(const sample_row& r);
/// The line back; every feature present and finite, the rest well-formed.
result<sample_row> parse_sample_row(std::string_view line);

/// The rows of `kind` as a fit's inputs over `features` (in that order), split by
/// time: training in [train_from, train_to), test in [test_from, test_to). A market
/// with rows in both is judged, not fitted: its label must not be known to the fit.
struct training_split {
  training_set train;
  std::vector<training_sample> test;
  std::size_t train_rows_dropped = 0; // training-range rows of markets judged
  std::size_t train_markets = 0, test_markets = 0;
};
training_split split_samples(const std::vector<sample_row>& rows, sample_kind kind,
                             const std::vector<entry_model::feature>& features, std::int64_t train_from,
                             std::int64_t train_to, std::int64_t test_from, std::int64_t test_to);

} // namespace tdmaker
