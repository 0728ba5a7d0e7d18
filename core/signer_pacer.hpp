#pragma once
// The node's own pacing against Polymarket's per-signer buckets (protocol ref
// §6): a model of the order and cancel buckets, kept honest by the venue's
// Poly-RateLimit-Remaining (only ever lowered by it) and Retry-After (nothing of
// that bucket goes out before it), and a priority rule for who gets a token:
//   cancel  > stop-loss exit > new buy
// Cancels have their own bucket. In the order bucket a waiting exit is served
// before any buy, and a buy never takes the last `exit_reserve` tokens, so an
// exit is never delayed by buys; a buy that waited `entry_max_wait_ms` is dropped
// (a stale bid is worth less than the tokens). Pure: the caller passes the time.
#include <cstdint>
#include <map>
#include <string>

#include "core/token_bucket.hpp"
#include "core/signer_limit_headers.hpp"

namespace tdmaker {

enum class signer_kind : std::uint8_t { none, order, cancel };
enum class pace_priority : std::uint8_t { cancel = 0, exit = 1, entry = 2 };
std::string_view to_string(signer_kind k);

struct signer_pacer_options {
  bucket_limits order{40, 60, false};   // Standard tier
  bucket_limits cancel{80, 120, false};
  std::int64_t exit_reserve = 10;              // order tokens a new buy never takes
  std::int64_t entry_max_wait_ms = 3000;       // a new buy waiting longer is dropped
};

enum class pace_verdict : std::uint8_t { go, wait, drop, over_burst };
struct pace_decision {
  pace_verdict verdict = pace_verdict::go;
  std::int64_t wait_ms = 0; // with `wait`: ask again after at most this
};

class signer_pacer {
public:
  using ticket = std::uint64_t;
  explicit signer_pacer(signer_pacer_options o = {}, std::int64_t now_ms = 0);

  /// A request that wants `cost` tokens of `kind` joins the queue.
  ticket enqueue(signer_kind kind, std::int64_t cost, pace_priority prio, std::int64_t now_ms);
  /// May it go now? `go`, `drop` and `over_burst` leave the queue (go takes the tokens).
  pace_decision poll(ticket t, std::int64_t now_ms);
  /// The caller gives up on `t` (a deadline passed): it leaves the queue, counted as dropped.
  void cancel(ticket t);
  /// The venue's headers on a reply of `kind`: the model is lowered to Remaining.
  void observe(signer_kind kind, const signer_limit_headers& h, std::int64_t now_ms);
  /// A 429 of `kind`: nothing of it before `retry_after_ms` from now.
  void throttled(signer_kind kind, std::int64_t retry_after_ms, std::int64_t now_ms);

  std::int64_t tokens(signer_kind kind, std::int64_t now_ms);
  std::uint64_t delayed() const { return delayed_; }
  std::uint64_t dropped() const { return dropped_; }
  std::size_t waiting() const { return queue_.size(); }
  const std::string& tier() const { return tier_; }

private:
  struct waiter {
    signer_kind kind;
    std::int64_t cost;
    pace_priority prio;
    std::int64_t since_ms;
    bool counted_delayed = false;
  };
  token_bucket& bucket(signer_kind k) { return k == signer_kind::cancel ? cancel_ : order_; }
  std::int64_t& blocked(signer_kind k) { return k == signer_kind::cancel ? cancel_blocked_ : order_blocked_; }
  /// Tokens that waiters served before `t` still need.
  std::int64_t ahead_of(ticket t, const waiter& w) const;

  signer_pacer_options opts_;
  token_bucket order_, cancel_;
  std::int64_t order_blocked_ = 0, cancel_blocked_ = 0; // Unix ms
  std::map<ticket, waiter> queue_;                       // by arrival
  ticket next_ = 1;
  std::uint64_t delayed_ = 0, dropped_ = 0;
  std::string tier_;
};

} // namespace tdmaker
