// The venue's exchange: validation, price-time and complementary matching,
// exact ledgers, cancels and settlement, driven with real signed orders.
#include <doctest/doctest.h>

#include "core/eth_address.hpp"
#include "core/order_sign.hpp"
#include "core/secp256k1_signer.hpp"
#include "core/uint256.hpp"
#include "core/fee_schedule.hpp"
#include "venue/exchange.hpp"
#include "venue/price_path.hpp"
#include "venue/sim_traders.hpp"

using namespace tdmaker;
using namespace tdmaker::venue;

namespace {

constexpr const char* key0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
constexpr const char* key1 = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
constexpr std::int64_t now_ms = 1'800'000'000'000;

struct trader {
  private_key key;
  api_creds creds;
};

struct fixture {
  exchange ex{[] {
    exchange_config c;
    c.starting_usdc = 100'000'000; // 100 pUSD
    c.domain.verifying_contract = *parse_address("0xE111180000d2663C0091e4f400237545B87B996B");
    return c;
  }()};
  slot_market m = make_slot(1, "btc", 1'800'000'000 - 100, 900, 1800);
  trader a = make(key0), b = make(key1);
  std::uint64_t salt = 1;

  fixture() { ex.list_market(m); }

  trader make(const char* k) {
    auto pk = *private_key::parse(k);
    return trader{pk, *ex.create_key(pk.address(), 0)};
  }

  order_request order(const trader& t, const std::string& token, order_side side, std::int64_t px_micros,
                      std::int64_t size_micros, bool post_only = false) {
    auto spec = limit_spec(token, side, price{px_micros}, shares{size_micros}, salt++,
                           static_cast<std::uint64_t>(now_ms), t.creds.key);
    spec.post_only = post_only;
    return *sign_order(spec, t.key, ex.domain_separator_value());
  }

  std::variant<placement, rejection> place(const trader& t, const order_request& r) {
    return ex.place(r, t.creds.key, now_ms);
  }

  const account& acct(const trader& t) { return *ex.account_by_key(t.creds.key); }
};

std::string error_of(const std::variant<placement, rejection>& v) {
  auto* r = std::get_if<rejection>(&v);
  return r ? r->error : std::string();
}

} // namespace

TEST_CASE("slots: slug scheme and deterministic identities") {
  auto s1 = make_slot(42, "eth", 1778437800, 900, 86400);
  auto s2 = make_slot(42, "eth", 1778437800, 900, 86400);
  auto s3 = make_slot(43, "eth", 1778437800, 900, 86400);
  CHECK(s1.slug == "eth-updown-15m-1778437800");
  CHECK(s1.end_s == 1778437800 + 900);
  CHECK(s1.condition_id == s2.condition_id);
  CHECK(s1.up_token == s2.up_token);
  CHECK(s1.condition_id != s3.condition_id);
  CHECK(s1.up_token != s1.down_token);
  CHECK(s1.condition_id.size() == 66);
  for (auto* t : {&s1.up_token, &s1.down_token, &s3.up_token}) {
    CHECK(t->size() >= 77);
    CHECK(t->size() <= 78);
  }
  CHECK(slot_start(1778437801, 900) == 1778437800);
}

TEST_CASE_FIXTURE(fixture, "a resting bid reserves exactly its notional and a cancel releases it") {
  auto p = place(a, order(a, m.up_token, order_side::buy, 400'000, 10'000'000));
  REQUIRE(std::holds_alternative<placement>(p));
  auto id = std::get<placement>(p).order_id;
  CHECK(std::get<placement>(p).status == "live");
  CHECK(acct(a).reserved_usdc == 4'000'000);
  REQUIRE(ex.bids(m.up_token).size() == 1);
  CHECK(ex.bids(m.up_token)[0].size == 10'000'000);
  auto c = ex.cancel(a.creds.key, {id});
  CHECK(c.canceled == std::vector<std::string>{id});
  CHECK(acct(a).reserved_usdc == 0);
  CHECK(ex.bids(m.up_token).empty());
  // A second cancel of the same order is refused with a reason.
  auto again = ex.cancel(a.creds.key, {id});
  CHECK(again.canceled.empty());
  REQUIRE(again.not_canceled.size() == 1);
}

TEST_CASE_FIXTURE(fixture, "complementary match: BUY Down 0.55 fills against BUY Up 0.45 to the micro-unit") {
  REQUIRE(std::holds_alternative<placement>(place(a, order(a, m.up_token, order_side::buy, 450'000, 10'000'000))));
  auto p = place(b, order(b, m.down_token, order_side::buy, 550'000, 10'000'000));
  REQUIRE(std::holds_alternative<placement>(p));
  CHECK(std::get<placement>(p).status == "matched");
  CHECK(acct(a).usdc == 100'000'000 - 4'500'000);
  CHECK(acct(a).reserved_usdc == 0);
  CHECK(acct(a).tokens.at(m.up_token) == 10'000'000);
  // Taker fee 10 x 0.07 x 0.55 x 0.45 = 0.17325.
  CHECK(acct(b).usdc == 100'000'000 - 5'500'000 - 173'250);
  CHECK(acct(b).tokens.at(m.down_token) == 10'000'000);
  REQUIRE(ex.all_trades().size() == 1);
  auto& t = ex.all_trades()[0];
  CHECK(t.size == 10'000'000);
  CHECK(t.px.micros == 550'000);
  REQUIRE(t.makers.size() == 1);
  CHECK(t.makers[0].px.micros == 450'000);
  CHECK(ex.bids(m.up_token).empty());
}

TEST_CASE_FIXTURE(fixture, "price-time priority: the better price fills first and then the older order") {
  auto first = std::get<placement>(place(a, order(a, m.up_token, order_side::buy, 400'000, 5'000'000))).order_id;
  auto better = std::get<placement>(place(a, order(a, m.up_token, order_side::buy, 420'000, 5'000'000))).order_id;
  auto later = std::get<placement>(place(a, order(a, m.up_token, order_side::buy, 400'000, 5'000'000))).order_id;
  // B sells Up by buying Down at 0.60: matches bids with 1 - bid <= 0.60, i.e. bid >= 0.40.
  auto p = place(b, order(b, m.down_token, order_side::buy, 600'000, 8'000'000));
  REQUIRE(std::holds_alternative<placement>(p));
  CHECK(ex.order(better)->matched == 5'000'000);
  CHECK(ex.order(first)->matched == 3'000'000);
  CHECK(ex.order(later)->matched == 0);
}

TEST_CASE_FIXTURE(fixture, "rejections leave book and balances untouched") {
  REQUIRE(std::holds_alternative<placement>(place(b, order(b, m.down_token, order_side::buy, 650'000, 10'000'000))));
  auto before_a = acct(a).usdc;
  auto before_reserved = acct(b).reserved_usdc;

  CHECK(error_of(place(a, order(a, m.up_token, order_side::buy, 400'000, 10'000'000, true)))
        == "invalid post-only order: order crosses book");
  CHECK(error_of(place(a, order(a, m.up_token, order_side::buy, 300'000, 2'000'000))).find("lower than the minimum: 5")
        != std::string::npos);
  auto off = order(a, m.up_token, order_side::buy, 300'000, 10'000'000);
  off.order.maker_amount = 3'005'000; // 0.3005: signed, but off the 0.01 grid
  off.order.fields.maker_amount = uint256_from(3'005'000);
  exchange_domain d;
  d.verifying_contract = *parse_address("0xE111180000d2663C0091e4f400237545B87B996B");
  off.order.signature = a.key.sign(order_digest(off.order.fields, domain_separator(d)));
  CHECK(error_of(place(a, off)).find("breaks minimum tick size rule: 0.01") != std::string::npos);
  auto forged = order(a, m.up_token, order_side::buy, 300'000, 10'000'000);
  forged.order.signature[5] ^= 1;
  CHECK(error_of(place(a, forged)) == "invalid signature");
  auto other_owner = order(a, m.up_token, order_side::buy, 300'000, 10'000'000);
  other_owner.owner = b.creds.key;
  CHECK(error_of(place(a, other_owner)) == "the order owner has to be the owner of the API KEY");
  CHECK(error_of(place(a, order(a, m.up_token, order_side::buy, 500'000, 300'000'000)))
        == "not enough balance / allowance");
  CHECK(error_of(place(a, order(a, m.up_token, order_side::sell, 500'000, 10'000'000)))
        == "not enough balance / allowance");

  auto dup = order(a, m.up_token, order_side::buy, 200'000, 10'000'000);
  REQUIRE(std::holds_alternative<placement>(place(a, dup)));
  CHECK(error_of(place(a, dup)).find("Duplicated.") != std::string::npos);

  CHECK(acct(a).usdc == before_a);
  CHECK(acct(a).reserved_usdc == 2'000'000); // only the one accepted bid
  CHECK(acct(b).reserved_usdc == before_reserved);
  CHECK(ex.all_trades().empty());
}

TEST_CASE_FIXTURE(fixture, "resolution pays 1 pUSD per winning share and cancels resting orders") {
  REQUIRE(std::holds_alternative<placement>(place(a, order(a, m.up_token, order_side::buy, 450'000, 10'000'000))));
  REQUIRE(std::holds_alternative<placement>(place(b, order(b, m.down_token, order_side::buy, 550'000, 10'000'000))));
  auto resting = std::get<placement>(place(a, order(a, m.up_token, order_side::buy, 100'000, 10'000'000))).order_id;
  auto a_before = acct(a).usdc;
  auto b_before = acct(b).usdc;
  ex.resolve(m.condition_id, 0, 1'800'001'000);
  CHECK(acct(a).usdc == a_before + 10'000'000);
  CHECK(acct(b).usdc == b_before);
  CHECK(acct(a).reserved_usdc == 0);
  CHECK(ex.order(resting)->status == order_status::canceled_market_resolved);
  CHECK(ex.settlements().size() == 2);
  ex.resolve(m.condition_id, 1, 1'800'002'000); // idempotent
  CHECK(acct(a).usdc == a_before + 10'000'000);
  CHECK(error_of(place(a, order(a, m.up_token, order_side::buy, 300'000, 10'000'000)))
        == "the market is not yet ready to process new orders");
}

TEST_CASE("order wire: encode and parse round trip and amounts per tick") {
  auto amt = amounts_for(order_side::buy, price{530'000}, shares{10'000'000});
  CHECK(amt.maker == 5'300'000);
  CHECK(amt.taker == 10'000'000);
  auto sell = amounts_for(order_side::sell, price{530'000}, shares{10'009'999});
  CHECK(sell.maker == 10'000'000); // size floored to 2 decimals
  auto terms = limit_terms_of(order_side::buy, 5'300'000, 10'000'000, tick_size{10'000});
  REQUIRE(terms);
  CHECK(terms->px.micros == 530'000);
  CHECK(!limit_terms_of(order_side::buy, 5'310'000, 10'000'000, tick_size{10'000}));
  CHECK(limit_terms_of(order_side::buy, 5'310'000, 10'000'000, tick_size{1'000}));
  CHECK(!limit_terms_of(order_side::buy, 5'305'000, 10'000'000, tick_size{1'000}));
  CHECK(!limit_terms_of(order_side::buy, 5'300'000, 10'001'000, tick_size{10'000}));

  auto mt = market_terms_of(order_side::buy, 3'500'000, 10'000'000);
  REQUIRE(mt);
  CHECK(mt->px.micros == 350'000);
  CHECK(mt->size.micros == 10'000'000);
  auto odd = market_terms_of(order_side::buy, 5'000'000, 14'285'700); // 5 pUSD at 0.35
  REQUIRE(odd);
  CHECK(odd->px.micros == 350'000);      // floor: never above what was signed
  CHECK(odd->size.micros == 14'280'000); // matchable on the 2-decimal grid
  CHECK(market_terms_of(order_side::buy, 3'505'000, 10'000'000).error().find("max accuracy of 2 decimals")
        != std::string::npos);
  CHECK(!market_terms_of(order_side::sell, 10'000'000, 3'500'050));

  order_request r;
  r.order.salt_number = 123456789;
  r.order.fields.maker = r.order.fields.signer = *parse_address("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
  r.order.token_id = "71321045679252212594626385532706912750332728571942532289631379312455583992563";
  r.order.fields.token_id = *parse_uint256(r.order.token_id);
  r.order.maker_amount = 5'300'000;
  r.order.taker_amount = 10'000'000;
  r.order.fields.timestamp_ms = uint256_from(1713398400000ULL);
  r.owner = std::string(36, 'k');
  r.type = order_type::gtd;
  r.order.expiration = 1713400000;
  r.post_only = true;
  auto text = encode_order_request(r);
  auto back = parse_order_request(text);
  REQUIRE(back);
  CHECK(encode_order_request(*back) == text);
  CHECK(back->order.salt_number == 123456789);
  CHECK(back->type == order_type::gtd);
  CHECK(!parse_order_request(R"({"order":{"salt":1}})"));
  CHECK(parse_order_request("{").error()
        == "Invalid order payload: malformed JSON: invalid JSON at offset 1: Missing a name for object member.");
  auto at = text.find("\"5300000\"");
  REQUIRE(at != std::string::npos);
  auto neg = text.substr(0, at) + "\"-5300000\"" + text.substr(at + 9);
  CHECK(!parse_order_request(neg));
}

TEST_CASE("reference path: same seed same prices and fair value follows the move") {
  price_path a(9, "btc", default_start("btc"), 0.6), b(9, "btc", default_start("btc"), 0.6), c(10, "btc", default_start("btc"), 0.6);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    auto x = a.step(), y = b.step(), z = c.step();
    CHECK(x == y);
    differs |= x != z;
    CHECK(x.e8 > 0);
  }
  CHECK(differs);
  auto s = ref_price{100'000'00000000LL};
  CHECK(fair_up(s, s, 600, 0.6) == doctest::Approx(0.5));
  CHECK(fair_up(s, ref_price{100'100'00000000LL}, 600, 0.6) > 0.6);
  CHECK(fair_up(s, ref_price{99'900'00000000LL}, 600, 0.6) < 0.4);
  // Near the end a small lead is nearly decisive; the clamp keeps quotes inside the grid.
  CHECK(fair_up(s, ref_price{100'100'00000000LL}, 1, 0.6) == doctest::Approx(0.98));
}

TEST_CASE_FIXTURE(fixture, "the shown book mirrors the complementary token") {
  REQUIRE(std::holds_alternative<placement>(place(a, order(a, m.down_token, order_side::buy, 350'000, 10'000'000))));
  auto asks = ex.asks(m.up_token);
  REQUIRE(asks.size() == 1);
  CHECK(asks[0].px.micros == 650'000); // a BUY Down at 0.35 offers Up at 0.65
  CHECK(ex.best_ask(m.up_token)->micros == 650'000);
  CHECK(ex.best_bid(m.down_token)->micros == 350'000);
  CHECK(!ex.best_bid(m.up_token));
}

TEST_CASE_FIXTURE(fixture, "beyond 0.96 the market switches to the 0.001 tick") {
  CHECK(!ex.refine_tick(m.condition_id));
  CHECK(error_of(place(a, order(a, m.up_token, order_side::buy, 975'000, 5'000'000))).find("tick size rule: 0.01")
        != std::string::npos);
  REQUIRE(std::holds_alternative<placement>(place(a, order(a, m.up_token, order_side::buy, 970'000, 5'000'000))));
  CHECK(ex.refine_tick(m.condition_id));
  CHECK(ex.market_by_condition(m.condition_id)->tick.micros == 1'000);
  CHECK(std::holds_alternative<placement>(place(a, order(a, m.up_token, order_side::buy, 975'000, 5'000'000))));
  CHECK(!ex.refine_tick(m.condition_id)); // once
}

#include "venue/world.hpp"

TEST_CASE("a slot resolves Up iff the end reference >= the start (spot or 60 s TWAP)") {
  for (bool twap : {false, true}) {
    venue_config c;
    c.slot_seconds = 120;
    c.lead_slots = 0;
    c.resolution_delay_s = 2;
    c.sim_traders = false;
    c.assets = {"btc"};
    c.twap_resolution = twap;
    c.annual_vol = 3.0; // move enough to make both outcomes likely across seeds
    int ups = 0, downs = 0;
    for (std::uint64_t seed = 1; seed <= 6; ++seed) {
      c.seed = seed;
      world w(c);
      const std::int64_t t0 = 1'800'000'000; // a multiple of 120
      for (std::int64_t s = 0; s <= 123; ++s)
        w.tick((t0 + s) * 1000);
      const slot_market* first = nullptr;
      for (auto& [id, mk] : w.ex().markets())
        if (mk.start_s == t0)
          first = &mk;
      REQUIRE(first);
      const auto& m = *first;
      const auto& cid = m.condition_id;
      CHECK(m.closed);
      auto start = w.start_price(cid), end = w.end_price(cid);
      REQUIRE(start);
      REQUIRE(end);
      CHECK(m.winner == (*end >= *start ? 0 : 1));
      if (twap)
        CHECK(*end == w.twap60("btc", m.end_s));
      (m.winner == 0 ? ups : downs)++;
    }
    CHECK(ups + downs == 6);
  }
}

// Per-series fee schedules (issue 15): a second market with its own schedule.
TEST_CASE_FIXTURE(fixture, "fees: a series at rate 0.05, exponent 2 charges the taker exactly that") {
  auto eth = make_slot(1, "eth", 1'800'000'000 - 100, 900, 1800);
  eth.fee = *make_fee_schedule("0.05", "2", true);
  ex.list_market(eth);
  REQUIRE(std::holds_alternative<placement>(place(a, order(a, eth.up_token, order_side::buy, 450'000, 10'000'000))));
  REQUIRE(std::holds_alternative<placement>(place(b, order(b, eth.down_token, order_side::buy, 550'000, 10'000'000))));
  REQUIRE(ex.all_trades().size() == 1);
  // 10 x 0.05 x (0.55 x 0.45)^2 = 0.030628125 -> 0.03062 (the constant 0.07 charged 0.17325).
  CHECK(ex.all_trades()[0].taker_fee == 30'620);
  CHECK(acct(b).usdc == 100'000'000 - 5'500'000 - 30'620);
  CHECK(acct(a).usdc == 100'000'000 - 4'500'000); // the maker pays none
}

TEST_CASE_FIXTURE(fixture, "fees: a trade over two price levels is charged on the size and price it reports") {
  REQUIRE(std::holds_alternative<placement>(place(a, order(a, m.up_token, order_side::buy, 450'000, 5'000'000))));
  REQUIRE(std::holds_alternative<placement>(place(a, order(a, m.up_token, order_side::buy, 400'000, 5'000'000))));
  // Down at 0.55, then at 0.60.
  REQUIRE(std::holds_alternative<placement>(place(b, order(b, m.down_token, order_side::buy, 600'000, 10'000'000))));
  REQUIRE(ex.all_trades().size() == 1);
  auto& t = ex.all_trades()[0];
  CHECK(t.size == 10'000'000);
  CHECK(t.px.micros == 575'000);
  // What a client computes from the trade: 10 x 0.07 x 0.575 x 0.425 = 0.1710625 -> 0.17106
  // (per level it was 0.170625: no client could reproduce that from the trade it sees).
  CHECK(t.taker_fee == 171'060);
  CHECK(acct(b).usdc == 100'000'000 - 5'750'000 - 171'060);
}
