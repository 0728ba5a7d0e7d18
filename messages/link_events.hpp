#pragma once
// Enums of the exchange link that travel in messages (ws_state, placement_result):
// here, below net/ and messages/ alike, so a message names its enum's type
// instead of carrying a bare integer.
#include <cstdint>
#include <string_view>

namespace tdmaker {

/// A WebSocket client's connection event.
enum class ws_event : std::uint8_t {
  connected, // handshake and subscribe sent
  healthy,   // first data frame on this connection
  failed,    // connect/handshake failed, or closed before any data
  closed,    // a healthy connection ended (drop, venue close)
  stale,     // no data for the stale limit: closing to reconnect
  oversize,  // a message over the client's size limit: refused, closing to reconnect
};

constexpr std::string_view to_string(ws_event e) {
  switch (e) {
    case ws_event::connected: return "connected";
    case ws_event::healthy: return "healthy";
    case ws_event::failed: return "failed";
    case ws_event::closed: return "closed";
    case ws_event::stale: return "stale";
    case ws_event::oversize: return "oversize";
  }
  return "?";
}

/// What became of one order of a placement request; `unknown`: no clear answer
/// even after the ghost-order check.
enum class place_verdict : std::uint8_t { placed, rejected, unknown };

constexpr std::string_view to_string(place_verdict v) {
  switch (v) {
    case place_verdict::placed: return "placed";
    case place_verdict::rejected: return "rejected";
    case place_verdict::unknown: return "unknown";
  }
  return "?";
}

} // namespace tdmaker
