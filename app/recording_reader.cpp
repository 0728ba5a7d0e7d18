#include "app/recording_reader.hpp"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <iterator>

#include <spdlog/spdlog.h>

#include "actors/recording_dir.hpp"
#include "actors/util.hpp"
#include "core/recording_query.hpp"

namespace tdmaker {
namespace {

namespace fs = std::filesystem;

result<bool> read_segments(const std::string& dir, std::int64_t from_ms, std::int64_t to_ms,
                           std::vector<recorded_frame>& out) {
  auto segs = list_segments(dir);
  if (!segs)
    return fail(segs.error());
  if (segs->empty())
    return fail("no segments in " + dir);
  for (const auto& seg : *segs) {
    auto c = read_segment(seg);
    if (!c)
      return fail(c.error());
    if (!c->scan.error.empty()) // a crash's torn tail: the blocks before it count
      spdlog::warn("replay: {}: {} (the {} bytes before it are read)", seg.path, c->scan.error, c->scan.good_bytes);
    auto frames = frames_in_range(c.value(), from_ms, to_ms);
    if (!frames)
      return fail(seg.path + ": " + frames.error());
    std::move(frames->begin(), frames->end(), std::back_inserter(out));
  }
  return true;
}

/// A `tdmaker recording --format jsonl` dump: one frame a line.
result<bool> read_jsonl(const std::string& path, std::int64_t from_ms, std::int64_t to_ms,
                        std::vector<recorded_frame>& out) {
  auto text = read_text_file(path);
  if (!text)
    return fail(text.error());
  std::size_t line_no = 0;
  std::string_view rest = *text;
  while (!rest.empty()) {
    const auto nl = rest.find('\n');
    const auto line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
    ++line_no;
    if (line.empty())
      continue;
    auto f = parse_frame_jsonl(line);
    if (!f)
      return fail(path + ":" + std::to_string(line_no) + ": " + f.error());
    if (f->recv_ms >= from_ms && f->recv_ms < to_ms)
      out.push_back(std::move(f).value());
  }
  return true;
}

} // namespace

result<std::vector<recorded_frame>> load_recording(const std::string& path, std::int64_t from_ms,
                                                   std::int64_t to_ms) {
  std::error_code ec;
  std::vector<recorded_frame> out;
  auto ok = fs::is_directory(path, ec) ? read_segments(path, from_ms, to_ms, out) : read_jsonl(path, from_ms, to_ms, out);
  if (!ok)
    return fail("recording " + path + ": " + ok.error());
  // Segments are read in start order and a JSON-lines dump may be edited: one order, by receive time.
  std::stable_sort(out.begin(), out.end(),
                   [](const recorded_frame& a, const recorded_frame& b) { return a.recv_ms < b.recv_ms; });
  return out;
}

std::optional<feed_channel> feed_channel_of(record_channel c) {
  switch (c) {
    case record_channel::market_ws: return feed_channel::market;
    case record_channel::user_ws: return feed_channel::user;
    case record_channel::rtds_ws: return feed_channel::rtds;
    default: return std::nullopt;
  }
}

std::optional<std::pair<std::string, recorded_reply>> rest_reply_of(const recorded_frame& f) {
  if (feed_channel_of(f.channel))
    return std::nullopt;
  std::string_view t = f.text;
  const auto sp = t.find(' '), nl = t.find('\n');
  if (sp == std::string_view::npos || nl == std::string_view::npos || nl < sp)
    return std::nullopt;
  int status = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + sp, status);
  if (ec != std::errc() || p != t.data() + sp)
    return std::nullopt;
  return std::pair{std::string(t.substr(sp + 1, nl - sp - 1)),
                   recorded_reply{f.recv_ms, status, std::string(t.substr(nl + 1))}};
}

} // namespace tdmaker
