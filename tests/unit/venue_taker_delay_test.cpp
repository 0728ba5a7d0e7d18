// The venue's taker delay: a marketable order on a delayed series is answered
// `delayed`, held, then matched against the book as it is when the hold ends;
// the delay can fail (`unmatched`); a delayed order can be cancelled.
#include <doctest/doctest.h>

#include "core/eth_address.hpp"
#include "core/order_sign.hpp"
#include "core/secp256k1_signer.hpp"
#include "venue/exchange.hpp"
#include "venue/venue_config.hpp"

using namespace tdmaker;
using namespace tdmaker::venue;

namespace {

constexpr std::int64_t t0 = 1'800'000'000'000;

struct delayed_fixture {
  exchange ex{[] {
    exchange_config c;
    c.starting_usdc = 100'000'000;
    c.domain.verifying_contract = *parse_address("0xE111180000d2663C0091e4f400237545B87B996B");
    c.taker_delay_ms = {{"btc", 250}};
    return c;
  }()};
  slot_market m = make_slot(1, "btc", 1'800'000'000 - 100, 900, 1800);
  slot_market eth = make_slot(1, "eth", 1'800'000'000 - 100, 900, 1800);
  private_key ka = *private_key::parse("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
  private_key kb = *private_key::parse("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
  api_creds a, b;
  std::uint64_t salt = 1;

  delayed_fixture() {
    ex.list_market(m);
    ex.list_market(eth);
    a = *ex.create_key(ka.address(), 0);
    b = *ex.create_key(kb.address(), 0);
  }

  placement place(const api_creds& who, const std::string& token, order_side side, std::int64_t px,
                  std::int64_t size, order_type type = order_type::gtc) {
    auto spec = limit_spec(token, side, price{px}, shares{size}, salt++, static_cast<std::uint64_t>(t0), who.key);
    spec.type = type;
    auto r = *sign_order(spec, who.key == a.key ? ka : kb, ex.domain_separator_value());
    auto p = ex.place(r, who.key, t0);
    REQUIRE(std::holds_alternative<placement>(p));
    return std::get<placement>(p);
  }
  const account& acct(const api_creds& who) { return *ex.account_by_key(who.key); }
};

} // namespace

TEST_CASE_FIXTURE(delayed_fixture, "taker delay: a marketable order is answered delayed, held, then matched") {
  CHECK(ex.taker_delay_of(m) == 250);
  CHECK(ex.taker_delay_of(eth) == 0);
  auto ask = place(a, m.up_token, order_side::buy, 400'000, 10'000'000); // b sells into a's bid
  CHECK(ask.status == "live");
  auto sell = place(b, m.down_token, order_side::buy, 600'000, 10'000'000); // crosses: 1 - 0.60 <= 0.40
  CHECK(sell.status == "delayed");
  CHECK(sell.trade_ids.empty());
  CHECK(sell.making == 0);
  CHECK(ex.all_trades().empty());
  CHECK(ex.order(sell.order_id)->status == order_status::delayed);
  CHECK(to_string(ex.order(sell.order_id)->status) == "DELAYED");
  CHECK(acct(b).reserved_usdc == 6'000'000); // held like a resting bid
  CHECK(ex.bids(m.down_token).size() == 0);  // but not on the book
  ex.release_delayed(t0 + 249);
  CHECK(ex.all_trades().empty());
  ex.release_delayed(t0 + 250);
  REQUIRE(ex.all_trades().size() == 1);
  CHECK(ex.all_trades()[0].taker_order_id == sell.order_id);
  CHECK(ex.order(sell.order_id)->status == order_status::matched);
  CHECK(ex.order(sell.order_id)->matched == 10'000'000);
  CHECK(acct(b).reserved_usdc == 0);
  // Taker fee 10 x 0.07 x 0.6 x 0.4 = 0.168, paid once, at the release.
  CHECK(acct(b).usdc == 100'000'000 - 6'000'000 - 168'000);
  ex.release_delayed(t0 + 10'000); // idempotent: nothing is matched twice
  CHECK(ex.all_trades().size() == 1);
}

TEST_CASE_FIXTURE(delayed_fixture, "taker delay: the book at the release decides: a GTC rests, a FOK is killed") {
  auto bid = place(a, m.up_token, order_side::buy, 400'000, 10'000'000);
  auto gtc = place(b, m.down_token, order_side::buy, 600'000, 10'000'000);
  auto fok = place(b, m.down_token, order_side::buy, 600'000, 5'000'000, order_type::fok);
  CHECK(gtc.status == "delayed");
  CHECK(fok.status == "delayed");
  // The maker leaves during the hold (what the delay is for).
  REQUIRE(ex.cancel(a.key, {bid.order_id}).canceled.size() == 1);
  ex.release_delayed(t0 + 250);
  CHECK(ex.all_trades().empty());
  CHECK(ex.order(gtc.order_id)->status == order_status::live);
  CHECK(ex.order(fok.order_id)->status == order_status::canceled);
  CHECK(acct(b).reserved_usdc == 6'000'000); // only the resting GTC holds money
  REQUIRE(ex.bids(m.down_token).size() == 1);
  CHECK(ex.open_orders(b.key, "", "", "").size() == 1);
}

TEST_CASE_FIXTURE(delayed_fixture, "taker delay: only marketable orders on a delayed series are held") {
  CHECK(place(b, m.down_token, order_side::buy, 300'000, 10'000'000).status == "live"); // crosses nothing
  place(a, eth.up_token, order_side::buy, 400'000, 10'000'000);
  CHECK(place(b, eth.down_token, order_side::buy, 600'000, 10'000'000).status == "matched"); // eth: no delay
  place(a, m.up_token, order_side::buy, 400'000, 10'000'000);
  auto spec = limit_spec(m.down_token, order_side::buy, price{600'000}, shares{10'000'000}, salt++,
                         static_cast<std::uint64_t>(t0), b.key);
  spec.post_only = true;
  auto r = ex.place(*sign_order(spec, kb, ex.domain_separator_value()), b.key, t0);
  REQUIRE(std::holds_alternative<rejection>(r)); // a crossing post-only order is refused, not delayed
  CHECK(std::get<rejection>(r).error == "invalid post-only order: order crosses book");
}

TEST_CASE_FIXTURE(delayed_fixture, "taker delay: a failed delay answers unmatched and the order never trades") {
  ex.delay_fails = [] { return true; };
  place(a, m.up_token, order_side::buy, 400'000, 10'000'000);
  auto p = place(b, m.down_token, order_side::buy, 600'000, 10'000'000);
  CHECK(p.status == "unmatched");
  CHECK(to_string(ex.order(p.order_id)->status) == "UNMATCHED");
  CHECK(acct(b).reserved_usdc == 0);
  ex.release_delayed(t0 + 1'000);
  CHECK(ex.all_trades().empty());
  CHECK(ex.open_orders(b.key, "", "", "").empty());
}

TEST_CASE_FIXTURE(delayed_fixture, "taker delay: a delayed order can be cancelled during its hold") {
  place(a, m.up_token, order_side::buy, 400'000, 10'000'000);
  auto p = place(b, m.down_token, order_side::buy, 600'000, 10'000'000);
  CHECK(ex.open_orders(b.key, "", "", "").size() == 1); // a delayed order is open
  CHECK(ex.cancel(b.key, {p.order_id}).canceled == std::vector<std::string>{p.order_id});
  CHECK(acct(b).reserved_usdc == 0);
  ex.release_delayed(t0 + 250);
  CHECK(ex.all_trades().empty());
  CHECK(ex.order(p.order_id)->status == order_status::canceled);
}

TEST_CASE("taker delay: venue config per series, validated, and the flag for every series") {
  auto c = parse_venue_config(R"({"taker_delay_ms": {"btc": 250, "eth": 0}})");
  REQUIRE(c);
  CHECK(c->taker_delay_ms.at("btc") == 250);
  CHECK(c->taker_delay_ms.at("eth") == 0);
  CHECK(parse_venue_config(R"({"taker_delay_ms": {"btc": -1}})").error() == "$.taker_delay_ms.btc: expected an integer in [0, 10000]");
  CHECK(!parse_venue_config(R"({"taker_delay_ms": {"BTC": 250}})"));
  CHECK(!parse_venue_config(R"({"taker_delay_ms": 250})"));
  auto f = apply_flags(venue_config{}, {"--taker-delay-ms", "300"});
  REQUIRE(f);
  CHECK(f->taker_delay_ms.size() == 4);
  CHECK(f->taker_delay_ms.at("xrp") == 300);
  CHECK(!apply_flags(venue_config{}, {"--taker-delay-ms", "10001"}));
}
