#include "core/recording_retention.hpp"

namespace tdmaker {
namespace {
constexpr std::string_view prefix = "seg-";
constexpr std::string_view suffix = ".tdrec";
} // namespace

std::string segment_file_name(std::int64_t start_ms) {
  return std::string(prefix) + std::to_string(start_ms) + std::string(suffix);
}

std::string index_file_name(std::int64_t start_ms) { return std::string(prefix) + std::to_string(start_ms) + ".idx"; }

std::optional<std::int64_t> segment_start_of(std::string_view name) {
  if (name.size() <= prefix.size() + suffix.size() || name.substr(0, prefix.size()) != prefix
      || name.substr(name.size() - suffix.size()) != suffix)
    return std::nullopt;
  auto digits = name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
  if (digits.size() > 15) // unix ms until the year 33658: more is not a name we wrote
    return std::nullopt;
  std::int64_t v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9')
      return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

std::vector<std::size_t> segments_to_delete(const std::vector<segment_entry>& by_start, std::int64_t now_ms,
                                            std::int64_t retention_ms, std::uint64_t retention_bytes) {
  std::vector<std::size_t> out;
  if (by_start.size() < 2)
    return out;
  std::uint64_t total = 0;
  for (auto& s : by_start)
    total += s.bytes;
  for (std::size_t i = 0; i + 1 < by_start.size(); ++i) {
    const bool too_old = retention_ms > 0 && by_start[i + 1].start_ms <= now_ms - retention_ms;
    const bool too_big = retention_bytes > 0 && total > retention_bytes;
    if (!too_old && !too_big)
      break; // oldest first: once one stays, every later one stays
    out.push_back(i);
    total -= by_start[i].bytes;
  }
  return out;
}

} // namespace tdmaker
