#pragma once
// A recording as the replay reads it: every frame of every segment under a
// directory (docs/recording.md), or a JSON-lines dump of one, in receive order.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/recorded_replies.hpp"
#include "core/segment_format.hpp"
#include "messages/messages.hpp"

namespace tdmaker {

/// Frames received in [from_ms, to_ms), stably sorted by receive time. A torn or
/// corrupt tail of a segment is logged and left out (the blocks before it count).
result<std::vector<recorded_frame>> load_recording(const std::string& path, std::int64_t from_ms,
                                                   std::int64_t to_ms);

/// The WebSocket a frame came from (none: a REST reply).
std::optional<feed_channel> feed_channel_of(record_channel c);

/// A REST reply's request target and reply (none: a WebSocket frame, or text
/// that is not "<status> <target>\n<body>").
std::optional<std::pair<std::string, recorded_reply>> rest_reply_of(const recorded_frame& f);

} // namespace tdmaker
