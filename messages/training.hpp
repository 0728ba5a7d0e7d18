#pragma once
// Messages of `tdmaker train` (issue 18): a replay's market evaluations as rows of
// feature values, and the winner that labels them (core/training_samples).
#include <cstdint>
#include <vector>

#include "core/training_samples.hpp"
#include "messages/messages.hpp"

namespace tdmaker {

/// One evaluation of one outcome; `x` in all_entry_features order (a vector: what
/// CAF 0.17 serialises).
struct evaluation_sample {
  condition_id market;
  outcome side = outcome::up;
  sample_kind kind = sample_kind::entry;
  std::int64_t ts_ms = 0;
  std::vector<double> x;
};
template <class Inspector>
auto inspect(Inspector& f, evaluation_sample& x) { return f(x.market, x.side, x.kind, x.ts_ms, x.x); }

/// The market resolved: its samples are labelled and written.
struct evaluation_outcome {
  condition_id market;
  outcome winner = outcome::up;
};
template <class Inspector>
auto inspect(Inspector& f, evaluation_outcome& x) { return f(x.market, x.winner); }

} // namespace tdmaker
