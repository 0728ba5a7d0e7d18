#pragma once
// The REST half of a replay: the node's requests (Gamma discovery, the CLOB's
// fee details, /book re-fetches, resolution look-ups) are answered with the
// replies the live session recorded, each delivered no earlier than it was
// received live. Pure: the replay driver owns the instance and the clock.
//
// Matching: a request for `key` (method + " " + target) takes the earliest reply
// to the same key not taken yet whose receive time is at or after the request's
// time less `lookback_ms` (the live request may have gone out a little before
// the replay's: its timers start from the recording's first instant, not the
// live node's start). It is delivered at max(its receive time, the request's):
// nothing is ever seen before the moment it was seen live (no look-ahead). A
// request with no such reply fails at once with `no_reply` (status 0), as a
// live request to an unreachable host would, only sooner; said in docs/replay.md.
#include <cstdint>
#include <deque>
#include <map>
#include <string>

namespace tdmaker {

struct recorded_reply {
  std::int64_t recv_ms = 0;
  int status = 0;
  std::string body;
};

struct reply_match {
  bool found = false;
  std::int64_t deliver_ms = 0;
  int status = 0;      // 0 when not found
  std::string body;    // the reason when not found
};

class recorded_replies {
public:
  explicit recorded_replies(std::int64_t lookback_ms = 2'000) : lookback_ms_(lookback_ms) {}

  /// Adds one recorded reply; replies of a key must come in receive-time order
  /// (a recording's order): an older one than the last of its key is refused.
  bool add(std::string key, recorded_reply r);

  /// The answer to a request for `key` made at `request_ms`; the reply is used up.
  reply_match take(const std::string& key, std::int64_t request_ms);

  std::size_t pending() const;
  std::uint64_t misses() const { return misses_; }

private:
  std::int64_t lookback_ms_;
  struct key_replies {
    std::deque<recorded_reply> queue;
    std::int64_t last_ms = INT64_MIN; // the newest ever added: the order holds after replies are taken
  };
  std::map<std::string, key_replies, std::less<>> by_key_;
  std::uint64_t misses_ = 0;
};

} // namespace tdmaker
