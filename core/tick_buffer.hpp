#pragma once
// Seed 004's TickBuffer: a bounded FIFO between a producer that must never wait
// and a consumer that may fall behind (the recorder's frames before their block
// is written). Full: the OLDEST item goes (counted); an item older than the TTL
// is evicted (counted apart) when the buffer is next pushed or popped. Time is
// passed in, never read, so a replay can drive it.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace tdmaker {

struct tick_buffer_counters {
  std::uint64_t enqueued = 0;
  std::uint64_t dequeued = 0;
  std::uint64_t dropped_overflow = 0;
  std::uint64_t evicted_ttl = 0;
};

/// size / capacity in parts per million (0 for a zero capacity).
std::uint64_t utilisation_ppm(std::size_t size, std::size_t capacity);

template <class T>
class tick_buffer {
public:
  /// `capacity` >= 1; `ttl_ms` <= 0: items never expire.
  tick_buffer(std::size_t capacity, std::int64_t ttl_ms)
    : slots_(capacity == 0 ? 1 : capacity), ttl_ms_(ttl_ms) {}

  /// Never fails and never blocks: a full buffer loses its oldest item instead.
  void push(T item, std::int64_t now_ms) {
    evict_expired(now_ms);
    if (size_ == slots_.size()) {
      pop_front();
      ++counters_.dropped_overflow;
    }
    slots_[(head_ + size_) % slots_.size()] = entry{std::move(item), now_ms};
    ++size_;
    ++counters_.enqueued;
  }

  /// The oldest item still within its TTL; nothing when empty.
  std::optional<T> pop(std::int64_t now_ms) {
    evict_expired(now_ms);
    if (size_ == 0)
      return std::nullopt;
    T out = std::move(slots_[head_].item);
    pop_front();
    ++counters_.dequeued;
    return out;
  }

  /// The push time of the oldest item (the buffer must not be empty).
  std::int64_t oldest_ms() const { return slots_[head_].at_ms; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::size_t capacity() const { return slots_.size(); }
  std::uint64_t utilisation() const { return utilisation_ppm(size_, slots_.size()); }
  const tick_buffer_counters& counters() const { return counters_; }

private:
  struct entry {
    T item{};
    std::int64_t at_ms = 0;
  };

  void evict_expired(std::int64_t now_ms) {
    if (ttl_ms_ <= 0)
      return;
    while (size_ > 0 && now_ms - slots_[head_].at_ms > ttl_ms_) {
      pop_front();
      ++counters_.evicted_ttl;
    }
  }

  void pop_front() {
    slots_[head_].item = T{}; // release what it holds now, not when the slot is reused
    head_ = (head_ + 1) % slots_.size();
    --size_;
  }

  std::vector<entry> slots_;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
  std::int64_t ttl_ms_;
  tick_buffer_counters counters_;
};

} // namespace tdmaker
