#include "app/ctl_client.hpp"

#include <boost/asio.hpp>
#include <boost/beast.hpp>

namespace tdmaker {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

result<http_reply> http_call(const std::string& method, const std::string& url,
                             const std::string& body, const std::string& bearer_token) {
  constexpr std::string_view scheme = "http://";
  if (url.compare(0, scheme.size(), scheme) != 0)
    return fail("URL must start with http:// (got '" + url + "')");
  auto rest = url.substr(scheme.size());
  auto slash = rest.find('/');
  auto hostport = rest.substr(0, slash);
  std::string target = slash == std::string::npos ? "/" : rest.substr(slash);
  auto colon = hostport.rfind(':');
  if (colon == std::string::npos)
    return fail("URL must name a port (got '" + url + "')");
  auto host = hostport.substr(0, colon);
  auto port = hostport.substr(colon + 1);
  try {
    boost::asio::io_context ioc;
    tcp::resolver resolver(ioc);
    beast::tcp_stream stream(ioc);
    stream.expires_after(std::chrono::seconds(15));
    stream.connect(resolver.resolve(host, port));
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, hostport);
    req.set(http::field::user_agent, "tdmaker-ctl");
    if (!bearer_token.empty())
      req.set(http::field::authorization, "Bearer " + bearer_token);
    if (!body.empty()) {
      req.set(http::field::content_type, "application/json");
      req.body() = body;
    }
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buf;
    http::response<http::string_body> res;
    http::read(stream, buf, res);
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    return http_reply{static_cast<int>(res.result_int()), res.body()};
  } catch (const std::exception& e) {
    return fail("cannot reach " + url + ": " + e.what());
  }
}

} // namespace tdmaker
