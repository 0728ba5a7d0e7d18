#include "venue/http_listener.hpp"

#include <boost/asio.hpp>
#include <boost/beast.hpp>

#include "core/bytes.hpp"
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
  impl(asio::io_context& c, handler h) : ioc(c), acceptor(c), on_request(std::move(h)) {}

  asio::io_context& ioc;
  tcp::acceptor acceptor;
  handler on_request;
  std::uint64_t served = 0;

  class session : public std::enable_shared_from_this<session> {
  public:
    session(tcp::socket s, std::shared_ptr<impl> owner) : stream_(std::move(s)), owner_(std::move(owner)) {}

    void read() {
      req_ = {};
      parser_.emplace();
      parser_->body_limit(1 << 20);
      stream_.expires_after(std::chrono::seconds(60));
      http::async_read(stream_, buf_, *parser_,
                       [self = shared_from_this()](beast::error_code ec, std::size_t) {
                         if (ec)
                           return self->close();
                         self->req_ = self->parser_->release();
                         self->respond();
                       });
    }

  private:
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
      auto res = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(r.status), req_.version());
      res->set(http::field::server, "tdmaker-venue");
      res->set(http::field::content_type, r.content_type);
      for (auto& [k, v] : r.headers)
        res->set(k, v);
      res->keep_alive(req_.keep_alive());
      res->body() = std::move(r.body);
      res->prepare_payload();
      http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
        if (ec || !res->keep_alive())
          return self->close();
        self->read();
      });
    }

    void close() {
      beast::error_code ec;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    }

    beast::tcp_stream stream_;
    std::shared_ptr<impl> owner_;
    beast::flat_buffer buf_;
    std::optional<http::request_parser<http::string_body>> parser_;
    http_request req_;
  };

  void accept() {
    acceptor.async_accept([self = shared_from_this()](beast::error_code ec, tcp::socket s) {
      if (ec == asio::error::operation_aborted)
        return;
      if (!ec)
        std::make_shared<session>(std::move(s), self)->read();
      self->accept();
    });
  }
};

http_listener::http_listener(asio::io_context& ioc, handler h)
    : impl_(std::make_shared<impl>(ioc, std::move(h))) {}

http_listener::~http_listener() { stop(); }

std::uint16_t http_listener::listen(const std::string& host, std::uint16_t port) {
  auto bound = bind_and_listen(impl_->acceptor, host, port);
  impl_->accept();
  return bound;
}

void http_listener::stop() {
  beast::error_code ec;
  impl_->acceptor.close(ec);
}

std::uint64_t http_listener::requests() const { return impl_->served; }

} // namespace tdmaker::venue
