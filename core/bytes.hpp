#pragma once
// Fixed-size byte strings and hex/base64 codecs used by signing and the wire codecs.
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace tdmaker {

using bytes32 = std::array<std::uint8_t, 32>;
using address20 = std::array<std::uint8_t, 20>;
using signature65 = std::array<std::uint8_t, 65>;

/// The value of one hex digit (either case), or -1.
int hex_digit(char c);

/// Lower-case hex, with "0x" prefix when `prefix`.
std::string to_hex(std::span<const std::uint8_t> data, bool prefix = true);

/// Decodes exactly `out.size()` bytes of hex ("0x" optional, either case).
result<bool> from_hex(std::string_view text, std::span<std::uint8_t> out);

/// Decodes any even-length hex ("0x" optional).
result<std::vector<std::uint8_t>> from_hex(std::string_view text);

std::string base64_encode(std::span<const std::uint8_t> data);
/// Accepts standard and URL-safe alphabets, with or without '=' padding.
result<std::vector<std::uint8_t>> base64_decode(std::string_view text);

/// Standard base64 with '+' -> '-' and '/' -> '_', keeping '=' padding
/// (the encoding of Polymarket's HMAC signatures and API secrets).
std::string base64url_padded(std::span<const std::uint8_t> data);

} // namespace tdmaker
