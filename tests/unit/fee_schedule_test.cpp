// Per-market taker fees (issue 15): the one fee function the node and the venue
// share, its rounding (floored to 5 decimals), exact exponents, and the two wire
// sources of a schedule (Gamma feeSchedule, CLOB /clob-markets fd).
#include <doctest/doctest.h>

#include <string>

#include "core/clob_market_codec.hpp"
#include "core/fee_schedule.hpp"
#include "core/gamma_codec.hpp"
#include "core/records.hpp"

using namespace tdmaker;

namespace {

fee_schedule sched(const char* rate, const char* exponent) {
  auto s = make_fee_schedule(rate, exponent, true);
  REQUIRE(s.ok());
  return *s;
}

std::string gamma_with(const std::string& fee_fields) {
  return R"([{"slug":"btc-updown-15m-1778437800","markets":[{"slug":"btc-updown-15m-1778437800",
  "conditionId":"0x5af6ae84ab5a506bdc6eaaa2237c6e7922916e8cba14bf8f4abfa7687938e9af",
  "clobTokenIds":"[\"111\", \"222\"]","outcomes":"[\"Up\", \"Down\"]",
  "eventStartTime":"2026-05-10T18:30:00Z","endDate":"2026-05-10T18:45:00Z",)"
         + fee_fields + R"("closed":false}]}])";
}

} // namespace

TEST_CASE("fees: shares x rate x p(1-p) at the default schedule") {
  auto s = sched("0.07", "1");
  CHECK(s.rate_ppm == 70'000);
  CHECK(taker_fee(shares{10'000'000}, price{500'000}, s) == usdc{175'000}); // 10 x 0.07 x 0.25
  CHECK(taker_fee(shares{5'000'000}, price{530'000}, s) == usdc{87'180});   // 0.087185 -> 0.08718
}

TEST_CASE("fees: floored to 5 decimal places, not to a micro-unit") {
  auto s = sched("0.07", "1");
  // 5 x 0.07 x 0.99 x 0.01 = 0.003465: a micro-unit floor gives 3465, Polymarket's 5 decimals 3460.
  CHECK(taker_fee(shares{5'000'000}, price{990'000}, s) == usdc{3'460});
  // 0.1 x 0.07 x 0.0099 = 0.0000693 -> 0.00006.
  CHECK(taker_fee(shares{100'000}, price{10'000}, s) == usdc{60});
  // Below 0.00001: no fee at all.
  CHECK(taker_fee(shares{10'000}, price{10'000}, s) == usdc{0});
  // 0.000009999... floors to 0, 0.00001 exactly stays.
  CHECK(taker_fee(shares{1'000'000}, price{500'000}, sched("0.00004", "1")) == usdc{10});
  CHECK(taker_fee(shares{999'999}, price{500'000}, sched("0.00004", "1")) == usdc{0});
}

TEST_CASE("fees: exponents above 1 are exact") {
  // 100 x 0.25 x (0.54 x 0.46)^2 = 1.542564 -> 1.54256.
  CHECK(taker_fee(shares{100'000'000}, price{540'000}, sched("0.25", "2")) == usdc{1'542'560});
  // A large trade at exponent 4 does not overflow: 1e9 x 1 x 0.25^4 = 3'906'250.
  CHECK(taker_fee(shares{1'000'000'000'000'000}, price{500'000}, sched("1", "4")) == usdc{3'906'250'000'000});
  // 7 x 0.05 x (0.2 x 0.8)^3 = 0.0014336 -> 0.00143.
  CHECK(taker_fee(shares{7'000'000}, price{200'000}, sched("0.05", "3")) == usdc{1'430});
}

TEST_CASE("fees: nothing is charged without a schedule or off the price range") {
  CHECK(taker_fee(shares{10'000'000}, price{500'000}, fee_schedule{}) == usdc{0});
  CHECK(taker_fee(shares{10'000'000}, price{0}, sched("0.07", "1")) == usdc{0});
  CHECK(taker_fee(shares{10'000'000}, price{1'000'000}, sched("0.07", "1")) == usdc{0});
  CHECK(taker_fee(shares{-1}, price{500'000}, sched("0.07", "1")) == usdc{0});
  CHECK(taker_fee(shares{10'000'000}, price{500'000}, sched("0", "1")) == usdc{0});
}

TEST_CASE("fees: a schedule is exact decimal text, validated") {
  CHECK(sched("0.0700000", "1").rate_ppm == 70'000);
  CHECK(sched("1", "1").rate_ppm == 1'000'000);
  CHECK(sched("0.25", "2").exponent == 2);
  for (const char* bad : {"", "0.0000001", "1.5", "-0.07", "7e-2", "0x1", " 0.07", "abc"})
    CHECK_FALSE(make_fee_schedule(bad, "1", true).ok());
  for (const char* bad : {"", "0", "5", "1.5", "-1", "1e0"})
    CHECK_FALSE(make_fee_schedule("0.07", bad, true).ok());
  auto makers = make_fee_schedule("0.07", "1", false);
  REQUIRE_FALSE(makers.ok());
  CHECK(makers.error().find("takerOnly") != std::string::npos);
  CHECK(describe(sched("0.05", "2")) == "rate 0.05, exponent 2, taker only");
}

TEST_CASE("gamma: feeSchedule is read exactly into the market record") {
  auto m = parse_gamma_event(
    gamma_with(R"("feesEnabled":true,"feeSchedule":{"exponent":2,"rate":0.05,"takerOnly":true,"rebateRate":0.2},)"), "btc");
  REQUIRE(m.ok());
  REQUIRE(m->has_value());
  auto& g = **m;
  CHECK(g.fee_error.empty());
  CHECK(g.record.fee == fee_schedule{true, 50'000, 2, true});
}

TEST_CASE("gamma: a missing or malformed feeSchedule leaves the fee unknown, with the reason") {
  auto missing = parse_gamma_event(gamma_with(R"("feesEnabled":true,)"), "btc");
  REQUIRE(missing.ok());
  CHECK_FALSE((*missing)->record.fee.known);
  CHECK((*missing)->fee_error.find("feeSchedule missing") != std::string::npos);
  auto bad = parse_gamma_event(gamma_with(R"("feeSchedule":{"exponent":1,"rate":"seven"},)"), "btc");
  REQUIRE(bad.ok());
  CHECK_FALSE((*bad)->record.fee.known);
  CHECK((*bad)->fee_error.find("fee rate") != std::string::npos);
  auto makers = parse_gamma_event(gamma_with(R"("feeSchedule":{"exponent":1,"rate":0.07,"takerOnly":false},)"), "btc");
  REQUIRE(makers.ok());
  CHECK_FALSE((*makers)->record.fee.known);
  auto fractional = parse_gamma_event(gamma_with(R"("feeSchedule":{"exponent":1.5,"rate":0.07},)"), "btc");
  REQUIRE(fractional.ok());
  CHECK_FALSE((*fractional)->record.fee.known);
  // Fees disabled: known, and nothing to pay.
  auto off = parse_gamma_event(gamma_with(R"("feesEnabled":false,)"), "btc");
  REQUIRE(off.ok());
  CHECK((*off)->record.fee == fee_schedule{true, 0, 1, true});
}

TEST_CASE("clob-markets: fd is read exactly") {
  auto f = parse_clob_market_fees(R"({"c":"0xab","t":[],"mts":0.01,"fd":{"r":0.05,"e":2,"to":true},"mbf":0})");
  REQUIRE(f.ok());
  CHECK(*f == fee_schedule{true, 50'000, 2, true});
  auto no_to = parse_clob_market_fees(R"({"fd":{"r":0.07,"e":1}})");
  REQUIRE(no_to.ok());
  CHECK(no_to->rate_ppm == 70'000);
  CHECK_FALSE(parse_clob_market_fees(R"({"c":"0xab"})").ok());
  CHECK_FALSE(parse_clob_market_fees(R"({"fd":{"e":1}})").ok());
  CHECK_FALSE(parse_clob_market_fees(R"({"fd":{"r":0.07,"e":1,"to":"yes"}})").ok());
  CHECK_FALSE(parse_clob_market_fees(R"({"fd":{"r":0.07,"e":1,"to":false}})").ok());
  CHECK_FALSE(parse_clob_market_fees(R"([1])").ok());
  CHECK_FALSE(parse_clob_market_fees("{").ok());
}

TEST_CASE("market record: the fee schedule is durable, and absent means unknown") {
  market_record m;
  m.id = condition_id{"0x" + std::string(64, 'a')};
  m.slug = "btc-updown-15m-1";
  m.asset = "btc";
  m.tick = tick_size{10'000};
  m.fee = fee_schedule{true, 50'000, 2, true};
  auto back = decode_market_record(encode(m));
  REQUIRE(back.ok());
  CHECK(back->fee == m.fee);
  m.fee = {};
  auto text = encode(m);
  CHECK(text.find("fee_rate") == std::string::npos);
  auto old = decode_market_record(text);
  REQUIRE(old.ok());
  CHECK_FALSE(old->fee.known);
}

TEST_CASE("fee source: the CLOB's fd wins over Gamma's feeSchedule, Gamma's is the fallback") {
  const fee_schedule gamma{true, 70'000, 1, true};
  const std::string clob = R"({"fd":{"r":0.05,"e":2,"to":true}})";
  auto both = choose_fee_schedule(gamma, 200, clob);
  CHECK(both.fee == fee_schedule{true, 50'000, 2, true});
  CHECK(both.note.find("differs") != std::string::npos);
  auto same = choose_fee_schedule(fee_schedule{true, 50'000, 2, true}, 200, clob);
  CHECK(same.fee == fee_schedule{true, 50'000, 2, true});
  CHECK(same.note.empty());
  auto only_clob = choose_fee_schedule(fee_schedule{}, 200, clob);
  CHECK(only_clob.fee == fee_schedule{true, 50'000, 2, true});
  auto down = choose_fee_schedule(gamma, 503, "busy");
  CHECK(down.fee == gamma);
  CHECK(down.note.find("503") != std::string::npos);
  auto bad = choose_fee_schedule(gamma, 200, R"({"fd":{"r":"x","e":1}})");
  CHECK(bad.fee == gamma);
  auto neither = choose_fee_schedule(fee_schedule{}, 200, R"({"c":"0xab"})");
  CHECK_FALSE(neither.fee.known);
  CHECK(neither.note.find("none either") != std::string::npos);
}
