#include "app/recording_reader.hpp"

#include <algorithm>
#include <charconv>
#include <filesystem>

#include <spdlog/spdlog.h>

#include "actors/util.hpp"

namespace tdmaker {
namespace {

namespace fs = std::filesystem;

void keep_range(std::vector<recorded_frame>& in, std::vector<recorded_frame>& out, std::int64_t from_ms,
                std::int64_t to_ms) {
  for (auto& f : in)
    if (f.recv_ms >= from_ms && f.recv_ms < to_ms)
      out.push_back(std::move(f));
}

result<bool> read_segment(const fs::path& file, std::int64_t from_ms, std::int64_t to_ms,
                          std::vector<recorded_frame>& out) {
  auto bytes = read_text_file(file.string());
  if (!bytes)
    return fail(bytes.error());
  auto scan = scan_segment(*bytes);
  if (!scan.error.empty())
    spdlog::warn("replay: {}: {} (the {} bytes before it are read)", file.string(), scan.error, scan.good_bytes);
  for (const auto& b : blocks_in_range(scan.blocks, from_ms, to_ms)) {
    auto r = decode_block(std::string_view(*bytes).substr(b.offset, b.size), b.offset);
    if (!r.ok)
      return fail(file.string() + ": block at " + std::to_string(b.offset) + ": " + r.error);
    keep_range(r.frames, out, from_ms, to_ms);
  }
  return true;
}

} // namespace

result<std::vector<recorded_frame>> load_recording(const std::string& path, std::int64_t from_ms,
                                                   std::int64_t to_ms) {
  std::error_code ec;
  if (!fs::is_directory(path, ec))
    return fail("recording " + path + " is not a directory");
  std::vector<fs::path> segments;
  for (const auto& e : fs::directory_iterator(path, ec))
    if (e.path().extension() == ".tdrec")
      segments.push_back(e.path());
  if (ec)
    return fail("recording " + path + ": " + ec.message());
  std::sort(segments.begin(), segments.end()); // named by start time
  std::vector<recorded_frame> out;
  for (const auto& s : segments)
    if (auto ok = read_segment(s, from_ms, to_ms, out); !ok)
      return fail(ok.error());
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
