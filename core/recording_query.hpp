#pragma once
// `tdmaker recording` (issue 18): its arguments and the text it prints, pure.
#include <cstdint>
#include <string>
#include <vector>

#include "core/ledger_export.hpp"
#include "core/segment_format.hpp"

namespace tdmaker {

struct recording_query {
  std::string dir;    // --dir; empty: <node.data_dir of --config>/recording
  export_query range; // --from (inclusive) / --to (exclusive) on recv_ms, --config
  bool dump = false;  // --format jsonl: every frame; otherwise the segment listing
};

/// `--dir DIR [--from T] [--to T] [--format jsonl] [--config FILE]` (T as for export).
result<recording_query> parse_recording_args(const std::vector<std::string>& args);

/// One frame as a JSON line: channel, recv_ms, recv_ns, text (ill-formed UTF-8 replaced).
std::string frame_jsonl(const recorded_frame& f);

/// The frame of one such line (what `tdmaker replay` reads from a dump): every
/// field required, the channel one of the known names, recv_ms non-negative.
result<recorded_frame> parse_frame_jsonl(std::string_view line);

/// The listing's line for one segment: name, bytes, blocks, frames, first/last receive time.
std::string segment_listing_line(const std::string& name, std::uint64_t bytes, const segment_scan& scan);

} // namespace tdmaker
