#pragma once
// Request limits and reply rules shared by the node's HTTP server and the venue's
// listeners, so both answer oversized or malformed requests and HEAD the same way.
#include <cstddef>
#include <optional>
#include <string>

#include <boost/beast/http.hpp>

namespace tdmaker::net {

/// Bytes a request may carry before the parser stops reading it.
struct request_limits {
  std::size_t header_bytes = 8 * 1024; // request line and every header field
  std::size_t body_bytes = 64 * 1024;
};

/// The parser for one request, with both limits set.
inline void apply_limits(boost::beast::http::request_parser<boost::beast::http::string_body>& p,
                         const request_limits& l) {
  p.header_limit(static_cast<std::uint32_t>(l.header_bytes));
  p.body_limit(l.body_bytes);
}

struct request_error {
  boost::beast::http::status status;
  std::string message;
  const char* reason; // metric label: body_limit, header_limit, malformed
};

/// The answer to a failed request read, or nothing when the peer went away (a
/// socket error or timeout: there is nobody to answer, just close).
inline std::optional<request_error> classify_read_error(const boost::beast::error_code& ec,
                                                        const request_limits& l) {
  namespace http = boost::beast::http;
  if (ec == http::error::body_limit)
    return request_error{http::status::payload_too_large,
                         "request body larger than " + std::to_string(l.body_bytes) + " bytes", "body_limit"};
  if (ec == http::error::header_limit)
    return request_error{http::status::request_header_fields_too_large,
                         "request header larger than " + std::to_string(l.header_bytes) + " bytes", "header_limit"};
  if (ec.category() == http::make_error_code(http::error::bad_target).category()
      && ec != http::error::end_of_stream && ec != http::error::partial_message)
    return request_error{http::status::bad_request, "malformed HTTP request: " + ec.message(), "malformed"};
  return std::nullopt;
}

/// Sets Content-Length from the body and, for a HEAD request, drops the body: a HEAD
/// reply carries the headers of the GET reply and no body bytes (RFC 9110 9.3.2); a
/// body there is read by a keep-alive client as the start of its next reply.
inline void finish_reply(boost::beast::http::response<boost::beast::http::string_body>& res, bool head_request) {
  res.prepare_payload();
  if (head_request)
    res.body().clear(); // Content-Length stays the GET body's length
}

} // namespace tdmaker::net
