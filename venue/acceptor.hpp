#pragma once
// Opening a listening socket, shared by the HTTP and WebSocket listeners.
#include <cstdint>
#include <string>

#include <boost/asio/ip/tcp.hpp>

namespace tdmaker::venue {

/// Binds `acceptor` to host:port (0 = any free port) and listens; returns the
/// bound port. Throws boost::system::system_error when the address is taken.
inline std::uint16_t bind_and_listen(boost::asio::ip::tcp::acceptor& acceptor, const std::string& host,
                                     std::uint16_t port) {
  boost::asio::ip::tcp::endpoint ep{boost::asio::ip::make_address(host), port};
  acceptor.open(ep.protocol());
  acceptor.set_option(boost::asio::socket_base::reuse_address(true));
  acceptor.bind(ep);
  acceptor.listen();
  return acceptor.local_endpoint().port();
}

} // namespace tdmaker::venue
