#pragma once
// Where a venue service lives: scheme, host, port and path prefix, parsed from the
// URLs in the config ("https://clob.polymarket.com", "ws://127.0.0.1:18082/ws/market").
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace tdmaker {

struct endpoint {
  bool tls = false;       // https / wss
  bool websocket = false; // ws / wss
  std::string host;
  std::uint16_t port = 0;
  std::string path = "/"; // for WebSockets the handshake target; for HTTP a prefix
  std::string text() const;
};

/// Accepts http, https, ws and wss URLs with an optional port and path. Refuses
/// credentials in the URL ("user:pass@"): the node sends none, and secrets come
/// from the environment only. Errors show the URL through redact_url.
result<endpoint> parse_endpoint(std::string_view url);

/// `url` with any userinfo ("user:pass@", "token@") replaced by "***@": the one
/// form in which a configured URL is logged, shown in /status or put in an error.
std::string redact_url(std::string_view url);

} // namespace tdmaker
