#pragma once
// The CLOB's L1 (wallet) and L2 (API key) request headers, in the official
// client's order and spelling. Pure: keys, credentials and time are passed in.
#include <string>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "core/secp256k1_signer.hpp"

namespace tdmaker {

using header_list = std::vector<std::pair<std::string, std::string>>;

struct api_credentials {
  std::string key;
  std::string secret; // base64url
  std::string passphrase;
};

header_list l1_headers(const private_key& key, std::int64_t timestamp_s, std::uint64_t nonce);

/// Fails only when the secret is not base64.
result<header_list> l2_headers(const private_key& key, const api_credentials& creds, std::int64_t timestamp_s,
                               const std::string& method, const std::string& path, const std::string& body);

/// The headers as one compact JSON object (for `tdmaker auth-headers`).
std::string headers_json(const header_list& h);

} // namespace tdmaker
