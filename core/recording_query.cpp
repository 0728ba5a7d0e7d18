#include "core/recording_query.hpp"

#include "core/json_read.hpp"
#include "core/json_write.hpp"

namespace tdmaker {

result<recording_query> parse_recording_args(const std::vector<std::string>& args) {
  recording_query q;
  std::vector<std::string> rest{""}; // parse_export_options reads from index 1
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--dir" || args[i] == "--format") {
      if (i + 1 >= args.size())
        return fail(args[i] + " needs a value");
      if (args[i] == "--dir") {
        if (args[i + 1].empty())
          return fail("--dir must not be empty");
        q.dir = args[i + 1];
      } else if (args[i + 1] != "jsonl") {
        return fail("--format must be jsonl");
      } else {
        q.dump = true;
      }
      ++i;
      continue;
    }
    rest.push_back(args[i]);
  }
  if (auto ok = parse_export_options(rest, 1, q.range); !ok)
    return fail(ok.error());
  return q;
}

std::string frame_jsonl(const recorded_frame& f) {
  return json::object_writer()
           .str("channel", to_string(f.channel))
           .num("recv_ms", f.recv_ms)
           .num("recv_ns", f.recv_ns)
           .str("text", f.text)
           .take()
         + "\n";
}

result<recorded_frame> parse_frame_jsonl(std::string_view line) {
  rapidjson::Document doc;
  if (auto ok = json::parse_object(doc, line); !ok)
    return fail(ok.error());
  json::field_reader r(doc);
  recorded_frame f;
  const auto channel = r.str("channel");
  f.recv_ms = r.num("recv_ms");
  f.recv_ns = r.num("recv_ns");
  f.text = r.str("text");
  if (!r.ok())
    return fail(r.error());
  auto c = record_channel_from(channel);
  if (!c)
    return fail("unknown channel '" + channel + "'");
  if (f.recv_ms < 0)
    return fail("negative receive time");
  f.channel = *c;
  return f;
}

std::string segment_listing_line(const std::string& name, std::uint64_t bytes, const segment_scan& scan) {
  std::uint64_t frames = 0;
  for (auto& b : scan.blocks)
    frames += b.count;
  std::string line = name + " bytes=" + std::to_string(bytes) + " blocks=" + std::to_string(scan.blocks.size())
                     + " frames=" + std::to_string(frames);
  if (!scan.blocks.empty())
    line += " first=" + iso8601_utc_ms(scan.blocks.front().first_ms) + " last="
            + iso8601_utc_ms(scan.blocks.back().last_ms);
  if (!scan.error.empty())
    line += std::string(scan.torn ? " TORN TAIL: " : " CORRUPT TAIL: ") + std::to_string(bytes - scan.good_bytes)
            + " bytes unreadable (" + scan.error + ")";
  return line + "\n";
}

} // namespace tdmaker
