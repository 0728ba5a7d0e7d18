#pragma once
// One open recording segment and its index (issue 18): append a sealed block,
// fsync it, append its index entry. Blocking file I/O: used only on the
// recorder's own thread.
#include <cstdint>
#include <string>

#include "core/result.hpp"
#include "core/segment_format.hpp"

namespace tdmaker {

class segment_writer {
public:
  segment_writer() = default;
  segment_writer(const segment_writer&) = delete;
  segment_writer& operator=(const segment_writer&) = delete;
  ~segment_writer() { close(); }

  /// Creates `<dir>/seg-<start_ms>.tdrec` (a later ms if that name is taken) and its index.
  result<bool> open(const std::string& dir, std::int64_t start_ms);
  /// Appends one sealed block and fsyncs it; on failure the segment is cut back
  /// to its last whole block (or closed when even that fails), never left torn.
  result<bool> append(const std::string& block, const block_info& info);
  void close();

  bool is_open() const { return fd_ >= 0; }
  std::int64_t start_ms() const { return start_ms_; }
  std::uint64_t bytes() const { return bytes_; }
  const std::string& path() const { return path_; }

private:
  int fd_ = -1;
  int index_fd_ = -1;
  std::int64_t start_ms_ = 0;
  std::uint64_t bytes_ = 0;
  std::string path_;
};

} // namespace tdmaker
