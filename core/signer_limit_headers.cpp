#include "core/signer_limit_headers.hpp"

#include <cctype>

namespace tdmaker {
namespace {

bool digits(std::string_view s, std::size_t max) {
  if (s.empty() || s.size() > max)
    return false;
  for (char c : s)
    if (c < '0' || c > '9')
      return false;
  return true;
}

std::int64_t to_int(std::string_view s) {
  std::int64_t x = 0;
  for (char c : s)
    x = x * 10 + (c - '0');
  return x;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

// A balance is at most a few thousand tokens; a million is already nonsense.
std::optional<std::int64_t> remaining_of(std::string_view s) {
  bool neg = !s.empty() && s.front() == '-';
  if (neg)
    s.remove_prefix(1);
  if (!digits(s, 7))
    return std::nullopt;
  auto x = to_int(s);
  if (x > 1'000'000)
    return std::nullopt;
  return neg ? -x : x;
}

// Unix seconds, 10 digits in this century, with up to 3 decimals.
std::optional<std::int64_t> unix_ms_of(std::string_view s) {
  auto dot = s.find('.');
  auto whole = s.substr(0, dot);
  auto frac = dot == std::string_view::npos ? std::string_view() : s.substr(dot + 1);
  if (!digits(whole, 11) || (dot != std::string_view::npos && !digits(frac, 3)))
    return std::nullopt;
  auto ms = to_int(whole) * 1000;
  std::int64_t scale = 100;
  for (char c : frac) {
    ms += (c - '0') * scale;
    scale /= 10;
  }
  return ms;
}

bool tier_ok(std::string_view s) {
  if (s.empty() || s.size() > 32)
    return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-')
      return false;
  return true;
}

} // namespace

signer_limit_headers parse_signer_limit_headers(std::string_view remaining, std::string_view reset,
                                                std::string_view tier, std::string_view retry_after,
                                                std::string_view warning) {
  signer_limit_headers h;
  remaining = trim(remaining), reset = trim(reset), tier = trim(tier);
  retry_after = trim(retry_after), warning = trim(warning);
  if (!remaining.empty() && !(h.remaining = remaining_of(remaining)))
    ++h.malformed;
  if (!reset.empty() && !(h.reset_ms = unix_ms_of(reset)))
    ++h.malformed;
  if (!retry_after.empty()) {
    // Delay-seconds only (RFC 9110); an HTTP-date is not what this venue sends.
    if (digits(retry_after, 5) && to_int(retry_after) <= 3600)
      h.retry_after_ms = to_int(retry_after) * 1000;
    else
      ++h.malformed;
  }
  if (!tier.empty()) {
    if (tier_ok(tier))
      for (char c : tier)
        h.tier += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    else
      ++h.malformed;
  }
  if (!warning.empty()) {
    if (warning == "true")
      h.warning = true;
    else if (warning != "false")
      ++h.malformed;
  }
  return h;
}

} // namespace tdmaker
