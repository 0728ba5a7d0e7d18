#include "core/record_codec.hpp"

#include <array>

namespace tdmaker {
namespace {

constexpr std::array<std::uint32_t, 256> make_table() {
  std::array<std::uint32_t, 256> t{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k)
      c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    t[i] = c;
  }
  return t;
}

constexpr auto table = make_table();
constexpr std::size_t header_size = 8;

} // namespace

std::uint32_t crc32(std::string_view bytes) {
  std::uint32_t c = 0xFFFFFFFFu;
  for (unsigned char b : bytes)
    c = table[(c ^ b) & 0xFFu] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

std::string seal_record(std::string_view payload) {
  std::string out;
  out.reserve(header_size + payload.size());
  out += 'T';
  out += 'D';
  out += static_cast<char>(record_format_version);
  out += '\0';
  auto c = crc32(payload);
  for (int i = 0; i < 4; ++i)
    out += static_cast<char>((c >> (8 * i)) & 0xFFu);
  out.append(payload);
  return out;
}

result<std::string> open_record(std::string_view sealed) {
  if (sealed.size() < header_size || sealed[0] != 'T' || sealed[1] != 'D')
    return fail("corrupt record: bad header");
  if (static_cast<std::uint8_t>(sealed[2]) != record_format_version)
    return fail("corrupt record: unknown format version "
                + std::to_string(static_cast<std::uint8_t>(sealed[2])));
  std::uint32_t stored = 0;
  for (int i = 0; i < 4; ++i)
    stored |= static_cast<std::uint32_t>(static_cast<unsigned char>(sealed[4 + i])) << (8 * i);
  auto payload = sealed.substr(header_size);
  if (crc32(payload) != stored)
    return fail("corrupt record: checksum mismatch");
  return std::string(payload);
}

} // namespace tdmaker
