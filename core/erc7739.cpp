#include "core/erc7739.hpp"

#include <algorithm>

#include "core/secp256k1_signer.hpp"

namespace tdmaker {

std::vector<std::uint8_t> erc7739_suffix(const bytes32& app_domain_sep, const bytes32& contents_hash) {
  const auto& type = order_type_string();
  std::vector<std::uint8_t> out;
  out.reserve(64 + type.size() + 2);
  out.insert(out.end(), app_domain_sep.begin(), app_domain_sep.end());
  out.insert(out.end(), contents_hash.begin(), contents_hash.end());
  out.insert(out.end(), type.begin(), type.end());
  out.push_back(static_cast<std::uint8_t>(type.size() >> 8));
  out.push_back(static_cast<std::uint8_t>(type.size() & 0xff));
  return out;
}

result<address20> erc7739_signer(const order_v2& o, const signature65& inner, std::span<const std::uint8_t> suffix,
                                 const bytes32& domain_sep, std::uint64_t chain_id) {
  // Compared whole against what this order on this exchange must carry: a wrong
  // domain, a contents hash of another order or another type string all differ.
  auto expected = erc7739_suffix(domain_sep, order_struct_hash(o));
  if (suffix.size() != expected.size())
    return fail("deposit wallet signature: expected " + std::to_string(65 + expected.size()) + " bytes, got "
                + std::to_string(65 + suffix.size()));
  auto part = [&](std::size_t from, std::size_t n) {
    return std::equal(suffix.begin() + static_cast<std::ptrdiff_t>(from),
                      suffix.begin() + static_cast<std::ptrdiff_t>(from + n), expected.begin() + static_cast<std::ptrdiff_t>(from));
  };
  if (!part(0, 32))
    return fail("deposit wallet signature: app domain separator is not this exchange's");
  if (!part(32, 32))
    return fail("deposit wallet signature: contents hash is not this order's");
  if (!part(64, expected.size() - 64))
    return fail("deposit wallet signature: contents type is not the Order type");
  return recover_signer(typed_data_sign_digest(o, domain_sep, chain_id), inner);
}

} // namespace tdmaker
