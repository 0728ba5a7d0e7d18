#pragma once
// What the node does with PolyBolt's sequence numbers and limits (protocol ref
// §5.3), as pure state machines: time is passed in, nothing sleeps.
//
// polybolt_sequencer: one per channel per connection. The contract numbers
// envelopes per connection and per *channel*, snapshots included (the staging
// capture has btcusd's snapshot at seq 1 and ethusd's at 2 on price.crypto), so a
// per-symbol sequencer would see every other symbol's envelope as a gap. A loss
// (a jump in seq, or `dropped` > 0) cannot be pinned to a symbol, so the remedy is
// to unsubscribe and subscribe every pair of the channel again: a repeated
// subscribe of an existing pair is acknowledged without a new snapshot, so the
// unsubscribe is what buys the backfill (~2 min of history).
//
// subscribe_pacer: keeps one connection within 64 active pairs and 20 subscribe or
// unsubscribe frames a second (a batch frame counts once).
//
// polybolt_close_meaning: what the client does on each of the contract's close codes.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <span>
#include <string_view>
#include <vector>

#include "core/polybolt_codec.hpp"

namespace tdmaker {

enum class seq_verdict : std::uint8_t {
  accept,    // in order: apply it
  duplicate, // seq at or below the last one: drop it
  gap,       // envelopes were lost before this one: apply it, and see `resubscribe`
};
struct seq_step {
  seq_verdict verdict = seq_verdict::accept;
  /// Resubscribe every pair of the channel for a backfill. False on a gap that a
  /// resubscribe already under way covers (none of its snapshots has come yet, so
  /// all of them follow the loss).
  bool resubscribe = false;
  std::uint64_t lost = 0; // envelopes known lost here: skipped seq numbers + `dropped`
};
/// Totals for the metrics; they survive reset().
struct seq_counters {
  std::uint64_t accepted = 0; // gaps included: their envelope is applied
  std::uint64_t duplicates = 0;
  std::uint64_t gaps = 0;
  std::uint64_t lost = 0;
  std::uint64_t resubscribes = 0;
};

class polybolt_sequencer {
public:
  seq_step observe(std::uint64_t seq, std::uint64_t dropped, bool snapshot);
  /// Every pair of the channel was just subscribed (a new connection, or after a
  /// gap): until their `pairs` snapshots have come, a snapshot re-bases the
  /// sequence even below the last seq (a server that renumbers is followed, not
  /// taken for a replay), and a loss before the first of them is covered.
  void expect_snapshots(std::size_t pairs);
  /// expect_snapshots after a gap's unsubscribe + subscribe; counted.
  void resubscribed(std::size_t pairs);
  /// A new connection: seq starts over (at 1).
  void reset();

  std::optional<std::uint64_t> last_seq() const;
  bool awaiting_snapshots() const { return pending_ > 0; }
  const seq_counters& counters() const { return counters_; }

private:
  bool has_last_ = false;
  std::uint64_t last_ = 0;
  std::size_t pending_ = 0; // snapshots still to come from the last (re)subscribe
  std::size_t seen_ = 0;    // of those, already come
  seq_counters counters_;
};

struct pacer_limits {
  std::size_t max_subscriptions = 64;
  std::size_t max_frames = 20; // subscribe + unsubscribe frames per window
  std::int64_t window_ms = 1000;
};
struct pacer_frame {
  bool subscribe = true; // false: unsubscribe
  std::vector<polybolt_subscription> pairs;
};
struct pacer_step {
  std::vector<pacer_frame> frames; // to send now, in this order (unsubscribes free room first)
  /// Wanted but past max_subscriptions on this connection: they need another one.
  std::vector<polybolt_subscription> over_limit;
  /// Work is waiting for the frame budget: step again at this time. 0: nothing waits.
  std::int64_t wake_at_ms = 0;
};

class subscribe_pacer {
public:
  explicit subscribe_pacer(pacer_limits lim = {});

  /// The frames that bring this connection toward `wanted` now. They are taken as
  /// sent: the caller sends every one of them, in order.
  pacer_step step(std::span<const polybolt_subscription> wanted, std::int64_t now_ms);
  /// The next step unsubscribes every active pair of `c` and subscribes it again.
  void resubscribe_channel(polybolt_channel c);
  /// A new connection: nothing active, a fresh frame budget.
  void reset();

  const std::set<polybolt_subscription>& active() const { return active_; }
  std::size_t active_on(polybolt_channel c) const;
  /// Frames counted against the window ending at `now_ms`.
  std::size_t frames_in_window(std::int64_t now_ms) const;
  std::uint64_t frames_sent() const { return frames_sent_; }
  std::uint64_t deferred() const { return deferred_; } // steps where a frame had to wait

private:
  bool take_budget(std::int64_t now_ms);
  void forget_old(std::int64_t now_ms);

  pacer_limits lim_;
  std::set<polybolt_subscription> active_;
  std::set<polybolt_subscription> resubscribe_;
  std::vector<std::int64_t> sent_at_; // ascending
  std::uint64_t frames_sent_ = 0;
  std::uint64_t deferred_ = 0;
};

/// The close codes of the contract and what the client does about each.
enum class polybolt_reconnect : std::uint8_t {
  backoff,   // the client's exponential backoff with full jitter
  once_soon, // once, after a uniform random delay in [min_delay_ms, max_delay_ms]
  never,     // a client bug: alert, do not reconnect blindly
};
enum class polybolt_credentials : std::uint8_t {
  reuse,   // the same API key
  refresh, // derive the L2 API credentials again before the next auth
};
struct polybolt_close_advice {
  std::uint16_t code = 0;
  std::string_view meaning;
  polybolt_reconnect reconnect = polybolt_reconnect::backoff;
  std::int64_t min_delay_ms = 0;
  std::int64_t max_delay_ms = 0;
  polybolt_credentials credentials = polybolt_credentials::reuse;
  bool documented = false; // false: the reconnect choice is ours [unconfirmed]
};
/// Every reconnect re-authenticates, resubscribes and seeds from the new snapshots
/// (seq starts over). Codes outside the contract (1006 from a failed handshake...)
/// get backoff.
polybolt_close_advice polybolt_close_meaning(std::uint16_t code);

} // namespace tdmaker
