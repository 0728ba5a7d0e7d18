// Training (issue 18, item 5): the logistic fitter recovers known weights from
// synthetic samples drawn from that very model, judges a model on a later range
// than it was fitted on, and writes model files the node loads as they were.
#include <doctest/doctest.h>

#include <cmath>
#include <random>

#include "core/logistic_fit.hpp"
#include "core/stop_loss.hpp"

using namespace tdmaker;
using feature = entry_model::feature;

namespace {

/// Samples of P(won) = sigmoid(b0 + b . x), x drawn in each feature's natural
/// range (move in ppm, seconds, probabilities): a fixed seed, so the test is exact run after run.
training_set synthetic(std::size_t n, double b0, const std::vector<double>& b, std::uint32_t seed) {
  training_set set{{feature::move_ppm, feature::seconds_left, feature::bid}, {}};
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> move(0, 800);
  std::uniform_real_distribution<double> left(0, 900), bid(0.3, 0.9), u(0, 1);
  for (std::size_t i = 0; i < n; ++i) {
    training_sample s{{move(rng), left(rng), bid(rng)}, false, static_cast<std::int64_t>(i) * 1000};
    double z = b0;
    for (std::size_t j = 0; j < b.size(); ++j)
      z += b[j] * s.x[j];
    s.won = u(rng) < 1 / (1 + std::exp(-z));
    set.samples.push_back(std::move(s));
  }
  return set;
}

} // namespace

TEST_CASE("train: the fit recovers the weights that generated the samples") {
  const double b0 = -1.5;
  const std::vector<double> b = {0.002, -0.001, 3.0};
  auto set = synthetic(40'000, b0, b, 7);
  auto fit = fit_logistic(set, {0, 50, 1e-10});
  REQUIRE(fit);
  CHECK(fit->converged);
  CHECK(fit->iterations < 20);
  // Within a few standard errors at 40,000 samples.
  CHECK(fit->intercept == doctest::Approx(b0).epsilon(0.1));
  CHECK(fit->weights[0] == doctest::Approx(b[0]).epsilon(0.05));
  CHECK(fit->weights[1] == doctest::Approx(b[1]).epsilon(0.1));
  CHECK(fit->weights[2] == doctest::Approx(b[2]).epsilon(0.1));
  // Same samples, same weights: the fit has no random start.
  auto again = fit_logistic(set, {0, 50, 1e-10});
  REQUIRE(again);
  CHECK(again->weights == fit->weights);
}

TEST_CASE("train: a model fitted on an earlier range is judged on a later one") {
  const std::vector<double> b = {0.002, -0.001, 3.0};
  auto set = synthetic(30'000, -1.5, b, 11);
  training_set early{set.features, samples_between(set.samples, 0, 20'000'000)};
  auto later = samples_between(set.samples, 20'000'000, 30'000'000);
  CHECK(early.samples.size() == 20'000);
  CHECK(later.size() == 10'000);
  auto fit = fit_logistic(early);
  REQUIRE(fit);
  auto q = judge_model(*fit, later);
  CHECK(q.samples == 10'000);
  CHECK(q.log_loss > 0);
  // Better than the base rate's constant guess, and calibrated bin by bin.
  const double p = q.base_rate;
  CHECK(q.log_loss < -(p * std::log(p) + (1 - p) * std::log(1 - p)));
  CHECK(q.accuracy > 0.6);
  std::uint32_t in_bins = 0;
  for (auto& bin : q.calibration) {
    in_bins += bin.count;
    if (bin.count >= 500)
      CHECK(std::abs(bin.mean_predicted - bin.observed_rate) < 0.05);
  }
  CHECK(in_bins == q.samples);
  // A model with no information (all weights 0, the intercept at the base rate) is worse.
  fit_result flat{std::log(p / (1 - p)), {0, 0, 0}, 0, true};
  CHECK(judge_model(flat, later).log_loss > q.log_loss);
}

TEST_CASE("train: bad sets are refused with a reason") {
  training_set none{{feature::bid}, {}};
  CHECK_FALSE(fit_logistic(none));
  training_set one_class{{feature::bid}, {{{0.5}, true, 0}, {{0.6}, true, 1}}};
  auto r = fit_logistic(one_class);
  REQUIRE_FALSE(r);
  CHECK(r.error().find("same label") != std::string::npos);
  training_set ragged{{feature::bid, feature::ask}, {{{0.5}, true, 0}, {{0.6, 0.7}, false, 1}}};
  CHECK_FALSE(fit_logistic(ragged));
  training_set nan{{feature::bid}, {{{std::nan("")}, true, 0}, {{0.6}, false, 1}}};
  CHECK_FALSE(fit_logistic(nan));
  // Perfectly separable: the L2 penalty keeps the weights finite.
  training_set sep{{feature::bid}, {{{0.2}, false, 0}, {{0.3}, false, 1}, {{0.7}, true, 2}, {{0.8}, true, 3}}};
  auto s = fit_logistic(sep, {1e-2, 100, 1e-10});
  REQUIRE(s);
  CHECK(std::isfinite(s->weights[0]));
  CHECK(s->weights[0] > 0);
}

TEST_CASE("train: the written model files load in the node as they were written") {
  fit_result fit{-1.25, {0.002, -0.001, 3.0}, 7, true};
  const std::vector<feature> fs = {feature::move_ppm, feature::seconds_left, feature::bid};
  auto entry = parse_entry_model(entry_model_json(fs, fit, 0.6, 1.1));
  REQUIRE(entry);
  CHECK(entry->intercept == -1.25);
  REQUIRE(entry->weights.size() == 3);
  CHECK(entry->weights[0].first == feature::move_ppm);
  CHECK(entry->weights[0].second == 0.002);
  CHECK(entry->weights[2].first == feature::bid);
  CHECK(entry->weights[2].second == 3.0);
  CHECK(entry->maker_threshold == 0.6);
  CHECK(entry->taker_threshold == 1.1);
  auto exit = parse_exit_model(exit_model_json(fs, fit, 0.3));
  REQUIRE(exit);
  CHECK(exit->exit_threshold == 0.3);
  CHECK(exit->model.weights.size() == 3);
  // The live model computes the same probability as the fit.
  entry_rules rules;
  entry_inputs in;
  in.side = outcome::up;
  in.bid = price{600'000};
  in.ask = price{620'000};
  in.ref_start = ref_price{100'000'00000000};
  in.ref_now = ref_price{100'100'00000000};
  in.now_ms = 1'800'000'300'000;
  in.slot_start_s = 1'800'000'000;
  in.slot_end_s = 1'800'000'900;
  std::vector<double> x;
  for (auto f : fs)
    x.push_back(entry_feature_value(f, rules, in));
  CHECK(entry_model_probability(*entry, rules, in) == doctest::Approx(logistic_probability(fit, x)));
  CHECK(parse_entry_feature("seconds_left") == feature::seconds_left);
  CHECK_FALSE(parse_entry_feature("volume"));
}
