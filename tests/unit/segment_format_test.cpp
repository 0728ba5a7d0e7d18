// The recording format (core/segment_format): blocks round-trip byte for byte,
// a torn tail costs only its own block, a flipped byte is caught, the index
// seeks by time and is rebuilt by scanning when it is torn or missing.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/recording_retention.hpp"
#include "core/segment_format.hpp"

using namespace tdmaker;

namespace {

std::vector<recorded_frame> sample_frames(std::int64_t base_ms, bool with_large = true) {
  std::vector<recorded_frame> v;
  for (std::uint8_t c = 0; c < record_channel_count; ++c)
    v.push_back(recorded_frame{static_cast<record_channel>(c), base_ms + c, 1'000'000'000LL * c + 7,
                               "{\"channel\":" + std::to_string(c) + ",\"bytes\":\"\\u0000\xff\"}"});
  v.push_back(recorded_frame{record_channel::market_ws, base_ms + 10, 3, ""});
  if (!with_large)
    return v;
  std::string large(300'000, '\0');
  for (std::size_t i = 0; i < large.size(); ++i)
    large[i] = static_cast<char>((i * 131) ^ (i >> 7));
  v.push_back(recorded_frame{record_channel::rtds_ws, base_ms + 11, -5, large});
  return v;
}

std::string seal(const std::vector<recorded_frame>& frames) {
  block_builder b;
  for (auto& f : frames)
    b.add(f.channel, f.recv_ms, f.recv_ns, f.text);
  auto out = b.seal();
  REQUIRE(out.ok());
  CHECK(b.empty());
  return out.value();
}

/// Three blocks, 1000 ms apart, and their index.
struct three_blocks {
  std::string segment;
  std::string index;
  std::vector<std::vector<recorded_frame>> frames;
  std::vector<std::uint64_t> offsets;
};

three_blocks make_segment() {
  three_blocks s;
  for (int i = 0; i < 3; ++i) {
    s.frames.push_back(sample_frames(1'700'000'000'000 + 1000 * i, false)); // small: cut at every byte
    s.offsets.push_back(s.segment.size());
    auto block = seal(s.frames.back());
    auto d = decode_block(block, s.segment.size());
    REQUIRE(d.ok);
    s.index += encode_index_entry(d.info);
    s.segment += block;
  }
  return s;
}

} // namespace

TEST_CASE("segment format: records in equal records out, byte for byte, on every channel") {
  auto frames = sample_frames(1'700'000'000'000);
  auto block = seal(frames);
  auto d = decode_block(block, 42);
  REQUIRE(d.ok);
  CHECK(d.frames == frames);
  CHECK(d.info.offset == 42);
  CHECK(d.info.size == block.size());
  CHECK(d.info.count == frames.size());
  CHECK(d.info.first_ms == 1'700'000'000'000);
  CHECK(d.info.last_ms == 1'700'000'000'011);
  CHECK(block.size() < 300'000); // compressed
}

TEST_CASE("segment format: an empty builder seals a block of no records") {
  block_builder b;
  auto out = b.seal();
  REQUIRE(out.ok());
  auto d = decode_block(out.value(), 0);
  REQUIRE(d.ok);
  CHECK(d.frames.empty());
}

TEST_CASE("segment format: a torn tail at every byte offset keeps every earlier block") {
  auto s = make_segment();
  const auto last = s.offsets[2];
  for (std::size_t cut = last; cut < s.segment.size(); ++cut) {
    auto scan = scan_segment(std::string_view(s.segment).substr(0, cut));
    CAPTURE(cut);
    REQUIRE(scan.blocks.size() == 2);
    CHECK(scan.good_bytes == last);
    CHECK(scan.torn == (cut > last));
    CHECK_FALSE(scan.corrupt);
    CHECK(scan.error.empty() == (cut == last));
    auto d = decode_block(std::string_view(s.segment).substr(s.offsets[1], last - s.offsets[1]), s.offsets[1]);
    CHECK(d.ok);
  }
  auto whole = scan_segment(s.segment);
  CHECK(whole.blocks.size() == 3);
  CHECK(whole.good_bytes == s.segment.size());
  CHECK(whole.error.empty());
}

TEST_CASE("segment format: a flipped byte anywhere in a block is detected") {
  auto s = make_segment();
  const auto start = s.offsets[1];
  const auto end = s.offsets[2];
  // Every byte of the header, and a spread of the compressed frame.
  for (std::size_t at = start; at < end; ++at) {
    auto bad = s.segment;
    bad[at] = static_cast<char>(bad[at] ^ 0x10);
    CAPTURE(at);
    auto scan = scan_segment(bad);
    CHECK(scan.blocks.size() == 1);
    CHECK(scan.good_bytes == start);
    CHECK((scan.corrupt || scan.torn)); // a length field raised past the end reads as torn
    CHECK_FALSE(scan.error.empty());
  }
}

TEST_CASE("segment format: unknown channel and bad lengths are refused, never thrown") {
  block_builder b;
  b.add(record_channel::gamma, 5, 5, "x");
  auto block = b.seal().value();
  CHECK_FALSE(decode_block(std::string(block_header_bytes, 'z'), 0).ok);
  CHECK(decode_block(block.substr(0, 3), 0).torn);
  CHECK(decode_block("", 0).torn);
  std::string junk(4096, '\x5d');
  auto scan = scan_segment(junk);
  CHECK(scan.blocks.empty());
  CHECK(scan.corrupt);
}

TEST_CASE("segment format: the index seeks by time") {
  auto s = make_segment();
  auto index = decode_index(s.index);
  REQUIRE(index.size() == 3);
  CHECK(index[1].offset == s.offsets[1]);
  auto hit = blocks_in_range(index, 1'700'000'001'005, 1'700'000'001'005);
  REQUIRE(hit.size() == 1);
  CHECK(hit[0].offset == s.offsets[1]);
  CHECK(blocks_in_range(index, 1'700'000'001'010, 1'700'000'002'000).size() == 2);
  CHECK(blocks_in_range(index, 0, 1'699'999'999'999).empty());
  CHECK(blocks_in_range(index, 1'700'000'002'011, 1'800'000'000'000).empty());
  auto d = decode_block(std::string_view(s.segment).substr(hit[0].offset, hit[0].size), hit[0].offset);
  REQUIRE(d.ok);
  CHECK(d.frames == s.frames[1]);
}

TEST_CASE("segment format: a torn or missing index is rebuilt by scanning") {
  auto s = make_segment();
  auto full = scan_segment(s.segment).blocks;
  for (std::size_t cut = 0; cut <= s.index.size(); cut += 5) {
    CAPTURE(cut);
    auto r = index_then_scan(s.segment, std::string_view(s.index).substr(0, cut));
    CHECK(r.blocks == full);
    CHECK(r.error.empty());
  }
  auto flipped = s.index;
  flipped[40] = static_cast<char>(flipped[40] ^ 1); // second entry's offset
  CHECK(decode_index(flipped).size() == 1);
  CHECK(index_then_scan(s.segment, flipped).blocks == full);
  // An index of another segment: its offsets do not land on this one's blocks.
  std::string other = encode_index_entry(block_info{0, 100, 1, 1, 2});
  CHECK(index_then_scan(s.segment, other).blocks == full);
  // A segment torn after its index was written: the index entry past the end goes.
  auto torn = std::string_view(s.segment).substr(0, s.segment.size() - 3);
  auto r = index_then_scan(torn, s.index);
  CHECK(r.blocks.size() == 2);
  CHECK(r.torn);
  CHECK(r.good_bytes == s.offsets[2]);
}

TEST_CASE("recording files: segment names carry their start time and nothing else parses") {
  CHECK(segment_file_name(1'700'000'000'123) == "seg-1700000000123.tdrec");
  CHECK(index_file_name(5) == "seg-5.idx");
  CHECK(segment_start_of("seg-1700000000123.tdrec") == 1'700'000'000'123);
  CHECK_FALSE(segment_start_of("seg-.tdrec"));
  CHECK_FALSE(segment_start_of("seg-12a.tdrec"));
  CHECK_FALSE(segment_start_of("seg-12.idx"));
  CHECK_FALSE(segment_start_of("xseg-12.tdrec"));
  CHECK_FALSE(segment_start_of("seg-1234567890123456.tdrec"));
}

TEST_CASE("recording retention: oldest whole segments go, by age and by size, never the live one") {
  const std::int64_t h = 3'600'000;
  std::vector<segment_entry> segs{{0, 100}, {1 * h, 100}, {2 * h, 100}, {3 * h, 100}};
  // Age: a segment goes once the next one started more than the retention ago.
  CHECK(segments_to_delete(segs, 3 * h + h / 2, h, 0) == std::vector<std::size_t>{0, 1});
  CHECK(segments_to_delete(segs, 2 * h, h, 0) == std::vector<std::size_t>{0});
  CHECK(segments_to_delete(segs, 2 * h - 1, h, 0).empty());
  // Size: the oldest until the total fits.
  CHECK(segments_to_delete(segs, 0, 0, 250) == std::vector<std::size_t>{0, 1});
  CHECK(segments_to_delete(segs, 0, 0, 400).empty());
  // Never the last: even a limit it alone exceeds leaves it.
  CHECK(segments_to_delete(segs, 100 * h, h, 1) == std::vector<std::size_t>{0, 1, 2});
  CHECK(segments_to_delete({{0, 1'000'000}}, 100 * h, h, 1).empty());
  CHECK(segments_to_delete(segs, 100 * h, 0, 0).empty());
}
