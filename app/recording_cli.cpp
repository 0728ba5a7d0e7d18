#include "app/recording_cli.hpp"

#include <cstdio>
#include <filesystem>

#include "actors/recording_dir.hpp"

namespace tdmaker {
namespace {

constexpr int corrupt_exit = 3;

bool put(const std::string& text) { return std::fwrite(text.data(), 1, text.size(), stdout) == text.size(); }

/// The frames of one segment's blocks that were received in the range.
bool dump_segment(const segment_contents& c, const export_query& range) {
  for (auto& b : blocks_in_range(c.scan.blocks, range.from_ms, range.to_ms - 1)) {
    auto read = decode_block(std::string_view(c.bytes).substr(b.offset, b.size), b.offset);
    if (!read.ok) // the index said a block is here; the scan would have stopped at it
      continue;
    for (auto& f : read.frames)
      if (f.recv_ms >= range.from_ms && f.recv_ms < range.to_ms && !put(frame_jsonl(f)))
        return false;
  }
  return true;
}

} // namespace

int run_recording(const recording_query& q) {
  auto segs = list_segments(q.dir);
  if (!segs) {
    std::fprintf(stderr, "recording: %s\n", segs.error().c_str());
    return 1;
  }
  if (segs->empty())
    std::fprintf(stderr, "recording: no segments in %s\n", q.dir.c_str());
  int rc = 0;
  for (auto& s : segs.value()) {
    const auto name = std::filesystem::path(s.path).filename().string();
    auto c = read_segment(s);
    if (!c) {
      std::fprintf(stderr, "recording: %s\n", c.error().c_str());
      rc = 1;
      continue;
    }
    if (!c->scan.error.empty()) {
      std::fprintf(stderr, "recording: %s: %s tail, %llu bytes unreadable: %s\n", name.c_str(),
                   c->scan.torn ? "torn" : "corrupt",
                   static_cast<unsigned long long>(c->bytes.size() - c->scan.good_bytes), c->scan.error.c_str());
      if (c->scan.corrupt && rc == 0)
        rc = corrupt_exit;
    }
    const bool ok = q.dump ? dump_segment(c.value(), q.range) : put(segment_listing_line(name, c->bytes.size(), c->scan));
    if (!ok) {
      std::fprintf(stderr, "recording: cannot write the output\n");
      return 1;
    }
  }
  return rc;
}

} // namespace tdmaker
