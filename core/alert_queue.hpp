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

/// Telegram Bot API `sendMessage` body: {"chat_id": ..., "text": ...}, JSON-escaped.
std::string telegram_message(std::string_view chat_id, std::string_view text);

} // namespace tdmaker
