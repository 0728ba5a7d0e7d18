#include "core/process_stats.hpp"

namespace tdmaker {
namespace {

std::int64_t leading_number(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t'))
    ++i;
  if (i == s.size() || s[i] < '0' || s[i] > '9')
    return -1;
  std::int64_t v = 0;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i)
    v = v * 10 + (s[i] - '0');
  return v;
}

} // namespace

std::int64_t parse_statm_resident_pages(std::string_view statm) {
  auto sp = statm.find(' ');
  if (sp == std::string_view::npos)
    return -1;
  return leading_number(statm.substr(sp + 1));
}

std::int64_t parse_status_threads(std::string_view status) {
  constexpr std::string_view key = "\nThreads:";
  auto pos = status.find(key);
  if (pos == std::string_view::npos)
    return -1;
  return leading_number(status.substr(pos + key.size()));
}

} // namespace tdmaker
