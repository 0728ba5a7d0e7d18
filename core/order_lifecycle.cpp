#include "core/order_lifecycle.hpp"

#include <set>

#include "core/backoff.hpp"

namespace tdmaker {

std::string placeholder_id(std::uint64_t seq) { return "_placing_" + std::to_string(seq); }

bool is_placeholder(std::string_view client_id) { return client_id.starts_with("_placing_"); }

bool is_open(order_state s) {
  switch (s) {
    case order_state::placing:
    case order_state::live:
    case order_state::partially_filled:
    case order_state::cancel_pending:
    case order_state::unknown:
    case order_state::delayed:
      return true;
    default:
      return false;
  }
}

bool is_terminal(order_state s) { return !is_open(s); }

order_state state_after_ack(std::string_view status) {
  if (status == "matched")
    return order_state::filled;
  // A marketable order held by a taker delay, or whose delay failed: no fill is
  // known yet, so none is booked; the venue's order record settles where it ends.
  if (status == "delayed" || status == "unmatched")
    return order_state::delayed;
  return order_state::live; // live, ""
}

order_state state_from_venue(std::string_view status, shares matched, shares size) {
  if (status.starts_with("DELAYED"))
    return order_state::delayed; // still held: no match yet
  if (status.starts_with("LIVE"))
    return matched.micros > 0 ? order_state::partially_filled : order_state::live;
  if (status.starts_with("MATCHED"))
    return order_state::filled;
  if (status.starts_with("CANCELED") || status.starts_with("UNMATCHED"))
    return matched.micros > 0 && matched >= size ? order_state::filled : order_state::cancelled;
  if (status.starts_with("INVALID"))
    return order_state::rejected;
  return order_state::unknown;
}

bool placement_timed_out(const order_record& r, std::int64_t now_ms, const order_timeouts& t) {
  return r.state == order_state::placing && now_ms - r.created_ms >= t.placement_ms;
}

bool recheck_due(const order_record& r, std::int64_t now_ms, const order_timeouts& t) {
  return r.state == order_state::unknown && now_ms - r.updated_ms >= t.recheck_ms;
}

bool follow_due(const order_record& r, std::int64_t now_ms, const backoff_policy& p, double unit_random) {
  if (r.state != order_state::delayed)
    return false;
  auto wait = backoff_delay(p, r.checks, unit_random).count();
  return now_ms - r.updated_ms >= wait;
}

bool cancel_expired(const order_record& r, std::int64_t now_ms, const order_timeouts& t) {
  return r.state == order_state::cancel_pending && now_ms - r.cancel_requested_ms >= t.cancel_ms;
}

bool advance(order_record& r, order_state next, std::int64_t now_ms, std::string_view reason) {
  if (is_terminal(r.state)) {
    bool late_fill = next == order_state::filled
                     && (r.state == order_state::cancelled || r.state == order_state::rejected);
    if (!late_fill)
      return false;
  }
  if (next == order_state::placing && r.state != order_state::placing)
    return false; // a placeholder is only ever the first state
  if (next == order_state::cancel_pending && r.state != order_state::cancel_pending)
    r.cancel_requested_ms = now_ms;
  r.state = next;
  r.updated_ms = now_ms;
  if (!reason.empty())
    r.reason = std::string(reason);
  return true;
}

reconcile_plan plan_reconciliation(const std::vector<order_record>& ledger,
                                   const std::vector<std::string>& venue_open_ids) {
  reconcile_plan plan;
  std::set<std::string_view> venue(venue_open_ids.begin(), venue_open_ids.end());
  std::set<std::string_view> known;
  for (auto& r : ledger) {
    known.insert(r.order_id);
    if (!is_open(r.state))
      continue;
    if (venue.count(r.order_id))
      plan.adopt.push_back(r.order_id);
    else
      plan.look_up.push_back(r.order_id);
  }
  for (auto& id : venue_open_ids)
    if (!known.count(id))
      plan.cancel_orphans.push_back(id);
  // A ledger order the venue still shows although the ledger says it is done
  // (e.g. a cancel that was confirmed, then the venue restarted): cancel it too.
  for (auto& r : ledger)
    if (!is_open(r.state) && venue.count(r.order_id))
      plan.cancel_orphans.push_back(r.order_id);
  return plan;
}

} // namespace tdmaker
