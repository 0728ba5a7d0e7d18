#pragma once
// Fits seed 003's logistic entry and exit models (`entry.model_file`,
// `stop_loss.model_file`) from labelled samples, and judges a model on samples
// it was not fitted on. Pure: the samples are the whole input.
//
// Why Newton's method (IRLS) rather than gradient descent: the models have at
// most seven features, so each step solves a tiny linear system, converges in a
// handful of iterations, and gives the same weights run after run (no learning
// rate, no random start). Features are standardised inside the fit (a feature
// in seconds and one in probabilities weigh alike in the L2 penalty) and the
// weights are mapped back to raw units, which is what the model files hold.
#include <cstdint>
#include <string>
#include <vector>

#include "core/entry_filters.hpp"
#include "core/result.hpp"

namespace tdmaker {

/// One observation: the feature values (in the order of `training_set::features`),
/// whether the outcome won, and when it was seen (to split by time, never at random:
/// a later range judges a model fitted on an earlier one).
struct training_sample {
  std::vector<double> x;
  bool won = false;
  std::int64_t ts_ms = 0;
};

struct training_set {
  std::vector<entry_model::feature> features;
  std::vector<training_sample> samples;
};

struct fit_options {
  double l2 = 1e-3;              // penalty on the standardised weights (not the intercept)
  std::uint32_t max_iterations = 50;
  double tolerance = 1e-9;       // stop when no standardised coefficient moves more than this
};

struct fit_result {
  double intercept = 0;
  std::vector<double> weights;   // raw feature units, in `features` order
  std::uint32_t iterations = 0;
  bool converged = false;
};

/// Refuses an empty set, a sample whose width differs from the features, a
/// non-finite value and a set with only one class (nothing to separate).
result<fit_result> fit_logistic(const training_set& set, const fit_options& opts = {});

/// P(won) of each sample under the fitted coefficients.
double logistic_probability(const fit_result& fit, const std::vector<double>& x);

struct calibration_bin {
  std::uint32_t count = 0;
  double mean_predicted = 0;
  double observed_rate = 0;
};

struct model_quality {
  std::uint32_t samples = 0;
  double log_loss = 0;   // mean negative log-likelihood (natural log); probabilities clamped to [1e-15, 1-1e-15]
  double accuracy = 0;   // share with (p >= 0.5) == won
  double brier = 0;      // mean (p - won)^2
  double base_rate = 0;  // share that won
  std::vector<calibration_bin> calibration; // `bins` equal-width bins of p; empty bins have count 0
};

model_quality judge_model(const fit_result& fit, const std::vector<training_sample>& samples, std::uint32_t bins = 10);

/// Samples with from_ms <= ts_ms < to_ms.
std::vector<training_sample> samples_between(const std::vector<training_sample>& all, std::int64_t from_ms,
                                             std::int64_t to_ms);

/// The model files `parse_entry_model` / `parse_exit_model` read back as they were.
std::string entry_model_json(const std::vector<entry_model::feature>& features, const fit_result& fit,
                             double maker_threshold, double taker_threshold);
std::string exit_model_json(const std::vector<entry_model::feature>& features, const fit_result& fit,
                            double exit_threshold);

} // namespace tdmaker
