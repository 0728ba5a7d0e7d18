#include "core/bytes.hpp"

namespace tdmaker {
namespace {

std::string_view strip_0x(std::string_view text) {
  if (text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
    text.remove_prefix(2);
  return text;
}

constexpr char b64_alphabet[] =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int b64_value(char c) {
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+' || c == '-')
    return 62;
  if (c == '/' || c == '_')
    return 63;
  return -1;
}

} // namespace

int hex_digit(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

std::string to_hex(std::span<const std::uint8_t> data, bool prefix) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(data.size() * 2 + 2);
  if (prefix)
    out += "0x";
  for (auto b : data) {
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

result<bool> from_hex(std::string_view text, std::span<std::uint8_t> out) {
  text = strip_0x(text);
  if (text.size() != out.size() * 2)
    return fail("expected " + std::to_string(out.size() * 2) + " hex digits, got "
                + std::to_string(text.size()));
  for (std::size_t i = 0; i < out.size(); ++i) {
    int hi = hex_digit(text[2 * i]), lo = hex_digit(text[2 * i + 1]);
    if (hi < 0 || lo < 0)
      return fail("non-hex character");
    out[i] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  return true;
}

result<std::vector<std::uint8_t>> from_hex(std::string_view text) {
  auto digits = strip_0x(text);
  if (digits.size() % 2 != 0)
    return fail("odd number of hex digits");
  std::vector<std::uint8_t> out(digits.size() / 2);
  if (auto r = from_hex(digits, out); !r)
    return fail(r.error());
  return out;
}

std::string base64_encode(std::span<const std::uint8_t> data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    std::uint32_t v = data[i] << 16 | data[i + 1] << 8 | data[i + 2];
    out += b64_alphabet[v >> 18 & 63];
    out += b64_alphabet[v >> 12 & 63];
    out += b64_alphabet[v >> 6 & 63];
    out += b64_alphabet[v & 63];
  }
  if (i + 1 == data.size()) {
    std::uint32_t v = data[i] << 16;
    out += b64_alphabet[v >> 18 & 63];
    out += b64_alphabet[v >> 12 & 63];
    out += "==";
  } else if (i + 2 == data.size()) {
    std::uint32_t v = data[i] << 16 | data[i + 1] << 8;
    out += b64_alphabet[v >> 18 & 63];
    out += b64_alphabet[v >> 12 & 63];
    out += b64_alphabet[v >> 6 & 63];
    out += '=';
  }
  return out;
}

result<std::vector<std::uint8_t>> base64_decode(std::string_view text) {
  while (!text.empty() && text.back() == '=')
    text.remove_suffix(1);
  if (text.size() % 4 == 1)
    return fail("invalid base64 length");
  std::vector<std::uint8_t> out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v = b64_value(c);
    if (v < 0)
      return fail("invalid base64 character");
    acc = acc << 6 | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>(acc >> bits & 0xff));
    }
  }
  return out;
}

std::string base64url_padded(std::span<const std::uint8_t> data) {
  auto s = base64_encode(data);
  for (auto& c : s) {
    if (c == '+')
      c = '-';
    else if (c == '/')
      c = '_';
  }
  return s;
}

} // namespace tdmaker
