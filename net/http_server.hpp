#pragma once
// The node's HTTP/1.1 endpoint (Boost.Beast) on its own I/O thread:
//   GET /metrics  Prometheus text      GET /health  200/503 + reasons
//   GET /status   JSON                 POST /control/phase  (Bearer token; 409 + failing criteria
//   GET /phase    phase manager JSON     when the gate refuses, "force": true overrides it)
//   POST /debug/crash?kind=K  (Bearer token; only with debug.fault_injection)
// Each request that needs actor state is answered by a short-lived actor that
// asks the owner and posts the reply back to the I/O thread: the I/O thread never
// blocks on an actor, and no actor blocks on a socket.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include <caf/actor_system.hpp>

#include "actors/interfaces.hpp"
#include "core/config.hpp"
#include "core/result.hpp"

namespace tdmaker {

struct http_targets {
  telemetry_actor telemetry;
  control_actor control;
  directory_actor directory; // /book: the node's own view of a market's book
  supervisor_actor supervisor; // /debug/crash
  bool fault_injection = false; // debug.fault_injection: without it /debug/crash does not exist
  events_actor events; // GET /events, /events/stream (null: 503)
  std::size_t history = 1000; // events.history: the most one GET /events page holds
  store_actor store; // GET /candles: a bounded range of LMDB `candles`
};

/// Connection limits (http.max_connections, http.idle_timeout_ms; docs/operations.md).
struct http_limits {
  std::size_t max_connections = 64;
  /// A connection is closed when a whole request has not arrived this long after it
  /// opened or after the last reply (idle keep-alive and slow senders alike).
  std::chrono::milliseconds idle_timeout{5000};
};

class http_server {
public:
  /// `control_token` empty disables the control endpoint (it then answers 503).
  http_server(caf::actor_system& sys, http_targets targets, std::string control_token);
  ~http_server();

  /// Binds and starts serving; an error names the address and the cause.
  result<std::uint16_t> start(const listen_address& where, const http_limits& limits = {});
  /// Stops accepting, closes connections and joins the I/O thread.
  void stop();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace tdmaker
