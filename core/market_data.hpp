#pragma once
// Market data as the pure codecs produce it and the feed hands it, unchanged, to
// the market actor that owns the market. Plain structs of exact integer types;
// the inspect overloads let CAF carry them as messages without core knowing CAF.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/eip712.hpp" // order_side
#include "core/money.hpp"
#include "core/reference_window.hpp"

namespace tdmaker {

enum class book_side : std::uint8_t { bid = 0, ask = 1 };

/// The two outcomes of an Up/Down slot market.
enum class outcome : std::uint8_t { up = 0, down = 1 };

struct book_level {
  price px;
  shares size;
  bool operator==(const book_level&) const = default;
};
template <class Inspector>
auto inspect(Inspector& f, book_level& x) { return f(x.px, x.size); }

/// A full L2 snapshot of one token's book (market WS `book`, REST `/book`).
/// Levels are kept in wire order (bids ascending, asks descending: best last),
/// which is also the order the book hash is computed over.
struct book_snapshot {
  condition_id market;
  token_id token;
  std::int64_t ts_ms = 0;
  std::string hash;
  std::vector<book_level> bids;
  std::vector<book_level> asks;
  tick_size tick;
  bool has_tick = false;
  shares min_size;
  bool neg_risk = false;
  price last_trade_px;
  bool has_last_trade = false;
  bool from_rest = false; // a /book re-fetch, not a WS event
};
template <class Inspector>
auto inspect(Inspector& f, book_snapshot& x) {
  return f(x.market, x.token, x.ts_ms, x.hash, x.bids, x.asks, x.tick, x.has_tick, x.min_size,
           x.neg_risk, x.last_trade_px, x.has_last_trade, x.from_rest);
}

/// One level of a `price_change`: `size` is the new absolute size (0 removes).
struct book_change {
  token_id token;
  book_side side = book_side::bid;
  price px;
  shares size;
  std::string hash; // the token's book hash after the frame, "" when not sent
  price best_bid;   // the token's best bid and ask after the change (0 when not sent): its mid candles
  price best_ask;
};
template <class Inspector>
auto inspect(Inspector& f, book_change& x) { return f(x.token, x.side, x.px, x.size, x.hash, x.best_bid, x.best_ask); }

/// Every change of one `price_change` frame for one market (both tokens).
struct book_delta {
  condition_id market;
  std::int64_t ts_ms = 0;
  std::vector<book_change> changes;
  std::int64_t recv_ns = 0; // steady clock at frame receipt: feed -> market latency
};
template <class Inspector>
auto inspect(Inspector& f, book_delta& x) { return f(x.market, x.ts_ms, x.changes, x.recv_ns); }

struct last_trade {
  condition_id market;
  token_id token;
  price px;
  shares size;
  order_side side = order_side::buy;
  std::int64_t ts_ms = 0;
};
template <class Inspector>
auto inspect(Inspector& f, last_trade& x) {
  return f(x.market, x.token, x.px, x.size, x.side, x.ts_ms);
}

struct tick_size_change {
  condition_id market;
  token_id token;
  tick_size old_tick;
  tick_size new_tick;
  std::int64_t ts_ms = 0;
};
template <class Inspector>
auto inspect(Inspector& f, tick_size_change& x) {
  return f(x.market, x.token, x.old_tick, x.new_tick, x.ts_ms);
}

/// A Chainlink reference price (RTDS `crypto_prices_chainlink`), e.g. "btc/usd".
/// The feed fills `fast` and `slow` from its per-asset windows (core/reference_window)
/// before routing the tick; the parser leaves them unknown.
struct reference_tick {
  reference_tick() = default;
  reference_tick(std::string sym, ref_price v, std::int64_t ts)
    : symbol(std::move(sym)), value(v), source_ts_ms(ts) {}
  std::string symbol;
  ref_price value;
  std::int64_t source_ts_ms = 0;
  reference_motion fast; // velocity window (strategies.capture_99c.velocity_window_ms)
  reference_motion slow; // volatility and TWAP window (strategies.capture_99c.slow_window_ms)
};
template <class Inspector>
auto inspect(Inspector& f, reference_motion& x) {
  return f(x.points, x.span_ms, x.velocity_known, x.velocity, x.acceleration_known, x.acceleration,
           x.volatility_known, x.volatility, x.mean_known, x.mean, x.last, x.last_ts_ms);
}
template <class Inspector>
auto inspect(Inspector& f, reference_tick& x) { return f(x.symbol, x.value, x.source_ts_ms, x.fast, x.slow); }

struct market_resolved {
  condition_id market;
  token_id winner;
  std::int64_t ts_ms = 0;
};
template <class Inspector>
auto inspect(Inspector& f, market_resolved& x) { return f(x.market, x.winner, x.ts_ms); }

} // namespace tdmaker
