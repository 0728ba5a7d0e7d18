#pragma once
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "actors/interfaces.hpp"

namespace tdmaker {

class http_client;

struct discovery_options {
  std::vector<std::string> assets{"btc", "eth", "sol", "xrp"};
  std::int64_t slot_seconds = 900;
  int lookahead_slots = 1; // also the next N slots, so their books are warm at the start
  std::chrono::milliseconds interval{5'000};
  std::chrono::seconds unsubscribe_after_end{60};
  std::chrono::seconds retire_after_end{300}; // seed 003: slot end + 5 min grace
  std::chrono::milliseconds flush_every{250};
};

/// Spawns discovery: every interval it looks up the current and next slots of
/// each asset on Gamma, has the directory create their market actors and tells
/// the feed to stream them. Gamma errors and malformed markets are logged and
/// retried on the next pass, never fatal.
discovery_actor spawn_discovery(caf::actor_system& sys, std::shared_ptr<http_client> gamma,
                                directory_actor directory, feed_actor feed,
                                telemetry_actor telemetry, discovery_options opts);

} // namespace tdmaker
