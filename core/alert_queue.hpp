#pragma once
// The notifier's outbound queue: bounded, so a dead webhook can never grow
// memory; when full, the oldest message of the lowest priority present goes
// first (a critical alert outlives any number of fill notices). Messages leave
// most important first, oldest first within a priority. Pure.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>

namespace tdmaker {

struct queued_alert {
  int level = 0; // 0 info, 1 warning, 2 critical
  std::string text;
};

class alert_queue {
public:
  explicit alert_queue(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}
  /// Queues `a`; returns how many messages were dropped to make room (0 or 1).
  std::size_t push(queued_alert a);
  std::optional<queued_alert> pop();
  /// Puts a message back at the front of its priority (a failed send to retry).
  void push_front(queued_alert a);
  std::size_t size() const;
  std::uint64_t dropped() const { return dropped_; }

private:
  static constexpr int levels = 3;
  std::size_t capacity_;
  std::deque<queued_alert> q_[levels];
  std::uint64_t dropped_ = 0;
};

/// What the notifier does with a message after the webhook's answer.
enum class send_verdict { sent, retry, drop };

/// 2xx: sent. 429 (rate limited), 5xx and no reply (status 0): retry with backoff,
/// the message may go through later. Any other 4xx (400 bad chat id, 401 bad token,
/// 403 bot blocked, 404...) is permanent: the same request will fail the same way,
/// so retrying it would block every later alert behind it forever.
send_verdict verdict_of(int http_status);

/// Telegram Bot API `sendMessage` body: {"chat_id": ..., "text": ...}, JSON-escaped.
std::string telegram_message(std::string_view chat_id, std::string_view text);

} // namespace tdmaker
