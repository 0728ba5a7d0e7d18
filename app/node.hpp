#pragma once
// Wires the node: opens the store, starts the actor system, spawns the singleton
// actors (one table, app/node.cpp) under a supervisor, serves HTTP, and shuts all
// of it down in order.
#include <signal.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <caf/fwd.hpp>

#include "actors/interfaces.hpp"
#include "core/config.hpp"
#include "core/result.hpp"
#include "core/secp256k1_signer.hpp"
#include "net/http_client.hpp"

namespace tdmaker {

/// Exit code of a node that found an unreadable record in its store at start. Not
/// retried by the service (deploy/tdmaker.service): the same bytes would stop it
/// again; the operator restores the data dir from a backup or removes the record.
inline constexpr int exit_store_corrupt = 3;
/// node::start's error starts with this when the cause is such a record.
inline constexpr std::string_view corrupt_store_error = "store: corrupt record ";

class node {
public:
  /// Starts everything; an error names what could not start.
  /// With a key the node creates or derives its CLOB API credentials at start.
  static result<std::unique_ptr<node>> start(const node_config& cfg, std::string control_token,
                                             std::optional<private_key> key = std::nullopt);
  ~node();

  struct stop_cause {
    int exit_code = 0; // 0 a signal; exit_actor_died (70) a singleton actor died
    std::string why;
  };
  /// Blocks until one of `signals` (blocked in every thread) arrives or a
  /// singleton actor's death stops the node.
  stop_cause wait(const sigset_t& signals);

  /// Stop taking work, flush the store, close listeners, stop actors (bounded).
  void shutdown();

  std::uint16_t http_port() const;

  /// A node for a replay (app/replay): CAF's deterministic scheduler (one thread,
  /// virtual timers, run by the driver), no socket, no HTTP server, no key, paper
  /// only; its REST reads are answered by `gamma` and `clob`. The driver delivers
  /// the recorded frames to `feed()` and runs `system()`'s scheduler.
  /// `samples_path` set (`tdmaker train`): every market's evaluations are written
  /// there as labelled JSON lines (actors/sample_writer).
  static result<std::unique_ptr<node>> start_replay(const node_config& cfg, http_fetch gamma, http_fetch clob,
                                                    std::string samples_path = {});
  caf::actor_system& system();
  feed_actor feed() const;
  /// The replay's shutdown: the same order as shutdown(), with `run` draining the
  /// deterministic scheduler where a live node would block on an answer.
  void shutdown_replay(const std::function<void()>& run);

  struct impl;

private:
  explicit node(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

} // namespace tdmaker
