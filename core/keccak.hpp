#pragma once
#include <span>
#include <string_view>

#include "core/bytes.hpp"

namespace tdmaker {

/// Ethereum's Keccak-256 (original padding, not NIST SHA3-256).
bytes32 keccak256(std::span<const std::uint8_t> data);
bytes32 keccak256(std::string_view text);

} // namespace tdmaker
