#include "venue/ws_listener.hpp"

#include <cstdio>

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <boost/beast/websocket.hpp>

#include "net/accept_loop.hpp"
#include "venue/acceptor.hpp"

namespace tdmaker::venue {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

class session final : public ws_session {
public:
  session(tcp::socket s, std::function<ws_channel*(const std::string&)> route, std::size_t max_message,
          net::connection_slot slot)
      : ws_(std::move(s)), route_(std::move(route)), slot_(std::move(slot)) {
    ws_.read_message_max(max_message);
  }

  void start() {
    // Read the upgrade request ourselves to learn the path before accepting.
    auto self = std::static_pointer_cast<session>(shared_from_this());
    beast::http::async_read(ws_.next_layer(), buf_, req_, [self](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      auto target = std::string(self->req_.target());
      self->path = target.substr(0, target.find('?'));
      self->channel_ = self->route_(self->path);
      if (!self->channel_ || !websocket::is_upgrade(self->req_)) {
        beast::error_code ignored;
        self->ws_.next_layer().socket().shutdown(tcp::socket::shutdown_both, ignored);
        return;
      }
      self->ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
      self->ws_.async_accept(self->req_, [self](beast::error_code ec2) {
        if (ec2)
          return;
        self->open_ = true;
        self->channel_->on_open(self);
        self->read();
      });
    });
  }

  void send(std::string text) override {
    if (!open_ || stalled)
      return;
    queue_.push_back(std::move(text));
    if (queue_.size() == 1)
      write_next();
  }

  void send_after(std::string text, std::int64_t delay_ms) override {
    auto timer = std::make_shared<asio::steady_timer>(ws_.get_executor());
    timer->expires_after(std::chrono::milliseconds(delay_ms));
    timer->async_wait([self = shared_from_this(), timer, text = std::move(text)](beast::error_code ec) mutable {
      if (!ec)
        self->send(std::move(text));
    });
  }

  void close(std::uint16_t code, std::string reason) override {
    if (!open_)
      return;
    open_ = false;
    auto self = shared_from_this();
    ws_.async_close(websocket::close_reason(static_cast<websocket::close_code>(code), reason),
                    [self](beast::error_code) {});
    channel_->on_close(self);
  }

  void drop() override {
    if (!open_)
      return;
    open_ = false;
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
    channel_->on_close(shared_from_this());
  }

  bool open() const override { return open_; }

private:
  using http_request = beast::http::request<beast::http::string_body>;

  void read() {
    auto self = std::static_pointer_cast<session>(shared_from_this());
    ws_.async_read(in_, [self](beast::error_code ec, std::size_t) {
      if (ec) {
        if (ec == websocket::error::message_too_big)
          std::fprintf(stderr, "tdmaker-venue: ws %s session %llu: message over %zu bytes refused (close 1009)\n",
                       self->path.c_str(), static_cast<unsigned long long>(self->id),
                       static_cast<std::size_t>(self->ws_.read_message_max()));
        if (self->open_) {
          self->open_ = false;
          self->channel_->on_close(self);
        }
        return;
      }
      auto text = beast::buffers_to_string(self->in_.data());
      self->in_.consume(self->in_.size());
      if (self->open_)
        self->channel_->on_text(self, text);
      if (self->open_)
        self->read();
    });
  }

  void write_next() {
    auto self = std::static_pointer_cast<session>(shared_from_this());
    ws_.text(true);
    ws_.async_write(asio::buffer(queue_.front()), [self](beast::error_code ec, std::size_t) {
      if (ec) {
        self->queue_.clear();
        return;
      }
      self->queue_.pop_front();
      if (!self->queue_.empty() && self->open_)
        self->write_next();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  std::function<ws_channel*(const std::string&)> route_;
  ws_channel* channel_ = nullptr;
  beast::flat_buffer buf_;
  beast::flat_buffer in_;
  http_request req_;
  std::deque<std::string> queue_;
  bool open_ = false;
  net::connection_slot slot_; // the listener's cap counts this socket until it closes
};

} // namespace

struct ws_listener::impl : std::enable_shared_from_this<ws_listener::impl> {
  impl(asio::io_context& c, std::function<ws_channel*(const std::string&)> r, std::size_t max)
      : ioc(c), route(std::move(r)), max_message(max) {}
  asio::io_context& ioc;
  std::function<ws_channel*(const std::string&)> route;
  std::size_t max_message;
  std::uint64_t next_id = 0;
  std::shared_ptr<net::accept_loop> loop;
};

ws_listener::ws_listener(asio::io_context& ioc, std::function<ws_channel*(const std::string&)> route,
                         std::size_t max_message_bytes)
    : impl_(std::make_shared<impl>(ioc, std::move(route), max_message_bytes)) {}

ws_listener::~ws_listener() { stop(); }

// The same accept loop as the HTTP listeners: an accept error (EMFILE) backs off
// instead of spinning, and the socket count is capped.
std::uint16_t ws_listener::listen(const std::string& host, std::uint16_t port) {
  tcp::acceptor acceptor(impl_->ioc);
  auto bound = bind_and_listen(acceptor, host, port);
  net::accept_options o;
  o.name = "ws :" + std::to_string(bound);
  o.max_connections = 1024; // every test client and node of a run, with room
  o.server_header = "tdmaker-venue";
  o.cap_setting = "ws_listener max_connections";
  o.log = [](bool, const std::string& line) { std::fprintf(stderr, "tdmaker-venue: %s\n", line.c_str()); };
  std::weak_ptr<impl> owner = impl_;
  impl_->loop = net::accept_loop::create(std::move(acceptor), std::move(o),
                                         [owner](tcp::socket s, net::connection_slot slot, net::admission) {
                                           auto self = owner.lock();
                                           if (!self)
                                             return;
                                           auto sess = std::make_shared<session>(std::move(s), self->route,
                                                                                 self->max_message, std::move(slot));
                                           sess->id = ++self->next_id;
                                           sess->start();
                                         });
  impl_->loop->start();
  return bound;
}

void ws_listener::stop() {
  if (impl_->loop)
    impl_->loop->stop();
}

} // namespace tdmaker::venue
