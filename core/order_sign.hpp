#pragma once
// `tdmaker order-sign`: order parameters named as the official client names
// them, in; the exact `POST /order` body the node would send, out. Pure: the key
// is passed in, nothing is read or printed here.
#include <string>

#include "core/result.hpp"
#include "core/secp256k1_signer.hpp"

namespace tdmaker {

inline constexpr const char* ctf_exchange_v2 = "0xE111180000d2663C0091e4f400237545B87B996B";
inline constexpr const char* neg_risk_ctf_exchange_v2 = "0xe2222d279d744050d28e00520010520000310F59";

/// Input keys: tokenID, price, size (limit) or amount (market), side, tickSize,
/// negRisk, orderType, signatureType, funder, owner, expiration, salt, timestamp,
/// postOnly, deferExec. Numbers are read as their exact decimal text.
result<std::string> sign_order_json(const std::string& params_json, const private_key& key);

} // namespace tdmaker
