#pragma once
// One resilient WebSocket (market channel, user channel or RTDS) on the io_pool:
// connects (TLS with SNI and verification for wss), sends the channel's
// subscribe frame for everything currently wanted, keeps the text PING going,
// and reconnects with backoff + jitter when the socket fails or goes silent for
// longer than the stale limit. Subscriptions are a set the owner replaces; the
// client sends the difference while connected and the whole set on every
// (re)connect. Callbacks run on an I/O thread.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/endpoint.hpp"
#include "net/io_pool.hpp"
#include "core/backoff.hpp"
#include "messages/link_events.hpp" // ws_event

namespace tdmaker {

struct ws_status {
  ws_event event = ws_event::connected;
  std::string detail;
  std::uint64_t connects = 0;      // successful handshakes so far
  std::uint32_t consecutive_failures = 0;
  std::chrono::milliseconds next_attempt_in{0};
};

struct ws_client_options {
  std::string name; // "market", "user", "rtds" (logs, metrics)
  endpoint where;
  std::chrono::milliseconds ping_every{10'000};
  std::string ping_text = "PING";
  std::chrono::milliseconds stale_after{30'000};
  std::chrono::milliseconds connect_timeout{10'000};
  backoff_policy backoff{std::chrono::milliseconds(1'000), std::chrono::milliseconds(60'000)};
  /// True for the user channel: its data is sparse, so the PONG proves liveness.
  bool pong_is_data = false;
  /// False for market/RTDS: with nothing to subscribe there is no connection.
  bool connect_when_empty = false;
  /// A larger message is refused by the socket (Beast's read_message_max), reported
  /// as ws_event::oversize and the connection replaced: a market-channel initial dump
  /// of 64 markets is well under 1 MiB, so 16 MiB only stops a hostile or broken peer.
  std::size_t max_message_bytes = 16u << 20;
};

struct ws_callbacks {
  std::function<std::string(const std::vector<std::string>& all)> first_frame;
  std::function<std::string(bool subscribe, const std::vector<std::string>& items)> update_frame;
  std::function<void(std::string text, std::int64_t recv_ns)> on_frame;
  std::function<void(const ws_status&)> on_status;
};

class ws_client : public std::enable_shared_from_this<ws_client> {
public:
  static std::shared_ptr<ws_client> make(io_pool& io, ws_client_options opts, ws_callbacks cb);
  ~ws_client();

  void start();
  void stop();
  /// Replaces the wanted subscription set (thread-safe; applied on the I/O strand).
  void set_subscriptions(std::vector<std::string> items);

  struct impl;

private:
  ws_client() = default;
  std::shared_ptr<impl> impl_;
};

} // namespace tdmaker
