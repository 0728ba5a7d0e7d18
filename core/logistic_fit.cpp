#include "core/logistic_fit.hpp"

#include <algorithm>
#include <cmath>

#include "core/json_write.hpp"

namespace tdmaker {
namespace {

double sigmoid(double z) {
  return z >= 0 ? 1.0 / (1.0 + std::exp(-z)) : std::exp(z) / (1.0 + std::exp(z));
}

/// Solves a * x = b in place (Gaussian elimination, partial pivoting); false
/// when the system is singular. n is at most eight here.
bool solve(std::vector<std::vector<double>>& a, std::vector<double>& b) {
  const std::size_t n = b.size();
  for (std::size_t c = 0; c < n; ++c) {
    std::size_t p = c;
    for (std::size_t r = c + 1; r < n; ++r)
      if (std::abs(a[r][c]) > std::abs(a[p][c]))
        p = r;
    if (std::abs(a[p][c]) < 1e-12)
      return false;
    std::swap(a[p], a[c]);
    std::swap(b[p], b[c]);
    for (std::size_t r = c + 1; r < n; ++r) {
      const double f = a[r][c] / a[c][c];
      for (std::size_t k = c; k < n; ++k)
        a[r][k] -= f * a[c][k];
      b[r] -= f * b[c];
    }
  }
  for (std::size_t c = n; c-- > 0;) {
    for (std::size_t k = c + 1; k < n; ++k)
      b[c] -= a[c][k] * b[k];
    b[c] /= a[c][c];
  }
  return true;
}

struct scaling {
  std::vector<double> mean, sd;
};

scaling scale_of(const training_set& set) {
  const std::size_t d = set.features.size();
  const double n = static_cast<double>(set.samples.size());
  scaling s{std::vector<double>(d, 0), std::vector<double>(d, 0)};
  for (auto& x : set.samples)
    for (std::size_t j = 0; j < d; ++j)
      s.mean[j] += x.x[j] / n;
  for (auto& x : set.samples)
    for (std::size_t j = 0; j < d; ++j)
      s.sd[j] += (x.x[j] - s.mean[j]) * (x.x[j] - s.mean[j]) / n;
  for (auto& v : s.sd)
    v = v > 0 ? std::sqrt(v) : 1.0; // a constant feature: left unscaled (its weight goes to ~0 under L2)
  return s;
}

std::string validate(const training_set& set) {
  if (set.features.empty())
    return "no features";
  if (set.samples.empty())
    return "no samples";
  std::size_t won = 0;
  for (auto& s : set.samples) {
    if (s.x.size() != set.features.size())
      return "a sample has " + std::to_string(s.x.size()) + " values for " + std::to_string(set.features.size())
             + " features";
    for (double v : s.x)
      if (!std::isfinite(v))
        return "a sample has a non-finite feature value";
    won += s.won ? 1 : 0;
  }
  if (won == 0 || won == set.samples.size())
    return "every sample has the same label: nothing to fit";
  return {};
}

/// One Newton step on the standardised problem; returns the largest change.
double newton_step(const training_set& set, const scaling& sc, const fit_options& o, std::vector<double>& beta) {
  const std::size_t d = set.features.size(), m = d + 1;
  std::vector<std::vector<double>> h(m, std::vector<double>(m, 0));
  std::vector<double> g(m, 0), z(m);
  for (auto& s : set.samples) {
    z[0] = 1;
    for (std::size_t j = 0; j < d; ++j)
      z[j + 1] = (s.x[j] - sc.mean[j]) / sc.sd[j];
    double eta = 0;
    for (std::size_t j = 0; j < m; ++j)
      eta += beta[j] * z[j];
    const double p = sigmoid(eta), w = std::max(p * (1 - p), 1e-12);
    for (std::size_t j = 0; j < m; ++j) {
      g[j] += (p - (s.won ? 1.0 : 0.0)) * z[j];
      for (std::size_t k = 0; k < m; ++k)
        h[j][k] += w * z[j] * z[k];
    }
  }
  const double n = static_cast<double>(set.samples.size());
  for (std::size_t j = 1; j < m; ++j) { // the mean penalised log-likelihood: L2 on weights only
    g[j] += o.l2 * n * beta[j];
    h[j][j] += o.l2 * n;
  }
  if (!solve(h, g))
    return -1;
  double moved = 0;
  for (std::size_t j = 0; j < m; ++j) {
    beta[j] -= g[j];
    moved = std::max(moved, std::abs(g[j]));
  }
  return moved;
}

} // namespace

result<fit_result> fit_logistic(const training_set& set, const fit_options& opts) {
  if (auto why = validate(set); !why.empty())
    return fail("train: " + why);
  const auto sc = scale_of(set);
  const std::size_t d = set.features.size();
  std::vector<double> beta(d + 1, 0);
  fit_result out;
  while (out.iterations < opts.max_iterations) {
    ++out.iterations;
    const double moved = newton_step(set, sc, opts, beta);
    if (moved < 0)
      return fail("train: the features are collinear (the fit's system is singular); drop one");
    if (moved < opts.tolerance) {
      out.converged = true;
      break;
    }
  }
  out.intercept = beta[0];
  out.weights.resize(d);
  for (std::size_t j = 0; j < d; ++j) {
    out.weights[j] = beta[j + 1] / sc.sd[j];
    out.intercept -= out.weights[j] * sc.mean[j];
  }
  return out;
}

double logistic_probability(const fit_result& fit, const std::vector<double>& x) {
  double z = fit.intercept;
  for (std::size_t j = 0; j < fit.weights.size() && j < x.size(); ++j)
    z += fit.weights[j] * x[j];
  return sigmoid(z);
}

model_quality judge_model(const fit_result& fit, const std::vector<training_sample>& samples, std::uint32_t bins) {
  model_quality q;
  q.samples = static_cast<std::uint32_t>(samples.size());
  q.calibration.assign(bins, {});
  if (samples.empty())
    return q;
  std::uint32_t right = 0, won = 0;
  for (auto& s : samples) {
    const double p = logistic_probability(fit, s.x), y = s.won ? 1.0 : 0.0;
    const double pc = std::clamp(p, 1e-15, 1 - 1e-15);
    q.log_loss -= y * std::log(pc) + (1 - y) * std::log(1 - pc);
    q.brier += (p - y) * (p - y);
    right += (p >= 0.5) == s.won ? 1 : 0;
    won += s.won ? 1 : 0;
    if (bins > 0) {
      auto& b = q.calibration[std::min<std::uint32_t>(bins - 1, static_cast<std::uint32_t>(p * bins))];
      ++b.count;
      b.mean_predicted += p;
      b.observed_rate += y;
    }
  }
  const double n = static_cast<double>(samples.size());
  q.log_loss /= n;
  q.brier /= n;
  q.accuracy = right / n;
  q.base_rate = won / n;
  for (auto& b : q.calibration)
    if (b.count > 0) {
      b.mean_predicted /= b.count;
      b.observed_rate /= b.count;
    }
  return q;
}

std::vector<training_sample> samples_between(const std::vector<training_sample>& all, std::int64_t from_ms,
                                             std::int64_t to_ms) {
  std::vector<training_sample> out;
  for (auto& s : all)
    if (s.ts_ms >= from_ms && s.ts_ms < to_ms)
      out.push_back(s);
  return out;
}

namespace {

/// The writer is filled in place: it holds a pointer into its own buffer, so it never moves.
void model_head(json::object_writer& w, const std::vector<entry_model::feature>& features, const fit_result& fit) {
  w.real("intercept", fit.intercept).open("weights");
  for (std::size_t j = 0; j < features.size() && j < fit.weights.size(); ++j)
    w.real(to_string(features[j]), fit.weights[j]);
  w.close();
}

} // namespace

std::string entry_model_json(const std::vector<entry_model::feature>& features, const fit_result& fit,
                             double maker_threshold, double taker_threshold) {
  json::object_writer w;
  model_head(w, features, fit);
  return w.real("maker_threshold", maker_threshold).real("taker_threshold", taker_threshold).take();
}

std::string exit_model_json(const std::vector<entry_model::feature>& features, const fit_result& fit,
                            double exit_threshold) {
  json::object_writer w;
  model_head(w, features, fit);
  return w.real("exit_threshold", exit_threshold).take();
}

} // namespace tdmaker
