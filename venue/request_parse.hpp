#pragma once
// Every request the venue reads from a client, as pure functions: HTTP bodies and
// the text frames of its three WebSockets. Each goes through json::parse (size and
// nesting depth bounded before RapidJSON recurses, issue 14), so a hostile body is
// an error string, never a crash; the handlers only map the result to a reply.
// Orders themselves are core/order_wire's parse_order_request.
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace tdmaker::venue {

// ------------------------------------------------------------------ HTTP bodies

/// POST /books: `[{"token_id":"..."}, ...]`; entries without a string token_id are
/// skipped, as the real CLOB does. Anything but a JSON array is an error.
result<std::vector<std::string>> parse_books_request(std::string_view body);

/// DELETE /orders: a JSON array of order ids (strings).
result<std::vector<std::string>> parse_string_array(std::string_view body);

/// `{"<key>":"..."}` (DELETE /order, /cancel-market-orders, heartbeats): the string
/// member; an error when the body is not an object or `key` is not a string.
result<std::string> parse_string_member(std::string_view body, const char* key);

/// POST /orders: a JSON array of at most `max_orders` orders, each returned as its
/// own compact JSON text for parse_order_request. Errors are the CLOB's reply texts
/// ("Invalid order payload: ...", "Too many orders in payload: ...").
result<std::vector<std::string>> split_orders_request(std::string_view body, std::size_t max_orders);

/// True when the POST /order or /orders body is post-only throughout (fault
/// injection's post-only mode); false for anything unreadable.
bool all_post_only(std::string_view body);

/// The "error" member of a venue error reply, "" when there is none.
std::string error_message(std::string_view reply_body);

// ------------------------------------------------------------ WebSocket frames

/// A market-channel frame: the first `{"assets_ids":[...],"type":"market",...}` or
/// a later `{"operation":"subscribe"|"unsubscribe","assets_ids":[...]}`.
struct market_subscription {
  std::set<std::string> assets;
  std::string operation; // "" when absent or not a string
  std::string type;      // "market" on a first frame
  std::optional<bool> custom_feature_enabled;
};
result<market_subscription> parse_market_subscription(std::string_view text);

/// A user-channel frame: the first carries `auth` {apiKey, secret, passphrase}.
struct user_subscription {
  std::set<std::string> markets;
  std::string operation;
  bool has_auth = false; // an "auth" object was present
  std::string api_key, secret, passphrase;
};
result<user_subscription> parse_user_subscription(std::string_view text);

/// An RTDS request `{"action":"subscribe","subscriptions":[{"topic":..,"filters":..}]}`.
/// Errors are the venue's 400 messages ("invalid request: ...").
struct rtds_subscription {
  std::string topic;
  std::optional<std::string> filters; // absent when not a string
};
struct rtds_request {
  bool subscribe = true;
  std::vector<rtds_subscription> subscriptions;
};
result<rtds_request> parse_rtds_request(std::string_view text);

/// An RTDS `filters` string, `{"symbol":"btc/usd"}`: the symbol, lower-cased.
result<std::string> parse_rtds_filter_symbol(std::string_view filters);

} // namespace tdmaker::venue
