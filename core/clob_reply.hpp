#pragma once
// What a CLOB reply means for the caller (protocol ref §3.4, §4, §6): the order
// and cancel acknowledgements, API credentials, an order looked up by id, and the
// classification of failures the client must treat differently (425 engine
// restart, 503 post-only mode, 429, 5xx). Pure: status, headers and body in.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/auth_headers.hpp"
#include "core/money.hpp"
#include "core/result.hpp"

namespace tdmaker {

enum class reply_kind : std::uint8_t {
  ok,              // 2xx
  rejected,        // 400 and other 4xx: the request itself is wrong; never retry as is
  unauthorized,    // 401
  not_found,       // 404 (for a just-placed order this can be eventual consistency)
  rate_limited,    // 429: wait Retry-After
  too_early,       // 425: matching engine restarting; back off 1-2 s exponentially
  post_only_mode,  // 503 code post_only_mode: only post-only orders and cancels
  unavailable,     // 503 otherwise (trading disabled / cancel-only)
  server_error,    // other 5xx
  transport,       // no HTTP reply at all (connect, timeout, reset)
};
std::string_view to_string(reply_kind k);

struct reply_class {
  reply_kind kind = reply_kind::ok;
  std::string error;           // the venue's `error` text, or the transport error
  std::int64_t retry_after_ms = 0; // from Retry-After or retry_after_seconds
};

/// `status` 0 means no HTTP reply (then `body` is the transport error).
reply_class classify_reply(int status, std::string_view body, std::string_view retry_after_header);

/// True when a failed request of `kind` may be sent again unchanged: only for
/// idempotent requests (GETs, cancels), never for a placement.
bool retryable(reply_kind kind);

/// One element of a `POST /order(s)` reply. `placed` is false whenever the
/// venue says no, including `success:true` with a non-empty `errorMsg`.
struct order_ack {
  bool placed = false;
  std::string order_id;
  std::string status; // live, matched, delayed, unmatched
  std::string error;
  std::vector<std::string> trade_ids;
};
result<order_ack> parse_order_ack(std::string_view json);
result<std::vector<order_ack>> parse_order_acks(std::string_view json);

struct cancel_ack {
  std::vector<std::string> canceled;
  std::vector<std::pair<std::string, std::string>> not_canceled; // id, reason
};
result<cancel_ack> parse_cancel_ack(std::string_view json);

/// `POST /auth/api-key` / `GET /auth/derive-api-key`.
result<api_credentials> parse_api_credentials(std::string_view json);

/// `GET /data/order/{id}` (OpenOrder): what the ghost-order check needs.
struct open_order {
  std::string id;
  std::string status; // LIVE, MATCHED, CANCELED, ... (`ORDER_STATUS_` prefix removed)
  shares original_size;
  shares size_matched;
  price px;
  std::string market;   // condition id
  std::string asset_id; // token id
};
result<open_order> parse_open_order(std::string_view json);

/// One page of `GET /data/orders`; `next_cursor` "LTE=" marks the last page.
struct open_orders_page {
  std::vector<open_order> orders;
  std::string next_cursor;
};
result<open_orders_page> parse_open_orders_page(std::string_view json);

/// `GET /balance-allowance`: `{"balance":"<integer micro-units>", ...}`.
result<usdc> parse_balance(std::string_view json);

} // namespace tdmaker
