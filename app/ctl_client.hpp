#pragma once
#include <string>

#include "core/result.hpp"

namespace tdmaker {

struct http_reply {
  int status = 0;
  std::string body;
};

/// One blocking HTTP/1.1 request to a loopback or LAN URL "http://host:port/path"
/// (operator CLI and tests only; never used on an actor thread).
result<http_reply> http_call(const std::string& method, const std::string& url,
                             const std::string& body, const std::string& bearer_token);

} // namespace tdmaker
