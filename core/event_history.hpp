#pragma once
// The bounded history of typed events (seed 004 EventBus history) that outside
// consumers read through GET /events and the event stream. Pure: every time is
// passed in, so a replay fed recorded receive times builds the same history.
//
// Sequence numbers start at 1 and grow by one per event; a consumer keeps the
// last one it saw and asks for what follows. When what it asks for has left the
// ring (or its number is from an earlier run of the node, ahead of ours) the
// answer says `missed`: a gap is never silent.
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tdmaker {

/// Extensible: add a kind at the end (its name is what consumers match on).
enum class event_kind : std::uint8_t {
  tick_sampled = 0,
  candle_completed = 1,
  order_placed = 2,
  order_filled = 3,
  order_rejected = 4,
  feed_connected = 5,
  feed_disconnected = 6,
  breaker_tripped = 7,
  safe_mode_entered = 8,
  safe_mode_left = 9,
  phase_changed = 10,
};
inline constexpr std::size_t event_kind_count = 11;

std::string_view to_string(event_kind k);
std::optional<event_kind> parse_event_kind(std::string_view name);

struct event_record {
  std::uint64_t seq = 0;
  event_kind kind = event_kind::tick_sampled;
  std::int64_t time_ms = 0; // when the node received or decided it (wall, or recorded receive time)
  std::string payload;      // one JSON object (core/json_write.hpp)
};
template <class Inspector>
auto inspect(Inspector& f, event_record& x) {
  return f(x.seq, x.kind, x.time_ms, x.payload);
}

/// What a consumer has not seen yet.
struct event_page {
  std::vector<event_record> events;
  std::uint64_t next = 0; // pass as `since` next time: the last seq returned, or `since` when none
  bool missed = false;    // events after `since` were dropped before this answer (or the node restarted)
};
template <class Inspector>
auto inspect(Inspector& f, event_page& x) {
  return f(x.events, x.next, x.missed);
}

class event_history {
public:
  explicit event_history(std::size_t capacity);

  /// Appends one event and returns it with its sequence number; the oldest
  /// leaves when the ring is full.
  const event_record& add(event_kind kind, std::int64_t time_ms, std::string payload);

  /// Up to `limit` events with seq > `since`, oldest first.
  event_page since(std::uint64_t since, std::size_t limit) const;

  std::uint64_t last_seq() const { return next_seq_ - 1; }
  /// The oldest seq still held (last_seq() + 1 when empty).
  std::uint64_t first_seq() const { return ring_.empty() ? next_seq_ : ring_.front().seq; }
  std::size_t size() const { return ring_.size(); }
  std::size_t capacity() const { return capacity_; }
  /// Events added per kind since start (the ring drops old ones, this does not).
  std::uint64_t total(event_kind k) const { return totals_[static_cast<std::size_t>(k)]; }

private:
  std::size_t capacity_;
  std::deque<event_record> ring_;
  std::uint64_t next_seq_ = 1;
  std::uint64_t totals_[event_kind_count] = {};
};

/// Sampling rule for high-rate streams (ticks): true, and `last_ms` moved to
/// `now_ms`, when at least `every_ms` has passed since the last one sampled
/// (`last_ms` < 0: none yet). A clock that steps back samples again at once
/// rather than going quiet until it catches up.
bool sample_due(std::int64_t& last_ms, std::int64_t now_ms, std::int64_t every_ms);

} // namespace tdmaker
