#pragma once
// The venue config's wallet keys, validated like the rest of it:
//   "wallets": [{"wallet": "0x..", "owner": "0x..", "type": "POLY_1271"}, ...]
//   "deposit_wallet_only": ["0x<owner>", ...]
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "core/result.hpp"
#include "venue/wallet_registry.hpp"

namespace tdmaker::venue {

/// `o[key]` as an address; the error names `path.key`.
result<address20> address_member(const rapidjson::Value& o, const char* key, const std::string& path);
/// `o["type"]`: POLY_PROXY, POLY_GNOSIS_SAFE or POLY_1271.
result<signature_type> wallet_type_member(const rapidjson::Value& o, const std::string& path);

/// Fails on a malformed entry or two entries that conflict (wallet_registry::add).
result<std::vector<registered_wallet>> parse_wallet_list(const rapidjson::Value& v, const std::string& path);
result<std::vector<address20>> parse_owner_list(const rapidjson::Value& v, const std::string& path);

} // namespace tdmaker::venue
