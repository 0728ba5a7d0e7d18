#pragma once
// The wire of PolyBolt, RTDS's successor (protocol ref §5.3,
// `wss://ws-live-v2.polymarket.com/ws`): the frames the node sends and the
// acknowledgements and data envelopes it receives. Only the two channels the node
// trades on are decoded: `price.crypto` (Pyth spot) and `price.crypto.twap`
// (Chainlink 60 s TWAP, which newer markets resolve on).
//
// Sources: docs.polymarket.com /api-reference/live-data/overview,
// /api-reference/wss/polybolt (the AsyncAPI contract), /migrate/rtds-to-polybolt,
// and Polymarket/ts-sdk packages/bindings/src/subscriptions/polybolt.ts with its
// staging captures. A choice none of them settles is marked [unconfirmed].
//
// Keep-alive: the server's ping every 25 s is a WebSocket *control* frame, not a
// text frame; the transport answers it with a pong control frame echoing its
// payload (RFC 6455 §5.5.2; Beast does this by itself), and two missed pongs close
// the connection 4002. This codec never sees it. `polybolt_ping_frame` is the
// optional application-level check: the server answers `{"op":"pong","rid"}`.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/json_parse.hpp"
#include "core/market_data.hpp"
#include "core/money.hpp"
#include "core/result.hpp"

namespace tdmaker {

enum class polybolt_channel : std::uint8_t { crypto, crypto_twap };
/// "price.crypto" / "price.crypto.twap".
std::string_view to_string(polybolt_channel c);
result<polybolt_channel> parse_polybolt_channel(std::string_view text);

/// The only TWAP window PolyBolt serves: other windows are acknowledged and get no data.
inline constexpr int polybolt_twap_window_seconds = 60;

/// A symbol as PolyBolt spells them: 1-32 characters of lower-case [a-z0-9] ("btcusd").
bool is_polybolt_symbol(std::string_view s);
/// The node's RTDS-style symbol ("btc/usd", any case) as PolyBolt spells it ("btcusd").
result<std::string> polybolt_symbol(std::string_view node_symbol);
/// PolyBolt's "btcusd" as the node's "btc/usd". Only `usd`-quoted crypto maps:
/// "btcusdt" (Binance style) and equity symbols are refused.
result<std::string> node_symbol(std::string_view polybolt_symbol);

/// One (channel, filter) pair; `symbol` in PolyBolt form ("btcusd").
struct polybolt_subscription {
  polybolt_channel channel = polybolt_channel::crypto;
  std::string symbol;
  auto operator<=>(const polybolt_subscription&) const = default;
};
/// The pair for `node_symbol` ("btc/usd") on `c`.
result<polybolt_subscription> polybolt_subscription_for(polybolt_channel c, std::string_view node_symbol);

// ------------------------------------------------------------ frames we send

/// `{"op":"auth","rid":..,"auth":{"apiKey","secret","passphrase"}}`. It carries
/// the L2 credentials: never log it.
std::string polybolt_auth_frame(std::string_view rid, std::string_view api_key, std::string_view secret,
                                std::string_view passphrase);
/// `{"op":"subscribe","rid":..,"subscriptions":[{"channel","filter":{...}}]}`; the
/// filter is a JSON object (not RTDS's string), `window_seconds` 60 on the TWAP.
/// Refuses an empty list, more pairs than one connection may hold (64) and a
/// symbol that is not lower-case [a-z0-9].
result<std::string> polybolt_subscribe_frame(std::string_view rid, std::span<const polybolt_subscription> subs);
result<std::string> polybolt_unsubscribe_frame(std::string_view rid,
                                               std::span<const polybolt_subscription> subs);
/// `{"op":"ping","rid":..}`, answered by `{"op":"pong","rid":..}`.
std::string polybolt_ping_frame(std::string_view rid);

// ------------------------------------------------------------ frames we receive

/// Error-acknowledgement codes of the AsyncAPI contract (ts-sdk RealtimeErrorCode).
enum class polybolt_error_code : std::uint8_t {
  bad_op,
  bad_channel,
  bad_filter,
  sub_limit,
  rate_limited,
  auth_required,
  auth_unavailable,
  auth_expired,
  auth_attempts,
  auth_invalid,
  unknown, // a code this build does not know; its text is kept
};
std::string_view to_string(polybolt_error_code c);
polybolt_error_code parse_polybolt_error_code(std::string_view text);

struct polybolt_authed {
  std::string rid;
};
/// One per (channel, filter) of a subscribe request; the ack names the channel but
/// not the filter, so a request's `rid` is what ties an ack to its pairs.
struct polybolt_subscribed {
  std::string rid;
  std::string channel; // may be empty
};
struct polybolt_unsubscribed {
  std::string rid;
  std::string channel;
};
struct polybolt_pong {
  std::string rid;
};
/// An error acknowledgement: the connection stays open (only 4001/4002/4003/4008
/// closes end it). `message` is optional and not in any captured frame [unconfirmed].
struct polybolt_error {
  std::string rid;
  std::string channel;
  polybolt_error_code code = polybolt_error_code::unknown;
  std::string code_text;
  std::string message;
};
/// A data envelope of `price.crypto` or `price.crypto.twap`. `seq` is consecutive
/// per connection *and per channel* (not per symbol), snapshots included, and
/// restarts on reconnect; `dropped` counts envelopes of the channel the server
/// discarded since the last delivered one because the client fell behind.
struct polybolt_envelope {
  int v = 1;
  polybolt_channel channel = polybolt_channel::crypto;
  std::uint64_t seq = 0;
  std::int64_t ts_ms = 0;    // the producer's event time
  bool snapshot = false;     // the subscription's first envelope: ~2 min of history, maybe empty
  std::uint64_t dropped = 0; // absent = 0
  std::string symbol;        // node form, "btc/usd"
  std::string source;        // "pyth" / "chainlink"; empty when the frame has none
  std::vector<reference_tick> ticks; // an update: one; a snapshot: its history as sent
};

using polybolt_frame = std::variant<polybolt_authed, polybolt_subscribed, polybolt_unsubscribed, polybolt_pong,
                                    polybolt_error, polybolt_envelope>;

/// Exact decimal text (PolyBolt's `full_accuracy_value`, up to 18 places on the
/// TWAP) as 1e-8 units, rounded half up at the ninth place: the node's reference
/// prices are e8 integers and no double ever holds one.
result<ref_price> parse_polybolt_price(std::string_view text);

/// One server text frame. Fails, naming the field, on anything that is not one of
/// the frames above: not JSON or not UTF-8, over the size and depth bounds, an
/// unknown `op`, an envelope of another version, without `seq` or `ts`, with a
/// non-object payload, an unsupported channel or TWAP window, a bad price or
/// timestamp. `doc` is reused for every frame of the stream; the result owns its bytes.
result<polybolt_frame> parse_polybolt_frame(std::string_view text, json::reusable_document& doc);

/// The contract's close codes (meanings and the client's answer: polybolt_close_meaning
/// in core/polybolt_sequencer.hpp).
inline constexpr std::uint16_t polybolt_close_auth_failed = 4001;
inline constexpr std::uint16_t polybolt_close_slow_consumer = 4002;
inline constexpr std::uint16_t polybolt_close_draining = 4003;
inline constexpr std::uint16_t polybolt_close_policy = 4008;

} // namespace tdmaker
