#pragma once
// Which wallet the node trades as (config `wallet.signature_type`, `wallet.funder`)
// and the addresses that follow from it, as @polymarket/clob-client-v2 derives
// them: maker = the funder; signer = the key's address, except POLY_1271 where the
// deposit wallet signs for itself. POLY_ADDRESS and the API key stay the key's.
#include <optional>
#include <string_view>

#include "core/bytes.hpp"
#include "core/eip712.hpp"
#include "core/result.hpp"

namespace tdmaker {

struct wallet_setup {
  signature_type type = signature_type::eoa;
  address20 key_address{}; // the EOA: POLY_ADDRESS, owner of the API key
  address20 funder{};      // order maker: holds the pUSD and the shares
  address20 signer{};      // order signer
};

/// "EOA", "POLY_PROXY", "POLY_GNOSIS_SAFE", "POLY_1271".
result<signature_type> parse_signature_type(std::string_view name);
std::string_view to_string(signature_type t);

/// Types 1-3 need a funder; an EOA funder must be the key's own address (an EOA
/// order's maker is its signer). `funder` is "" when not configured.
result<wallet_setup> resolve_wallet(signature_type t, std::string_view funder, const address20& key_address);

} // namespace tdmaker
