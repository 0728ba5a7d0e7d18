#include "core/alert_queue.hpp"

#include <algorithm>

#include "core/json_write.hpp"

namespace tdmaker {

std::size_t alert_queue::push(queued_alert a) {
  a.level = std::clamp(a.level, 0, levels - 1);
  std::size_t dropped = 0;
  if (size() >= capacity_) {
    // The oldest of the lowest priority present, which may be the newcomer's own.
    int victim = 0;
    while (victim < levels && q_[victim].empty())
      ++victim;
    if (victim > a.level) {
      ++dropped_;
      return 1; // everything queued matters more than this one
    }
    q_[victim].pop_front();
    ++dropped_;
    dropped = 1;
  }
  q_[a.level].push_back(std::move(a));
  return dropped;
}

std::optional<queued_alert> alert_queue::pop() {
  for (int l = levels - 1; l >= 0; --l)
    if (!q_[l].empty()) {
      auto a = std::move(q_[l].front());
      q_[l].pop_front();
      return a;
    }
  return std::nullopt;
}

void alert_queue::push_front(queued_alert a) {
  a.level = std::clamp(a.level, 0, levels - 1);
  if (size() >= capacity_) {
    ++dropped_; // the queue filled while it was out: it yields to what is waiting
    return;
  }
  q_[a.level].push_front(std::move(a));
}

std::size_t alert_queue::size() const {
  std::size_t n = 0;
  for (auto& q : q_)
    n += q.size();
  return n;
}

send_verdict verdict_of(int http_status) {
  if (http_status >= 200 && http_status < 300)
    return send_verdict::sent;
  if (http_status >= 400 && http_status < 500 && http_status != 429)
    return send_verdict::drop;
  return send_verdict::retry;
}

std::string telegram_message(std::string_view chat_id, std::string_view text) {
  return json::object_writer().str("chat_id", chat_id).str("text", text).take();
}

} // namespace tdmaker
