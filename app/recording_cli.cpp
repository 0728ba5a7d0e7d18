#include "app/recording_cli.hpp"

#include <cstdio>
#include <filesystem>

#include "actors/recording_dir.hpp"

namespace tdmaker {
namespace {

constexpr int corrupt_exit = 3;

bool put(const std::string& text) { return std::fwrite(text.data(), 1, text.size(), stdout) == text.size(); }

/// The frames of one segment received in the range, a JSON line each; false
/// (with the reason in `error`) when the output or a block fails.
bool dump_segment(const segment_contents& c, const export_query& range, std::string& error) {
  auto frames = frames_in_range(c, range.from_ms, range.to_ms);
  if (!frames) {
    error = frames.error();
    return true; // the segment is unreadable there, not the output
  }
  for (auto& f : *frames)
    if (!put(frame_jsonl(f)))
      return false;
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
    std::string bad_block;
    const bool ok = q.dump ? dump_segment(c.value(), q.range, bad_block)
                           : put(segment_listing_line(name, c->bytes.size(), c->scan));
    if (!ok) {
      std::fprintf(stderr, "recording: cannot write the output\n");
      return 1;
    }
    if (!bad_block.empty()) {
      std::fprintf(stderr, "recording: %s: %s; none of its frames dumped\n", name.c_str(), bad_block.c_str());
      if (rc == 0)
        rc = corrupt_exit;
    }
  }
  return rc;
}

} // namespace tdmaker
