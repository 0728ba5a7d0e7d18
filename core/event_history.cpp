#include "core/event_history.hpp"

#include <algorithm>

namespace tdmaker {

namespace {
constexpr std::string_view kind_names[event_kind_count] = {
  "tick_sampled",     "candle_completed", "order_placed",      "order_filled",
  "order_rejected",   "feed_connected",   "feed_disconnected", "breaker_tripped",
  "safe_mode_entered", "safe_mode_left",  "phase_changed",
};
} // namespace

std::string_view to_string(event_kind k) {
  auto i = static_cast<std::size_t>(k);
  return i < event_kind_count ? kind_names[i] : std::string_view("unknown");
}

std::optional<event_kind> parse_event_kind(std::string_view name) {
  for (std::size_t i = 0; i < event_kind_count; ++i)
    if (kind_names[i] == name)
      return static_cast<event_kind>(i);
  return std::nullopt;
}

event_history::event_history(std::size_t capacity) : capacity_(std::max<std::size_t>(capacity, 1)) {}

const event_record& event_history::add(event_kind kind, std::int64_t time_ms, std::string payload) {
  if (ring_.size() == capacity_)
    ring_.pop_front();
  ring_.push_back({next_seq_++, kind, time_ms, std::move(payload)});
  auto i = static_cast<std::size_t>(kind);
  if (i < event_kind_count)
    ++totals_[i];
  return ring_.back();
}

event_page event_history::since(std::uint64_t since, std::size_t limit) const {
  event_page page;
  // A seq ahead of ours was handed out by an earlier run of the node: everything
  // held is news to that consumer, and what it had between is gone.
  if (since > last_seq()) {
    page.missed = true;
    since = 0;
  }
  // Held events are contiguous: the first one after `since` is at a known offset.
  const auto first = first_seq();
  if (since + 1 < first)
    page.missed = true;
  std::size_t start = since + 1 <= first ? 0 : static_cast<std::size_t>(since + 1 - first);
  page.next = since;
  for (std::size_t i = start; i < ring_.size() && page.events.size() < limit; ++i) {
    page.events.push_back(ring_[i]);
    page.next = ring_[i].seq;
  }
  return page;
}

bool sample_due(std::int64_t& last_ms, std::int64_t now_ms, std::int64_t every_ms) {
  if (last_ms >= 0 && now_ms >= last_ms && now_ms - last_ms < every_ms)
    return false;
  last_ms = now_ms;
  return true;
}

} // namespace tdmaker
