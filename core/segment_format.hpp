#pragma once
// The recording format (issue 18, docs/recording.md): pure, bytes in and bytes
// out. A segment is a sequence of blocks; each block is a zstd skippable frame
// holding its header (magic, version, record count, first/last recv_ms, lengths,
// CRC-32s of the records and of the zstd frame, CRC-32 of the header) followed by one
// ordinary zstd frame holding its records. Every block decodes on its own, so a
// torn or corrupt tail costs only that block; the file as a whole is still a
// valid zstd stream (`zstd -dc seg.tdrec` prints the raw records). The index
// (first/last recv_ms, offset and size of each block) is a cache: rebuildable
// by scanning the segment.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/record_channel.hpp"
#include "core/result.hpp"

namespace tdmaker {

inline constexpr std::uint16_t segment_format_version = 1;
inline constexpr std::size_t block_header_bytes = 56;  // skippable frame header 8 + fields 48
inline constexpr std::size_t record_header_bytes = 21; // channel 1, recv_ms 8, recv_ns 8, length 4
inline constexpr std::size_t index_entry_bytes = 36;
/// Refused on decode: larger than any block the writer makes (record.block_bytes <= 16 MiB
/// plus one frame of at most the WebSocket limit).
inline constexpr std::uint32_t max_block_uncompressed = 256u << 20;

struct recorded_frame {
  record_channel channel = record_channel::market_ws;
  std::int64_t recv_ms = 0; // wall clock: the order of the recording and the replay's clock
  std::int64_t recv_ns = 0; // steady clock: latency only
  std::string text;
  bool operator==(const recorded_frame&) const = default;
};

/// Where one block is, and the receive times it spans.
struct block_info {
  std::uint64_t offset = 0;
  std::uint32_t size = 0; // header + compressed frame
  std::uint32_t count = 0;
  std::int64_t first_ms = 0;
  std::int64_t last_ms = 0;
  bool operator==(const block_info&) const = default;
};

/// Accumulates one block's records (uncompressed), then seals it.
class block_builder {
public:
  void add(record_channel channel, std::int64_t recv_ms, std::int64_t recv_ns, std::string_view text);
  std::size_t uncompressed_bytes() const { return raw_.size(); }
  std::uint32_t count() const { return count_; }
  bool empty() const { return count_ == 0; }
  std::int64_t first_ms() const { return first_ms_; } // the earliest recv_ms added (0 when empty)
  std::int64_t last_ms() const { return last_ms_; }
  /// The block's bytes (header + zstd frame); the builder is empty afterwards.
  result<std::string> seal(int zstd_level = 3);

private:
  std::string raw_;
  std::uint32_t count_ = 0;
  std::int64_t first_ms_ = 0;
  std::int64_t last_ms_ = 0;
};

/// One block decoded from `bytes` (which start at the block). `torn`: the bytes
/// end inside the block (a write cut short); otherwise a failure is corruption.
struct block_read {
  bool ok = false;
  bool torn = false;
  std::string error;
  block_info info;
  std::vector<recorded_frame> frames;
};
block_read decode_block(std::string_view bytes, std::uint64_t offset);

/// Every block of a segment, checked end to end. Stops at the first block that
/// is torn or corrupt: `good_bytes` is where it starts (the length to keep).
struct segment_scan {
  std::vector<block_info> blocks;
  std::uint64_t good_bytes = 0;
  bool torn = false;    // the tail is cut short
  bool corrupt = false; // the tail fails its checks
  std::string error;    // why the scan stopped early (empty: it read to the end)
};
segment_scan scan_segment(std::string_view bytes);

/// A segment's blocks from its index where the index is sound, and by scanning
/// the rest: the part past the index's last entry (a block written after it, or
/// an index torn or missing), or the whole segment when the index disagrees with it.
segment_scan index_then_scan(std::string_view segment, std::string_view index);

std::string encode_index_entry(const block_info& b);
/// The index's entries up to the first torn or failing one (each carries its CRC-32).
std::vector<block_info> decode_index(std::string_view bytes);

/// The blocks that may hold a frame received in [from_ms, to_ms].
std::vector<block_info> blocks_in_range(const std::vector<block_info>& index, std::int64_t from_ms,
                                        std::int64_t to_ms);

} // namespace tdmaker
