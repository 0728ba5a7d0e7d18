#include "core/candle_tap.hpp"

#include "core/candle.hpp"

namespace tdmaker {

candle_tap::stream_state& candle_tap::state(std::unordered_map<std::string, stream_state>& m, std::string_view key,
                                            std::string_view suffix) {
  auto name = std::string(key) + std::string(suffix);
  pending_.new_streams.push_back(name);
  return m.emplace(std::string(key), stream_state{next_id_++, -1, 0}).first->second;
}

void candle_tap::reference(const std::string& symbol, std::int64_t ts_ms, std::int64_t value_e8) {
  auto it = refs_.find(symbol);
  auto& s = it != refs_.end() ? it->second : state(refs_, symbol, "");
  pending_.samples.push_back({s.id, ts_ms, value_e8, 0});
}

void candle_tap::top(const std::string& token, std::int64_t ts_ms, price bid, price ask) {
  if (!tokens_ || bid.micros <= 0 || ask.micros >= micros_per_unit || bid.micros > ask.micros)
    return;
  // Prices are whole ticks (>= 0.0001 = 100 micros), so the sum is even and the mid exact.
  const auto mid = (bid.micros + ask.micros) / 2;
  auto it = mids_.find(token);
  auto& s = it != mids_.end() ? it->second : state(mids_, token, "/mid");
  const auto minute = candle_minute(ts_ms);
  if (mid == s.last_value && minute == s.last_minute)
    return;
  s.last_value = mid;
  s.last_minute = minute;
  pending_.samples.push_back({s.id, ts_ms, mid, 0});
}

void candle_tap::trade(const std::string& token, std::int64_t ts_ms, price px, shares size) {
  if (!tokens_)
    return;
  auto it = lasts_.find(token);
  auto& s = it != lasts_.end() ? it->second : state(lasts_, token, "/last");
  pending_.samples.push_back({s.id, ts_ms, px.micros, size.micros});
}

candle_samples candle_tap::take() {
  candle_samples out;
  out.samples.reserve(pending_.samples.capacity());
  std::swap(out, pending_);
  return out;
}

} // namespace tdmaker
