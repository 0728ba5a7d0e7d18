#pragma once
// `tdmaker train`'s sample writer (issue 18): the markets of a replay send it
// their evaluations; each market's rows wait for its resolution, are labelled with
// the winner and appended to a JSON-lines file (core/training_samples). A replay
// tool, never spawned by a live node: it writes on its own mailbox.
#include <cstdint>
#include <string>

#include "actors/interfaces.hpp"

namespace tdmaker {

struct sample_writer_options {
  std::string path;              // created (truncated) at spawn
  std::int64_t every_ms = 1'000; // at most one row a market, outcome and kind per this much time
};

/// Fails when the file cannot be created.
result<sample_writer_actor> spawn_sample_writer(caf::actor_system& sys, sample_writer_options opts);

} // namespace tdmaker
