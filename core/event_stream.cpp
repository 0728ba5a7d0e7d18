#include "core/event_stream.hpp"

#include <charconv>

#include "core/json_write.hpp"

namespace tdmaker {

result<std::uint64_t> parse_event_seq(std::string_view text) {
  if (text.empty() || text.size() > 20)
    return fail("expected a sequence number (decimal digits), got " + std::to_string(text.size()) + " bytes");
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size())
    return fail("expected a sequence number (decimal digits)");
  return v;
}

result<events_query> parse_events_query(std::string_view query, std::size_t max_limit) {
  events_query q;
  bool seen_since = false, seen_limit = false;
  while (!query.empty()) {
    auto amp = query.find('&');
    auto kv = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (kv.empty())
      continue;
    auto eq = kv.find('=');
    auto key = kv.substr(0, eq);
    auto value = eq == std::string_view::npos ? std::string_view() : kv.substr(eq + 1);
    if (key == "since") {
      if (seen_since)
        return fail("since: given twice");
      auto v = parse_event_seq(value);
      if (!v)
        return fail("since: " + v.error());
      q.since = *v;
      seen_since = true;
    } else if (key == "limit") {
      if (seen_limit)
        return fail("limit: given twice");
      auto v = parse_event_seq(value);
      if (!v || *v < 1 || *v > max_limit)
        return fail("limit: expected an integer in [1, " + std::to_string(max_limit) + "]");
      q.limit = static_cast<std::size_t>(*v);
      seen_limit = true;
    } else {
      return fail("unknown query parameter (expected since, limit)");
    }
  }
  return q;
}

namespace {
void write_event(json::object_writer& w, const event_record& e) {
  w.num("seq", e.seq).str("kind", to_string(e.kind)).num("time_ms", e.time_ms);
  if (e.payload.empty())
    w.open("data").close();
  else
    w.raw("data", e.payload);
}
} // namespace

std::string event_json(const event_record& e) {
  json::object_writer w;
  write_event(w, e);
  return w.take();
}

std::string event_page_json(const event_page& p) {
  json::object_writer w;
  w.open_array("events");
  for (const auto& e : p.events) {
    w.open();
    write_event(w, e);
    w.close();
  }
  w.close_array();
  w.num("next", p.next).flag("missed", p.missed);
  return w.take();
}

std::string sse_frame(const event_record& e) {
  // event_json has no line break (the writer escapes them inside strings), so
  // the whole event is one data line.
  std::string out = "id: " + std::to_string(e.seq) + "\nevent: ";
  out += to_string(e.kind);
  out += "\ndata: ";
  out += event_json(e);
  out += "\n\n";
  return out;
}

std::string sse_missed_frame(std::uint64_t asked_after, std::uint64_t first_held) {
  json::object_writer w;
  w.num("asked_after", asked_after).num("first_held", first_held);
  return "event: missed\ndata: " + w.take() + "\n\n";
}

} // namespace tdmaker
