#pragma once
// `tdmaker replay --recording DIR [--from T] [--to T] [--config F] [--speed max|N]
//  [--out DIR] [--tail-s S] [--set key=v1,v2,...]` (docs/replay.md).
#include <string>
#include <vector>

namespace tdmaker {

/// `args` after "replay"; the exit code (0 ok, 1 the replay failed, 2 bad arguments).
int run_replay(const std::vector<std::string>& args);

} // namespace tdmaker
