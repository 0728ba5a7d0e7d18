// Signing and auth codecs against the vectors of ../shared/ref/polymarket-protocol.md §9,
// which were produced with Polymarket's official clients.
#include <doctest/doctest.h>

#include "core/eip712.hpp"
#include "core/eth_address.hpp"
#include "core/keccak.hpp"
#include "core/l2_auth.hpp"
#include "core/secp256k1_signer.hpp"
#include "core/uint256.hpp"

using namespace tdmaker;

namespace {
constexpr const char* hardhat_key = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
constexpr const char* hardhat_address = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
constexpr const char* ctf_exchange_v2 = "0xE111180000d2663C0091e4f400237545B87B996B";

order_v2 vector_order() {
  order_v2 o;
  o.salt = uint256_from(123456789);
  o.maker = o.signer = *parse_address(hardhat_address);
  o.token_id = *parse_uint256("71321045679252212594626385532706912750332728571942532289631379312455583992563");
  o.maker_amount = uint256_from(5300000);
  o.taker_amount = uint256_from(10000000);
  o.side = order_side::buy;
  o.sig_type = signature_type::eoa;
  o.timestamp_ms = uint256_from(1713398400000ULL);
  return o;
}

bytes32 v2_domain() {
  exchange_domain d;
  d.verifying_contract = *parse_address(ctf_exchange_v2);
  return domain_separator(d);
}
} // namespace

TEST_CASE("keccak256 is Ethereum's Keccak - not SHA3") {
  CHECK(to_hex(keccak256("")) == "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
  CHECK(to_hex(order_type_hash()) == "0xbb86318a2138f5fa8ae32fbe8e659f8fcf13cc6ae4014a707893055433818589");
}

TEST_CASE("a private key gives its address - errors never echo the key") {
  auto k = private_key::parse(hardhat_key);
  REQUIRE(k);
  CHECK(to_checksum(k->address()) == hardhat_address);
  auto bad = private_key::parse("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ffzz");
  REQUIRE(!bad);
  CHECK(bad.error().find("ac0974") == std::string::npos);
  CHECK(!private_key::parse(std::string(64, '0'))); // zero is not a key
}

TEST_CASE("addresses: EIP-55 checksums are enforced on mixed case") {
  CHECK(parse_address(hardhat_address));
  CHECK(parse_address("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"));
  CHECK(parse_address("0xF39FD6E51AAD88F6F4CE6AB8827279CFFFB92266"));
  CHECK(!parse_address("0xF39Fd6e51aad88F6F4ce6aB8827279cffFb92266")); // one letter flipped
  CHECK(!parse_address("0xf39fd6e51aad88f6f4ce6ab8827279cfffb9226"));  // short
  CHECK(!parse_address("f39fd6e51aad88f6f4ce6ab8827279cfffb922660x"));
}

TEST_CASE("uint256 decimal round trip and bounds") {
  auto max = std::string("115792089237316195423570985008687907853269984665640564039457584007913129639935");
  REQUIRE(parse_uint256(max));
  CHECK(uint256_to_decimal(*parse_uint256(max)) == max);
  CHECK(!parse_uint256("115792089237316195423570985008687907853269984665640564039457584007913129639936"));
  CHECK(uint256_to_decimal(*parse_uint256("0")) == "0");
  CHECK(!parse_uint256("007"));
  CHECK(!parse_uint256("-1"));
  CHECK(!parse_uint256(""));
  CHECK(!parse_uint256("1e5"));
}

TEST_CASE("L1 ClobAuth digest and signature match the official client") {
  clob_auth a{*parse_address(hardhat_address), "1700000000", 0};
  auto digest = clob_auth_digest(a);
  CHECK(to_hex(digest) == "0xc85352894b3c41f3ea6152479d64b9233fbaf2de87eabc7e4bba3a161fd28493");
  auto sig = private_key::parse(hardhat_key)->sign(digest);
  CHECK(to_hex(sig) == "0x659ed4b28ae28e0f038fdf0023c00863c9559caacb9ebc83f44eea87059a099a36f1e1dee110e7faa1c4f65d17489b2da1333ebef78bbe2116d81207b975052d1c");
  auto who = recover_signer(digest, sig);
  REQUIRE(who);
  CHECK(to_checksum(*who) == hardhat_address);
}

TEST_CASE("V2 order id and signature match clob-client-v2") {
  auto digest = order_digest(vector_order(), v2_domain());
  CHECK(to_hex(digest) == "0x0efd8aa8704b9b2d7bf5bc12254e3a681b3919ad57f3abcdb056e37d91783a7f");
  auto sig = private_key::parse(hardhat_key)->sign(digest);
  CHECK(to_hex(sig) == "0xaa2fa5cad2a2810a90ae18b61ce708b27a332d30489b997e2266336c780a043c235e3a7f7352dea7d618a1390c50634ec53eab22c05f28fc16f03715212dac501b");
}

TEST_CASE("a tampered order or signature does not recover the signer") {
  auto digest = order_digest(vector_order(), v2_domain());
  auto sig = private_key::parse(hardhat_key)->sign(digest);
  auto signer = *parse_address(hardhat_address);

  auto changed = vector_order();
  changed.maker_amount = uint256_from(5300001);
  auto other = recover_signer(order_digest(changed, v2_domain()), sig);
  CHECK((!other || *other != signer));

  auto flipped = sig;
  flipped[10] ^= 1;
  auto r = recover_signer(digest, flipped);
  CHECK((!r || *r != signer));

  auto bad_v = sig;
  bad_v[64] = 30;
  CHECK(!recover_signer(digest, bad_v));

  // The neg-risk exchange is another domain: same order, different id.
  exchange_domain neg;
  neg.verifying_contract = *parse_address("0xe2222d279d744050d28e00520010520000310F59");
  CHECK(order_digest(vector_order(), domain_separator(neg)) != digest);
}

TEST_CASE("L2 HMAC signatures match the official client") {
  auto secret = "c2VjcmV0LWtleS1mb3ItdGVzdGluZy0xMjM0NTY3OA==";
  auto s1 = l2_signature(secret, "1700000000", "DELETE", "/order", R"({"orderID":"0xabc"})");
  REQUIRE(s1);
  CHECK(*s1 == "5rflqJIxf-wy_4baXpGnEmn9WspX6C9zAOhNhuNaOeo=");
  auto s2 = l2_signature(secret, "1700000000", "GET", "/data/orders", "");
  REQUIRE(s2);
  CHECK(*s2 == "V3xUzYOCaT1EBgfnXqa5BMhrtyg0GsMCL2hMwj1cKYc=");
  CHECK(!l2_signature("not base64 !!", "1", "GET", "/", ""));
  CHECK(secrets_equal(*s1, "5rflqJIxf-wy_4baXpGnEmn9WspX6C9zAOhNhuNaOeo="));
  CHECK(!secrets_equal(*s1, *s2));
}

TEST_CASE("base64 accepts url-safe and unpadded input") {
  std::vector<std::uint8_t> data{0xfb, 0xff, 0x01};
  CHECK(base64_encode(data) == "+/8B");
  CHECK(base64url_padded(data) == "-_8B");
  CHECK(*base64_decode("-_8B") == data);
  std::vector<std::uint8_t> two{0xfb, 0xff};
  CHECK(*base64_decode("-_8") == two);
  CHECK(*base64_decode("+/8=") == two);
  CHECK(!base64_decode("a"));
  CHECK(!base64_decode("ab$d"));
}

#include "core/auth_headers.hpp"

TEST_CASE("L1 and L2 header sets carry the reference signatures") {
  auto k = *private_key::parse(hardhat_key);
  auto l1 = l1_headers(k, 1700000000, 0);
  REQUIRE(l1.size() == 4);
  CHECK(l1[0] == std::pair<std::string, std::string>{"POLY_ADDRESS", hardhat_address});
  CHECK(l1[1].second == "0x659ed4b28ae28e0f038fdf0023c00863c9559caacb9ebc83f44eea87059a099a36f1e1dee110e7faa1c4f65d17489b2da1333ebef78bbe2116d81207b975052d1c");
  CHECK(l1[3] == std::pair<std::string, std::string>{"POLY_NONCE", "0"});
  api_credentials c{"key-1", "c2VjcmV0LWtleS1mb3ItdGVzdGluZy0xMjM0NTY3OA==", "pp"};
  auto l2 = l2_headers(k, c, 1700000000, "GET", "/data/orders", "");
  REQUIRE(l2);
  CHECK((*l2)[1].second == "V3xUzYOCaT1EBgfnXqa5BMhrtyg0GsMCL2hMwj1cKYc=");
  CHECK(headers_json(*l2).find(R"("POLY_API_KEY":"key-1")") != std::string::npos);
  c.secret = "not base64!";
  CHECK(!l2_headers(k, c, 1700000000, "GET", "/", ""));
}
