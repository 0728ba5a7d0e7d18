#pragma once
// The recording directory on disk (issue 18): list its segments, read one
// through its index, recover a torn tail. The file side of core/segment_format,
// shared by the recorder and `tdmaker recording`.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "core/segment_format.hpp"

namespace tdmaker {

struct segment_file {
  std::int64_t start_ms = 0;
  std::string path;       // .tdrec
  std::string index_path; // .idx
  std::uint64_t bytes = 0;
};

/// The segments under `dir`, by start time; other files are ignored.
result<std::vector<segment_file>> list_segments(const std::string& dir);

/// A segment's blocks (its index where sound, the rest scanned) and its bytes.
struct segment_contents {
  std::string bytes;
  segment_scan scan;
};
result<segment_contents> read_segment(const segment_file& seg);

/// The frames of `c` received in [from_ms, to_ms), read through its blocks'
/// index; a block the index names that does not decode fails the whole read.
result<std::vector<recorded_frame>> frames_in_range(const segment_contents& c, std::int64_t from_ms,
                                                    std::int64_t to_ms);

/// Makes a segment whole again after a crash: a torn or corrupt tail is cut
/// off (the file truncated to its last good block) and the index rewritten from
/// the blocks kept. Returns the bytes dropped (0: nothing to do).
struct recovery {
  std::uint64_t bytes_dropped = 0;
  std::size_t blocks_kept = 0;
  std::string reason; // why the tail was dropped
};
result<recovery> recover_segment(const segment_file& seg);

/// Writes all of `bytes` to `fd` (retrying short writes and EINTR); false with errno set.
bool write_all(int fd, std::string_view bytes);

/// Writes `bytes` to a new file at `path` (mode 0640) and fsyncs it; replaces what was there.
result<bool> write_file_durably(const std::string& path, const std::string& bytes);

} // namespace tdmaker
