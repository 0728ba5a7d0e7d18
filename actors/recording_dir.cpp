#include "actors/recording_dir.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "actors/util.hpp"
#include "core/recording_retention.hpp"

namespace tdmaker {
namespace fs = std::filesystem;

result<std::vector<segment_file>> list_segments(const std::string& dir) {
  std::vector<segment_file> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    auto name = it->path().filename().string();
    auto start = segment_start_of(name);
    if (!start || !it->is_regular_file(ec))
      continue;
    auto size = it->file_size(ec);
    out.push_back(segment_file{*start, it->path().string(), (fs::path(dir) / index_file_name(*start)).string(),
                               ec ? 0 : size});
    ec.clear();
  }
  if (ec)
    return fail("cannot list " + dir + ": " + ec.message());
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.start_ms < b.start_ms; });
  return out;
}

result<segment_contents> read_segment(const segment_file& seg) {
  auto bytes = read_text_file(seg.path);
  if (!bytes)
    return fail(bytes.error());
  auto index = read_text_file(seg.index_path); // missing or unreadable: rebuilt by scanning
  segment_contents c;
  c.scan = index_then_scan(bytes.value(), index ? std::string_view(index.value()) : std::string_view());
  c.bytes = std::move(bytes).value();
  return c;
}

result<std::vector<recorded_frame>> frames_in_range(const segment_contents& c, std::int64_t from_ms,
                                                    std::int64_t to_ms) {
  std::vector<recorded_frame> out;
  for (const auto& b : blocks_in_range(c.scan.blocks, from_ms, to_ms - 1)) {
    auto r = decode_block(std::string_view(c.bytes).substr(b.offset, b.size), b.offset);
    if (!r.ok)
      return fail("block at " + std::to_string(b.offset) + ": " + r.error);
    for (auto& f : r.frames)
      if (f.recv_ms >= from_ms && f.recv_ms < to_ms)
        out.push_back(std::move(f));
  }
  return out;
}

bool write_all(int fd, std::string_view bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    auto n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      if (n == 0)
        errno = EIO;
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  return true;
}

result<bool> write_file_durably(const std::string& path, const std::string& bytes) {
  const auto tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0)
    return fail("cannot create " + tmp + ": " + std::strerror(errno));
  if (!write_all(fd, bytes)) {
    auto why = std::string(std::strerror(errno));
    ::close(fd);
    return fail("cannot write " + tmp + ": " + why);
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced || std::rename(tmp.c_str(), path.c_str()) != 0)
    return fail("cannot replace " + path + ": " + std::strerror(errno));
  return true;
}

result<recovery> recover_segment(const segment_file& seg) {
  auto c = read_segment(seg);
  if (!c)
    return fail(c.error());
  recovery r;
  r.blocks_kept = c->scan.blocks.size();
  r.bytes_dropped = c->bytes.size() - c->scan.good_bytes;
  r.reason = c->scan.error;
  if (r.bytes_dropped > 0 && ::truncate(seg.path.c_str(), static_cast<off_t>(c->scan.good_bytes)) != 0)
    return fail("cannot truncate " + seg.path + ": " + std::strerror(errno));
  std::string index;
  for (auto& b : c->scan.blocks)
    index += encode_index_entry(b);
  auto old = read_text_file(seg.index_path);
  if (!old || old.value() != index)
    if (auto w = write_file_durably(seg.index_path, index); !w)
      return fail(w.error());
  return r;
}

} // namespace tdmaker
