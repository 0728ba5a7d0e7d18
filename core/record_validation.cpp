#include "core/record_validation.hpp"

#include "core/candle.hpp"
#include "core/fills.hpp"
#include "core/phase_history.hpp"
#include "core/records.hpp"
#include "core/settlement.hpp"
#include "core/trade_limiter.hpp"

namespace tdmaker {
namespace {

/// The decoder's verdict and the key the record names for itself.
template <class Decoded, class KeyOf>
std::string check(const Decoded& r, std::string_view key, KeyOf key_of) {
  if (!r)
    return r.error();
  auto expected = key_of(*r);
  if (key != expected)
    return "key does not match the record (its key is '" + expected + "')";
  return {};
}

std::string check_phase(std::string_view key, std::string_view payload) {
  if (key == "current")
    return check(decode_phase_record(payload), key, [](auto&) { return std::string("current"); });
  if (key.starts_with("history/"))
    return check(decode_phase_transition(payload), key, [](auto& t) { return history_key(t); });
  if (key.starts_with("trades/"))
    return check(decode_trade_count_record(payload), key, [](auto& t) { return trade_count_key(t.paper); });
  return "no record kind is kept under this key (current, history/..., trades/...)";
}

/// Candle keys are binary (stream, 0, big-endian minute): named readably.
std::string check_candle(std::string_view key, std::string_view payload) {
  auto c = decode_candle(payload);
  if (!c)
    return c.error();
  if (key != candle_key(c->stream, c->c.start_ms))
    return "key does not match the record (its key is " + describe_candle_key(candle_key(c->stream, c->c.start_ms)) + ")";
  return {};
}

std::string why_not(std::string_view db, std::string_view key, std::string_view payload) {
  if (db == "meta" || db == "audit")
    return {};
  if (db == "markets")
    return check(decode_market_record(payload), key, [](auto& r) { return r.id.hex; });
  if (db == "orders")
    return check(decode_order_record(payload), key, [](auto& r) { return r.order_id; });
  if (db == "fills")
    return check(decode_fill_record(payload), key, [](auto& r) { return r.key; });
  if (db == "settlements")
    return check(decode_settlement_record(payload), key, [](auto& r) { return settlement_key(r); });
  if (db == "phase")
    return check_phase(key, payload);
  if (db == "candles")
    return check_candle(key, payload);
  if (db == "positions")
    return "no record kind is kept here (positions are folded from fills)";
  return "unknown database";
}

} // namespace

std::string validate_record(std::string_view db, std::string_view key, std::string_view payload) {
  auto why = why_not(db, key, payload);
  if (why.empty())
    return why;
  const auto name = db == "candles" ? describe_candle_key(key) : std::string(key);
  return "store: " + std::string(db) + "/" + name + " refused: " + why;
}

} // namespace tdmaker
