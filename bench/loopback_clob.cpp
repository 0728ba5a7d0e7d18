#include "bench/loopback_clob.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

namespace tdmaker::bench {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

std::int64_t steady_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
    .count();
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::size_t content_length(const std::string& head) {
  auto l = lower(head);
  auto p = l.find("\r\ncontent-length:");
  if (p == std::string::npos)
    return 0;
  p += 17;
  while (p < l.size() && l[p] == ' ')
    ++p;
  std::size_t n = 0;
  while (p < l.size() && std::isdigit(static_cast<unsigned char>(l[p])))
    n = n * 10 + static_cast<std::size_t>(l[p++] - '0');
  return n;
}

std::size_t count_of(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (auto p = s.find(what); p != std::string::npos; p = s.find(what, p + what.size()))
    ++n;
  return n;
}

} // namespace

loopback_clob::loopback_clob() : acceptor_(ctx_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
  port_ = acceptor_.local_endpoint().port();
  acceptor_thread_ = std::thread([this] { accept_loop(); });
}

loopback_clob::~loopback_clob() {
  stopping_ = true;
  boost::system::error_code ec;
  { // closing does not wake a blocked accept(): a last connection does
    tcp::socket wake(ctx_);
    wake.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_), ec);
  }
  acceptor_thread_.join();
  acceptor_.close(ec);
  {
    std::lock_guard lock(conns_mutex_);
    for (auto& s : sockets_)
      s->shutdown(tcp::socket::shutdown_both, ec);
  }
  for (auto& t : conns_)
    t.join();
}

void loopback_clob::accept_loop() {
  while (!stopping_) {
    boost::system::error_code ec;
    tcp::socket s(ctx_);
    acceptor_.accept(s, ec);
    if (ec || stopping_)
      return;
    s.set_option(tcp::no_delay(true), ec);
    auto shared = std::make_shared<tcp::socket>(std::move(s));
    std::lock_guard lock(conns_mutex_);
    sockets_.push_back(shared);
    conns_.emplace_back([this, shared] { serve(*shared); });
  }
}

// Reads request after request on one keep-alive connection. The stamp is taken
// when the read that brings a request's first bytes returns.
void loopback_clob::serve(tcp::socket& s) {
  std::string buf;
  char chunk[16 * 1024];
  while (!stopping_) {
    std::int64_t first_ns = 0;
    std::size_t head_end;
    while ((head_end = buf.find("\r\n\r\n")) == std::string::npos) {
      boost::system::error_code ec;
      auto n = s.read_some(asio::buffer(chunk), ec);
      if (ec)
        return;
      if (buf.empty())
        first_ns = steady_now_ns();
      buf.append(chunk, n);
    }
    if (first_ns == 0)
      first_ns = steady_now_ns(); // pipelined behind the previous request
    auto head = buf.substr(0, head_end + 2);
    auto body_len = content_length(head);
    while (buf.size() < head_end + 4 + body_len) {
      boost::system::error_code ec;
      auto n = s.read_some(asio::buffer(chunk), ec);
      if (ec)
        return;
      buf.append(chunk, n);
    }
    auto body = buf.substr(head_end + 4, body_len);
    buf.erase(0, head_end + 4 + body_len);
    auto sp1 = head.find(' ');
    auto sp2 = head.find(' ', sp1 + 1);
    auto method = head.substr(0, sp1);
    auto target = head.substr(sp1 + 1, sp2 - sp1 - 1);
    if (method == "POST" && target == "/orders") {
      last_post_ns_ = first_ns;
      ++posts_; // after the stamp: a reader that sees the count sees the stamp
    }
    auto reply_body = answer(method, target, body);
    std::string reply = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                        + std::to_string(reply_body.size()) + "\r\nConnection: keep-alive\r\n\r\n" + reply_body;
    boost::system::error_code ec;
    asio::write(s, asio::buffer(reply), ec);
    if (ec)
      return;
  }
}

// The CLOB's reply shapes (venue/clob_api.cpp), enough for the session to accept them.
std::string loopback_clob::answer(const std::string& method, const std::string& target, const std::string& body) {
  auto path = target.substr(0, target.find('?'));
  if (path == "/auth/api-key" || path == "/auth/derive-api-key")
    return R"({"apiKey":"00000000-0000-4000-8000-000000000017","secret":"YmVuY2gtc2VjcmV0LWJlbmNoLXNlY3JldC1iZW5jaA==","passphrase":"bench"})";
  if (path == "/data/orders")
    return R"({"data":[],"next_cursor":"LTE=","limit":100,"count":0})";
  if (method == "POST" && path == "/orders") {
    std::string out = "[";
    auto n = std::max<std::size_t>(count_of(body, "\"orderType\""), 1);
    for (std::size_t i = 0; i < n; ++i) {
      char id[67];
      std::snprintf(id, sizeof id, "0x%064llx", static_cast<unsigned long long>(++order_seq_));
      out += std::string(i ? "," : "") + R"({"success":true,"errorMsg":"","orderID":")" + id
             + R"(","status":"live","makingAmount":"","takingAmount":""})";
    }
    return out + "]";
  }
  if (method == "DELETE")
    return R"({"canceled":[],"not_canceled":{}})";
  if (path.rfind("/balance-allowance", 0) == 0)
    return R"({"balance":"1000000000000","allowances":{}})";
  return "{}";
}

} // namespace tdmaker::bench
