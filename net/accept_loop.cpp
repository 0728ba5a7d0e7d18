#include "net/accept_loop.hpp"

#include <array>

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

namespace tdmaker::net {

namespace asio = boost::asio;

connection_slot::connection_slot(std::shared_ptr<accept_counters> c, std::atomic<std::int64_t>* gauge)
    : counters_(std::move(c)), gauge_(gauge) {
  gauge_->fetch_add(1);
}

connection_slot::connection_slot(connection_slot&& o) noexcept
    : counters_(std::move(o.counters_)), gauge_(o.gauge_) {
  o.gauge_ = nullptr;
}

connection_slot& connection_slot::operator=(connection_slot&& o) noexcept {
  if (this != &o) {
    release();
    counters_ = std::move(o.counters_);
    gauge_ = o.gauge_;
    o.gauge_ = nullptr;
  }
  return *this;
}

connection_slot::~connection_slot() { release(); }

void connection_slot::release() {
  if (gauge_)
    gauge_->fetch_sub(1);
  gauge_ = nullptr;
  counters_.reset();
}

std::shared_ptr<accept_loop> accept_loop::create(tcp::acceptor bound, accept_options opts, on_connection cb) {
  return std::shared_ptr<accept_loop>(new accept_loop(std::move(bound), std::move(opts), std::move(cb)));
}

accept_loop::accept_loop(tcp::acceptor bound, accept_options opts, on_connection cb)
    : acceptor_(std::move(bound)), retry_(acceptor_.get_executor()), opts_(std::move(opts)),
      on_conn_(std::move(cb)) {}

void accept_loop::start() { accept(); }

void accept_loop::stop() {
  boost::system::error_code ec;
  acceptor_.close(ec);
  retry_.cancel();
}

void accept_loop::log(bool warning, const std::string& line) const {
  if (opts_.log)
    opts_.log(warning, line);
}

void accept_loop::accept() {
  acceptor_.async_accept([self = shared_from_this()](boost::system::error_code ec, tcp::socket s) {
    if (ec == asio::error::operation_aborted || !self->acceptor_.is_open())
      return;
    if (ec)
      return self->on_error(ec);
    self->note_accept_ok();
    self->on_accepted(std::move(s));
    self->accept();
  });
}

// Every accept error waits before the next try: the ones that reach here are about
// the process or the host (fds, buffers, memory), and none gets better by retrying
// within the same microsecond. The wait grows per consecutive error, capped.
void accept_loop::on_error(const boost::system::error_code& ec) {
  counters_->accept_errors.fetch_add(1);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  auto delay = backoff_delay(opts_.error_backoff, attempt_++, unit(rng_));
  auto now = std::chrono::steady_clock::now();
  errors_.last = now;
  if (errors_.count++ == 0) {
    errors_.start = now;
    log(true, opts_.name + ": accept failed: " + ec.message() + " (" + std::to_string(ec.value()) + "); "
                  + std::to_string(counters_->open.load()) + " connections open; retrying with back-off from "
                  + std::to_string(delay.count()) + " ms up to "
                  + std::to_string(opts_.error_backoff.max.count()) + " ms");
  }
  retry_.expires_after(delay);
  retry_.async_wait([self = shared_from_this()](boost::system::error_code wec) {
    if (!wec && self->acceptor_.is_open())
      self->accept();
  });
}

void accept_loop::note_accept_ok() {
  attempt_ = 0;
  auto now = std::chrono::steady_clock::now();
  if (errors_.count == 0 || now - errors_.last < quiet)
    return;
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(errors_.last - errors_.start);
  log(false, opts_.name + ": accepting again after " + std::to_string(errors_.count) + " failed accepts in "
                 + std::to_string(ms.count()) + " ms");
  errors_ = {};
}

void accept_loop::on_accepted(tcp::socket s) {
  auto open = static_cast<std::size_t>(counters_->open.load());
  auto now = std::chrono::steady_clock::now();
  if (open < opts_.max_connections) {
    if (refusals_.count > 0 && now - refusals_.last >= quiet) {
      log(false, opts_.name + ": below the connection cap again after " + std::to_string(refusals_.count)
                     + " connections past it");
      refusals_ = {};
    }
    return on_conn_(std::move(s), connection_slot(counters_, &counters_->open), admission::normal);
  }
  if (refusals_.count++ == 0) {
    refusals_.start = now;
    log(true, opts_.name + ": connection cap reached (" + std::to_string(opts_.max_connections)
                  + " open, " + opts_.cap_setting + "); new connections get 503 too many connections"
                  + (opts_.probe_slots ? " except monitoring requests" : ""));
  }
  refusals_.last = now;
  if (static_cast<std::size_t>(counters_->probes_open.load()) < opts_.probe_slots)
    return on_conn_(std::move(s), connection_slot(counters_, &counters_->probes_open), admission::probe);
  refuse(std::move(s));
}

namespace {

// One refused or closing connection: the reply (if any) is written, the send side
// shut, and the rest of what the peer sends read and dropped until EOF or the deadline.
struct drainer : std::enable_shared_from_this<drainer> {
  drainer(tcp::socket s, connection_slot sl, std::string r)
      : sock(std::move(s)), timer(sock.get_executor()), slot(std::move(sl)), reply(std::move(r)) {}

  void start() {
    timer.expires_after(std::chrono::seconds(1));
    timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec)
        self->finish();
    });
    if (reply.empty())
      return shut_and_read();
    asio::async_write(sock, asio::buffer(reply), [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
      if (ec)
        return self->finish();
      self->shut_and_read();
    });
  }

  void shut_and_read() {
    boost::system::error_code ec;
    sock.shutdown(tcp::socket::shutdown_send, ec);
    read();
  }

  void read() {
    sock.async_read_some(asio::buffer(buf), [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
      self->drained += n;
      if (ec || self->drained > (1u << 20))
        return self->finish();
      self->read();
    });
  }

  void finish() {
    boost::system::error_code ec;
    timer.cancel();
    sock.close(ec);
  }

  tcp::socket sock;
  asio::steady_timer timer;
  connection_slot slot;
  std::string reply;
  std::array<char, 4096> buf{};
  std::size_t drained = 0;
};

} // namespace

void accept_loop::refuse(tcp::socket s) {
  counters_->refused.fetch_add(1);
  const std::string body = R"({"error":"too many connections"})";
  auto reply = "HTTP/1.1 503 Service Unavailable\r\nServer: " + opts_.server_header
               + "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size())
               + "\r\nRetry-After: 1\r\nConnection: close\r\n\r\n" + body;
  std::make_shared<drainer>(std::move(s), connection_slot{}, std::move(reply))->start();
}

void drain_and_close(tcp::socket s, connection_slot slot) {
  std::make_shared<drainer>(std::move(s), std::move(slot), std::string())->start();
}

} // namespace tdmaker::net
