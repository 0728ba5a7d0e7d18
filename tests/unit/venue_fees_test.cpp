// tdmaker-venue's per-series fee schedules (issue 15): served in Gamma feeSchedule
// and CLOB /clob-markets fd exactly, and configured per series with validation
// (charging them is in venue_exchange_test).
#include <doctest/doctest.h>

#include "core/clob_market_codec.hpp"
#include "core/gamma_codec.hpp"
#include "venue/clob_api.hpp"
#include "venue/exchange.hpp"
#include "venue/gamma_api.hpp"
#include "venue/venue_config.hpp"

using namespace tdmaker;
using namespace tdmaker::venue;

namespace {

constexpr std::int64_t now_ms = 1'800'000'000'000;

fee_schedule sched(const char* rate, const char* exponent) { return *make_fee_schedule(rate, exponent, true); }

} // namespace

TEST_CASE("venue fees: Gamma feeSchedule and CLOB fd serve the series' schedule exactly") {
  exchange ex{exchange_config{}};
  auto m = make_slot(1, "btc", now_ms / 1000 - 100, 900, 1800);
  m.fee = sched("0.05", "2");
  ex.list_market(m);
  gamma_api gamma(ex, [] { return now_ms; });
  auto reply = gamma.handle(http_request{http::verb::get, "/events?slug=" + m.slug, 11}, split("/events?slug=" + m.slug));
  REQUIRE(reply.status == 200);
  CHECK(reply.body.find(R"("feeSchedule":{"exponent":2,"rate":0.05,"takerOnly":true)") != std::string::npos);
  auto g = parse_gamma_event(reply.body, "btc");
  REQUIRE(g.ok());
  REQUIRE(g->has_value());
  CHECK((*g)->record.fee == sched("0.05", "2"));
  clob_api clob(ex, [] { return now_ms; });
  auto path = "/clob-markets/" + m.condition_id;
  auto c = clob.handle(http_request{http::verb::get, path, 11}, split(path));
  REQUIRE(c.status == 200);
  auto fd = parse_clob_market_fees(c.body);
  REQUIRE(fd.ok());
  CHECK(*fd == sched("0.05", "2"));
}

// Issue 17: the market says which rule resolves it, and the node's codec reads it.
TEST_CASE("venue gamma: cryptoMarketConfig and resolutionSource announce the world's rule") {
  for (bool twap : {false, true}) {
    CAPTURE(twap);
    exchange ex{exchange_config{}};
    auto m = make_slot(1, "btc", now_ms / 1000 - 100, 300, 600);
    m.twap = twap;
    ex.list_market(m);
    gamma_api gamma(ex, [] { return now_ms; });
    auto reply = gamma.handle(http_request{http::verb::get, "/events?slug=" + m.slug, 11}, split("/events?slug=" + m.slug));
    REQUIRE(reply.status == 200);
    auto config = twap ? R"("cryptoMarketConfig":{"id":"btc-5m-twap-60","asset":"btc","duration":"5m","twapEnabled":true,"twapLookbackSeconds":60})"
                       : R"("cryptoMarketConfig":{"id":"btc-5m","asset":"btc","duration":"5m","twapEnabled":false,"twapLookbackSeconds":60})";
    CHECK(reply.body.find(config) != std::string::npos);
    CHECK(reply.body.find(twap ? R"("resolutionSource":"https://data.chain.link/streams/btc-usd-twap-60s")"
                               : R"("resolutionSource":"https://data.chain.link/streams/btc-usd")")
          != std::string::npos);
    auto g = parse_gamma_event(reply.body, "btc");
    REQUIRE(g.ok());
    REQUIRE(g->has_value());
    CHECK((*g)->record.rule == (twap ? resolution_rule::twap60 : resolution_rule::spot));
  }
}

TEST_CASE("venue fees: fee_schedules config and --fee-schedule are validated") {
  auto c = parse_venue_config(R"({"assets":["btc","eth"],"fee_schedules":{"btc-15m":{"rate":"0.05","exponent":2}}})");
  REQUIRE(c.ok());
  auto flagged = apply_flags(*c, {"--fee-schedule", "eth-15m=0.1"});
  REQUIRE(flagged.ok());
  CHECK(fee_for(flagged->fee_schedules, "btc", 900) == sched("0.05", "2"));
  CHECK(fee_for(flagged->fee_schedules, "eth", 900) == sched("0.1", "1"));
  CHECK(fee_for(flagged->fee_schedules, "sol", 900) == sched("0.07", "1")); // unlisted: the default
  // A series the venue does not list (slot length 20 s now) is a typo, not a silent default.
  auto typo = apply_flags(*c, {"--slot-seconds", "20"});
  REQUIRE_FALSE(typo.ok());
  CHECK(typo.error().find("btc-15m") != std::string::npos);
  CHECK_FALSE(apply_flags(*c, {"--slot-seconds", "20", "--fee-schedule", "btc-20s=0.05:2"}).ok()); // btc-15m still listed
  for (const char* bad : {R"({"fee_schedules":{"btc-15m":{"rate":0.05}}})", R"({"fee_schedules":{"btc-15m":{"rate":"2"}}})",
                          R"({"fee_schedules":{"btc-15m":{"rate":"0.05","exponent":9}}})",
                          R"({"fee_schedules":{"btc-15m":{"rate":"0.05","maker":true}}})", R"({"fee_schedules":[]})"})
    CHECK_FALSE(parse_venue_config(bad).ok());
  for (const char* bad : {"btc-15m", "btc-15m=", "btc-15m=0.05:0", "BTC=0.05", "btc-15m=x"})
    CHECK_FALSE(apply_flags(venue_config{}, {"--fee-schedule", bad}).ok());
}
