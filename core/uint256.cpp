#include "core/uint256.hpp"

#include <algorithm>

namespace tdmaker {

result<bytes32> parse_uint256(std::string_view decimal) {
  if (decimal.empty())
    return fail("empty integer");
  if (decimal.size() > 78)
    return fail("integer has more than 78 digits");
  if (decimal.size() > 1 && decimal[0] == '0')
    return fail("integer has a leading zero");
  bytes32 w{};
  for (char c : decimal) {
    if (c < '0' || c > '9')
      return fail("integer has a non-digit character");
    // w = w * 10 + digit, carrying from the least significant byte.
    unsigned carry = static_cast<unsigned>(c - '0');
    for (int i = 31; i >= 0; --i) {
      unsigned v = w[i] * 10u + carry;
      w[i] = static_cast<std::uint8_t>(v & 0xff);
      carry = v >> 8;
    }
    if (carry != 0)
      return fail("integer exceeds 2^256 - 1");
  }
  return w;
}

std::string uint256_to_decimal(const bytes32& word) {
  bytes32 w = word;
  std::string digits;
  auto is_zero = [&] { return std::all_of(w.begin(), w.end(), [](auto b) { return b == 0; }); };
  while (!is_zero()) {
    unsigned rem = 0;
    for (auto& b : w) { // divide by 10 from the most significant byte
      unsigned v = rem << 8 | b;
      b = static_cast<std::uint8_t>(v / 10);
      rem = v % 10;
    }
    digits += static_cast<char>('0' + rem);
  }
  if (digits.empty())
    return "0";
  std::reverse(digits.begin(), digits.end());
  return digits;
}

bytes32 uint256_from(std::uint64_t v) {
  bytes32 w{};
  for (int i = 31; i >= 24; --i, v >>= 8)
    w[i] = static_cast<std::uint8_t>(v & 0xff);
  return w;
}

} // namespace tdmaker
