#include "core/redact.hpp"

#include "core/json_write.hpp"

namespace tdmaker {
namespace {

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_token_char(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '-';
}
bool is_b64_char(char c) { return is_token_char(c) || c == '+' || c == '='; }

bool has_hex_run(std::string_view s, std::size_t min_len) {
  std::size_t run = 0;
  for (char c : s)
    if ((run = is_hex(c) ? run + 1 : 0) >= min_len)
      return true;
  return false;
}

// Telegram: "<bot id>:<35 characters of [A-Za-z0-9_-]>".
bool has_bot_token(std::string_view s) {
  for (std::size_t colon = s.find(':'); colon != std::string_view::npos; colon = s.find(':', colon + 1)) {
    std::size_t digits = 0;
    while (digits < colon && is_digit(s[colon - 1 - digits]))
      ++digits;
    std::size_t tail = 0;
    while (colon + 1 + tail < s.size() && is_token_char(s[colon + 1 + tail]))
      ++tail;
    if (digits >= 6 && tail >= 30)
      return true;
  }
  return false;
}

// Random credentials mix all three classes; words, paths and hostnames rarely do
// over 40 characters without a separator such as '.', '/' or ':'.
bool has_b64_run(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t j = i;
    bool upper = false, lower = false, digit = false;
    for (; j < s.size() && is_b64_char(s[j]); ++j) {
      upper |= s[j] >= 'A' && s[j] <= 'Z';
      lower |= s[j] >= 'a' && s[j] <= 'z';
      digit |= is_digit(s[j]);
    }
    if (j - i >= 40 && upper && lower && digit)
      return true;
    i = j + 1;
  }
  return false;
}

} // namespace

bool looks_like_secret_value(std::string_view s) {
  return has_hex_run(s, 32) || has_bot_token(s) || has_b64_run(s);
}

std::string redacted(std::string_view s) { return "a " + std::to_string(s.size()) + "-character value"; }

std::string log_escape(std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size());
  while (!s.empty()) {
    auto c = static_cast<unsigned char>(s[0]);
    std::size_t n = c >= 0x80 ? json::utf8_sequence_length(s) : 1;
    // U+0080..U+009F are C1 controls (0xC2 0x80..0x9F): CSI among them drives terminals.
    bool c1 = n == 2 && c == 0xC2 && static_cast<unsigned char>(s[1]) < 0xA0;
    if (c >= 0x80 && n > 0 && !c1) {
      out.append(s.substr(0, n));
      s.remove_prefix(n);
      continue;
    }
    if (c1) {
      c = static_cast<unsigned char>(s[1]);
      out.append("\\u00").append(1, hex[c >> 4]).append(1, hex[c & 0xf]);
      s.remove_prefix(2);
      continue;
    }
    s.remove_prefix(1);
    if (c == '\n')
      out += "\\n";
    else if (c == '\r')
      out += "\\r";
    else if (c == '\t')
      out += "\\t";
    else if (c == '\\')
      out += "\\\\";
    else if (c >= 0x20 && c < 0x7f)
      out += static_cast<char>(c);
    else
      out.append("\\x").append(1, hex[c >> 4]).append(1, hex[c & 0xf]);
  }
  return out;
}

std::string printable_text_problem(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = json::utf8_sequence_length(s.substr(i));
    if (n == 0)
      return "byte " + std::to_string(i) + " is not valid UTF-8";
    bool c1 = n == 2 && c == 0xC2 && static_cast<unsigned char>(s[i + 1]) < 0xA0;
    if (c < 0x20 || c == 0x7f || c1)
      return "byte " + std::to_string(i) + " is a control character";
    i += n;
  }
  return {};
}

} // namespace tdmaker
