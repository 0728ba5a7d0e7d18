#pragma once
// The CLOB heartbeat chain on the I/O threads: `POST /v1/heartbeats` every
// `interval`, each beat carrying the id the previous reply returned
// (core/heartbeat_health decides healthy / unhealthy / lapse and the id). Once a
// chain runs, the venue cancels every order of the API key when it misses the
// beats for its timeout, so a SIGKILLed node leaves nothing resting. One beat is
// in flight at a time (the next needs its reply's id); a failed beat is retried
// sooner, with core/backoff. Everything runs on one strand; `report` is called
// there after every reply and every transition and must only send messages.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <random>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/backoff.hpp"
#include "core/heartbeat_health.hpp"
#include "messages/messages.hpp"

namespace tdmaker {

class clob_session;
struct http_response;

struct heartbeat_options {
  std::chrono::milliseconds interval{5'000}; // heartbeat.interval_ms
  heartbeat_rules rules;                     // heartbeat.grace_ms, heartbeat.venue_timeout_ms
  backoff_policy retry{std::chrono::milliseconds(250), std::chrono::milliseconds(1'000)};
  std::chrono::milliseconds check_every{250}; // grace and the venue's timeout are judged this often
};

class heartbeat_loop : public std::enable_shared_from_this<heartbeat_loop> {
public:
  using report_fn = std::function<void(heartbeat_status)>;
  /// `strand` serialises the loop (the CLOB client's executor: its replies run there too).
  static std::shared_ptr<heartbeat_loop> make(std::shared_ptr<clob_session> session, boost::asio::any_io_executor strand,
                                              heartbeat_options opts, report_fn report);
  /// Starts beating (after the API credentials exist: beats are L2-signed).
  void start();
  /// Stops sending; the venue's chain then lapses by itself.
  void stop();

private:
  heartbeat_loop(std::shared_ptr<clob_session> session, boost::asio::any_io_executor strand, heartbeat_options opts,
                 report_fn report);
  void beat();
  void on_reply(const http_response& res);
  void after(std::chrono::milliseconds delay);
  void check();
  void apply(heartbeat_change c);
  heartbeat_status status() const;

  std::shared_ptr<clob_session> session_;
  boost::asio::any_io_executor strand_;
  heartbeat_options opts_;
  report_fn report_;
  heartbeat_health health_;
  boost::asio::steady_timer beat_timer_;
  boost::asio::steady_timer check_timer_;
  std::uint32_t attempt_ = 0; // failed beats in a row (the retry's back-off)
  bool started_ = false;
  bool stopped_ = false;
  std::mt19937_64 rng_{std::random_device{}()};
};

} // namespace tdmaker
