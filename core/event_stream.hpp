#pragma once
// The outside view of the event history: GET /events (a JSON page) and
// GET /events/stream (server-sent events, one frame per event). Pure text in
// and out; the HTTP server and the events actor only move it.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/event_history.hpp"
#include "core/result.hpp"

namespace tdmaker {

inline constexpr std::size_t events_default_limit = 100;

/// GET /events?since=SEQ&limit=N: `since` (default 0: everything held) and
/// `limit` (default 100, 1..max_limit). Unknown, repeated or malformed
/// parameters are refused with the reason.
struct events_query {
  std::uint64_t since = 0;
  std::size_t limit = events_default_limit;
};
result<events_query> parse_events_query(std::string_view query, std::size_t max_limit);

/// A Last-Event-ID header (or `since=` of the stream): a decimal sequence number.
result<std::uint64_t> parse_event_seq(std::string_view text);

/// {"seq":N,"kind":"order_placed","time_ms":T,"data":{...}}
std::string event_json(const event_record& e);
/// {"events":[...],"next":N,"missed":false}
std::string event_page_json(const event_page& p);

/// One server-sent event: `id:` = seq, `event:` = kind, `data:` = event_json.
std::string sse_frame(const event_record& e);
/// Sent before a stream's first events when what the consumer asked for is no
/// longer held. It has no `id:`, so the consumer's Last-Event-ID stays its own.
std::string sse_missed_frame(std::uint64_t asked_after, std::uint64_t first_held);
/// A comment line: keeps proxies and idle timers from closing a quiet stream.
inline constexpr std::string_view sse_heartbeat = ": heartbeat\n\n";

} // namespace tdmaker
