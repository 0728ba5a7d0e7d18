// Wallet types (issue 15): config keys, the addresses each type signs with, and
// the POLY_1271 ERC-7739 wrapping built and checked by the same core code.
#include <doctest/doctest.h>

#include "core/config.hpp"
#include "core/erc7739.hpp"
#include "core/eth_address.hpp"
#include "core/keccak.hpp"
#include "core/order_sign.hpp"
#include "core/order_wire.hpp"
#include "core/wallet.hpp"

using namespace tdmaker;

namespace {

constexpr const char* key0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
constexpr const char* wallet_text = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
const char* token = "71321045679252212594626385532706912750332728571942532289631379312455583992563";

bytes32 exchange_sep() {
  exchange_domain d;
  d.verifying_contract = *parse_address(ctf_exchange_v2);
  return domain_separator(d);
}

order_request deposit_order(const private_key& k, const bytes32& sep) {
  auto spec = limit_spec(token, order_side::buy, price{530'000}, shares{10'000'000}, 7, 1'800'000'000'000, "owner");
  spec.sig_type = signature_type::poly_1271;
  spec.funder = *parse_address(wallet_text);
  return *sign_order(spec, k, sep);
}

} // namespace

TEST_CASE("wallet config: signature_type and funder are validated with their paths") {
  auto ok = parse_config(R"({"wallet":{"signature_type":"POLY_1271","funder":"0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"}})");
  REQUIRE(ok);
  CHECK(ok->wallet_signature_type == "POLY_1271");
  CHECK(ok->wallet_funder == wallet_text);
  CHECK(parse_config("{}")->wallet_signature_type == "EOA");
  auto bad_type = parse_config(R"({"wallet":{"signature_type":"SAFE"}})");
  REQUIRE_FALSE(bad_type);
  CHECK(bad_type.error().find("$.wallet.signature_type: expected one of EOA") == 0);
  auto missing = parse_config(R"({"wallet":{"signature_type":"POLY_PROXY"}})");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().find("$.wallet.funder: required with $.wallet.signature_type POLY_PROXY") == 0);
  auto bad_addr = parse_config(R"({"wallet":{"signature_type":"POLY_PROXY","funder":"0x1234"}})");
  REQUIRE_FALSE(bad_addr);
  CHECK(bad_addr.error().find("$.wallet.funder:") == 0);
  // A 64-hex value at the funder is still refused as a secret (it is a key's shape).
  auto key_shaped = parse_config(R"({"wallet":{"funder":"0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"}})");
  REQUIRE_FALSE(key_shaped);
  CHECK(key_shaped.error().find("looks like a secret") != std::string::npos);
}

TEST_CASE("wallet resolve: maker, signer and refusals per type") {
  auto k = *private_key::parse(key0);
  auto w = *parse_address(wallet_text);
  auto eoa = resolve_wallet(signature_type::eoa, "", k.address());
  REQUIRE(eoa);
  CHECK(eoa->funder == k.address());
  CHECK(eoa->signer == k.address());
  CHECK(resolve_wallet(signature_type::eoa, to_checksum(k.address()), k.address()));
  auto eoa_other = resolve_wallet(signature_type::eoa, wallet_text, k.address());
  REQUIRE_FALSE(eoa_other);
  CHECK(eoa_other.error().find("is not the key's address") != std::string::npos);
  for (auto t : {signature_type::poly_proxy, signature_type::poly_gnosis_safe}) {
    auto r = resolve_wallet(t, wallet_text, k.address());
    REQUIRE(r);
    CHECK(r->funder == w);
    CHECK(r->signer == k.address());
    CHECK_FALSE(resolve_wallet(t, "", k.address()));
  }
  auto dw = resolve_wallet(signature_type::poly_1271, wallet_text, k.address());
  REQUIRE(dw);
  CHECK(dw->signer == w);
  CHECK(dw->funder == w);
  CHECK(*parse_signature_type("POLY_GNOSIS_SAFE") == signature_type::poly_gnosis_safe);
  CHECK_FALSE(parse_signature_type("poly_proxy"));
  CHECK(to_string(signature_type::poly_1271) == "POLY_1271");
}

TEST_CASE("POLY_1271: maker = signer = the wallet, signature = inner ECDSA and the ERC-7739 wrapping") {
  auto k = *private_key::parse(key0);
  auto sep = exchange_sep();
  auto r = deposit_order(k, sep);
  const auto& o = r.order;
  CHECK(o.fields.maker == *parse_address(wallet_text));
  CHECK(o.fields.signer == o.fields.maker);
  CHECK(order_type_string().size() == 186); // the official client appends 0x00ba
  REQUIRE(o.signature_suffix.size() == 32 + 32 + 186 + 2);
  CHECK(std::equal(sep.begin(), sep.end(), o.signature_suffix.begin()));
  auto contents = order_struct_hash(o.fields);
  CHECK(std::equal(contents.begin(), contents.end(), o.signature_suffix.begin() + 32));
  CHECK(o.signature_suffix[250] == 0x00);
  CHECK(o.signature_suffix[251] == 0xba);
  // The inner signature is over TypedDataSign, not over the plain order digest.
  auto signer = erc7739_signer(o.fields, o.signature, o.signature_suffix, sep, polygon_chain_id);
  REQUIRE(signer);
  CHECK(*signer == k.address());
  auto plain = recover_signer(order_digest(o.fields, sep), o.signature);
  CHECK((!plain || *plain != k.address()));
}

TEST_CASE("POLY_1271: every tampered part of the wrapping is refused or recovers another signer") {
  auto k = *private_key::parse(key0);
  auto sep = exchange_sep();
  auto r = deposit_order(k, sep);
  const auto& o = r.order;
  for (std::size_t at : {std::size_t{0}, std::size_t{40}, std::size_t{100}, std::size_t{251}}) {
    auto bad = o.signature_suffix;
    bad[at] ^= 1;
    CHECK_FALSE(erc7739_signer(o.fields, o.signature, bad, sep, polygon_chain_id));
  }
  auto shorter = o.signature_suffix;
  shorter.pop_back();
  CHECK_FALSE(erc7739_signer(o.fields, o.signature, shorter, sep, polygon_chain_id));
  // Another exchange (neg-risk) or another chain: the owner's key is not recovered.
  exchange_domain nr;
  nr.verifying_contract = *parse_address(neg_risk_ctf_exchange_v2);
  CHECK_FALSE(erc7739_signer(o.fields, o.signature, o.signature_suffix, domain_separator(nr), polygon_chain_id));
  auto other_chain = erc7739_signer(o.fields, o.signature, o.signature_suffix, sep, 80002);
  CHECK((!other_chain || *other_chain != k.address()));
  auto fields = o.fields;
  fields.maker_amount[31] ^= 1; // the contents hash no longer matches the order
  CHECK_FALSE(erc7739_signer(fields, o.signature, o.signature_suffix, sep, polygon_chain_id));
}

TEST_CASE("POLY_1271 wire: the wrapped signature survives encode and parse, and is bounded") {
  auto k = *private_key::parse(key0);
  auto r = deposit_order(k, exchange_sep());
  auto text = encode_order_request(r);
  auto back = parse_order_request(text);
  REQUIRE(back);
  CHECK(back->order.signature == r.order.signature);
  CHECK(back->order.signature_suffix == r.order.signature_suffix);
  CHECK(encode_order_request(*back) == text);
  // A bare 65-byte signature on a type-3 order, or a wrapping on a type-0 order: malformed.
  auto bare = text;
  auto at = bare.find(to_hex(r.order.signature_suffix, false));
  bare.erase(at, r.order.signature_suffix.size() * 2);
  CHECK_FALSE(parse_order_request(bare));
  auto eoa = text;
  eoa.replace(eoa.find("\"signatureType\":3"), 17, "\"signatureType\":0");
  CHECK_FALSE(parse_order_request(eoa));
}

TEST_CASE("order-sign JSON: signatureType 3 signs as the deposit wallet, 4 is refused") {
  auto k = *private_key::parse(key0);
  auto body = sign_order_json(R"({"tokenID":")" + std::string(token)
                                + R"(","price":0.53,"size":10,"side":"BUY","signatureType":3,"funder":")" + wallet_text
                                + R"(","owner":"o","salt":7,"timestamp":"1800000000000"})",
                              k);
  REQUIRE(body);
  auto parsed = parse_order_request(*body);
  REQUIRE(parsed);
  CHECK(parsed->order.fields.signer == *parse_address(wallet_text));
  CHECK(parsed->order.signature_suffix.size() == 252);
  auto four = sign_order_json(R"({"tokenID":")" + std::string(token)
                                + R"(","price":0.53,"size":10,"side":"BUY","signatureType":4,"owner":"o","salt":7,"timestamp":"1"})",
                              k);
  REQUIRE_FALSE(four);
  CHECK(four.error().find("signatureType") == 0);
}
