#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "actors/interfaces.hpp"

namespace tdmaker {

class http_client;

struct notifier_options {
  /// Telegram Bot API-compatible webhook; null = log only.
  std::shared_ptr<http_client> webhook;
  std::string bot_token;   // from the environment; only ever part of the request path
  std::string chat_id;
  int min_level = 0;       // 0 info, 1 warning, 2 critical: below it, log only
  std::int64_t per_minute = 20;  // Telegram allows about 20 messages a minute to a group
  std::size_t queue_max = 200;
  std::chrono::milliseconds flush_every{250};
};

/// Every alert is logged at its severity; those at or above `min_level` are also
/// sent to the webhook, paced, from a bounded queue (oldest low-priority first
/// to go when full). A failed send (after the HTTP client's own retries) is put
/// back and tried again later with backoff. Nothing here ever waits on trading.
notifier_actor spawn_notifier(caf::actor_system& sys, telemetry_actor telemetry, notifier_options opts);

} // namespace tdmaker
