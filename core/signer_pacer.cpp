#include "core/signer_pacer.hpp"

#include <algorithm>

namespace tdmaker {

std::string_view to_string(signer_kind k) {
  switch (k) {
    case signer_kind::order: return "order";
    case signer_kind::cancel: return "cancel";
    default: return "none";
  }
}

signer_pacer::signer_pacer(signer_pacer_options o, std::int64_t now_ms)
    : opts_(o), order_(o.order, now_ms), cancel_(o.cancel, now_ms) {}

signer_pacer::ticket signer_pacer::enqueue(signer_kind kind, std::int64_t cost, pace_priority prio,
                                           std::int64_t now_ms) {
  auto t = next_++;
  queue_.emplace(t, waiter{kind, cost, prio, now_ms});
  return t;
}

std::int64_t signer_pacer::ahead_of(ticket t, const waiter& w) const {
  std::int64_t ahead = 0;
  for (auto& [other, o] : queue_)
    if (other != t && o.kind == w.kind && (o.prio < w.prio || (o.prio == w.prio && other < t)))
      ahead += o.cost;
  return ahead;
}

pace_decision signer_pacer::poll(ticket t, std::int64_t now_ms) {
  auto it = queue_.find(t);
  if (it == queue_.end())
    return {pace_verdict::drop, 0};
  auto& w = it->second;
  auto& b = bucket(w.kind);
  auto leave = [&](pace_verdict v) {
    queue_.erase(it);
    return pace_decision{v, 0};
  };
  if (w.cost > b.limits().burst)
    return leave(pace_verdict::over_burst); // refused whole by the venue, every time
  auto wait = std::max<std::int64_t>(0, blocked(w.kind) - now_ms);
  if (wait == 0) {
    // Tokens for everyone served first, and for a buy the exits' reserve too.
    auto reserve = w.prio == pace_priority::entry ? opts_.exit_reserve : 0;
    auto need = w.cost + ahead_of(t, w) + reserve;
    auto fit = std::min(need, b.limits().burst);
    wait = b.wait_for(now_ms, fit);
    if (wait == 0 && need > fit) // the rest drains at the refill rate
      wait = std::max<std::int64_t>(1, (need - fit) * b.limits().period_ms / std::max<std::int64_t>(1, b.limits().rate));
    if (wait == 0) {
      b.try_take(now_ms, w.cost);
      return leave(pace_verdict::go);
    }
  }
  if (w.prio == pace_priority::entry && now_ms - w.since_ms >= opts_.entry_max_wait_ms) {
    ++dropped_;
    return leave(pace_verdict::drop);
  }
  if (!w.counted_delayed) {
    w.counted_delayed = true;
    ++delayed_;
  }
  return {pace_verdict::wait, std::max<std::int64_t>(1, wait)};
}

void signer_pacer::cancel(ticket t) {
  if (queue_.erase(t) > 0)
    ++dropped_;
}

void signer_pacer::observe(signer_kind kind, const signer_limit_headers& h, std::int64_t now_ms) {
  if (kind == signer_kind::none)
    return;
  if (!h.tier.empty())
    tier_ = h.tier;
  // Only ever lowered: a higher figure may predate requests still in flight.
  if (h.remaining)
    bucket(kind).cap_at(now_ms, *h.remaining);
}

void signer_pacer::throttled(signer_kind kind, std::int64_t retry_after_ms, std::int64_t now_ms) {
  if (kind == signer_kind::none)
    return;
  // No Retry-After: the venue's shortest sensible wait, one token's refill, at least 1 s.
  auto until = now_ms + std::max<std::int64_t>(retry_after_ms, retry_after_ms > 0 ? 0 : 1000);
  blocked(kind) = std::max(blocked(kind), until);
  bucket(kind).cap_at(now_ms, 0);
}

std::int64_t signer_pacer::tokens(signer_kind kind, std::int64_t now_ms) {
  return kind == signer_kind::none ? 0 : bucket(kind).tokens(now_ms);
}

} // namespace tdmaker
