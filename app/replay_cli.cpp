#include "app/replay_cli.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <thread>

#include <spdlog/spdlog.h>

#include "actors/util.hpp"
#include "app/ledger_reader.hpp"
#include "app/node.hpp"
#include "app/recording_reader.hpp"
#include "app/replay_driver.hpp"
#include "generated/build_info.hpp"
#include "core/config.hpp"
#include "core/config_override.hpp"
#include "core/ledger_export.hpp"
#include "core/records.hpp"
#include "core/replay_report.hpp"
#include "db/lmdb_env.hpp"

namespace tdmaker {
namespace {

namespace fs = std::filesystem;

struct replay_args {
  std::string recording;
  std::int64_t from_ms = 0;
  std::int64_t to_ms = INT64_MAX;
  std::string config;  // "" = the embedded default
  double speed = 0;    // 0: as fast as it goes; N: N x real time
  std::string out;     // "" = replay-<first recv s>
  std::int64_t tail_ms = 60'000;
  std::optional<config_sweep> sweep;
};

result<replay_args> parse_args(const std::vector<std::string>& args) {
  replay_args a;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& k = args[i];
    if (i + 1 >= args.size())
      return fail("replay: " + k + " wants a value");
    const auto& v = args[++i];
    if (k == "--recording") {
      a.recording = v;
    } else if (k == "--from" || k == "--to") {
      auto t = time_ms(v);
      if (!t)
        return fail("replay: " + k + ": " + t.error());
      (k == "--from" ? a.from_ms : a.to_ms) = *t;
    } else if (k == "--config") {
      a.config = v;
    } else if (k == "--out") {
      a.out = v;
    } else if (k == "--speed") {
      if (v != "max") {
        double x = 0;
        auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
        if (ec != std::errc() || p != v.data() + v.size() || !(x > 0) || x > 1e6)
          return fail("replay: --speed wants max or a multiple of real time (> 0), got '" + v + "'");
        a.speed = x;
      }
    } else if (k == "--tail-s") {
      std::int64_t s = 0;
      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), s);
      if (ec != std::errc() || p != v.data() + v.size() || s < 0 || s > 86'400)
        return fail("replay: --tail-s wants 0..86400 seconds, got '" + v + "'");
      a.tail_ms = s * 1000;
    } else if (k == "--set") {
      auto s = parse_config_sweep(v);
      if (!s)
        return fail("replay: " + s.error());
      a.sweep = std::move(s).value();
    } else {
      return fail("replay: unknown option " + k);
    }
  }
  if (a.recording.empty())
    return fail("replay: --recording DIR is required");
  if (a.from_ms >= a.to_ms)
    return fail("replay: --from must be before --to");
  return a;
}

/// Each run in its own directory; one run prints its report, a sweep one row per setting.
int replay_runs(const replay_args& a, const std::vector<recorded_frame>& frames,
                const std::vector<std::pair<std::string, std::string>>& runs, const std::string& out) {
  if (runs.size() > 1)
    std::printf("%-40s %8s %6s %14s %14s\n", "setting", "markets", "fills", "pnl", "max_drawdown");
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const auto dir = runs.size() == 1 ? out : out + "/run-" + std::to_string(i + 1);
    if (auto ok = fresh_dir(dir); !ok) {
      std::fprintf(stderr, "%s\n", ok.error().c_str());
      return 2;
    }
    auto cfg = replay_config(runs[i].second, dir);
    if (!cfg) {
      std::fprintf(stderr, "replay: %s%s\n", runs[i].first.empty() ? "" : (runs[i].first + ": ").c_str(),
                   cfg.error().c_str());
      return 2;
    }
    auto r = replay_frames(frames, *cfg, {a.speed, a.tail_ms, {}}, dir);
    if (!r) {
      std::fprintf(stderr, "replay: %s\n", r.error().c_str());
      return 1;
    }
    if (auto saved = write_text_file(dir + "/report.json", report_json(*r) + "\n"); !saved) {
      std::fprintf(stderr, "replay: %s\n", saved.error().c_str());
      return 1;
    }
    if (runs.size() == 1)
      std::printf("replay of %zu frames (%s): %s", frames.size(), dir.c_str(), report_text(*r).c_str());
    else
      std::printf("%-40s %8u %6u %14s %14s\n", runs[i].first.c_str(), r->markets, r->fills,
                  to_string(r->pnl).c_str(), to_string(r->max_drawdown).c_str());
  }
  return 0;
}

} // namespace

/// The config a replay runs: the file's (or the embedded default), in paper mode,
/// with its store and logs under `out` and nothing that reaches outside.
result<node_config> replay_config(const std::string& text, const std::string& out) {
  auto parsed = parse_config(text);
  if (!parsed)
    return fail("config: " + parsed.error());
  auto cfg = std::move(parsed).value();
  if (cfg.mode != trading_mode::paper)
    spdlog::warn("replay: the config's mode is {}; a replay trades paper", to_string(cfg.mode));
  cfg.mode = trading_mode::paper;
  cfg.data_dir = out + "/data";
  cfg.log_dir = out + "/logs";
  cfg.notifier_webhook_url.clear();
  cfg.record_enabled = false; // a replay does not record itself
  return cfg;
}

result<std::string> replay_config_text(const std::string& path) {
  if (path.empty())
    return std::string(build::default_config);
  return read_text_file(path);
}

namespace {

/// From the store the run left: the report (its settlements) and the same exports a
/// live node's `tdmaker export` gives, as CSV files in `dir`. One read transaction.
result<session_report> report_and_exports(const std::string& data_dir, const std::string& dir) {
  auto env = lmdb_env::open_read_only(data_dir);
  if (!env)
    return fail(env.error());
  auto snap = (*env)->snapshot();
  if (!snap)
    return fail("store: " + snap.error());
  for (const char* kind : {"orders", "trades", "settlements"}) {
    export_query q;
    q.kind = kind;
    q.csv = true;
    std::vector<std::string> bad;
    auto text = export_text(*snap, q, bad);
    if (!text)
      return fail(text.error());
    if (!bad.empty())
      return fail(bad.front());
    if (auto ok = write_text_file(dir + "/" + kind + ".csv", *text); !ok)
      return fail(ok.error());
  }
  auto rows = read_all<settlement_record>(*snap, record_db::settlements, decode_settlement_record);
  if (!rows)
    return fail(rows.error());
  return report_of(std::move(rows).value());
}

} // namespace

/// Runs one replay of `frames` into `out`; the settlements it committed make the report.
result<session_report> replay_frames(const std::vector<recorded_frame>& frames, const node_config& cfg,
                                     const replay_run_options& a, const std::string& dir) {
  recorded_replies replies;
  for (const auto& f : frames)
    if (auto rest = rest_reply_of(f))
      replies.add(std::move(rest->first), std::move(rest->second));
  replay_driver driver(frames.front().recv_ms - 1);
  auto started = node::start_replay(cfg, driver.fetch(replies), driver.fetch(replies), a.samples_path);
  if (!started)
    return fail(started.error());
  auto n = std::move(started).value();
  driver.attach(n->system(), n->feed());
  const auto wall0 = std::chrono::steady_clock::now();
  for (const auto& f : frames) {
    auto ch = feed_channel_of(f.channel);
    if (!ch)
      continue; // a REST reply: answered when asked
    if (a.speed > 0) // N x real time: the recording's pace, sped up
      std::this_thread::sleep_until(wall0 + std::chrono::microseconds(static_cast<std::int64_t>(
                                              (f.recv_ms - frames.front().recv_ms) * 1000.0 / a.speed)));
    driver.deliver_frame(*ch, f.recv_ms, f.text);
  }
  driver.advance_to(frames.back().recv_ms + a.tail_ms);
  spdlog::info("replay: {} frames, {} timers, {} REST replies not asked for, {} requests with no recorded reply",
               frames.size(), driver.timers_fired(), replies.pending(), replies.misses());
  n->shutdown_replay([&] { driver.run(); });
  n.reset();
  return report_and_exports(cfg.data_dir, dir);
}

/// `out` must be new (or empty): a replay never trades on a store it did not start.
result<bool> fresh_dir(const std::string& out) {
  std::error_code ec;
  if (fs::exists(out, ec) && !fs::is_empty(out, ec))
    return fail("replay: --out " + out + " is not empty (a replay starts from an empty store)");
  fs::create_directories(out, ec);
  if (ec)
    return fail("replay: cannot create " + out + ": " + ec.message());
  return true;
}

int run_replay(const std::vector<std::string>& args) {
  auto a = parse_args(args);
  if (!a) {
    std::fprintf(stderr, "%s\n", a.error().c_str());
    return 2;
  }
  auto frames = load_recording(a->recording, a->from_ms, a->to_ms);
  if (!frames) {
    std::fprintf(stderr, "replay: %s\n", frames.error().c_str());
    return 2;
  }
  if (frames->empty()) {
    std::fprintf(stderr, "replay: no recorded frame in the range\n");
    return 2;
  }
  auto text = replay_config_text(a->config);
  if (!text) {
    std::fprintf(stderr, "replay: %s\n", text.error().c_str());
    return 2;
  }
  const auto out = a->out.empty() ? "replay-" + std::to_string(frames->front().recv_ms / 1000) : a->out;
  std::vector<std::pair<std::string, std::string>> runs; // (label, config text)
  if (a->sweep) {
    for (const auto& v : a->sweep->values) {
      auto t = override_config(*text, a->sweep->key, v);
      if (!t) {
        std::fprintf(stderr, "replay: %s\n", t.error().c_str());
        return 2;
      }
      runs.emplace_back(a->sweep->key + "=" + v, std::move(t).value());
    }
  } else {
    runs.emplace_back("", *text);
  }
  return replay_runs(*a, *frames, runs, out);
}

} // namespace tdmaker
