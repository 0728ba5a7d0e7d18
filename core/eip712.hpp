#pragma once
// EIP-712 digests of the two structs Polymarket's CLOB signs: the L1 ClobAuth
// attestation and the V2 exchange order. The venue recomputes them to verify;
// the node computes them to sign. Shared here so the two cannot drift.
#include <cstdint>
#include <string>

#include "core/bytes.hpp"

namespace tdmaker {

inline constexpr std::uint64_t polygon_chain_id = 137;
inline constexpr const char* clob_auth_message = "This message attests that I control the given wallet";

struct clob_auth {
  address20 address{};
  std::string timestamp; // decimal Unix seconds, signed as a string
  std::uint64_t nonce = 0;
};

enum class order_side : std::uint8_t { buy = 0, sell = 1 };
enum class signature_type : std::uint8_t { eoa = 0, poly_proxy = 1, poly_gnosis_safe = 2, poly_1271 = 3 };

/// The 11 signed fields of a CLOB V2 order, as 32-byte words where the EIP-712
/// type is uint256/bytes32. `expiration` is not signed and not here.
struct order_v2 {
  bytes32 salt{};
  address20 maker{};
  address20 signer{};
  bytes32 token_id{};
  bytes32 maker_amount{};
  bytes32 taker_amount{};
  order_side side = order_side::buy;
  signature_type sig_type = signature_type::eoa;
  bytes32 timestamp_ms{};
  bytes32 metadata{};
  bytes32 builder{};
};

struct exchange_domain {
  std::string name = "Polymarket CTF Exchange";
  std::string version = "2";
  std::uint64_t chain_id = polygon_chain_id;
  address20 verifying_contract{};
};

bytes32 clob_auth_digest(const clob_auth& a, std::uint64_t chain_id = polygon_chain_id);
/// "Order(uint256 salt,...,bytes32 builder)": hashed into the type hash and, for
/// POLY_1271 orders, appended to the signature in full (ERC-7739).
const std::string& order_type_string();
bytes32 order_type_hash();
bytes32 domain_separator(const exchange_domain& d);
/// The order's signing hash; also its order id on the CLOB.
bytes32 order_digest(const order_v2& o, const bytes32& domain_sep);
/// hashStruct(Order): the ERC-7739 "contents hash" of a POLY_1271 order.
bytes32 order_struct_hash(const order_v2& o);
/// What a deposit wallet's owner signs for a POLY_1271 order (ERC-7739 nested
/// typed data): TypedDataSign{contents: o, name "DepositWallet", version "1",
/// chainId, verifyingContract = the wallet (o.signer), salt 0} on the exchange
/// domain `domain_sep`.
bytes32 typed_data_sign_digest(const order_v2& o, const bytes32& domain_sep, std::uint64_t chain_id);

} // namespace tdmaker
