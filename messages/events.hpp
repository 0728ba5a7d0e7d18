#pragma once
// The typed event history's conversations (seed 004 EventBus, issue 18):
//   any actor that knows an event --event_input--> events  (fire-and-forget)
//   http GET /events --events_query--> events --event_page
//   http /events/stream bridge --events_subscribe--> events --event_page (the backlog, then each event)
// The history and its text are pure (core/event_history, core/event_stream).
#include <cstdint>
#include <string>

#include "core/event_history.hpp"
#include "core/event_stream.hpp"

namespace tdmaker {

/// One event for the history. `time_ms` is the sender's: its wall clock live,
/// a recorded receive time in a replay. `payload` is one JSON object or empty.
struct event_input {
  event_kind kind = event_kind::tick_sampled;
  std::int64_t time_ms = 0;
  std::string payload;
};
template <class Inspector>
auto inspect(Inspector& f, event_input& x) {
  return f(x.kind, x.time_ms, x.payload);
}

template <class Inspector>
auto inspect(Inspector& f, events_query& x) {
  return f(x.since, x.limit);
}

/// A stream consumer asks for what follows `since` (its Last-Event-ID), or
/// with `from_now` only for events still to come.
struct events_subscribe {
  std::uint64_t since = 0;
  bool from_now = false;
};
template <class Inspector>
auto inspect(Inspector& f, events_subscribe& x) {
  return f(x.since, x.from_now);
}

/// The subscriber limit (events.max_subscribers) was reached.
struct events_refused {
  std::string reason;
};
template <class Inspector>
auto inspect(Inspector& f, events_refused& x) {
  return f(x.reason);
}

/// A stream connection ended; `dropped`: the server closed it because its
/// consumer did not keep up (its send queue overflowed or a write timed out).
struct events_unsubscribe {
  bool dropped = false;
};
template <class Inspector>
auto inspect(Inspector& f, events_unsubscribe& x) {
  return f(x.dropped);
}

} // namespace tdmaker
