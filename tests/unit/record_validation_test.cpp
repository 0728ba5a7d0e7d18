// The store's check before a write reaches LMDB (core/record_validation): a
// record its own reader would refuse, or one kept under a key it does not name,
// is refused with the database, the key and the decoder's reason.
#include <doctest/doctest.h>

#include "core/fills.hpp"
#include "core/phase_history.hpp"
#include "core/record_validation.hpp"
#include "core/records.hpp"
#include "core/settlement.hpp"
#include "core/trade_limiter.hpp"

using namespace tdmaker;

namespace {

const condition_id cid{"0x" + std::string(64, '2')};

settlement_record paper_settlement() {
  settlement_record s;
  s.market = cid;
  s.winner = "111";
  s.held = shares{7'000'000};
  s.payout = usdc{7'000'000};
  s.cost = usdc{5'600'000};
  s.pnl = usdc{1'400'000};
  s.fills = 2;
  s.settled_ms = 1'000;
  s.paper = true;
  return s;
}

order_record an_order() {
  order_record r;
  r.order_id = "0x" + std::string(64, '5');
  r.client_id = "_placing_1";
  r.market = cid;
  r.token = token_id{"111"};
  r.px = price{800'000};
  r.size = shares{5'000'000};
  r.state = order_state::live;
  return r;
}

fill_record a_fill() {
  fill_record f;
  f.trade_id = "t-1";
  f.order_id = "0x" + std::string(64, '5');
  f.market = cid;
  f.key = fill_key(f.market, f.order_id, f.trade_id);
  f.token = token_id{"111"};
  f.px = price{800'000};
  f.size = shares{5'000'000};
  return f;
}

} // namespace

TEST_CASE("record validation: each database's records as their writers encode them pass") {
  auto s = paper_settlement();
  CHECK(validate_record("settlements", settlement_key(s), encode(s)).empty());
  auto o = an_order();
  CHECK(validate_record("orders", o.order_id, encode(o)).empty());
  auto f = a_fill();
  CHECK(validate_record("fills", f.key, encode(f)).empty());
  market_record m;
  m.id = cid;
  m.slug = "btc-updown-15m-1";
  m.up_token = token_id{"111"};
  m.down_token = token_id{"222"};
  CHECK(validate_record("markets", cid.hex, encode(m)).empty());
  phase_record p{phase::proof_of_concept, phase::experience, 5, "gate met", "control-http"};
  CHECK(validate_record("phase", "current", encode(p)).empty());
}

TEST_CASE("record validation: the issue's paper settlement with held -7 is refused, naming the key and the reason") {
  auto s = paper_settlement();
  s.held = shares{-7'000'000};
  auto text = encode(s);
  REQUIRE_FALSE(decode_settlement_record(text).ok()); // what export then refused to read
  auto why = validate_record("settlements", settlement_key(s), text);
  CHECK(why.starts_with("store: settlements/" + cid.hex + "/paper refused: settlement record: held"));
  CHECK(why.find("-7") != std::string::npos);
}

TEST_CASE("record validation: a record under a key it does not name is refused") {
  auto s = paper_settlement(); // the paper book's record under the live book's key
  auto why = validate_record("settlements", cid.hex, encode(s));
  CHECK(why == "store: settlements/" + cid.hex + " refused: key does not match the record (its key is '" + cid.hex
                 + "/paper')");
  auto o = an_order();
  CHECK_FALSE(validate_record("orders", "0x" + std::string(64, '6'), encode(o)).empty());
  auto f = a_fill();
  CHECK_FALSE(validate_record("fills", f.key + "x", encode(f)).empty());
  CHECK_FALSE(validate_record("markets", "0x" + std::string(64, '3'), encode(market_record{})).empty());
}

TEST_CASE("record validation: garbage, a truncated record and an unknown phase key are refused") {
  auto o = an_order();
  auto text = encode(o);
  CHECK_FALSE(validate_record("orders", o.order_id, "{}").empty());
  CHECK_FALSE(validate_record("orders", o.order_id, text.substr(0, text.size() - 3)).empty());
  CHECK_FALSE(validate_record("fills", "k", "not json").empty());
  phase_record p;
  CHECK(validate_record("phase", "bogus", encode(p))
        == "store: phase/bogus refused: no record kind is kept under this key (current, history/..., trades/...)");
  CHECK_FALSE(validate_record("phase", "current", "{\"current\":\"Nowhere\"}").empty());
}

TEST_CASE("record validation: meta and audit are free-form, positions holds nothing, an unknown database is refused") {
  CHECK(validate_record("meta", "store_probe", "12345").empty());
  CHECK(validate_record("audit", "probe/1", std::string(100, 'x')).empty());
  CHECK(validate_record("positions", "111", "{}")
        == "store: positions/111 refused: no record kind is kept here (positions are folded from fills)");
  CHECK(validate_record("elsewhere", "k", "{}") == "store: elsewhere/k refused: unknown database");
}

TEST_CASE("record validation: the phase db holds each kind under its own key prefix") {
  phase_transition t;
  t.ts_ms = 1'800'000'000'000;
  t.seq = 3;
  t.kind = transition_kind::override_;
  t.from = phase::experience;
  t.to = phase::proof_of_concept;
  t.source = "control-http";
  t.reason = "forced";
  auto key = history_key(t);
  REQUIRE(key.starts_with("history/"));
  CHECK(validate_record("phase", key, encode(t)).empty());
  CHECK_FALSE(validate_record("phase", "history/000000000000001/000000", encode(t)).empty()); // another key
  CHECK_FALSE(validate_record("phase", "current", encode(t)).empty()); // a transition is not the phase record
  trade_count_record c;
  c.paper = true;
  c.session = 7;
  c.markets = {cid.hex};
  CHECK(validate_record("phase", trade_count_key(true), encode(c)).empty());
  CHECK_FALSE(validate_record("phase", trade_count_key(false), encode(c)).empty()); // the paper count under live
  CHECK_FALSE(validate_record("phase", key, encode(c)).empty());
}
