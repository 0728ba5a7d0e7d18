#pragma once
// Recording segments' names and retention (issue 18): pure, so the recorder,
// `tdmaker recording` and a test agree on them without touching a disk.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tdmaker {

/// "seg-<unix_ms>.tdrec" and its index "seg-<unix_ms>.idx": the name sorts by start time.
std::string segment_file_name(std::int64_t start_ms);
std::string index_file_name(std::int64_t start_ms);
/// The start time a segment file's name carries; nothing for any other name.
std::optional<std::int64_t> segment_start_of(std::string_view file_name);

struct segment_entry {
  std::int64_t start_ms = 0;
  std::uint64_t bytes = 0;
};

/// Which segments to delete, as indices into `by_start` (sorted by start, the
/// last being the one being written, which is never deleted): those whose every
/// frame is older than `retention_ms` (a segment ends where the next begins),
/// then the oldest until the total fits `retention_bytes`. A limit of 0 is none.
std::vector<std::size_t> segments_to_delete(const std::vector<segment_entry>& by_start, std::int64_t now_ms,
                                            std::int64_t retention_ms, std::uint64_t retention_bytes);

} // namespace tdmaker
