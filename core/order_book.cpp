#include "core/order_book.hpp"

#include <algorithm>

#include <openssl/sha.h>

#include "core/bytes.hpp"
#include "core/decimal.hpp"

namespace tdmaker {
namespace {

// Bids are kept best (highest) first, asks best (lowest) first.
bool better(book_side side, price a, price b) {
  return side == book_side::bid ? a > b : a < b;
}

void fill_side(std::vector<book_level>& out, std::span<const book_level> in, book_side side) {
  out.clear();
  for (auto& l : in)
    if (l.size.micros > 0)
      out.push_back(l);
  std::sort(out.begin(), out.end(),
            [side](const book_level& a, const book_level& b) { return better(side, a.px, b.px); });
  // A snapshot should not repeat a price; if it does, the last one wins.
  auto last = std::unique(out.begin(), out.end(),
                          [](const book_level& a, const book_level& b) { return a.px == b.px; });
  out.erase(last, out.end());
}

void append_decimal(std::string& s, std::int64_t micros) { append_fixed(s, micros, micro_decimals); }

// Wire order is worst first (best last), the reverse of how the book keeps them.
void append_levels(std::string& s, std::span<const book_level> best_first) {
  s += '[';
  bool first = true;
  for (auto it = best_first.rbegin(); it != best_first.rend(); ++it) {
    if (!first)
      s += ',';
    first = false;
    s += R"({"price":")";
    append_decimal(s, it->px.micros);
    s += R"(","size":")";
    append_decimal(s, it->size.micros);
    s += "\"}";
  }
  s += ']';
}

} // namespace

void token_book::replace(std::span<const book_level> bids, std::span<const book_level> asks) {
  fill_side(bids_, bids, book_side::bid);
  fill_side(asks_, asks, book_side::ask);
}

void token_book::set(book_side side, price px, shares size) {
  auto& v = side == book_side::bid ? bids_ : asks_;
  auto it = std::lower_bound(v.begin(), v.end(), px, [side](const book_level& l, price p) {
    return better(side, l.px, p);
  });
  const bool found = it != v.end() && it->px == px;
  if (size.micros <= 0) {
    if (found)
      v.erase(it);
  } else if (found) {
    it->size = size;
  } else {
    v.insert(it, book_level{px, size});
  }
}

void token_book::clear() {
  bids_.clear();
  asks_.clear();
}

std::string book_hash(const book_hash_fields& f, const token_book& book, std::string& s) {
  s.clear();
  s += R"({"market":")";
  s += f.market;
  s += R"(","asset_id":")";
  s += f.asset_id;
  s += R"(","timestamp":")";
  append_fixed(s, f.ts_ms, 0);
  s += R"(","hash":"","bids":)";
  append_levels(s, book.bids());
  s += R"(,"asks":)";
  append_levels(s, book.asks());
  s += R"(,"min_order_size":")";
  append_decimal(s, f.min_size.micros);
  s += R"(","tick_size":")";
  append_decimal(s, f.tick.micros);
  s += R"(","neg_risk":)";
  s += f.neg_risk ? "true" : "false";
  s += R"(,"last_trade_price":")";
  s += f.last_trade_price;
  s += "\"}";
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(s.data()), s.size(), digest);
  return to_hex(std::span<const std::uint8_t>(digest, sizeof digest), false);
}

} // namespace tdmaker
