#include "core/decimal.hpp"

#include <limits>

namespace tdmaker {
namespace {

constexpr std::int64_t pow10(int n) {
  std::int64_t r = 1;
  for (int i = 0; i < n; ++i)
    r *= 10;
  return r;
}

} // namespace

std::string quoted(std::string_view text) {
  std::string out = "'";
  // Bound the echo: an error message must stay one readable line.
  out.append(text.substr(0, 40));
  if (text.size() > 40)
    out += "...";
  out += "'";
  return out;
}

result<std::int64_t> parse_fixed(std::string_view text, int decimals, std::int64_t min,
                                 std::int64_t max) {
  if (decimals < 0 || decimals > 18)
    return fail("unsupported decimal scale");
  if (text.empty())
    return fail("empty decimal");
  bool negative = false;
  std::size_t i = 0;
  if (text[0] == '-') {
    negative = true;
    i = 1;
  }
  // Accumulate as a negative number so INT64_MIN is representable.
  constexpr auto lowest = std::numeric_limits<std::int64_t>::min();
  std::int64_t acc = 0;
  std::size_t int_digits = 0;
  for (; i < text.size() && text[i] != '.'; ++i) {
    char c = text[i];
    if (c < '0' || c > '9')
      return fail("malformed decimal " + quoted(text));
    if (acc < (lowest + (c - '0')) / 10)
      return fail("decimal out of range " + quoted(text));
    acc = acc * 10 - (c - '0');
    ++int_digits;
  }
  if (int_digits == 0)
    return fail("malformed decimal " + quoted(text));
  int frac_digits = 0;
  if (i < text.size()) {
    ++i; // the '.'
    if (i == text.size())
      return fail("malformed decimal " + quoted(text));
    for (; i < text.size(); ++i) {
      char c = text[i];
      if (c < '0' || c > '9')
        return fail("malformed decimal " + quoted(text));
      if (frac_digits >= decimals) {
        if (c != '0')
          return fail("too many decimal places in " + quoted(text) + " (max "
                      + std::to_string(decimals) + ")");
        continue;
      }
      if (acc < (lowest + (c - '0')) / 10)
        return fail("decimal out of range " + quoted(text));
      acc = acc * 10 - (c - '0');
      ++frac_digits;
    }
  }
  for (int k = frac_digits; k < decimals; ++k) {
    if (acc < lowest / 10)
      return fail("decimal out of range " + quoted(text));
    acc *= 10;
  }
  std::int64_t value;
  if (negative) {
    value = acc;
  } else {
    if (acc == lowest)
      return fail("decimal out of range " + quoted(text));
    value = -acc;
  }
  if (value < min || value > max)
    return fail("decimal " + quoted(text) + " outside [" + format_fixed(min, decimals) + ", "
                + format_fixed(max, decimals) + "]");
  return value;
}

void append_fixed(std::string& out, std::int64_t value, int decimals) {
  const bool negative = value < 0;
  // Work in unsigned so INT64_MIN does not overflow on negation.
  std::uint64_t mag = negative ? 0 - static_cast<std::uint64_t>(value)
                               : static_cast<std::uint64_t>(value);
  const auto scale = static_cast<std::uint64_t>(pow10(decimals));
  std::uint64_t ip = decimals > 0 ? mag / scale : mag;
  std::uint64_t fp = decimals > 0 ? mag % scale : 0;
  // Digits into a stack buffer, then one append: no temporary strings.
  char buf[48];
  char* end = buf + sizeof buf;
  char* p = end;
  if (fp != 0) {
    int d = decimals;
    while (fp % 10 == 0) { // trailing zeros are not written
      fp /= 10;
      --d;
    }
    for (int i = 0; i < d; ++i, fp /= 10)
      *--p = static_cast<char>('0' + fp % 10);
    *--p = '.';
  }
  do {
    *--p = static_cast<char>('0' + ip % 10);
    ip /= 10;
  } while (ip != 0);
  if (negative)
    *--p = '-';
  out.append(p, static_cast<std::size_t>(end - p));
}

std::string format_fixed(std::int64_t value, int decimals) {
  std::string out;
  append_fixed(out, value, decimals);
  return out;
}

bool is_canonical_unsigned(std::string_view text, std::size_t max_digits) {
  if (text.empty() || text.size() > max_digits)
    return false;
  if (text.size() > 1 && text[0] == '0')
    return false;
  for (char c : text)
    if (c < '0' || c > '9')
      return false;
  return true;
}

} // namespace tdmaker
