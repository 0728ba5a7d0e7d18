#include "core/segment_format.hpp"

#include <zstd.h>

#include <algorithm>
#include <cstring>

#include "core/record_codec.hpp"

namespace tdmaker {
namespace {

constexpr std::uint32_t skippable_magic = 0x184D2A5D; // zstd: a frame decoders skip
constexpr std::uint32_t block_magic = 0x42524454;     // "TDRB"
constexpr std::uint32_t header_fields = block_header_bytes - 8;

template <class T>
void put(std::string& out, T v) {
  for (std::size_t i = 0; i < sizeof(T); ++i)
    out.push_back(static_cast<char>((static_cast<std::uint64_t>(v) >> (8 * i)) & 0xff));
}

template <class T>
T get(std::string_view in, std::size_t at) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i)
    v |= static_cast<std::uint64_t>(static_cast<unsigned char>(in[at + i])) << (8 * i);
  return static_cast<T>(v);
}

struct header {
  std::uint32_t count = 0;
  std::uint32_t compressed = 0;
  std::uint32_t uncompressed = 0;
  std::uint32_t crc = 0;        // of the uncompressed records
  std::uint32_t frame_crc = 0;  // of the zstd frame: bits a decoder ignores are caught too
  std::int64_t first_ms = 0;
  std::int64_t last_ms = 0;
};

std::string encode_header(const header& h) {
  std::string out;
  out.reserve(block_header_bytes);
  put<std::uint32_t>(out, skippable_magic);
  put<std::uint32_t>(out, header_fields);
  put<std::uint32_t>(out, block_magic);
  put<std::uint16_t>(out, segment_format_version);
  put<std::uint16_t>(out, 0); // flags
  put(out, h.count);
  put(out, h.compressed);
  put(out, h.uncompressed);
  put(out, h.crc);
  put(out, h.frame_crc);
  put(out, h.first_ms);
  put(out, h.last_ms);
  put<std::uint32_t>(out, crc32(std::string_view(out).substr(8)));
  return out;
}

/// The header at the start of `in` (at least block_header_bytes long).
result<header> decode_header(std::string_view in) {
  if (get<std::uint32_t>(in, 0) != skippable_magic || get<std::uint32_t>(in, 4) != header_fields
      || get<std::uint32_t>(in, 8) != block_magic)
    return fail("not a block header (bad magic)");
  if (get<std::uint32_t>(in, 52) != crc32(in.substr(8, 44)))
    return fail("block header checksum mismatch");
  if (get<std::uint16_t>(in, 12) != segment_format_version)
    return fail("unsupported block version " + std::to_string(get<std::uint16_t>(in, 12)));
  header h;
  h.count = get<std::uint32_t>(in, 16);
  h.compressed = get<std::uint32_t>(in, 20);
  h.uncompressed = get<std::uint32_t>(in, 24);
  h.crc = get<std::uint32_t>(in, 28);
  h.frame_crc = get<std::uint32_t>(in, 32);
  h.first_ms = get<std::int64_t>(in, 36);
  h.last_ms = get<std::int64_t>(in, 44);
  if (h.uncompressed > max_block_uncompressed || h.compressed > ZSTD_compressBound(h.uncompressed))
    return fail("block lengths out of range");
  return h;
}

/// The records of one block's uncompressed bytes, checked against its header.
result<std::vector<recorded_frame>> decode_records(std::string_view raw, const header& h) {
  std::vector<recorded_frame> out;
  out.reserve(std::min<std::uint32_t>(h.count, static_cast<std::uint32_t>(raw.size() / record_header_bytes)));
  std::size_t at = 0;
  while (at < raw.size()) {
    if (raw.size() - at < record_header_bytes)
      return fail("record header cut short at byte " + std::to_string(at));
    const auto channel = static_cast<std::uint8_t>(raw[at]);
    if (!valid_record_channel(channel))
      return fail("unknown channel " + std::to_string(channel));
    const auto len = get<std::uint32_t>(raw, at + 17);
    if (raw.size() - at - record_header_bytes < len)
      return fail("record text longer than its block");
    out.push_back(recorded_frame{static_cast<record_channel>(channel), get<std::int64_t>(raw, at + 1),
                                 get<std::int64_t>(raw, at + 9),
                                 std::string(raw.substr(at + record_header_bytes, len))});
    at += record_header_bytes + len;
  }
  if (out.size() != h.count)
    return fail("record count " + std::to_string(out.size()) + " != header " + std::to_string(h.count));
  for (auto& f : out)
    if (f.recv_ms < h.first_ms || f.recv_ms > h.last_ms)
      return fail("a record's recv_ms lies outside the block's span");
  return out;
}

} // namespace

void block_builder::add(record_channel channel, std::int64_t recv_ms, std::int64_t recv_ns, std::string_view text) {
  raw_.push_back(static_cast<char>(channel));
  put(raw_, recv_ms);
  put(raw_, recv_ns);
  put(raw_, static_cast<std::uint32_t>(text.size()));
  raw_.append(text);
  first_ms_ = count_ == 0 ? recv_ms : std::min(first_ms_, recv_ms);
  last_ms_ = count_ == 0 ? recv_ms : std::max(last_ms_, recv_ms);
  ++count_;
}

result<std::string> block_builder::seal(int zstd_level) {
  if (raw_.size() > max_block_uncompressed)
    return fail("block of " + std::to_string(raw_.size()) + " bytes exceeds the format's limit");
  std::string frame(ZSTD_compressBound(raw_.size()), '\0');
  const auto n = ZSTD_compress(frame.data(), frame.size(), raw_.data(), raw_.size(), zstd_level);
  if (ZSTD_isError(n))
    return fail(std::string("zstd: ") + ZSTD_getErrorName(n));
  frame.resize(n);
  header h{count_,    static_cast<std::uint32_t>(n), static_cast<std::uint32_t>(raw_.size()), crc32(raw_),
           crc32(frame), first_ms_, last_ms_};
  std::string out = encode_header(h);
  out += frame;
  raw_.clear();
  count_ = 0;
  return out;
}

block_read decode_block(std::string_view bytes, std::uint64_t offset) {
  block_read r;
  r.info.offset = offset;
  if (bytes.size() < block_header_bytes) {
    r.torn = true;
    r.error = "block header cut short (" + std::to_string(bytes.size()) + " bytes)";
    return r;
  }
  auto h = decode_header(bytes);
  if (!h) {
    r.error = h.error();
    return r;
  }
  if (bytes.size() - block_header_bytes < h->compressed) {
    r.torn = true;
    r.error = "block cut short: " + std::to_string(bytes.size()) + " of "
              + std::to_string(block_header_bytes + h->compressed) + " bytes";
    return r;
  }
  const char* src = bytes.data() + block_header_bytes;
  if (crc32(std::string_view(src, h->compressed)) != h->frame_crc) {
    r.error = "block frame checksum mismatch";
    return r;
  }
  if (ZSTD_getFrameContentSize(src, h->compressed) != h->uncompressed) {
    r.error = "zstd frame size does not match the header";
    return r;
  }
  std::string raw(h->uncompressed, '\0');
  const auto n = ZSTD_decompress(raw.data(), raw.size(), src, h->compressed);
  if (ZSTD_isError(n) || n != h->uncompressed) {
    r.error = ZSTD_isError(n) ? std::string("zstd: ") + ZSTD_getErrorName(n) : "zstd: short frame";
    return r;
  }
  if (crc32(raw) != h->crc) {
    r.error = "block checksum mismatch";
    return r;
  }
  auto frames = decode_records(raw, h.value());
  if (!frames) {
    r.error = frames.error();
    return r;
  }
  r.ok = true;
  r.frames = std::move(frames).value();
  r.info = block_info{offset, static_cast<std::uint32_t>(block_header_bytes + h->compressed), h->count,
                      h->first_ms, h->last_ms};
  return r;
}

segment_scan scan_segment(std::string_view bytes) {
  segment_scan s;
  while (s.good_bytes < bytes.size()) {
    auto b = decode_block(bytes.substr(s.good_bytes), s.good_bytes);
    if (!b.ok) {
      s.torn = b.torn;
      s.corrupt = !b.torn;
      s.error = "block at byte " + std::to_string(s.good_bytes) + ": " + b.error;
      break;
    }
    s.good_bytes += b.info.size;
    s.blocks.push_back(b.info);
  }
  return s;
}

segment_scan index_then_scan(std::string_view segment, std::string_view index) {
  auto entries = decode_index(index);
  while (!entries.empty() && entries.back().offset + entries.back().size > segment.size())
    entries.pop_back();
  const std::uint64_t covered = entries.empty() ? 0 : entries.back().offset + entries.back().size;
  auto tail = scan_segment(segment.substr(covered));
  if (covered > 0 && tail.corrupt && tail.good_bytes == 0)
    return scan_segment(segment); // the index does not end on a block of this segment
  for (auto& b : tail.blocks)
    b.offset += covered;
  entries.insert(entries.end(), tail.blocks.begin(), tail.blocks.end());
  tail.blocks = std::move(entries);
  tail.good_bytes += covered;
  if (!tail.error.empty())
    tail.error = "block at byte " + std::to_string(tail.good_bytes) + tail.error.substr(tail.error.find(':'));
  return tail;
}

std::string encode_index_entry(const block_info& b) {
  std::string out;
  out.reserve(index_entry_bytes);
  put(out, b.offset);
  put(out, b.size);
  put(out, b.count);
  put(out, b.first_ms);
  put(out, b.last_ms);
  put<std::uint32_t>(out, crc32(out));
  return out;
}

std::vector<block_info> decode_index(std::string_view bytes) {
  std::vector<block_info> out;
  for (std::size_t at = 0; bytes.size() - at >= index_entry_bytes; at += index_entry_bytes) {
    auto e = bytes.substr(at, index_entry_bytes);
    if (get<std::uint32_t>(e, 32) != crc32(e.substr(0, 32)))
      break;
    block_info b{get<std::uint64_t>(e, 0), get<std::uint32_t>(e, 8), get<std::uint32_t>(e, 12),
                 get<std::int64_t>(e, 16), get<std::int64_t>(e, 24)};
    // Entries are contiguous from byte 0: anything else is not this segment's index.
    const std::uint64_t expected = out.empty() ? 0 : out.back().offset + out.back().size;
    if (b.offset != expected || b.size < block_header_bytes || b.first_ms > b.last_ms)
      break;
    out.push_back(b);
  }
  return out;
}

std::vector<block_info> blocks_in_range(const std::vector<block_info>& index, std::int64_t from_ms,
                                        std::int64_t to_ms) {
  std::vector<block_info> out;
  for (auto& b : index)
    if (b.last_ms >= from_ms && b.first_ms <= to_ms)
      out.push_back(b);
  return out;
}

} // namespace tdmaker
