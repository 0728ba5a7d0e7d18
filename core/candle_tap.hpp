#pragma once
// The feed's tap into the candle streams (issue 18): it notes each reference tick,
// token mid and last trade as a small fixed-size sample and hands them over in one
// message per flush, so the feed -> market path gains no per-frame allocation or
// string copy (a stream's name is copied once, the first time it is seen).
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/money.hpp"

namespace tdmaker {

/// One tick of a candle stream. `stream` indexes the names the tap has handed over so
/// far (candle_samples::new_streams, in order). Times are the source's.
struct candle_sample {
  std::uint32_t stream = 0;
  std::int64_t ts_ms = 0;
  std::int64_t value = 0;  // 1e-8 units (ref) or price micro-units (mid, last)
  std::int64_t volume = 0; // share micro-units (last), else 0
};
template <class Inspector>
auto inspect(Inspector& f, candle_sample& x) { return f(x.stream, x.ts_ms, x.value, x.volume); }

/// The samples since the last take; streams first seen since then are named in
/// `new_streams` and take the next indexes.
struct candle_samples {
  std::vector<std::string> new_streams;
  std::vector<candle_sample> samples;
};
template <class Inspector>
auto inspect(Inspector& f, candle_samples& x) { return f(x.new_streams, x.samples); }

class candle_tap {
public:
  explicit candle_tap(bool tokens) : tokens_(tokens) {}
  /// An RTDS tick of `symbol` ("btc/usd": the stream's name).
  void reference(const std::string& symbol, std::int64_t ts_ms, std::int64_t value_e8);
  /// A token's top of book. Noted only when both sides are there (0 < bid, ask < 1)
  /// and the mid moved or a new minute began since the last one noted: a book change
  /// away from the top repeats the mid and adds nothing to its candle.
  void top(const std::string& token, std::int64_t ts_ms, price bid, price ask);
  void trade(const std::string& token, std::int64_t ts_ms, price px, shares size);

  bool empty() const { return pending_.samples.empty(); }
  /// The samples since the last take (the tap starts a new batch).
  candle_samples take();

private:
  struct stream_state {
    std::uint32_t id = 0;
    std::int64_t last_value = -1;
    std::int64_t last_minute = 0;
  };
  /// Registers a stream first seen (callers look it up first, without a copy).
  stream_state& state(std::unordered_map<std::string, stream_state>& m, std::string_view key, std::string_view suffix);

  bool tokens_;
  std::uint32_t next_id_ = 0;
  std::unordered_map<std::string, stream_state> refs_, mids_, lasts_; // by symbol / token digits
  candle_samples pending_;
};

} // namespace tdmaker
