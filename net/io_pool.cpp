#include "net/io_pool.hpp"

#include <spdlog/spdlog.h>

namespace tdmaker {

io_pool::io_pool(int threads)
    : tls_(boost::asio::ssl::context::tls_client), guard_(boost::asio::make_work_guard(ctx_)) {
  tls_.set_default_verify_paths();
  tls_.set_verify_mode(boost::asio::ssl::verify_peer);
  for (int i = 0; i < threads; ++i)
    threads_.emplace_back([this] {
      for (;;) {
        try {
          ctx_.run();
          return;
        } catch (const std::exception& e) {
          // A handler threw: log and keep serving, one bad reply must not kill I/O.
          spdlog::error("io: handler failed: {}", e.what());
        }
      }
    });
}

io_pool::~io_pool() { stop(); }

void io_pool::stop() {
  guard_.reset();
  ctx_.stop();
  for (auto& t : threads_)
    if (t.joinable())
      t.join();
  threads_.clear();
}

} // namespace tdmaker
