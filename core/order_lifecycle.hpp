#pragma once
// Seed 003's OrderManager rules as pure functions over order records: what a
// venue answer means for an order, when a placement or a cancel has waited too
// long and must be checked on the venue, and how the ledger is reconciled with
// the venue's open orders at start. The order actor only applies them.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/backoff.hpp"
#include "core/records.hpp"

namespace tdmaker {

struct order_timeouts {
  std::int64_t placement_ms = 15'000; // no reply by then: ghost-order check
  std::int64_t cancel_ms = 30'000;    // cancel unconfirmed by then: venue check
  std::int64_t recheck_ms = 5'000;    // between look-ups of an unknown order
  backoff_policy follow{std::chrono::milliseconds(300), std::chrono::milliseconds(5'000)}; // delayed orders
  // A DELETE that failed (after the REST client's own retries): sent again this
  // soon, not left for cancel_ms, so an order its slot's end must empty is out in time.
  backoff_policy cancel_retry{std::chrono::milliseconds(1'000), std::chrono::milliseconds(8'000)};
};

/// "_placing_<n>": the placeholder's name until the venue has answered.
std::string placeholder_id(std::uint64_t seq);
bool is_placeholder(std::string_view client_id);

/// May still rest on the venue (so it must be cancelled before the slot ends).
bool is_open(order_state s);
bool is_terminal(order_state s);

/// The state a placement answer puts an order in: `status` is the venue's
/// `live`, `matched`, `delayed` or `unmatched`.
order_state state_after_ack(std::string_view status);

/// The state a venue look-up (OpenOrder status, `ORDER_STATUS_` removed) implies.
order_state state_from_venue(std::string_view status, shares matched, shares size);

/// Placement sent, no answer within `placement_ms`: check the venue for it.
bool placement_timed_out(const order_record& r, std::int64_t now_ms, const order_timeouts& t);
/// Unknown after a ghost check: look again every `recheck_ms`.
bool recheck_due(const order_record& r, std::int64_t now_ms, const order_timeouts& t);
/// A delayed order (taker delay) is looked up on the venue until it ends: the
/// first look-up soon after the reply, then further apart (`p`, attempt = the
/// look-ups made so far), so a long hold costs a bounded rate of requests.
bool follow_due(const order_record& r, std::int64_t now_ms, const backoff_policy& p, double unit_random);
/// Cancel sent, no confirmation within `cancel_ms`: look the order up.
bool cancel_expired(const order_record& r, std::int64_t now_ms, const order_timeouts& t);

/// Applies a state change and stamps it; returns false (unchanged) for a change
/// the lifecycle forbids: terminal states are final, except that a cancelled or
/// rejected order later reported matched becomes filled (the venue is the truth).
bool advance(order_record& r, order_state next, std::int64_t now_ms, std::string_view reason = {});

/// Startup reconciliation of the ledger's open orders with the venue's.
struct reconcile_plan {
  std::vector<std::string> adopt;          // open in both: keep managing it
  std::vector<std::string> cancel_orphans; // on the venue, unknown to the ledger
  std::vector<std::string> look_up;        // open in the ledger, not on the venue: find out what happened
};
reconcile_plan plan_reconciliation(const std::vector<order_record>& ledger,
                                   const std::vector<std::string>& venue_open_ids);

} // namespace tdmaker
