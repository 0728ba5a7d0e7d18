#pragma once
// Exact money, price and identifier types shared by every message and record.
// All amounts are integers: prices and pUSD/share amounts in micro-units (10^-6,
// the on-chain precision of pUSD and outcome tokens), reference prices in 10^-8.
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace tdmaker {

inline constexpr int micro_decimals = 6;
inline constexpr std::int64_t micros_per_unit = 1'000'000;

/// Probability price of an outcome share in pUSD, in micro-units: [0, 1_000_000].
struct price {
  std::int64_t micros = 0;
  auto operator<=>(const price&) const = default;
};

/// A market's minimum price increment, in micro-units (0.01 -> 10'000).
struct tick_size {
  std::int64_t micros = 10'000;
  auto operator<=>(const tick_size&) const = default;
};

/// A pUSD amount in micro-units (6 decimals). Signed: PnL can be negative.
struct usdc {
  std::int64_t micros = 0;
  auto operator<=>(const usdc&) const = default;
};

/// A quantity of outcome shares in micro-units (6 decimals).
struct shares {
  std::int64_t micros = 0;
  auto operator<=>(const shares&) const = default;
};

/// A Chainlink reference price (e.g. BTC/USD) in units of 10^-8 USD.
struct ref_price {
  static constexpr int decimals = 8;
  std::int64_t e8 = 0;
  auto operator<=>(const ref_price&) const = default;
};

/// An ERC-1155 outcome token id: a canonical decimal uint256 string.
struct token_id {
  std::string digits;
  auto operator<=>(const token_id&) const = default;
};

/// A market's condition id: "0x" + 64 lower-case hex digits.
struct condition_id {
  std::string hex;
  auto operator<=>(const condition_id&) const = default;
};

result<price> parse_price(std::string_view text);
result<tick_size> parse_tick_size(std::string_view text);
result<usdc> parse_usdc(std::string_view text);
result<shares> parse_shares(std::string_view text);
result<ref_price> parse_ref_price(std::string_view text);
result<token_id> parse_token_id(std::string_view text);
result<condition_id> parse_condition_id(std::string_view text);

std::string to_string(price p);
std::string to_string(tick_size t);
std::string to_string(usdc a);
std::string to_string(shares s);
std::string to_string(ref_price r);

/// True when `p` lies on the tick grid and within [tick, 1 - tick], the venue's
/// accepted price range for an order.
bool is_valid_order_price(price p, tick_size t);

// CAF inspection without pulling CAF into core: any inspector works.
template <class Inspector>
auto inspect(Inspector& f, price& x) { return f(x.micros); }
template <class Inspector>
auto inspect(Inspector& f, tick_size& x) { return f(x.micros); }
template <class Inspector>
auto inspect(Inspector& f, usdc& x) { return f(x.micros); }
template <class Inspector>
auto inspect(Inspector& f, shares& x) { return f(x.micros); }
template <class Inspector>
auto inspect(Inspector& f, ref_price& x) { return f(x.e8); }
template <class Inspector>
auto inspect(Inspector& f, token_id& x) { return f(x.digits); }
template <class Inspector>
auto inspect(Inspector& f, condition_id& x) { return f(x.hex); }

} // namespace tdmaker
