#include "core/endpoint.hpp"

#include "core/decimal.hpp"

namespace tdmaker {
namespace {

failure bad(std::string_view url, std::string_view why) {
  std::string m;
  m.append("'").append(redact_url(url)).append("': ").append(why);
  return fail(std::move(m));
}

} // namespace

std::string redact_url(std::string_view url) {
  auto sep = url.find("://");
  auto start = sep == std::string_view::npos ? 0 : sep + 3;
  auto end = url.find_first_of("/?#", start);
  auto authority = url.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
  auto at = authority.rfind('@');
  if (at == std::string_view::npos)
    return std::string(url);
  std::string out(url.substr(0, start));
  out.append("***").append(url.substr(start + at));
  return out;
}

std::string endpoint::text() const {
  std::string s;
  s.append(websocket ? (tls ? "wss" : "ws") : (tls ? "https" : "http"));
  s.append("://").append(host).append(":").append(std::to_string(port)).append(path);
  return s;
}

result<endpoint> parse_endpoint(std::string_view url) {
  endpoint e;
  auto sep = url.find("://");
  if (sep == std::string_view::npos)
    return bad(url, "not a URL (expected scheme://host[:port][/path])");
  auto scheme = url.substr(0, sep);
  if (scheme == "http" || scheme == "https") {
    e.tls = scheme == "https";
  } else if (scheme == "ws" || scheme == "wss") {
    e.tls = scheme == "wss";
    e.websocket = true;
  } else {
    return bad(url, "scheme must be http, https, ws or wss");
  }
  auto rest = url.substr(sep + 3);
  auto slash = rest.find('/');
  auto authority = rest.substr(0, slash);
  if (rest.substr(0, rest.find_first_of("/?#")).find('@') != std::string_view::npos)
    return bad(url, "credentials in a URL are not accepted (the node sends none; secrets come from the"
                    " environment)");
  if (slash != std::string_view::npos)
    e.path = std::string(rest.substr(slash));
  std::string_view port_text;
  if (authority.starts_with('[')) {
    auto close = authority.find(']');
    if (close == std::string_view::npos)
      return bad(url, "unterminated IPv6 host");
    e.host = std::string(authority.substr(1, close - 1));
    if (close + 1 < authority.size() && authority[close + 1] == ':')
      port_text = authority.substr(close + 2);
  } else {
    auto colon = authority.rfind(':');
    e.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos)
      port_text = authority.substr(colon + 1);
  }
  if (e.host.empty())
    return bad(url, "empty host");
  if (port_text.empty()) {
    e.port = e.tls ? 443 : 80;
  } else {
    auto p = parse_fixed(port_text, 0, 1, 65535);
    if (!p)
      return bad(url, "bad port: " + p.error());
    e.port = static_cast<std::uint16_t>(*p);
  }
  if (e.path.size() > 1 && e.path.back() == '/' && !e.websocket)
    e.path.pop_back();
  return e;
}

} // namespace tdmaker
