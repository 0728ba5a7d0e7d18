#pragma once
// A venue WebSocket connection that keeps what a channel sent and how it was
// closed, so the venue's channels can be driven without sockets (unit tests and
// the venue_ws fuzz target).
#include <cstdint>
#include <string>
#include <vector>

#include "venue/ws_feeds.hpp"

namespace tdmaker::venue {

struct recording_session : ws_session {
  std::vector<std::string> sent;
  bool closed = false;
  std::uint16_t code = 0;
  std::string reason;
  void send(std::string text) override { sent.push_back(std::move(text)); }
  void send_after(std::string text, std::int64_t) override { sent.push_back(std::move(text)); }
  void close(std::uint16_t c, std::string r) override {
    closed = true;
    code = c;
    reason = std::move(r);
  }
  void drop() override { closed = true; }
  bool open() const override { return !closed; }
};

} // namespace tdmaker::venue
