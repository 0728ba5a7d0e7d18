#include "venue/http_listener.hpp"

#include <cstdio>

#include <boost/asio.hpp>
#include <boost/beast.hpp>

#include "core/bytes.hpp"
#include "core/control.hpp"
#include "net/http_rules.hpp"
#include "venue/acceptor.hpp"

namespace tdmaker::venue {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

namespace {

std::string url_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && hex_digit(s[i + 1]) >= 0 && hex_digit(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

} // namespace

split_target split(std::string_view target) {
  split_target t;
  auto q = target.find('?');
  t.path = std::string(target.substr(0, q));
  if (q == std::string_view::npos)
    return t;
  auto rest = target.substr(q + 1);
  while (!rest.empty()) {
    auto amp = rest.find('&');
    auto part = rest.substr(0, amp);
    auto eq = part.find('=');
    if (eq == std::string_view::npos)
      t.query[url_decode(part)] = "";
    else
      t.query[url_decode(part.substr(0, eq))] = url_decode(part.substr(eq + 1));
    if (amp == std::string_view::npos)
      break;
    rest.remove_prefix(amp + 1);
  }
  return t;
}

struct http_listener::impl : std::enable_shared_from_this<http_listener::impl> {
  impl(asio::io_context& c, handler h, listener_options o)
      : ioc(c), on_request(std::move(h)), opts(std::move(o)), limits{opts.max_header_bytes, opts.max_body_bytes} {}

  asio::io_context& ioc;
  handler on_request;
  listener_options opts;
  net::request_limits limits;
  std::shared_ptr<net::accept_loop> loop;
  net::accept_counters idle_counters; // what connections() shows before listen()
  std::uint64_t served = 0;

  class session : public std::enable_shared_from_this<session> {
  public:
    session(tcp::socket s, std::shared_ptr<impl> owner, net::connection_slot slot)
        : stream_(std::move(s)), owner_(std::move(owner)), slot_(std::move(slot)) {}

    void read() {
      req_ = {};
      parser_.emplace();
      net::apply_limits(*parser_, owner_->limits);
      stream_.expires_after(owner_->opts.idle_timeout);
      http::async_read(stream_, buf_, *parser_,
                       [self = shared_from_this()](beast::error_code ec, std::size_t) {
                         if (ec)
                           return self->on_read_error(ec);
                         self->req_ = self->parser_->release();
                         self->respond();
                       });
    }

  private:
    // Too large or malformed: a clear answer, then close (the rest of the request is unread).
    void on_read_error(const beast::error_code& ec) {
      auto bad = net::classify_read_error(ec, owner_->limits);
      if (!bad)
        return close();
      head_ = parser_->is_header_done() && parser_->get().method() == http::verb::head;
      send(static_cast<int>(bad->status), tdmaker::json_error(bad->message), "application/json", {}, false);
    }

    void respond() {
      ++owner_->served;
      auto target = split(std::string_view(req_.target().data(), req_.target().size()));
      http_reply r;
      try {
        r = owner_->on_request(req_, target);
      } catch (const std::exception& e) {
        r = {500, std::string(R"({"error":"internal error"})")};
      }
      if (r.drop_connection) {
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
        stream_.socket().close(ignored);
        return;
      }
      head_ = req_.method() == http::verb::head;
      send(r.status, std::move(r.body), r.content_type, r.headers, req_.keep_alive());
    }

    void send(int status, std::string body, const std::string& content_type,
              const std::map<std::string, std::string>& headers, bool keep_alive) {
      auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(status),
                                                                     req_.version() ? req_.version() : 11);
      res->set(http::field::server, "tdmaker-venue");
      res->set(http::field::content_type, content_type);
      for (auto& [k, v] : headers)
        res->set(k, v);
      res->keep_alive(keep_alive);
      res->body() = std::move(body);
      net::finish_reply(*res, head_);
      http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
        if (ec || !res->keep_alive())
          return self->close();
        self->read();
      });
    }

    void close() { net::drain_and_close(stream_.release_socket(), std::move(slot_)); }

    beast::tcp_stream stream_;
    std::shared_ptr<impl> owner_;
    net::connection_slot slot_;
    beast::flat_buffer buf_;
    std::optional<http::request_parser<http::string_body>> parser_;
    http_request req_;
    bool head_ = false; // answering a HEAD: headers only
  };
};

http_listener::http_listener(asio::io_context& ioc, handler h, listener_options opts)
    : impl_(std::make_shared<impl>(ioc, std::move(h), std::move(opts))) {}

http_listener::~http_listener() { stop(); }

std::uint16_t http_listener::listen(const std::string& host, std::uint16_t port) {
  tcp::acceptor acceptor(impl_->ioc);
  auto bound = bind_and_listen(acceptor, host, port);
  net::accept_options o;
  o.name = impl_->opts.name + " :" + std::to_string(bound);
  o.max_connections = impl_->opts.max_connections;
  o.server_header = "tdmaker-venue";
  o.cap_setting = "listener_options::max_connections";
  o.log = [](bool, const std::string& line) { std::fprintf(stderr, "tdmaker-venue: %s\n", line.c_str()); };
  std::weak_ptr<impl> owner = impl_;
  impl_->loop = net::accept_loop::create(std::move(acceptor), std::move(o),
                                         [owner](tcp::socket s, net::connection_slot slot, net::admission) {
                                           // probe_slots is 0: every admission here is normal.
                                           if (auto self = owner.lock())
                                             std::make_shared<impl::session>(std::move(s), self, std::move(slot))->read();
                                         });
  impl_->loop->start();
  return bound;
}

void http_listener::stop() {
  if (impl_->loop)
    impl_->loop->stop();
}

const net::accept_counters& http_listener::connections() const {
  return impl_->loop ? *impl_->loop->counters() : impl_->idle_counters;
}

std::uint64_t http_listener::requests() const { return impl_->served; }

} // namespace tdmaker::venue
