#include "net/ws_client.hpp"

#include <algorithm>
#include <deque>
#include <random>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "actors/util.hpp"

namespace tdmaker {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;

using plain_ws = websocket::stream<beast::tcp_stream>;
using tls_ws = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

/// One connection and everything that runs on it. The coroutines that use it
/// hold it by shared_ptr, so a socket is never destroyed under a pending op.
struct conn {
  std::unique_ptr<plain_ws> pws;
  std::unique_ptr<tls_ws> tws;
  std::deque<std::string> outq;
  bool writing = false;
  bool open = false;
  std::int64_t last_data_ns = 0;

  void close() {
    open = false;
    beast::error_code ec;
    if (tws)
      beast::get_lowest_layer(*tws).socket().close(ec);
    if (pws)
      beast::get_lowest_layer(*pws).socket().close(ec);
  }
};

} // namespace

struct ws_client::impl : std::enable_shared_from_this<ws_client::impl> {
  io_pool& io;
  ws_client_options opts;
  ws_callbacks cb;
  asio::strand<asio::io_context::executor_type> strand;
  asio::steady_timer idle_wait;
  asio::steady_timer backoff_wait;
  std::vector<std::string> wanted; // sorted, unique
  std::vector<std::string> sent;   // what the current connection subscribed
  std::shared_ptr<conn> cur;
  bool started = false;
  bool stopped = false;
  std::uint64_t connects = 0;
  std::uint32_t failures = 0;
  std::mt19937_64 rng{std::random_device{}()};

  impl(io_pool& p, ws_client_options o, ws_callbacks c)
      : io(p), opts(std::move(o)), cb(std::move(c)), strand(asio::make_strand(p.context())),
        idle_wait(strand), backoff_wait(strand) {}

  void status(ws_event e, std::string detail, std::chrono::milliseconds next = {}) {
    if (cb.on_status)
      cb.on_status(ws_status{e, std::move(detail), connects, failures, next});
  }

  bool wants_connection() const { return opts.connect_when_empty || !wanted.empty(); }

  void enqueue(const std::shared_ptr<conn>& c, std::string text) {
    if (!c->open)
      return;
    c->outq.push_back(std::move(text));
    if (c->writing)
      return;
    c->writing = true;
    asio::co_spawn(strand, drain(shared_from_this(), c), asio::detached);
  }

  static awaitable<void> drain([[maybe_unused]] std::shared_ptr<impl> keep_alive, std::shared_ptr<conn> c) {
    try {
      while (c->open && !c->outq.empty()) {
        auto& text = c->outq.front();
        if (c->tws) {
          c->tws->text(true);
          co_await c->tws->async_write(asio::buffer(text), use_awaitable);
        } else {
          c->pws->text(true);
          co_await c->pws->async_write(asio::buffer(text), use_awaitable);
        }
        c->outq.pop_front();
      }
    } catch (const std::exception&) {
      c->close(); // the read side reports the failure
    }
    c->writing = false;
  }

  static awaitable<void> pinger(std::shared_ptr<impl> self, std::shared_ptr<conn> c) {
    asio::steady_timer t(self->strand);
    while (c->open) {
      t.expires_after(self->opts.ping_every);
      co_await t.async_wait(asio::as_tuple(use_awaitable));
      if (!c->open)
        break;
      self->enqueue(c, self->opts.ping_text);
    }
  }

  static awaitable<void> watchdog(std::shared_ptr<impl> self, std::shared_ptr<conn> c) {
    asio::steady_timer t(self->strand);
    const auto period = std::clamp(self->opts.stale_after / 4, std::chrono::milliseconds(50),
                                   std::chrono::milliseconds(1000));
    const auto limit_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(self->opts.stale_after).count();
    while (c->open) {
      t.expires_after(period);
      co_await t.async_wait(asio::as_tuple(use_awaitable));
      if (!c->open)
        break;
      if (self->wants_connection() && steady_ns() - c->last_data_ns > limit_ns) {
        self->status(ws_event::stale, "no data for " + std::to_string(self->opts.stale_after.count()) + " ms");
        c->close();
      }
    }
  }

  awaitable<std::shared_ptr<conn>> connect() {
    auto& ep = opts.where;
    tcp::resolver resolver(strand);
    auto found = co_await resolver.async_resolve(ep.host, std::to_string(ep.port), use_awaitable);
    auto c = std::make_shared<conn>();
    const auto host = ep.host + ":" + std::to_string(ep.port);
    auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::client);
    timeouts.handshake_timeout = opts.connect_timeout;
    if (ep.tls) {
      c->tws = std::make_unique<tls_ws>(strand, io.tls());
      auto& tls = c->tws->next_layer();
      if (!SSL_set_tlsext_host_name(tls.native_handle(), ep.host.c_str()))
        throw beast::system_error(beast::error_code(static_cast<int>(::ERR_get_error()),
                                                    asio::error::get_ssl_category()));
      tls.set_verify_callback(asio::ssl::host_name_verification(ep.host));
      auto& low = beast::get_lowest_layer(*c->tws);
      low.expires_after(opts.connect_timeout);
      co_await low.async_connect(found, use_awaitable);
      co_await tls.async_handshake(asio::ssl::stream_base::client, use_awaitable);
      low.expires_never();
      c->tws->set_option(timeouts);
      co_await c->tws->async_handshake(host, ep.path, use_awaitable);
    } else {
      c->pws = std::make_unique<plain_ws>(strand);
      auto& low = beast::get_lowest_layer(*c->pws);
      low.expires_after(opts.connect_timeout);
      co_await low.async_connect(found, use_awaitable);
      low.expires_never();
      c->pws->set_option(timeouts);
      co_await c->pws->async_handshake(host, ep.path, use_awaitable);
    }
    co_return c;
  }

  /// One connection's life; returns whether it ever delivered data.
  awaitable<bool> session(std::string& why) {
    bool healthy = false;
    try {
      auto c = co_await connect();
      if (stopped)
        co_return false;
      cur = c;
      c->open = true;
      c->last_data_ns = steady_ns();
      ++connects;
      sent = wanted;
      enqueue(c, cb.first_frame(sent));
      status(ws_event::connected, opts.where.text());
      auto self = shared_from_this();
      asio::co_spawn(strand, pinger(self, c), asio::detached);
      asio::co_spawn(strand, watchdog(self, c), asio::detached);
      if (c->tws)
        c->tws->read_message_max(opts.max_message_bytes);
      else
        c->pws->read_message_max(opts.max_message_bytes);
      beast::flat_buffer buf;
      for (;;) {
        if (c->tws)
          co_await c->tws->async_read(buf, use_awaitable);
        else
          co_await c->pws->async_read(buf, use_awaitable);
        auto now = steady_ns();
        std::string text = beast::buffers_to_string(buf.data());
        buf.consume(buf.size());
        const bool pong = text == "PONG" || text == "pong";
        if (!pong || opts.pong_is_data) {
          c->last_data_ns = now;
          if (!healthy) {
            healthy = true;
            failures = 0;
            status(ws_event::healthy, "");
          }
        }
        if (!pong && cb.on_frame)
          cb.on_frame(std::move(text), now);
      }
    } catch (const beast::system_error& e) {
      why = e.code() == websocket::error::closed && cur
              ? "closed by peer" + close_reason()
              : e.code().message();
      if (e.code() == websocket::error::message_too_big) {
        why = "a message over " + std::to_string(opts.max_message_bytes) + " bytes was refused";
        status(ws_event::oversize, why);
      }
    } catch (const std::exception& e) {
      why = e.what();
    }
    if (cur)
      cur->close();
    cur.reset();
    sent.clear();
    co_return healthy;
  }

  std::string close_reason() const {
    const auto& r = cur->tws ? cur->tws->reason() : cur->pws->reason();
    return r.code ? " (" + std::to_string(r.code) + " " + std::string(r.reason.c_str()) + ")" : "";
  }

  static awaitable<void> main_loop(std::shared_ptr<impl> self) {
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    while (!self->stopped) {
      if (!self->wants_connection()) {
        self->idle_wait.expires_after(std::chrono::hours(1));
        co_await self->idle_wait.async_wait(asio::as_tuple(use_awaitable));
        continue;
      }
      std::string why;
      const bool healthy = co_await self->session(why);
      if (self->stopped)
        break;
      std::chrono::milliseconds delay;
      if (healthy) {
        delay = backoff_delay(self->opts.backoff, 0, unit(self->rng));
        self->status(ws_event::closed, why, delay);
      } else {
        ++self->failures;
        delay = backoff_delay(self->opts.backoff, self->failures - 1, unit(self->rng));
        self->status(ws_event::failed, why, delay);
      }
      self->backoff_wait.expires_after(delay);
      co_await self->backoff_wait.async_wait(asio::as_tuple(use_awaitable));
    }
  }

  void apply(std::vector<std::string> items) {
    std::sort(items.begin(), items.end());
    items.erase(std::unique(items.begin(), items.end()), items.end());
    const bool was_idle = !wants_connection();
    wanted = std::move(items);
    if (was_idle && wants_connection())
      idle_wait.cancel();
    if (!cur || !cur->open)
      return; // the next connection subscribes to `wanted` whole
    std::vector<std::string> added, removed;
    std::set_difference(wanted.begin(), wanted.end(), sent.begin(), sent.end(), std::back_inserter(added));
    std::set_difference(sent.begin(), sent.end(), wanted.begin(), wanted.end(), std::back_inserter(removed));
    if (!added.empty())
      enqueue(cur, cb.update_frame(true, added));
    if (!removed.empty())
      enqueue(cur, cb.update_frame(false, removed));
    sent = wanted;
  }
};

std::shared_ptr<ws_client> ws_client::make(io_pool& io, ws_client_options opts, ws_callbacks cb) {
  std::shared_ptr<ws_client> c(new ws_client());
  c->impl_ = std::make_shared<impl>(io, std::move(opts), std::move(cb));
  return c;
}

ws_client::~ws_client() { stop(); }

void ws_client::start() {
  auto p = impl_;
  asio::post(p->strand, [p] {
    if (p->started || p->stopped)
      return;
    p->started = true;
    asio::co_spawn(p->strand, impl::main_loop(p), asio::detached);
  });
}

void ws_client::stop() {
  auto p = impl_;
  if (!p)
    return;
  asio::post(p->strand, [p] {
    p->stopped = true;
    if (p->cur)
      p->cur->close();
    p->idle_wait.cancel();
    p->backoff_wait.cancel();
  });
}

void ws_client::set_subscriptions(std::vector<std::string> items) {
  auto p = impl_;
  asio::post(p->strand, [p, items = std::move(items)]() mutable { p->apply(std::move(items)); });
}

} // namespace tdmaker
