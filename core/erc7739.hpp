#pragma once
// The signature of a POLY_1271 (deposit wallet) order: the owner's ECDSA
// signature over the ERC-7739 TypedDataSign digest, followed by what the wallet
// contract needs to rebuild that digest (app domain separator, contents hash,
// the Order type string and its 2-byte length), exactly as
// @polymarket/clob-client-v2 1.1.0 appends them. The node builds it, the venue
// checks it: one definition.
#include <cstdint>
#include <span>
#include <vector>

#include "core/bytes.hpp"
#include "core/eip712.hpp"
#include "core/result.hpp"

namespace tdmaker {

/// appDomainSep ‖ contentsHash ‖ type string ‖ uint16 big-endian length (252 bytes).
std::vector<std::uint8_t> erc7739_suffix(const bytes32& app_domain_sep, const bytes32& contents_hash);

/// Checks a POLY_1271 order's wrapped signature (`inner` ‖ `suffix`) the way the
/// wallet would: the appended domain separator, contents hash and type string must
/// be this order's on this exchange, and the inner signature must recover. Returns
/// the address that signed (to be compared with the wallet's owner).
result<address20> erc7739_signer(const order_v2& o, const signature65& inner, std::span<const std::uint8_t> suffix,
                                 const bytes32& domain_sep, std::uint64_t chain_id);

} // namespace tdmaker
