#include "core/wallet.hpp"

#include <array>
#include <string>
#include <utility>

#include "core/eth_address.hpp"

namespace tdmaker {
namespace {

constexpr std::array<std::pair<std::string_view, signature_type>, 4> names{{
  {"EOA", signature_type::eoa},
  {"POLY_PROXY", signature_type::poly_proxy},
  {"POLY_GNOSIS_SAFE", signature_type::poly_gnosis_safe},
  {"POLY_1271", signature_type::poly_1271},
}};

} // namespace

result<signature_type> parse_signature_type(std::string_view name) {
  for (auto& [n, t] : names)
    if (n == name)
      return t;
  return fail("expected one of EOA, POLY_PROXY, POLY_GNOSIS_SAFE, POLY_1271, got '"
              + std::string(name.substr(0, 40)) + "'");
}

std::string_view to_string(signature_type t) {
  for (auto& [n, v] : names)
    if (v == t)
      return n;
  return "unknown";
}

result<wallet_setup> resolve_wallet(signature_type t, std::string_view funder, const address20& key_address) {
  wallet_setup w;
  w.type = t;
  w.key_address = key_address;
  w.funder = key_address;
  if (!funder.empty()) {
    auto a = parse_address(funder);
    if (!a)
      return fail("wallet.funder: " + a.error());
    w.funder = *a;
  }
  if (t == signature_type::eoa && w.funder != key_address)
    return fail("wallet.funder: " + to_checksum(w.funder) + " is not the key's address "
                + to_checksum(key_address) + "; an EOA order's maker is its signer (set wallet.signature_type"
                " to POLY_PROXY, POLY_GNOSIS_SAFE or POLY_1271 to trade from another address)");
  if (t != signature_type::eoa && funder.empty())
    return fail("wallet.funder: required with wallet.signature_type " + std::string(to_string(t))
                + " (the address that holds the funds)");
  w.signer = t == signature_type::poly_1271 ? w.funder : key_address;
  return w;
}

} // namespace tdmaker
