#pragma once
// `tdmaker recording` (issue 18): lists a recording's segments, or dumps its
// frames as JSON lines, for people and for the replay to come. Read-only: runs
// beside a recording node.
#include "core/recording_query.hpp"

namespace tdmaker {

/// 0, also when a segment's tail is torn (reported on stderr: what a crash
/// leaves, and the node cuts it off at its next start); 3 when a block before
/// the tail fails its checks; 1 when the directory cannot be read.
int run_recording(const recording_query& q);

} // namespace tdmaker
