#pragma once
// The threads that do the node's network I/O. Actors never block on a socket:
// they hand a request to a client living here and get the answer back as a
// message. One TLS context serves every client: peer verification on, system
// trust store.
#include <memory>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ssl/context.hpp>

namespace tdmaker {

class io_pool {
public:
  explicit io_pool(int threads);
  ~io_pool();
  io_pool(const io_pool&) = delete;
  io_pool& operator=(const io_pool&) = delete;

  boost::asio::io_context& context() { return ctx_; }
  boost::asio::ssl::context& tls() { return tls_; }
  /// Stops the threads after the pending handlers were abandoned; idempotent.
  void stop();

private:
  boost::asio::io_context ctx_;
  boost::asio::ssl::context tls_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  std::vector<std::thread> threads_;
};

} // namespace tdmaker
