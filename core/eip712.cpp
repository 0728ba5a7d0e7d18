#include "core/eip712.hpp"

#include <cstring>
#include <vector>

#include "core/keccak.hpp"
#include "core/uint256.hpp"

namespace tdmaker {
namespace {

// ABI encoding of a struct: concatenated 32-byte words.
class words {
public:
  explicit words(std::size_t n) { buf_.reserve(n * 32); }
  words& add(const bytes32& w) {
    buf_.insert(buf_.end(), w.begin(), w.end());
    return *this;
  }
  words& add(const address20& a) {
    buf_.insert(buf_.end(), 12, 0);
    buf_.insert(buf_.end(), a.begin(), a.end());
    return *this;
  }
  words& add(std::uint64_t v) { return add(uint256_from(v)); }
  words& add_string(std::string_view s) { return add(keccak256(s)); }
  bytes32 hash() const { return keccak256(buf_); }

private:
  std::vector<std::uint8_t> buf_;
};

bytes32 typed_digest(const bytes32& domain_sep, const bytes32& struct_hash) {
  std::uint8_t buf[66];
  buf[0] = 0x19;
  buf[1] = 0x01;
  std::memcpy(buf + 2, domain_sep.data(), 32);
  std::memcpy(buf + 34, struct_hash.data(), 32);
  return keccak256(std::span<const std::uint8_t>(buf, sizeof buf));
}

} // namespace

bytes32 clob_auth_digest(const clob_auth& a, std::uint64_t chain_id) {
  static const auto domain_type = keccak256("EIP712Domain(string name,string version,uint256 chainId)");
  static const auto auth_type =
    keccak256("ClobAuth(address address,string timestamp,uint256 nonce,string message)");
  auto domain = words(4).add(domain_type).add_string("ClobAuthDomain").add_string("1").add(chain_id).hash();
  auto s = words(5).add(auth_type).add(a.address).add_string(a.timestamp).add(a.nonce)
             .add_string(clob_auth_message).hash();
  return typed_digest(domain, s);
}

const std::string& order_type_string() {
  static const std::string s =
    "Order(uint256 salt,address maker,address signer,uint256 tokenId,uint256 makerAmount,"
    "uint256 takerAmount,uint8 side,uint8 signatureType,uint256 timestamp,bytes32 metadata,"
    "bytes32 builder)";
  return s;
}

bytes32 order_type_hash() {
  static const auto h = keccak256(order_type_string());
  return h;
}

bytes32 domain_separator(const exchange_domain& d) {
  static const auto domain_type = keccak256(
    "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
  return words(5).add(domain_type).add_string(d.name).add_string(d.version).add(d.chain_id)
    .add(d.verifying_contract).hash();
}

bytes32 order_digest(const order_v2& o, const bytes32& domain_sep) {
  return typed_digest(domain_sep, order_struct_hash(o));
}

bytes32 typed_data_sign_digest(const order_v2& o, const bytes32& domain_sep, std::uint64_t chain_id) {
  // EIP-712 encodeType: the primary type, then the referenced Order type.
  static const auto type_hash = keccak256(
    "TypedDataSign(Order contents,string name,string version,uint256 chainId,address verifyingContract,"
    "bytes32 salt)" + order_type_string());
  auto s = words(7).add(type_hash).add(order_struct_hash(o)).add_string("DepositWallet").add_string("1")
             .add(chain_id).add(o.signer).add(bytes32{}).hash();
  return typed_digest(domain_sep, s);
}

bytes32 order_struct_hash(const order_v2& o) {
  return words(12)
             .add(order_type_hash())
             .add(o.salt)
             .add(o.maker)
             .add(o.signer)
             .add(o.token_id)
             .add(o.maker_amount)
             .add(o.taker_amount)
             .add(static_cast<std::uint64_t>(o.side))
             .add(static_cast<std::uint64_t>(o.sig_type))
             .add(o.timestamp_ms)
             .add(o.metadata)
             .add(o.builder)
             .hash();
}

} // namespace tdmaker
