#pragma once
// The venue's PolyBolt channel (protocol ref §5.3, `/ws` of ws-live-v2) as pure
// logic: no sockets and no clock. A session is given a connection's text frames,
// pongs and the time, and says what to send back: text frames, a WebSocket ping
// control frame, a close code. The feed holds the sessions and the two streams it
// publishes per symbol: `price.crypto` (a Pyth-like spot) and `price.crypto.twap`
// (the Chainlink 60 s TWAP), both passed in by the venue so they can diverge.
//
// What it does, after the AsyncAPI contract (core/polybolt_codec.hpp names the
// sources); a choice the contract leaves open is marked [unconfirmed]:
//  - every op gets an ack or an error ack `{"op":"error","code",["channel"],["rid"]}`;
//    the request's `rid` is echoed when it has one;
//  - gated channels need `auth` first: a subscribe before it gets `auth_required`
//    (the documented example; the connection stays open). A presented credential
//    that fails, or an auth frame missing one, gets `auth_invalid` and close 4001
//    [unconfirmed: the ack before the close, and a missing field counted as failed];
//  - limits per connection: 64 active (channel, filter) pairs (`sub_limit`), 20
//    subscribe/unsubscribe frames a second, a batch counting once (`rate_limited`),
//    8 auth frames (`auth_attempts`). The contract lists these error codes and the
//    migration guide says a limit breach closes 4008: which one the service does is
//    [unconfirmed], so `breach_closes` picks (default: the error ack). A frame over
//    64 KB closes 4008;
//  - a new pair gets its ack then one snapshot envelope with the last 2 minutes
//    (possibly none); repeating a held pair gets the ack only. A lower-case symbol
//    the venue does not publish, or a TWAP window other than 60, is acknowledged
//    and never gets data (the service's "empty barrier");
//  - `seq` counts 1, 2, ... per connection and per channel, snapshots included;
//  - a WebSocket ping every 25 s; two missed pongs close 4002;
//  - drain() closes 4003.
// Fault hooks: drop_next (the channel's next live envelopes are not sent and the
// next one sent carries `dropped`; a dropped envelope uses no seq number
// [unconfirmed]) and skip_seq (the next envelope's seq jumps: a gap).
#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "core/money.hpp"
#include "core/polybolt_codec.hpp"

namespace tdmaker::venue {

struct polybolt_limits {
  std::size_t max_subscriptions = 64;
  std::size_t max_sub_frames = 20;
  std::int64_t rate_window_ms = 1000;
  std::size_t max_auth_attempts = 8;
  std::size_t max_frame_bytes = 64 * 1024;
  std::int64_t ping_every_ms = 25'000;
  int missed_pongs_to_close = 2;
  std::int64_t backfill_ms = 120'000;
  bool breach_closes = false; // a limit breach: true closes 4008, false sends the error ack
};

/// The venue's L2 check: (api key, secret, passphrase) -> accepted.
using polybolt_credential_check =
    std::function<bool(std::string_view api_key, std::string_view secret, std::string_view passphrase)>;

/// What to send on one connection, in this order: the text frames, the ping, the close.
struct polybolt_output {
  std::vector<std::string> frames;
  bool ping = false;           // a WebSocket ping control frame
  std::uint16_t close_code = 0; // non-zero: close the connection with it
  std::string close_reason;
  bool empty() const { return frames.empty() && !ping && close_code == 0; }
};

/// The last `keep_ms` of each published (channel, symbol) stream, for snapshots.
class polybolt_history {
public:
  using points = std::deque<std::pair<std::int64_t, ref_price>>;
  explicit polybolt_history(std::int64_t keep_ms) : keep_ms_(keep_ms) {}
  void add(polybolt_channel c, const std::string& symbol, std::int64_t ts_ms, ref_price p);
  /// Null when nothing was ever published for it.
  const points* find(polybolt_channel c, const std::string& symbol) const;

private:
  std::int64_t keep_ms_;
  std::map<std::pair<polybolt_channel, std::string>, points> streams_;
};

class polybolt_session {
public:
  polybolt_session(const polybolt_history& history, polybolt_credential_check check, polybolt_limits lim,
                   std::int64_t now_ms);

  polybolt_output on_text(std::string_view text, std::int64_t now_ms);
  void on_pong();
  /// Pings when one is due; closes 4002 after the second missed pong.
  polybolt_output tick(std::int64_t now_ms);
  /// A live point of `symbol` ("btcusd"): an envelope when this connection holds the pair.
  polybolt_output publish(polybolt_channel c, const std::string& symbol, std::int64_t ts_ms, ref_price p);
  polybolt_output drain();

  void drop_next(polybolt_channel c, std::uint64_t envelopes);
  void skip_seq(polybolt_channel c, std::uint64_t numbers);

  bool authed() const { return authed_; }
  bool closed() const { return closed_; }
  std::size_t subscriptions() const { return subs_.size(); }
  bool holds(polybolt_channel c, const std::string& symbol) const;
  /// The seq the channel's next envelope gets (skips included).
  std::uint64_t next_seq(polybolt_channel c) const;
  std::uint64_t dropped_total() const { return dropped_total_; }

private:
  /// (channel, symbol, window_seconds); the window is 0 on price.crypto.
  using pair_key = std::tuple<polybolt_channel, std::string, int>;
  struct stream {
    std::uint64_t last_seq = 0;
    std::uint64_t skip = 0;
    std::uint64_t drop_next = 0;
    std::uint64_t pending_dropped = 0;
  };
  struct request;

  polybolt_output handle_auth(const request& r);
  polybolt_output handle_pairs(const request& r, bool subscribe, std::int64_t now_ms);
  polybolt_output breach(std::string_view code, const request& r, std::string_view channel);
  polybolt_output close_with(polybolt_output out, std::uint16_t code, std::string reason);
  bool over_rate(std::int64_t now_ms);
  std::string snapshot_of(const pair_key& k, std::int64_t now_ms);
  std::string next_envelope(polybolt_channel c, std::int64_t ts_ms, bool snapshot, std::string_view payload);
  stream& stream_of(polybolt_channel c) { return streams_[static_cast<std::size_t>(c)]; }

  const polybolt_history& history_;
  polybolt_credential_check check_;
  polybolt_limits lim_;
  bool authed_ = false;
  bool closed_ = false;
  std::size_t auth_attempts_ = 0;
  std::set<pair_key> subs_;
  std::deque<std::int64_t> sub_frames_; // receive times within the rate window
  std::array<stream, 2> streams_{};
  std::int64_t last_ping_ms_;
  bool awaiting_pong_ = false;
  int missed_pongs_ = 0;
  std::uint64_t dropped_total_ = 0;
};

/// Every PolyBolt connection of the venue, keyed by the listener's session id.
class polybolt_feed {
public:
  using fanout = std::vector<std::pair<std::uint64_t, polybolt_output>>;

  explicit polybolt_feed(polybolt_credential_check check, polybolt_limits lim = {});
  polybolt_feed(const polybolt_feed&) = delete;
  polybolt_feed& operator=(const polybolt_feed&) = delete;

  void open(std::uint64_t id, std::int64_t now_ms);
  polybolt_output on_text(std::uint64_t id, std::string_view text, std::int64_t now_ms);
  void on_pong(std::uint64_t id);
  void close(std::uint64_t id);

  /// `asset` "btc": the Pyth-like spot on price.crypto "btcusd".
  fanout publish_spot(const std::string& asset, std::int64_t ts_ms, ref_price p);
  /// `asset` "btc": the Chainlink 60 s TWAP on price.crypto.twap "btcusd".
  fanout publish_twap(const std::string& asset, std::int64_t ts_ms, ref_price p);
  fanout tick(std::int64_t now_ms);
  fanout drain();

  /// Null when `id` is not open (fault hooks and checks go through it).
  polybolt_session* session(std::uint64_t id);
  std::vector<std::uint64_t> sessions() const;

private:
  fanout publish(polybolt_channel c, const std::string& asset, std::int64_t ts_ms, ref_price p);

  polybolt_credential_check check_;
  polybolt_limits lim_;
  polybolt_history history_;
  std::map<std::uint64_t, std::unique_ptr<polybolt_session>> sessions_;
};

} // namespace tdmaker::venue
