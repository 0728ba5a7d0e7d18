#pragma once
// Seed 002's trade limiter: a trade is a new position, the first buy the node
// sends for a market on a book; a phase may allow only so many per session. The
// count is a durable record (LMDB `phase`, key "trades/<book>"): bidding commits
// it before the market's first order goes out, so a restart mid-session does
// not reset it; a new session starts at zero. Exits and settlement never pass here.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/performance.hpp"
#include "core/result.hpp"

namespace tdmaker {

struct trade_count_record {
  bool paper = false;
  std::int64_t session = 0;          // session index (core/performance.hpp session_clock)
  std::vector<std::string> markets;  // condition ids counted this session, in order
};

enum class trade_verdict : std::uint8_t {
  counted = 0,  // a new trade: allowed, the record changed and must be committed before the order goes
  repeat = 1,   // the market was counted this session already: allowed, nothing to commit
  refused = 2,  // the session's limit is reached
};

/// A record holds at most this many markets (the decoder refuses more; the
/// limiter refuses a trade beyond it, even with no limit set).
inline constexpr std::size_t max_trade_count_markets = 10'000;

class trade_limiter {
public:
  trade_limiter(session_clock clock, bool paper);
  /// Restores the stored record (a record of an older session counts nothing).
  void restore(const trade_count_record& r);
  /// `limit` 0 = no limit (still counted). Rolls to `now_ms`'s session first.
  /// A market that is not a canonical condition id is refused (never counted).
  trade_verdict check(std::string_view market, std::uint32_t limit, std::int64_t now_ms);
  /// The count in `now_ms`'s session.
  std::uint32_t count(std::int64_t now_ms) const;
  const trade_count_record& record() const { return rec_; }

private:
  session_clock clock_;
  trade_count_record rec_;
};

/// The LMDB key of a book's record: "trades/live" or "trades/paper".
std::string trade_count_key(bool paper);
std::string encode(const trade_count_record& r);
result<trade_count_record> decode_trade_count_record(std::string_view json);

} // namespace tdmaker
