#pragma once
// One token's L2 book as the market channel describes it: full snapshots, then
// absolute-size level updates. Levels live in two sorted vectors that keep their
// capacity, so applying a delta does not allocate once the book has warmed up.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/market_data.hpp"

namespace tdmaker {

class token_book {
public:
  /// Replaces the whole book (levels in any order; zero sizes are dropped).
  void replace(std::span<const book_level> bids, std::span<const book_level> asks);
  /// Sets one level to an absolute size; 0 removes it. Idempotent, so a replayed
  /// or duplicated change leaves the book as it was.
  void set(book_side side, price px, shares size);
  void clear();

  /// Best first.
  std::span<const book_level> bids() const { return bids_; }
  std::span<const book_level> asks() const { return asks_; }
  bool empty() const { return bids_.empty() && asks_.empty(); }
  /// Zero-size levels mean "none".
  book_level best_bid() const { return bids_.empty() ? book_level{} : bids_.front(); }
  book_level best_ask() const { return asks_.empty() ? book_level{} : asks_.front(); }

  bool operator==(const token_book&) const = default;

private:
  std::vector<book_level> bids_; // descending price
  std::vector<book_level> asks_; // ascending price
};

/// The fields of the market channel's book hash besides the levels.
struct book_hash_fields {
  std::string_view market;
  std::string_view asset_id;
  std::int64_t ts_ms = 0;
  shares min_size;
  tick_size tick;
  bool neg_risk = false;
  std::string_view last_trade_price; // as the venue wrote it; "" when unknown
};

/// SHA-1 hex of the compact JSON of the book with `hash:""` (protocol ref §5.1):
/// keys market, asset_id, timestamp, hash, bids, asks, min_order_size, tick_size,
/// neg_risk, last_trade_price; levels in wire order (best last). `scratch` is reused
/// between calls so the hot path does not allocate.
std::string book_hash(const book_hash_fields& f, const token_book& book, std::string& scratch);

} // namespace tdmaker
