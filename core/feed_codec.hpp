#pragma once
// The WebSocket wire of protocol ref §5: subscribe frames the node sends and the
// market-channel / RTDS frames it receives. Each frame is parsed once into the
// market-data structs of core/market_data.hpp and handed to a sink; a malformed
// event is reported and skipped without touching the others in the frame.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "core/auth_headers.hpp"
#include "core/json_parse.hpp"
#include "core/market_data.hpp"
#include "core/result.hpp"

namespace tdmaker {

// ------------------------------------------------------------ frames we send

/// First market-channel frame: `{"assets_ids":[...],"type":"market",
/// "custom_feature_enabled":true,"initial_dump":true}`.
std::string market_subscribe_frame(std::span<const std::string> token_ids);
/// Later changes: `{"operation":"subscribe"|"unsubscribe","assets_ids":[...],...}`.
std::string market_update_frame(bool subscribe, std::span<const std::string> token_ids);
/// First user-channel frame (carries the L2 credentials: never log it).
std::string user_subscribe_frame(const api_credentials& creds, std::span<const std::string> markets);
std::string user_update_frame(bool subscribe, std::span<const std::string> markets);
/// RTDS Chainlink subscription; `filters` is a string of compact JSON (no spaces).
std::string rtds_subscribe_frame(bool subscribe, std::span<const std::string> symbols);

// ------------------------------------------------------------ frames we receive

class market_event_sink {
public:
  virtual ~market_event_sink() = default;
  virtual void on_book(book_snapshot&& b) = 0;
  virtual void on_delta(book_delta&& d) = 0;
  virtual void on_last_trade(last_trade&& t) = 0;
  virtual void on_tick_size(tick_size_change&& t) = 0;
  virtual void on_resolved(market_resolved&& r) = 0;
  /// An event that could not be decoded; the rest of the frame still counts.
  virtual void on_bad_event(std::string_view why) = 0;
};

struct frame_stats {
  std::uint32_t events = 0;  // decoded and delivered
  std::uint32_t ignored = 0; // known but unused (best_bid_ask, new_market, ...)
  std::uint32_t bad = 0;
};

/// One market-channel frame: an object or an array of events, or the texts
/// `PONG` / `NO NEW ASSETS`. `doc` is reused for every frame of the stream and does
/// not grow with their number; everything handed to `sink` owns its bytes, except
/// the `why` of on_bad_event, valid during the call. Fails only when the frame as a
/// whole is not JSON or is over json::limits (size, nesting depth).
result<frame_stats> parse_market_frame(std::string_view text, json::reusable_document& doc,
                                       market_event_sink& sink);

/// A `book` event or a REST `/book` reply (same shape).
result<book_snapshot> decode_book(const rapidjson::Value& v);
/// A whole `GET /book` reply: anything but a 200 with a valid book is an error.
result<book_snapshot> parse_book_reply(int status, std::string_view body);

/// RTDS frame: `update` gives one tick, `subscribe` a backfill (oldest first).
/// Other topics, status frames and empty texts yield nothing. `doc` as for
/// parse_market_frame; the ticks own their bytes.
result<std::vector<reference_tick>> parse_rtds_frame(std::string_view text, json::reusable_document& doc);

/// Market-channel book-hash of `book` as received in a snapshot (for tests and
/// the venue): the fields of `b` plus its levels.
std::string snapshot_hash(const book_snapshot& b);

} // namespace tdmaker
