#include "core/polybolt_sequencer.hpp"

#include <algorithm>

namespace tdmaker {

// ------------------------------------------------------------------ sequencer

seq_step polybolt_sequencer::observe(std::uint64_t seq, std::uint64_t dropped, bool snapshot) {
  const bool rebase = snapshot && pending_ > 0;
  if (has_last_ && seq <= last_ && !rebase) {
    ++counters_.duplicates;
    return {seq_verdict::duplicate, false, 0};
  }
  // The first envelope of a connection is expected at 1 [unconfirmed: the captures
  // start there]; 0 is taken as a base too rather than refused.
  const std::uint64_t expected = has_last_ ? last_ + 1 : 1;
  const std::uint64_t skipped = seq > expected ? seq - expected : 0;
  const std::uint64_t lost = skipped + dropped;
  const bool covered = pending_ > 0 && seen_ == 0;
  has_last_ = true;
  last_ = seq;
  if (rebase && ++seen_ == pending_)
    pending_ = seen_ = 0;
  ++counters_.accepted;
  if (lost == 0)
    return {seq_verdict::accept, false, 0};
  ++counters_.gaps;
  counters_.lost += lost;
  return {seq_verdict::gap, !covered, lost};
}

void polybolt_sequencer::expect_snapshots(std::size_t pairs) {
  pending_ = pairs;
  seen_ = 0;
}

void polybolt_sequencer::resubscribed(std::size_t pairs) {
  ++counters_.resubscribes;
  expect_snapshots(pairs);
}

void polybolt_sequencer::reset() {
  has_last_ = false;
  last_ = 0;
  pending_ = seen_ = 0;
}

std::optional<std::uint64_t> polybolt_sequencer::last_seq() const {
  if (!has_last_)
    return std::nullopt;
  return last_;
}

// ------------------------------------------------------------------ pacer

subscribe_pacer::subscribe_pacer(pacer_limits lim) : lim_(lim) {}

void subscribe_pacer::forget_old(std::int64_t now_ms) {
  // A frame sent at t counts against [t, t + window).
  auto keep = std::find_if(sent_at_.begin(), sent_at_.end(),
                           [&](std::int64_t t) { return t + lim_.window_ms > now_ms; });
  sent_at_.erase(sent_at_.begin(), keep);
}

bool subscribe_pacer::take_budget(std::int64_t now_ms) {
  if (sent_at_.size() >= lim_.max_frames)
    return false;
  sent_at_.push_back(now_ms);
  ++frames_sent_;
  return true;
}

pacer_step subscribe_pacer::step(std::span<const polybolt_subscription> wanted_list, std::int64_t now_ms) {
  forget_old(now_ms);
  const std::set<polybolt_subscription> wanted(wanted_list.begin(), wanted_list.end());
  pacer_step out;
  bool waiting = false;

  pacer_frame unsub{false, {}};
  for (auto& p : active_)
    if (!wanted.count(p) || resubscribe_.count(p))
      unsub.pairs.push_back(p);
  if (!unsub.pairs.empty()) {
    if (take_budget(now_ms)) {
      for (auto& p : unsub.pairs) {
        active_.erase(p);
        resubscribe_.erase(p);
      }
      out.frames.push_back(std::move(unsub));
    } else {
      waiting = true;
    }
  }

  // Pairs already held keep their place; new ones fill the room left, in order.
  pacer_frame sub{true, {}};
  std::size_t room = lim_.max_subscriptions > active_.size() ? lim_.max_subscriptions - active_.size() : 0;
  for (auto& p : wanted) {
    if (active_.count(p))
      continue;
    if (room > 0) {
      sub.pairs.push_back(p);
      --room;
    } else {
      out.over_limit.push_back(p);
    }
  }
  if (!sub.pairs.empty()) {
    if (take_budget(now_ms)) {
      active_.insert(sub.pairs.begin(), sub.pairs.end());
      out.frames.push_back(std::move(sub));
    } else {
      waiting = true;
    }
  }
  if (waiting) {
    ++deferred_;
    out.wake_at_ms = sent_at_.front() + lim_.window_ms;
  }
  return out;
}

void subscribe_pacer::resubscribe_channel(polybolt_channel c) {
  for (auto& p : active_)
    if (p.channel == c)
      resubscribe_.insert(p);
}

void subscribe_pacer::reset() {
  active_.clear();
  resubscribe_.clear();
  sent_at_.clear();
}

std::size_t subscribe_pacer::active_on(polybolt_channel c) const {
  return static_cast<std::size_t>(
      std::count_if(active_.begin(), active_.end(), [&](const auto& p) { return p.channel == c; }));
}

std::size_t subscribe_pacer::frames_in_window(std::int64_t now_ms) const {
  return static_cast<std::size_t>(std::count_if(sent_at_.begin(), sent_at_.end(), [&](std::int64_t t) {
    return t <= now_ms && t + lim_.window_ms > now_ms;
  }));
}

// ------------------------------------------------------------------ close codes

polybolt_close_advice polybolt_close_meaning(std::uint16_t code) {
  using R = polybolt_reconnect;
  using C = polybolt_credentials;
  switch (code) {
  case polybolt_close_auth_failed:
    // A presented credential failed: the same key fails again, so derive it anew
    // and back off [unconfirmed: the contract names the cause, not the remedy].
    return {code, "authentication failed on a presented credential", R::backoff, 0, 0, C::refresh, false};
  case polybolt_close_slow_consumer:
    // The credentials are fine; the client fell behind or missed two pongs
    // [unconfirmed: reconnect policy ours].
    return {code, "slow consumer or pong timeout", R::backoff, 0, 0, C::reuse, false};
  case polybolt_close_draining:
    return {code, "server draining: reconnect once after a uniform 0 to 10 s delay", R::once_soon, 0, 10'000,
            C::reuse, true};
  case polybolt_close_policy:
    return {code, "policy violation (a limit or a malformed request): fix the client, do not reconnect blindly",
            R::never, 0, 0, C::reuse, true};
  default:
    return {code, "not a PolyBolt close code (1006: the handshake failed)", R::backoff, 0, 0, C::reuse, false};
  }
}

} // namespace tdmaker
