#pragma once
// WebSocket server on the venue's io_context. Each connection is a session with
// a write queue; a channel object (market, user, RTDS) decides what a text frame
// means and what to send. Single-threaded like the rest of the venue.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

namespace tdmaker::venue {

class ws_session;
using ws_session_ptr = std::shared_ptr<ws_session>;

/// What a channel sees of a connection.
class ws_session : public std::enable_shared_from_this<ws_session> {
public:
  virtual ~ws_session() = default;
  virtual void send(std::string text) = 0;
  /// Sends after `delay_ms` (fault injection: late events), keeping the session alive.
  virtual void send_after(std::string text, std::int64_t delay_ms) = 0;
  /// Closes with a WebSocket close code and reason (e.g. 1008 "no ping received").
  virtual void close(std::uint16_t code, std::string reason) = 0;
  /// Drops the TCP connection without a close handshake (fault injection).
  virtual void drop() = 0;
  virtual bool open() const = 0;
  std::uint64_t id = 0;
  std::string path;
  bool stalled = false; // fault injection: stays open, sends nothing
};

struct ws_channel {
  virtual ~ws_channel() = default;
  virtual void on_open(const ws_session_ptr& s) = 0;
  virtual void on_text(const ws_session_ptr& s, std::string_view text) = 0;
  virtual void on_close(const ws_session_ptr& s) = 0;
};

class ws_listener {
public:
  /// Clients send the venue only subscription frames (a few KB); a larger message
  /// is refused by the socket (close 1009) before any channel sees it.
  static constexpr std::size_t default_max_message_bytes = 1u << 20;

  /// `route` picks the channel for a request path; null refuses the upgrade.
  ws_listener(boost::asio::io_context& ioc, std::function<ws_channel*(const std::string& path)> route,
              std::size_t max_message_bytes = default_max_message_bytes);
  ~ws_listener();
  std::uint16_t listen(const std::string& host, std::uint16_t port);
  void stop();

private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

} // namespace tdmaker::venue
