#pragma once
// Seed 004's circuit breaker for a feed connection: consecutive failed connects
// trip it (the node goes to safe mode: no new orders); the first healthy
// connection afterwards closes it again by itself.
#include <cstdint>

namespace tdmaker {

class circuit_breaker {
public:
  enum class change : std::uint8_t { none, tripped, recovered };

  explicit circuit_breaker(std::uint32_t threshold = 10) : threshold_(threshold) {}

  /// A connect, handshake or subscribe that failed, or a connection that closed
  /// before it delivered any data.
  change on_failure() {
    ++failures_;
    if (!tripped_ && failures_ >= threshold_) {
      tripped_ = true;
      return change::tripped;
    }
    return change::none;
  }

  /// A connection delivered data: the feed works again.
  change on_healthy() {
    failures_ = 0;
    if (tripped_) {
      tripped_ = false;
      return change::recovered;
    }
    return change::none;
  }

  bool tripped() const { return tripped_; }
  std::uint32_t consecutive_failures() const { return failures_; }

private:
  std::uint32_t threshold_;
  std::uint32_t failures_ = 0;
  bool tripped_ = false;
};

} // namespace tdmaker
