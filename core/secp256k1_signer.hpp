#pragma once
// secp256k1 ECDSA over 32-byte digests with Ethereum's 65-byte r||s||v (v = 27/28)
// signatures. The private key type has no printer on purpose: it can never reach
// a log line by accident.
#include <string_view>

#include "core/bytes.hpp"
#include "core/result.hpp"

namespace tdmaker {

class private_key {
public:
  /// Parses 64 hex digits ("0x" optional) and checks the key is on the curve.
  /// Errors never echo the input.
  static result<private_key> parse(std::string_view hex);
  address20 address() const;
  signature65 sign(const bytes32& digest) const;

  private_key(const private_key&) = default;
  private_key& operator=(const private_key&) = default;
  ~private_key();

private:
  private_key() = default;
  bytes32 k_{};
};

/// The address that produced `sig` over `digest`; fails on a malformed or
/// non-canonical signature.
result<address20> recover_signer(const bytes32& digest, const signature65& sig);

result<signature65> parse_signature(std::string_view hex);

} // namespace tdmaker
