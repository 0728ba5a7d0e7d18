#include "core/recorded_replies.hpp"

#include <algorithm>

namespace tdmaker {

bool recorded_replies::add(std::string key, recorded_reply r) {
  auto& k = by_key_[std::move(key)];
  if (r.recv_ms < k.last_ms)
    return false;
  k.last_ms = r.recv_ms;
  k.queue.push_back(std::move(r));
  return true;
}

reply_match recorded_replies::take(const std::string& key, std::int64_t request_ms) {
  auto it = by_key_.find(key);
  if (it != by_key_.end()) {
    auto& q = it->second.queue;
    // Replies too old for this request were answers to requests the replay never
    // made (its timers drift from the live node's by up to lookback_ms): dropped.
    while (!q.empty() && q.front().recv_ms < request_ms - lookback_ms_)
      q.pop_front();
    if (!q.empty()) {
      auto r = std::move(q.front());
      q.pop_front();
      return {true, std::max(r.recv_ms, request_ms), r.status, std::move(r.body)};
    }
  }
  ++misses_;
  return {false, request_ms, 0, "replay: no recorded reply to " + key};
}

std::size_t recorded_replies::pending() const {
  std::size_t n = 0;
  for (auto& [k, r] : by_key_)
    n += r.queue.size();
  return n;
}

} // namespace tdmaker
