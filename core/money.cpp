#include "core/money.hpp"

#include <array>

#include "core/decimal.hpp"

namespace tdmaker {
namespace {

// 2^256 - 1: the largest token id an ERC-1155 contract can mint.
constexpr std::string_view uint256_max =
  "115792089237316195423570985008687907853269984665640564039457584007913129639935";

// 10^18 micro-units = 10^12 pUSD: far above any real balance, far below int64 overflow.
constexpr std::int64_t max_amount_micros = 1'000'000'000'000'000'000;

} // namespace

result<price> parse_price(std::string_view text) {
  auto v = parse_fixed(text, micro_decimals, 0, micros_per_unit);
  if (!v)
    return fail("invalid price: " + v.error());
  return price{*v};
}

result<tick_size> parse_tick_size(std::string_view text) {
  auto v = parse_fixed(text, micro_decimals, 1, micros_per_unit);
  if (!v)
    return fail("invalid tick size: " + v.error());
  // The venue's ROUNDING_CONFIG knows exactly these tick sizes.
  static constexpr std::array<std::int64_t, 6> known{100'000, 10'000, 5'000, 2'500, 1'000, 100};
  for (auto k : known)
    if (*v == k)
      return tick_size{*v};
  return fail("invalid tick size: '" + std::string(text)
              + "' is not one of 0.1, 0.01, 0.005, 0.0025, 0.001, 0.0001");
}

result<usdc> parse_usdc(std::string_view text) {
  auto v = parse_fixed(text, micro_decimals, -max_amount_micros, max_amount_micros);
  if (!v)
    return fail("invalid pUSD amount: " + v.error());
  return usdc{*v};
}

result<shares> parse_shares(std::string_view text) {
  auto v = parse_fixed(text, micro_decimals, 0, max_amount_micros);
  if (!v)
    return fail("invalid share quantity: " + v.error());
  return shares{*v};
}

result<ref_price> parse_ref_price(std::string_view text) {
  // A reference price is strictly positive; 10^9 USD bounds it well below overflow.
  auto v = parse_fixed(text, ref_price::decimals, 1, 1'000'000'000LL * 100'000'000LL);
  if (!v)
    return fail("invalid reference price: " + v.error());
  return ref_price{*v};
}

result<token_id> parse_token_id(std::string_view text) {
  if (!is_canonical_unsigned(text, uint256_max.size()))
    return fail("invalid token id: expected a decimal uint256 without leading zeros");
  if (text.size() == uint256_max.size() && text > uint256_max)
    return fail("invalid token id: larger than 2^256-1");
  return token_id{std::string(text)};
}

result<condition_id> parse_condition_id(std::string_view text) {
  if (text.size() != 66 || text[0] != '0' || (text[1] != 'x' && text[1] != 'X'))
    return fail("invalid condition id: expected 0x followed by 64 hex digits");
  std::string hex = "0x";
  for (std::size_t i = 2; i < text.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'F')
      c = static_cast<char>(c - 'A' + 'a');
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      return fail("invalid condition id: non-hex character");
    hex += c;
  }
  return condition_id{std::move(hex)};
}

std::string to_string(price p) { return format_fixed(p.micros, micro_decimals); }
std::string to_string(tick_size t) { return format_fixed(t.micros, micro_decimals); }
std::string to_string(usdc a) { return format_fixed(a.micros, micro_decimals); }
std::string to_string(shares s) { return format_fixed(s.micros, micro_decimals); }
std::string to_string(ref_price r) { return format_fixed(r.e8, ref_price::decimals); }

bool is_valid_order_price(price p, tick_size t) {
  if (t.micros <= 0)
    return false;
  return p.micros % t.micros == 0 && p.micros >= t.micros
         && p.micros <= micros_per_unit - t.micros;
}

} // namespace tdmaker
