#include "core/secp256k1_signer.hpp"

#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include <cstring>
#include <stdexcept>
#include <openssl/crypto.h>

#include "core/keccak.hpp"

namespace tdmaker {
namespace {

// Created once and only read afterwards; libsecp256k1 contexts are safe for
// concurrent const use.
const secp256k1_context* ctx() {
  static const secp256k1_context* c = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
  return c;
}

address20 address_of(const secp256k1_pubkey& pk) {
  std::uint8_t raw[65];
  size_t len = sizeof raw;
  secp256k1_ec_pubkey_serialize(ctx(), raw, &len, &pk, SECP256K1_EC_UNCOMPRESSED);
  auto h = keccak256(std::span<const std::uint8_t>(raw + 1, 64));
  address20 a;
  std::memcpy(a.data(), h.data() + 12, 20);
  return a;
}

} // namespace

private_key::~private_key() { OPENSSL_cleanse(k_.data(), k_.size()); }

result<private_key> private_key::parse(std::string_view hex) {
  private_key k;
  if (!from_hex(hex, k.k_))
    return fail("private key: expected 64 hex digits");
  if (secp256k1_ec_seckey_verify(ctx(), k.k_.data()) != 1)
    return fail("private key: not a valid secp256k1 key");
  return k;
}

address20 private_key::address() const {
  secp256k1_pubkey pk;
  if (secp256k1_ec_pubkey_create(ctx(), &pk, k_.data()) != 1)
    throw std::logic_error("private key: invariant broken"); // verified in parse
  return address_of(pk);
}

signature65 private_key::sign(const bytes32& digest) const {
  secp256k1_ecdsa_recoverable_signature sig;
  // RFC 6979 deterministic nonce: the same digest always gives the same signature.
  if (secp256k1_ecdsa_sign_recoverable(ctx(), &sig, digest.data(), k_.data(), nullptr, nullptr) != 1)
    throw std::logic_error("private key: signing failed");
  signature65 out;
  int recid = 0;
  secp256k1_ecdsa_recoverable_signature_serialize_compact(ctx(), out.data(), &recid, &sig);
  out[64] = static_cast<std::uint8_t>(27 + recid);
  return out;
}

result<address20> recover_signer(const bytes32& digest, const signature65& sig) {
  int v = sig[64];
  if (v >= 27)
    v -= 27;
  if (v < 0 || v > 1)
    return fail("invalid signature: bad recovery id");
  // Reject high-s signatures (malleable twins), as Ethereum does.
  secp256k1_ecdsa_signature plain;
  if (secp256k1_ecdsa_signature_parse_compact(ctx(), &plain, sig.data()) != 1)
    return fail("invalid signature: r or s out of range");
  secp256k1_ecdsa_signature normalized;
  if (secp256k1_ecdsa_signature_normalize(ctx(), &normalized, &plain) != 0)
    return fail("invalid signature: non-canonical s");
  secp256k1_ecdsa_recoverable_signature rs;
  if (secp256k1_ecdsa_recoverable_signature_parse_compact(ctx(), &rs, sig.data(), v) != 1)
    return fail("invalid signature: malformed");
  secp256k1_pubkey pk;
  if (secp256k1_ecdsa_recover(ctx(), &pk, &rs, digest.data()) != 1)
    return fail("invalid signature: no key recovers it");
  return address_of(pk);
}

result<signature65> parse_signature(std::string_view hex) {
  signature65 s;
  if (auto r = from_hex(hex, s); !r)
    return fail("invalid signature: " + r.error());
  return s;
}

} // namespace tdmaker
