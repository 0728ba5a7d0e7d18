#pragma once
// Decimal uint256 strings (token ids, salts, amounts on the wire) to and from the
// 32-byte big-endian words EIP-712 hashes.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/bytes.hpp"
#include "core/result.hpp"

namespace tdmaker {

/// Parses a canonical unsigned decimal (no sign, no leading zeros except "0",
/// at most 2^256 - 1) into a big-endian word.
result<bytes32> parse_uint256(std::string_view decimal);

std::string uint256_to_decimal(const bytes32& word);

bytes32 uint256_from(std::uint64_t v);

} // namespace tdmaker
