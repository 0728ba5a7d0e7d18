// The venue's wallet registry (issue 15): deposit wallets (POLY_1271) verified as
// the wallet contract would, proxy/safe makers accepted for their owner only, the
// "deposit wallet only" refusal of EOA makers, and funds that belong to the maker.
#include <doctest/doctest.h>

#include "core/eth_address.hpp"
#include "core/order_sign.hpp"
#include "core/secp256k1_signer.hpp"
#include "venue/exchange.hpp"
#include "venue/venue_config.hpp"

using namespace tdmaker;
using namespace tdmaker::venue;

namespace {

constexpr const char* key0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
constexpr const char* key1 = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
constexpr std::int64_t now_ms = 1'800'000'000'000;
const address20 deposit = *parse_address("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC");
const address20 proxy = *parse_address("0x90F79bf6EB2c4f870365E785982E1f101E93b906");

struct fixture {
  exchange ex{[] {
    exchange_config c;
    c.starting_usdc = 100'000'000;
    c.domain.verifying_contract = *parse_address(ctf_exchange_v2);
    return c;
  }()};
  slot_market m = make_slot(1, "btc", 1'800'000'000 - 100, 900, 1800);
  private_key k0 = *private_key::parse(key0), k1 = *private_key::parse(key1);
  api_creds c0 = *ex.create_key(k0.address(), 0), c1 = *ex.create_key(k1.address(), 0);
  std::uint64_t salt = 1;

  fixture() { ex.list_market(m); }

  order_request order(const private_key& k, const api_creds& c, signature_type t, std::optional<address20> funder,
                      order_side side = order_side::buy, std::int64_t px = 500'000) {
    auto spec = limit_spec(m.up_token, side, price{px}, shares{10'000'000}, salt++,
                           static_cast<std::uint64_t>(now_ms), c.key);
    spec.sig_type = t;
    spec.funder = funder;
    return *sign_order(spec, k, ex.domain_separator_value());
  }
  std::string place(const order_request& r, const api_creds& c) {
    auto v = ex.place(r, c.key, now_ms);
    auto* rej = std::get_if<rejection>(&v);
    return rej ? rej->error : "";
  }
};

} // namespace

TEST_CASE("deposit wallet: a registered wallet's type-3 order is placed, its funds reserved on the wallet") {
  fixture f;
  REQUIRE(f.ex.register_wallet(deposit, f.k0.address(), signature_type::poly_1271));
  auto r = f.order(f.k0, f.c0, signature_type::poly_1271, deposit);
  CHECK(f.place(r, f.c0) == "");
  auto* w = f.ex.account_by_address(deposit);
  REQUIRE(w);
  CHECK(w->reserved_usdc == 5'000'000); // 10 shares at 0.50, on the wallet
  CHECK(f.ex.account_by_address(f.k0.address())->reserved_usdc == 0);
  REQUIRE(f.ex.orders_by_maker(deposit).size() == 1);
  CHECK(f.ex.orders_by_maker(deposit)[0]->owner == f.c0.key); // the API key stays the owner EOA's
}

TEST_CASE("deposit wallet: unregistered, another owner's, or a broken wrapping is refused with no state change") {
  fixture f;
  auto r = f.order(f.k0, f.c0, signature_type::poly_1271, deposit);
  CHECK(f.place(r, f.c0) == "the order signer address has to be a deposit wallet of the address of the API KEY");
  REQUIRE(f.ex.register_wallet(deposit, f.k0.address(), signature_type::poly_1271));
  // Another key signing for k0's wallet, with its own API key.
  auto other = f.order(f.k1, f.c1, signature_type::poly_1271, deposit);
  CHECK(f.place(other, f.c1) == "the order signer address has to be a deposit wallet of the address of the API KEY");
  // The right API key, but the inner signature is another key's.
  auto forged = f.order(f.k1, f.c0, signature_type::poly_1271, deposit);
  CHECK(f.place(forged, f.c0) == "invalid signature");
  for (std::size_t at : {std::size_t{3}, std::size_t{35}, std::size_t{70}, std::size_t{251}}) {
    auto bad = f.order(f.k0, f.c0, signature_type::poly_1271, deposit);
    bad.order.signature_suffix[at] ^= 0x20;
    CHECK(f.place(bad, f.c0) == "invalid signature");
  }
  auto bare = f.order(f.k0, f.c0, signature_type::poly_1271, deposit);
  bare.order.signature_suffix.clear();
  CHECK(f.place(bare, f.c0) == "invalid signature");
  CHECK(f.ex.orders_by_maker(deposit).empty());
  CHECK(f.ex.account_by_address(deposit)->reserved_usdc == 0);
}

TEST_CASE("deposit wallet only: an EOA maker gets Polymarket's exact refusal, the wallet still trades") {
  fixture f;
  f.ex.set_deposit_wallet_only(f.k0.address(), true);
  REQUIRE(f.ex.register_wallet(deposit, f.k0.address(), signature_type::poly_1271));
  auto eoa = f.order(f.k0, f.c0, signature_type::eoa, std::nullopt);
  auto v = f.ex.place(eoa, f.c0.key, now_ms);
  auto* rej = std::get_if<rejection>(&v);
  REQUIRE(rej);
  CHECK(rej->http_status == 400);
  CHECK(rej->error == "maker address not allowed, please use the deposit wallet flow");
  CHECK(f.place(f.order(f.k0, f.c0, signature_type::poly_1271, deposit), f.c0) == "");
  CHECK(f.place(f.order(f.k1, f.c1, signature_type::eoa, std::nullopt), f.c1) == ""); // other accounts unaffected
  f.ex.set_deposit_wallet_only(f.k0.address(), false);
  CHECK(f.place(f.order(f.k0, f.c0, signature_type::eoa, std::nullopt), f.c0) == "");
}

TEST_CASE("proxy and safe wallets: accepted when the signer is their owner, refused otherwise") {
  fixture f;
  auto unregistered = f.order(f.k0, f.c0, signature_type::poly_proxy, proxy);
  CHECK(f.place(unregistered, f.c0) == "the order maker address has to be a proxy wallet of the signer");
  REQUIRE(f.ex.register_wallet(proxy, f.k0.address(), signature_type::poly_proxy));
  CHECK(f.place(f.order(f.k0, f.c0, signature_type::poly_proxy, proxy), f.c0) == "");
  // The same wallet claimed as a safe, or by another owner.
  CHECK(f.place(f.order(f.k0, f.c0, signature_type::poly_gnosis_safe, proxy), f.c0)
        == "the order maker address has to be a Gnosis safe of the signer");
  CHECK(f.place(f.order(f.k1, f.c1, signature_type::poly_proxy, proxy), f.c1)
        == "the order maker address has to be a proxy wallet of the signer");
  CHECK_FALSE(f.ex.register_wallet(proxy, f.k1.address(), signature_type::poly_proxy));
  CHECK_FALSE(f.ex.register_wallet(f.k0.address(), f.k0.address(), signature_type::poly_proxy));
  CHECK_FALSE(f.ex.register_wallet(deposit, f.k0.address(), signature_type::eoa));
}

TEST_CASE("wallet fills: the trade moves the wallets' balances, not the owners'") {
  fixture f;
  REQUIRE(f.ex.register_wallet(deposit, f.k0.address(), signature_type::poly_1271));
  REQUIRE(f.ex.register_wallet(proxy, f.k1.address(), signature_type::poly_proxy));
  CHECK(f.place(f.order(f.k0, f.c0, signature_type::poly_1271, deposit, order_side::buy, 600'000), f.c0) == "");
  auto sell_down = [&] {
    auto spec = limit_spec(f.m.down_token, order_side::buy, price{400'000}, shares{10'000'000}, f.salt++,
                           static_cast<std::uint64_t>(now_ms), f.c1.key);
    spec.sig_type = signature_type::poly_proxy;
    spec.funder = proxy;
    return *sign_order(spec, f.k1, f.ex.domain_separator_value());
  }();
  CHECK(f.place(sell_down, f.c1) == ""); // complementary match: Up bid 0.60 + Down bid 0.40
  auto* w = f.ex.account_by_address(deposit);
  auto* p = f.ex.account_by_address(proxy);
  CHECK(w->tokens.at(f.m.up_token) == 10'000'000);
  CHECK(p->tokens.at(f.m.down_token) == 10'000'000);
  CHECK(w->usdc == 100'000'000 - 6'000'000);
  CHECK(w->reserved_usdc == 0);
  CHECK(f.ex.account_by_address(f.k0.address())->usdc == 100'000'000);
  CHECK(f.ex.account_by_address(f.k1.address())->usdc == 100'000'000);
  CHECK(f.ex.account_by_address(f.k0.address())->tokens.empty());
}

TEST_CASE("venue config: wallets and deposit_wallet_only are validated with their paths") {
  auto ok = parse_venue_config(R"({"wallets":[{"wallet":"0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
    "owner":"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266","type":"POLY_1271"}],
    "deposit_wallet_only":["0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"]})");
  REQUIRE(ok);
  REQUIRE(ok->wallets.size() == 1);
  CHECK(ok->wallets[0].wallet == deposit);
  CHECK(ok->wallets[0].type == signature_type::poly_1271);
  CHECK(ok->deposit_wallet_only.size() == 1);
  auto eoa = parse_venue_config(R"({"wallets":[{"wallet":"0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
    "owner":"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266","type":"EOA"}]})");
  REQUIRE_FALSE(eoa);
  CHECK(eoa.error().find("$.wallets[0].type: an EOA is not a wallet") == 0);
  auto twice = parse_venue_config(R"({"wallets":[
    {"wallet":"0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC","owner":"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266","type":"POLY_1271"},
    {"wallet":"0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC","owner":"0x70997970C51812dc3A010C7d01b50e0d17dc79C8","type":"POLY_1271"}]})");
  REQUIRE_FALSE(twice);
  CHECK(twice.error().find("$.wallets[1]: wallet:") == 0);
  auto bad = parse_venue_config(R"({"deposit_wallet_only":["0x12"]})");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().find("$.deposit_wallet_only[0]:") == 0);
  CHECK_FALSE(parse_venue_config(R"({"wallets":[{"wallet":"0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC","owner":"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266","type":"POLY_1271","x":1}]})"));
}
