#pragma once
#include <chrono>
#include <memory>

#include "actors/interfaces.hpp"
#include "core/backoff.hpp"
#include "core/endpoint.hpp"
#include "net/http_client.hpp"

namespace tdmaker {

class io_pool;
class clob_session;

struct feed_options {
  endpoint market_ws;
  endpoint user_ws;
  endpoint rtds;
  std::chrono::milliseconds ping_every{10'000};
  std::chrono::milliseconds market_stale{30'000};
  std::chrono::milliseconds user_stale{30'000};
  std::chrono::milliseconds rtds_stale{30'000};
  backoff_policy reconnect{std::chrono::milliseconds(1'000), std::chrono::milliseconds(60'000)};
  std::uint32_t breaker_failures = 10;
  std::chrono::milliseconds refetch_min_interval{2'000};
  // Per-asset reference windows (core/reference_window): velocity, and volatility/TWAP.
  std::chrono::milliseconds fast_window{5'000};
  std::chrono::milliseconds slow_window{60'000};
  std::chrono::milliseconds health_every{1'000};
  std::chrono::milliseconds flush_every{250};
  order_actor risk; // gets market-feed health and safe mode (may be null)
  fill_actor fills; // gets the account's fills from user-channel trade events (may be null)
  recorder_actor recorder; // gets every raw frame and /book reply (null: nothing recorded, nothing sent)
  events_actor events; // gets connects, disconnects, breaker, safe mode and sampled ticks (may be null)
  std::chrono::milliseconds tick_sample{1'000}; // events.tick_sample_ms: per reference symbol
  std::chrono::milliseconds health_log_every{60'000}; // one log line per stream (seed 004 health monitor)
  candles_actor candles; // gets the candle streams' ticks once a health tick (may be null)
  bool candle_tokens = true; // candles.markets: the tokens' mid and last streams, not only the reference
  std::string api_key;              // whose fills, when there is no session (tests)
};

/// Spawns the feed. With `io` null it opens no socket: frames then arrive only
/// as ws_frame messages (actor tests, benchmarks). `clob` serves /book re-fetches
/// and `session` the user channel's credentials; either may be null.
feed_actor spawn_feed(caf::actor_system& sys, io_pool* io, http_fetch clob,
                      std::shared_ptr<clob_session> session, telemetry_actor telemetry,
                      notifier_actor notifier, feed_options opts);

} // namespace tdmaker
