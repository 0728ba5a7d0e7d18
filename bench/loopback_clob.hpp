#pragma once
// A minimal CLOB on loopback for the capture wire bench: it answers the few
// requests the node's session makes (API key, open orders, order placement,
// cancels) and stamps, on the steady clock, the moment the first bytes of each
// POST /orders are readable on its socket. One thread per connection, blocking
// reads: it runs beside the node, never inside an actor.
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace tdmaker::bench {

class loopback_clob {
public:
  loopback_clob(); // listens on 127.0.0.1, an ephemeral port
  ~loopback_clob();
  loopback_clob(const loopback_clob&) = delete;
  loopback_clob& operator=(const loopback_clob&) = delete;

  std::uint16_t port() const { return port_; }
  /// POST /orders requests seen so far.
  std::uint64_t orders_posts() const { return posts_.load(); }
  /// Steady-clock ns of the first bytes of the last POST /orders (valid once orders_posts() moved).
  std::int64_t last_post_ns() const { return last_post_ns_.load(); }

private:
  void accept_loop();
  void serve(boost::asio::ip::tcp::socket& s); // the socket stays in sockets_: the destructor shuts it
  std::string answer(const std::string& method, const std::string& target, const std::string& body);

  boost::asio::io_context ctx_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> posts_{0};
  std::atomic<std::int64_t> last_post_ns_{0};
  std::atomic<std::uint64_t> order_seq_{0};
  std::thread acceptor_thread_;
  std::mutex conns_mutex_; // the bench's own server threads only; no actor touches it
  std::vector<std::thread> conns_;
  std::vector<std::shared_ptr<boost::asio::ip::tcp::socket>> sockets_;
};

} // namespace tdmaker::bench
