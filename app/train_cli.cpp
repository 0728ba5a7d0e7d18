#include "app/train_cli.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <optional>

#include <spdlog/spdlog.h>

#include "actors/util.hpp"
#include "app/recording_reader.hpp"
#include "app/replay_cli.hpp"
#include "core/ledger_export.hpp"
#include "core/logistic_fit.hpp"
#include "core/stop_loss.hpp"
#include "core/training_samples.hpp"

namespace tdmaker {
namespace {

namespace fs = std::filesystem;

struct train_args {
  sample_kind kind = sample_kind::entry;
  std::string recording;
  std::int64_t from_ms = 0, to_ms = 0;
  std::int64_t test_from_ms = -1, test_to_ms = std::numeric_limits<std::int64_t>::max();
  std::string out;
  std::string config;
  std::string samples; // "" = <out>.samples.jsonl
  std::vector<entry_model::feature> features;
  fit_options fit;
  double threshold = -1; // maker (entry) or exit threshold; -1 = the default
  double taker_threshold = 1.1;
  std::int64_t every_ms = 1'000;
};

// The defaults: what moves P(win) most in seed 003's models, and no two that are
// one linear combination of others (spread = ask - bid, seconds_into + seconds_left).
const std::vector<entry_model::feature> default_features{entry_model::feature::move_ppm,
                                                         entry_model::feature::seconds_left,
                                                         entry_model::feature::bid, entry_model::feature::spread,
                                                         entry_model::feature::fair};

result<double> number(const std::string& k, const std::string& v, double lo, double hi) {
  double x = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
  if (ec != std::errc() || p != v.data() + v.size() || !std::isfinite(x) || x < lo || x > hi)
    return fail("train: " + k + " wants a number in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got '"
                + v + "'");
  return x;
}

result<std::vector<entry_model::feature>> feature_list(const std::string& v) {
  std::vector<entry_model::feature> out;
  std::string_view rest = v;
  while (!rest.empty()) {
    auto comma = rest.find(',');
    auto name = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    auto f = parse_entry_feature(name);
    if (!f)
      return fail("train: --features: unknown feature '" + std::string(name) + "'");
    for (auto g : out)
      if (g == *f)
        return fail("train: --features: " + std::string(name) + " twice");
    out.push_back(*f);
  }
  if (out.empty())
    return fail("train: --features wants at least one feature");
  return out;
}

result<bool> parse_option(train_args& a, const std::string& k, const std::string& v) {
  if (k == "--recording") {
    a.recording = v;
  } else if (k == "--from" || k == "--to" || k == "--test-from" || k == "--test-to") {
    auto t = time_ms(v);
    if (!t)
      return fail("train: " + k + ": " + t.error());
    (k == "--from" ? a.from_ms : k == "--to" ? a.to_ms : k == "--test-from" ? a.test_from_ms : a.test_to_ms) = *t;
  } else if (k == "--out") {
    a.out = v;
  } else if (k == "--config") {
    a.config = v;
  } else if (k == "--samples") {
    a.samples = v;
  } else if (k == "--features") {
    auto f = feature_list(v);
    if (!f)
      return fail(f.error());
    a.features = std::move(f).value();
  } else if (k == "--l2" || k == "--threshold" || k == "--taker-threshold" || k == "--every-ms") {
    auto x = number(k, v, 0, k == "--l2" ? 1e6 : k == "--every-ms" ? 3'600'000 : k == "--threshold" ? 1 : 1.5);
    if (!x)
      return fail(x.error());
    if (k == "--l2")
      a.fit.l2 = *x;
    else if (k == "--threshold")
      a.threshold = *x;
    else if (k == "--taker-threshold")
      a.taker_threshold = *x;
    else if (*x < 1 || *x != std::floor(*x))
      return fail("train: --every-ms wants a whole number of milliseconds >= 1");
    else
      a.every_ms = static_cast<std::int64_t>(*x);
  } else {
    return fail("train: unknown option " + k);
  }
  return true;
}

result<train_args> parse_args(const std::vector<std::string>& args) {
  train_args a;
  if (args.empty() || (args[0] != "entry" && args[0] != "exit"))
    return fail("train: the first argument is the model: entry or exit");
  a.kind = args[0] == "exit" ? sample_kind::exit : sample_kind::entry;
  for (std::size_t i = 1; i < args.size(); i += 2) {
    if (i + 1 >= args.size())
      return fail("train: " + args[i] + " wants a value");
    if (auto ok = parse_option(a, args[i], args[i + 1]); !ok)
      return fail(ok.error());
  }
  if (a.recording.empty() || a.out.empty())
    return fail("train: --recording and --out are required");
  if (a.to_ms <= a.from_ms)
    return fail("train: --from and --to are required, --from before --to");
  if (a.test_from_ms < 0)
    a.test_from_ms = a.to_ms;
  if (a.test_from_ms < a.to_ms)
    return fail("train: the test range must start at or after --to (a later range than the fit's)");
  if (a.test_to_ms <= a.test_from_ms)
    return fail("train: --test-to must be after --test-from");
  if (a.features.empty())
    a.features = default_features;
  if (a.threshold < 0)
    a.threshold = a.kind == sample_kind::entry ? 0.5 : 0.3;
  if (a.samples.empty())
    a.samples = a.out + ".samples.jsonl";
  return a;
}

/// Replays the recording over both ranges in a scratch directory; the samples file
/// is what it leaves.
result<bool> collect_samples(const train_args& a) {
  auto frames = load_recording(a.recording, a.from_ms, a.test_to_ms);
  if (!frames)
    return fail(frames.error());
  if (frames->empty())
    return fail("no recorded frame between --from and --test-to");
  auto text = replay_config_text(a.config);
  if (!text)
    return fail(text.error());
  std::string scratch = (fs::temp_directory_path() / "tdmaker-train-XXXXXX").string();
  if (!::mkdtemp(scratch.data()))
    return fail("cannot create a scratch directory under " + fs::temp_directory_path().string());
  auto cfg = replay_config(*text, scratch);
  if (!cfg)
    return fail(cfg.error());
  if (!cfg->td_maker.enabled)
    return fail("the config's TD maker is off: no evaluation to sample");
  replay_run_options o;
  o.samples_path = a.samples;
  auto r = replay_frames(*frames, *cfg, o, scratch);
  std::error_code ec;
  fs::remove_all(scratch, ec);
  if (!r)
    return fail(r.error());
  return true;
}

result<std::vector<sample_row>> read_samples(const std::string& path) {
  auto text = read_text_file(path);
  if (!text)
    return fail(text.error());
  std::vector<sample_row> rows;
  std::string_view rest = *text;
  for (std::size_t line_no = 1; !rest.empty(); ++line_no) {
    auto nl = rest.find('\n');
    auto line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
    if (line.empty())
      continue;
    auto r = parse_sample_row(line);
    if (!r)
      return fail(path + ":" + std::to_string(line_no) + ": " + r.error());
    rows.push_back(std::move(r).value());
  }
  return rows;
}

void print_quality(const char* what, const model_quality& q) {
  std::printf("%-6s samples %6u  log loss %.4f  accuracy %.3f  brier %.4f  base rate %.3f\n", what, q.samples,
              q.log_loss, q.accuracy, q.brier, q.base_rate);
}

void print_calibration(const model_quality& q) {
  std::printf("calibration (test): predicted -> observed (count)\n");
  for (std::size_t b = 0; b < q.calibration.size(); ++b)
    if (q.calibration[b].count > 0)
      std::printf("  [%.1f, %.1f)  %.3f -> %.3f  (%u)\n", static_cast<double>(b) / q.calibration.size(),
                  static_cast<double>(b + 1) / q.calibration.size(), q.calibration[b].mean_predicted,
                  q.calibration[b].observed_rate, q.calibration[b].count);
}

/// The model file, then read back by the node's own parser: what it writes loads.
result<bool> write_model(const train_args& a, const fit_result& fit) {
  auto json = a.kind == sample_kind::entry ? entry_model_json(a.features, fit, a.threshold, a.taker_threshold)
                                           : exit_model_json(a.features, fit, a.threshold);
  if (a.kind == sample_kind::entry) {
    if (auto m = parse_entry_model(json); !m)
      return fail("the fitted model does not load: " + m.error());
  } else if (auto m = parse_exit_model(json); !m) {
    return fail("the fitted model does not load: " + m.error());
  }
  return write_text_file(a.out, json + "\n");
}

int train(const train_args& a) {
  if (auto ok = collect_samples(a); !ok) {
    std::fprintf(stderr, "train: %s\n", ok.error().c_str());
    return 1;
  }
  auto rows = read_samples(a.samples);
  if (!rows) {
    std::fprintf(stderr, "train: %s\n", rows.error().c_str());
    return 1;
  }
  auto split = split_samples(*rows, a.kind, a.features, a.from_ms, a.to_ms, a.test_from_ms, a.test_to_ms);
  std::printf("%s model: %zu samples (%zu markets) to fit, %zu (%zu markets) to test; %zu earlier rows of judged "
              "markets not fitted\n",
              std::string(to_string(a.kind)).c_str(), split.train.samples.size(), split.train_markets,
              split.test.size(), split.test_markets, split.train_rows_dropped);
  auto fit = fit_logistic(split.train, a.fit);
  if (!fit) {
    std::fprintf(stderr, "train: %s\n", fit.error().c_str());
    return 1;
  }
  std::printf("fit: %u iterations%s, intercept %.6g", fit->iterations, fit->converged ? "" : " (NOT converged)",
              fit->intercept);
  for (std::size_t j = 0; j < a.features.size(); ++j)
    std::printf(", %s %.6g", std::string(to_string(a.features[j])).c_str(), fit->weights[j]);
  std::printf("\n");
  print_quality("train", judge_model(*fit, split.train.samples));
  if (split.test.empty()) {
    std::fprintf(stderr, "train: no test sample in the test range: the model is not judged\n");
    return 1;
  }
  auto q = judge_model(*fit, split.test);
  print_quality("test", q);
  print_calibration(q);
  if (auto ok = write_model(a, *fit); !ok) {
    std::fprintf(stderr, "train: %s\n", ok.error().c_str());
    return 1;
  }
  std::printf("model written to %s (samples in %s)\n", a.out.c_str(), a.samples.c_str());
  return 0;
}

} // namespace

int run_train(const std::vector<std::string>& args) {
  auto a = parse_args(args);
  if (!a) {
    std::fprintf(stderr, "%s\n", a.error().c_str());
    return 2;
  }
  return train(*a);
}

} // namespace tdmaker
