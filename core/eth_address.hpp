#pragma once
#include <string>
#include <string_view>

#include "core/bytes.hpp"
#include "core/result.hpp"

namespace tdmaker {

/// Parses "0x" + 40 hex digits. Mixed case must carry a valid EIP-55 checksum;
/// all-lower and all-upper are accepted as unchecked.
result<address20> parse_address(std::string_view text);

/// EIP-55 checksummed form, as the official clients send it.
std::string to_checksum(const address20& a);

} // namespace tdmaker
