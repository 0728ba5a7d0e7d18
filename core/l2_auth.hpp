#pragma once
// Polymarket's L2 request authentication: HMAC-SHA256 over
// timestamp + METHOD + path (no query) + body, keyed by the base64(url) API secret.
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace tdmaker {

/// The POLY_SIGNATURE header value. Fails only when `secret` is not base64.
result<std::string> l2_signature(std::string_view secret, std::string_view timestamp,
                                 std::string_view method, std::string_view path,
                                 std::string_view body);

/// Constant-time comparison of two signatures (or any two secrets).
bool secrets_equal(std::string_view a, std::string_view b);

} // namespace tdmaker
