#include "core/eth_address.hpp"

#include "core/keccak.hpp"

namespace tdmaker {

std::string to_checksum(const address20& a) {
  auto lower = to_hex(a, false);
  auto h = keccak256(lower);
  std::string out = "0x";
  for (std::size_t i = 0; i < lower.size(); ++i) {
    char c = lower[i];
    int nibble = (i % 2 == 0) ? h[i / 2] >> 4 : h[i / 2] & 15;
    out += (c >= 'a' && nibble >= 8) ? static_cast<char>(c - 'a' + 'A') : c;
  }
  return out;
}

result<address20> parse_address(std::string_view text) {
  if (text.size() != 42 || text[0] != '0' || text[1] != 'x')
    return fail("invalid address: expected 0x followed by 40 hex digits");
  address20 a;
  if (auto r = from_hex(text, a); !r)
    return fail("invalid address: " + r.error());
  bool has_lower = false, has_upper = false;
  for (char c : text.substr(2)) {
    has_lower |= (c >= 'a' && c <= 'f');
    has_upper |= (c >= 'A' && c <= 'F');
  }
  if (has_lower && has_upper && to_checksum(a) != text)
    return fail("invalid address: bad EIP-55 checksum");
  return a;
}

} // namespace tdmaker
