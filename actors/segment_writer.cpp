#include "actors/segment_writer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "actors/recording_dir.hpp"
#include "core/recording_retention.hpp"

namespace tdmaker {

result<bool> segment_writer::open(const std::string& dir, std::int64_t start_ms) {
  close();
  // O_EXCL: a segment is never appended to by two lives of the recorder.
  for (int attempt = 0; attempt < 1000; ++attempt, ++start_ms) {
    auto path = (std::filesystem::path(dir) / segment_file_name(start_ms)).string();
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0640);
    if (fd < 0 && errno == EEXIST)
      continue;
    if (fd < 0)
      return fail("cannot create " + path + ": " + std::strerror(errno));
    auto index = (std::filesystem::path(dir) / index_file_name(start_ms)).string();
    int ifd = ::open(index.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0640);
    if (ifd < 0) {
      auto why = std::string(std::strerror(errno));
      ::close(fd);
      ::unlink(path.c_str());
      return fail("cannot create " + index + ": " + why);
    }
    fd_ = fd;
    index_fd_ = ifd;
    start_ms_ = start_ms;
    bytes_ = 0;
    path_ = std::move(path);
    return true;
  }
  return fail("no free segment name in " + dir);
}

result<bool> segment_writer::append(const std::string& block, const block_info& info) {
  if (fd_ < 0)
    return fail("no segment open");
  if (!write_all(fd_, block) || ::fdatasync(fd_) != 0) {
    auto why = std::string(std::strerror(errno));
    // A partial block would hide every later one from a reader: cut it off.
    if (::ftruncate(fd_, static_cast<off_t>(bytes_)) != 0)
      close();
    return fail("write to " + path_ + " failed: " + why);
  }
  bytes_ += block.size();
  // The index is a cache (rebuilt by scanning): a failed entry is not data lost.
  block_info at = info;
  at.offset = bytes_ - block.size();
  at.size = static_cast<std::uint32_t>(block.size());
  if (!write_all(index_fd_, encode_index_entry(at)))
    (void)::ftruncate(index_fd_, 0); // an index that stops short is rebuilt; a torn one too, but empty is plainer
  return true;
}

void segment_writer::close() {
  if (fd_ >= 0)
    ::close(fd_);
  if (index_fd_ >= 0) {
    ::fdatasync(index_fd_);
    ::close(index_fd_);
  }
  fd_ = index_fd_ = -1;
}

} // namespace tdmaker
