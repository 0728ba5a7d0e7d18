#pragma once
// The on-disk envelope of every LMDB value: magic, format version, CRC-32 and the
// payload. LMDB commits are atomic, so a torn write "cannot happen"; the checksum
// turns that belief into something a recovery test and an operator can verify.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace tdmaker {

inline constexpr std::uint8_t record_format_version = 1;

std::uint32_t crc32(std::string_view bytes);

/// Envelope: 'T' 'D' version 0 | crc32 (LE, 4 bytes) | payload.
std::string seal_record(std::string_view payload);

/// Verifies the envelope and returns the payload, or why it is corrupt.
result<std::string> open_record(std::string_view sealed);

} // namespace tdmaker
