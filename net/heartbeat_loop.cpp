#include "net/heartbeat_loop.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "net/clob_session.hpp"
#include "net/http_client.hpp"

namespace tdmaker {
namespace {

std::int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
    .count();
}

} // namespace

std::shared_ptr<heartbeat_loop> heartbeat_loop::make(std::shared_ptr<clob_session> session,
                                                     boost::asio::any_io_executor strand, heartbeat_options opts,
                                                     report_fn report) {
  return std::shared_ptr<heartbeat_loop>(
    new heartbeat_loop(std::move(session), std::move(strand), opts, std::move(report)));
}

heartbeat_loop::heartbeat_loop(std::shared_ptr<clob_session> session, boost::asio::any_io_executor strand,
                               heartbeat_options opts, report_fn report)
    : session_(std::move(session)),
      strand_(strand),
      opts_(opts),
      report_(std::move(report)),
      health_(opts.rules),
      beat_timer_(strand),
      check_timer_(strand) {}

void heartbeat_loop::start() {
  boost::asio::post(strand_, [self = shared_from_this()] {
    if (self->started_ || self->stopped_)
      return;
    self->started_ = true;
    spdlog::info("heartbeat: chain starting, a beat every {} ms (grace {} ms, venue timeout {} ms)",
                 self->opts_.interval.count(), self->opts_.rules.grace_ms, self->opts_.rules.venue_timeout_ms);
    self->report_(self->status());
    self->beat();
    self->check();
  });
}

void heartbeat_loop::stop() {
  boost::asio::post(strand_, [self = shared_from_this()] {
    self->stopped_ = true;
    self->beat_timer_.cancel();
    self->check_timer_.cancel();
  });
}

void heartbeat_loop::beat() {
  if (stopped_)
    return;
  health_.on_sent(steady_ms());
  auto self = shared_from_this();
  // Retried by the client only when the venue certainly did not take it (425,
  // 429): a beat it took whose reply was lost would come back "Invalid Heartbeat
  // ID". Other failures come back here, and the loop retries sooner.
  session_->l2("POST", "/v1/heartbeats", heartbeat_body(health_.next_id()), retry_rule::unprocessed_only,
               [self](http_response res) {
                 boost::asio::post(self->strand_, [self, res = std::move(res)] { self->on_reply(res); });
               });
}

void heartbeat_loop::on_reply(const http_response& res) {
  auto reply = parse_heartbeat_reply(res.status, res.body);
  auto change = health_.on_reply(reply, steady_ms());
  if (reply.kind == heartbeat_reply_kind::ok) {
    attempt_ = 0;
  } else if (attempt_ == 0 || change.state_changed) {
    spdlog::warn("heartbeat: beat failed: {}; retrying", reply.error);
  }
  apply(change);
  report_(status());
  if (reply.kind == heartbeat_reply_kind::ok)
    return after(opts_.interval);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  after(std::min(opts_.interval, backoff_delay(opts_.retry, attempt_++, unit(rng_))));
}

void heartbeat_loop::after(std::chrono::milliseconds delay) {
  if (stopped_)
    return;
  beat_timer_.expires_after(delay);
  beat_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (!ec)
      self->beat();
  });
}

void heartbeat_loop::check() {
  if (stopped_)
    return;
  auto change = health_.on_time(steady_ms());
  apply(change);
  if (change.state_changed || change.lapse)
    report_(status());
  check_timer_.expires_after(opts_.check_every);
  check_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (!ec)
      self->check();
  });
}

void heartbeat_loop::apply(heartbeat_change c) {
  if (c.lapse)
    spdlog::warn("heartbeat: chain lapsed: {}; a new chain starts", health_.reason());
  else if (c.state_changed && health_.healthy())
    spdlog::info("heartbeat: healthy (chain running)");
  else if (c.state_changed)
    spdlog::warn("heartbeat: {}: {}", to_string(health_.state()), health_.reason());
}

heartbeat_status heartbeat_loop::status() const {
  return {health_.state(), health_.reason(), health_.sent(), health_.failed(), health_.lapses()};
}

} // namespace tdmaker
