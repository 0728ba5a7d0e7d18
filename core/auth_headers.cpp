#include "core/auth_headers.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/eip712.hpp"
#include "core/eth_address.hpp"
#include "core/l2_auth.hpp"

namespace tdmaker {

header_list l1_headers(const private_key& key, std::int64_t timestamp_s, std::uint64_t nonce) {
  auto ts = std::to_string(timestamp_s);
  auto sig = key.sign(clob_auth_digest(clob_auth{key.address(), ts, nonce}));
  return {{"POLY_ADDRESS", to_checksum(key.address())},
          {"POLY_SIGNATURE", to_hex(sig)},
          {"POLY_TIMESTAMP", ts},
          {"POLY_NONCE", std::to_string(nonce)}};
}

result<header_list> l2_headers(const private_key& key, const api_credentials& creds, std::int64_t timestamp_s,
                               const std::string& method, const std::string& path, const std::string& body) {
  auto ts = std::to_string(timestamp_s);
  auto sig = l2_signature(creds.secret, ts, method, path, body);
  if (!sig)
    return fail(sig.error());
  return header_list{{"POLY_ADDRESS", to_checksum(key.address())},
                     {"POLY_SIGNATURE", *sig},
                     {"POLY_TIMESTAMP", ts},
                     {"POLY_API_KEY", creds.key},
                     {"POLY_PASSPHRASE", creds.passphrase}};
}

std::string headers_json(const header_list& h) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  for (auto& [k, v] : h) {
    w.Key(k.c_str(), static_cast<rapidjson::SizeType>(k.size()));
    w.String(v.c_str(), static_cast<rapidjson::SizeType>(v.size()));
  }
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

} // namespace tdmaker
