#pragma once
// The one accept loop of every HTTP server here (the node's, and the venue's test
// listeners): it owns a bound acceptor on a single-threaded io_context and
//  - backs off on accept errors (EMFILE, ENFILE, ENOBUFS, ENOMEM, ...) with
//    core/backoff instead of retrying at once: a listening socket with a queued
//    connection stays readable, so an immediate retry spins a core while the fds
//    are gone (issue 14, defect 4);
//  - caps the connections it has handed out; past the cap it admits a few "probe"
//    connections (one monitoring request each, the server decides which) and
//    answers the rest with 503 "too many connections" before closing them;
//  - logs once when a burst of errors or refusals starts and once when it ends.
// Only Boost.Asio and core/: the venue links it without the node's actor layer.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/backoff.hpp"

namespace tdmaker::net {

using tcp = boost::asio::ip::tcp;

/// Figures of one listener; read from any thread (the /metrics renderer).
struct accept_counters {
  std::atomic<std::uint64_t> accept_errors{0}; // accept() calls that failed
  std::atomic<std::uint64_t> refused{0};       // connections answered 503 "too many connections"
  std::atomic<std::int64_t> open{0};           // connections holding a slot (at most max_connections)
  std::atomic<std::int64_t> probes_open{0};    // probe connections past the cap
};

/// Held by a connection for its whole life; the cap counts the holders. Moving
/// it hands the count on; destroying it (on any thread) gives the slot back.
class connection_slot {
public:
  connection_slot() = default;
  connection_slot(std::shared_ptr<accept_counters> c, std::atomic<std::int64_t>* gauge);
  connection_slot(connection_slot&& o) noexcept;
  connection_slot& operator=(connection_slot&& o) noexcept;
  connection_slot(const connection_slot&) = delete;
  connection_slot& operator=(const connection_slot&) = delete;
  ~connection_slot();

private:
  void release();
  std::shared_ptr<accept_counters> counters_; // keeps the gauge alive past the listener
  std::atomic<std::int64_t>* gauge_ = nullptr;
};

/// What the loop admitted a connection as.
enum class admission : std::uint8_t {
  normal, // under the cap: serve it as usual
  probe,  // past the cap: serve one monitoring request (/health), refuse the rest
};

struct accept_options {
  std::string name = "http";          // in log lines: "<name>: accept failed: ..."
  std::size_t max_connections = 64;   // connections served at once
  std::size_t probe_slots = 0;        // probe connections allowed past the cap (0: refuse at once)
  backoff_policy error_backoff{std::chrono::milliseconds(10), std::chrono::milliseconds(1000)};
  std::string server_header = "tdmaker";
  std::string cap_setting = "http.max_connections"; // named in the cap log line
  /// Log sink: `warning` true for the start of a burst, false for its end.
  std::function<void(bool warning, const std::string& line)> log;
};

class accept_loop : public std::enable_shared_from_this<accept_loop> {
public:
  using on_connection = std::function<void(tcp::socket, connection_slot, admission)>;

  /// `bound` is an open, bound, listening acceptor; its executor runs every handler.
  static std::shared_ptr<accept_loop> create(tcp::acceptor bound, accept_options opts, on_connection cb);

  void start();
  /// Closes the acceptor and cancels a pending back-off; open connections stay.
  void stop();
  const std::shared_ptr<accept_counters>& counters() const { return counters_; }
  std::size_t max_connections() const { return opts_.max_connections; }
  /// Answers 503 "too many connections" on `s`, closes it and counts it.
  void refuse(tcp::socket s);

private:
  accept_loop(tcp::acceptor bound, accept_options opts, on_connection cb);
  void accept();
  void on_accepted(tcp::socket s);
  void on_error(const boost::system::error_code& ec);
  void note_accept_ok();
  void log(bool warning, const std::string& line) const;

  tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_;
  accept_options opts_;
  on_connection on_conn_;
  std::shared_ptr<accept_counters> counters_ = std::make_shared<accept_counters>();
  std::mt19937_64 rng_{std::random_device{}()};
  // Back-off step: consecutive failed accepts (a success resets it).
  std::uint32_t attempt_ = 0;
  // A burst, for the log: it starts with the first error (or refusal) and ends at
  // the first success `quiet` after the last one, so a resource that flaps at the
  // edge logs two lines per episode, not two per second.
  struct burst {
    std::uint64_t count = 0; // 0: not in a burst
    std::chrono::steady_clock::time_point start{}, last{};
  };
  static constexpr std::chrono::seconds quiet{5};
  burst errors_, refusals_;
};

/// Shuts down the sending side of `s`, reads and drops what the peer still sends
/// (bounded: 1 s, 1 MiB), then closes. Closing with unread bytes makes the kernel
/// send RST, which can destroy the error reply before the client reads it (a 413
/// sent while the body is still arriving). `slot` stays held until the close.
void drain_and_close(tcp::socket s, connection_slot slot = {});

} // namespace tdmaker::net
