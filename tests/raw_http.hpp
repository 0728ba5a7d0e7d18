#pragma once
// A raw TCP client for tests of HTTP servers at the byte level: idle connections,
// pipelined requests on one keep-alive connection, oversized requests. Every read
// has a deadline (poll), so a server that stays silent fails the test, never hangs it.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <string>
#include <string_view>

namespace tdmaker::test {

class raw_conn {
public:
  explicit raw_conn(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ >= 0 && ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  raw_conn(const raw_conn&) = delete;
  raw_conn& operator=(const raw_conn&) = delete;
  raw_conn(raw_conn&& o) noexcept : fd_(o.fd_), eof_(o.eof_) { o.fd_ = -1; }
  ~raw_conn() { close(); }

  bool ok() const { return fd_ >= 0; }
  bool eof() const { return eof_; }
  void close() {
    if (fd_ >= 0)
      ::close(fd_);
    fd_ = -1;
  }

  bool send_all(std::string_view data) {
    while (!data.empty()) {
      auto n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0)
        return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  /// Appends to `buf` until `done(buf)`, EOF, an error or `seconds` pass; true if done.
  bool read_until(std::string& buf, const std::function<bool(const std::string&)>& done, double seconds) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (!done(buf)) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0 || eof_)
        return false;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0)
        continue;
      char chunk[8192];
      auto n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) {
        eof_ = true;
        return done(buf);
      }
      buf.append(chunk, static_cast<std::size_t>(n));
    }
    return true;
  }

private:
  int fd_ = -1;
  bool eof_ = false;
};

/// The Content-Length of the response header that starts `resp`, or -1.
inline long content_length(std::string_view resp) {
  auto end = resp.find("\r\n\r\n");
  auto header = resp.substr(0, end);
  for (std::string_view key : {"Content-Length: ", "content-length: "}) {
    auto pos = header.find(key);
    if (pos != std::string_view::npos)
      return std::strtol(std::string(header.substr(pos + key.size())).c_str(), nullptr, 10);
  }
  return -1;
}

/// True when `resp` starts with one whole response (header and its Content-Length body).
inline bool whole_response(std::string_view resp) {
  auto end = resp.find("\r\n\r\n");
  if (end == std::string_view::npos)
    return false;
  auto cl = content_length(resp);
  return cl >= 0 && resp.size() >= end + 4 + static_cast<std::size_t>(cl);
}

/// Sends HEAD `path`, reads its header, then sends GET `path` on the same
/// connection and reads one whole response. Returns {HEAD header, what followed it}:
/// a server that sends a body with HEAD makes the second part start with that body.
inline std::pair<std::string, std::string> head_then_get(int port, const std::string& path, double seconds) {
  raw_conn c(port);
  if (!c.ok())
    return {};
  std::string buf;
  c.send_all("HEAD " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  c.read_until(buf, [](const std::string& b) { return b.find("\r\n\r\n") != std::string::npos; }, seconds);
  auto end = buf.find("\r\n\r\n");
  if (end == std::string::npos)
    return {buf, {}};
  c.send_all("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  c.read_until(buf, [end](const std::string& b) { return whole_response(std::string_view(b).substr(end + 4)); },
               seconds);
  return {buf.substr(0, end + 4), buf.substr(end + 4)};
}

} // namespace tdmaker::test
