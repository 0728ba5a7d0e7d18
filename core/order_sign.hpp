#pragma once
// `tdmaker order-sign`: order parameters named as the official client names
// them, in; the exact `POST /order` body the node would send, out. Pure: the key
// is passed in, nothing is read or printed here.
#include <cstdint>
#include <optional>
#include <string>

#include "core/eip712.hpp"
#include "core/order_wire.hpp"
#include "core/result.hpp"
#include "core/secp256k1_signer.hpp"

namespace tdmaker {

inline constexpr const char* ctf_exchange_v2 = "0xE111180000d2663C0091e4f400237545B87B996B";
inline constexpr const char* neg_risk_ctf_exchange_v2 = "0xe2222d279d744050d28e00520010520000310F59";

/// Everything that makes one signed order; amounts in micro-units as signed.
struct order_spec {
  std::string token_id; // canonical decimal uint256
  order_side side = order_side::buy;
  std::int64_t maker_amount = 0;
  std::int64_t taker_amount = 0;
  std::uint64_t salt = 0;
  std::uint64_t timestamp_ms = 0;
  std::int64_t expiration = 0;
  signature_type sig_type = signature_type::eoa;
  std::optional<address20> funder; // maker; the signer's address when empty
  std::string owner;               // API key
  order_type type = order_type::gtc;
  bool post_only = false;
  bool defer_exec = false;
};

/// A GTC limit order spec for `size` shares at `px` (amounts by amounts_for).
order_spec limit_spec(std::string token_id, order_side side, price px, shares size, std::uint64_t salt,
                      std::uint64_t timestamp_ms, std::string owner);

/// The wire order for `spec`, signed by `key` on the exchange domain `domain_sep`
/// as clob-client-v2 signs it: maker = funder (the key's address when empty);
/// signer = the key's address, except POLY_1271 where signer = maker = the deposit
/// wallet and the signature is the ERC-7739 wrapping (core/erc7739.hpp).
/// Fails only on a token id that is not a uint256.
result<order_request> sign_order(const order_spec& spec, const private_key& key, const bytes32& domain_sep,
                                 std::uint64_t chain_id = polygon_chain_id);

/// Input keys: tokenID, price, size (limit) or amount (market), side, tickSize,
/// negRisk, orderType, signatureType, funder, owner, expiration, salt, timestamp,
/// postOnly, deferExec. Numbers are read as their exact decimal text.
result<std::string> sign_order_json(const std::string& params_json, const private_key& key);

} // namespace tdmaker
