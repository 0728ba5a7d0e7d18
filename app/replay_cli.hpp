#pragma once
// `tdmaker replay --recording DIR [--from T] [--to T] [--config F] [--speed max|N]
//  [--out DIR] [--tail-s S] [--set key=v1,v2,...]` (docs/replay.md).
#include <cstdint>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/recorded_replies.hpp"
#include "core/replay_report.hpp"
#include "core/result.hpp"
#include "core/segment_format.hpp"

namespace tdmaker {

struct replay_run_options {
  double speed = 0;             // 0: as fast as it goes; N: N x real time
  std::int64_t tail_ms = 60'000; // virtual time run past the last frame (settlements)
  std::string samples_path;     // set: the markets' evaluations, labelled (`tdmaker train`)
};

/// The config file's text, or the embedded default for "".
result<std::string> replay_config_text(const std::string& path);
/// The config a replay runs: `text`'s, in paper mode, with its store and logs under
/// `out` and nothing that reaches outside (notifier, recorder).
result<node_config> replay_config(const std::string& text, const std::string& out);
/// `out` must be new (or empty): a replay never trades on a store it did not start.
result<bool> fresh_dir(const std::string& out);
/// One replay of `frames` into `dir`; the settlements it committed make the report,
/// and the exports (orders, trades, settlements CSV) are written beside it.
result<session_report> replay_frames(const std::vector<recorded_frame>& frames, const node_config& cfg,
                                     const replay_run_options& o, const std::string& dir);

/// `args` after "replay"; the exit code (0 ok, 1 the replay failed, 2 bad arguments).
int run_replay(const std::vector<std::string>& args);

} // namespace tdmaker
