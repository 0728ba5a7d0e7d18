// Pure pieces of the exchange link: Gamma discovery, CLOB replies, pacing,
// backoff, the feed circuit breaker and service URLs.
#include <algorithm>

#include <doctest/doctest.h>

#include "core/backoff.hpp"
#include "core/circuit_breaker.hpp"
#include "core/clob_reply.hpp"
#include "core/config.hpp"
#include "core/endpoint.hpp"
#include "core/gamma_codec.hpp"
#include "core/rate_limiter.hpp"

using namespace tdmaker;
using namespace std::chrono_literals;

namespace {

const std::string gamma_event = R"([{"id":"1","slug":"btc-updown-15m-1778437800","markets":[{
  "slug":"btc-updown-15m-1778437800",
  "conditionId":"0x5af6ae84ab5a506bdc6eaaa2237c6e7922916e8cba14bf8f4abfa7687938e9af",
  "clobTokenIds":"[\"111\", \"222\"]","outcomes":"[\"Down\", \"Up\"]","outcomePrices":"[\"0.5\", \"0.5\"]",
  "startDate":"2026-05-09T18:30:00Z","eventStartTime":"2026-05-10T18:30:00Z","endDate":"2026-05-10T18:45:00.000Z",
  "orderPriceMinTickSize":0.01,"orderMinSize":5,"closed":false,"acceptingOrders":true,"negRisk":false}]}])";

} // namespace

TEST_CASE("gamma: slot slug and start follow the protocol") {
  CHECK(slot_start_of(1778437800 + 899, 900) == 1778437800);
  CHECK(slot_start_of(1778437800, 900) == 1778437800);
  CHECK(slot_slug("btc", 900, 1778437800) == "btc-updown-15m-1778437800");
  CHECK(slot_slug("eth", 30, 60) == "eth-updown-30s-60");
  CHECK(*parse_iso8601_utc("2026-05-10T18:30:00Z") == 1778437800);
  CHECK(*parse_iso8601_utc("1970-01-01T00:00:00.000Z") == 0);
  CHECK_FALSE(parse_iso8601_utc("2026-05-10 18:30").ok());
  CHECK_FALSE(parse_iso8601_utc("2026-13-10T18:30:00Z").ok());
}

TEST_CASE("gamma: event decodes JSON-encoded lists and maps tokens by outcome") {
  auto m = parse_gamma_event(gamma_event, "btc");
  REQUIRE(m.ok());
  REQUIRE(m->has_value());
  auto& r = (*m)->record;
  CHECK(r.id.hex == "0x5af6ae84ab5a506bdc6eaaa2237c6e7922916e8cba14bf8f4abfa7687938e9af");
  CHECK(r.up_token.digits == "222"); // outcomes list Down first
  CHECK(r.down_token.digits == "111");
  CHECK(r.slot_start_s == 1778437800);
  CHECK(r.slot_end_s == 1778437800 + 900);
  CHECK(r.tick.micros == 10'000);
  CHECK(r.min_size.micros == 5'000'000);
  CHECK(r.asset == "btc");
  CHECK_FALSE((*m)->closed);
  auto empty = parse_gamma_event("[]", "btc");
  REQUIRE(empty.ok());
  CHECK_FALSE(empty->has_value());
  auto bad = gamma_event;
  bad.replace(bad.find("0x5af6"), 6, "0xZZZZ");
  CHECK_FALSE(parse_gamma_event(bad, "btc").ok());
  auto three = gamma_event;
  three.replace(three.find(R"(\"222\"]")"), 9, R"(\"222\", \"333\"]")");
  CHECK_FALSE(parse_gamma_event(three, "btc").ok());
  // A slot that ends before (or when) it starts is refused (found by the fuzzer).
  auto backwards = gamma_event;
  backwards.replace(backwards.find("2026-05-10T18:45:00.000Z"), 24, "2026-05-10T18:05:40.000Z");
  auto b = parse_gamma_event(backwards, "btc");
  REQUIRE_FALSE(b.ok());
  CHECK(b.error() == "gamma btc-updown-15m-1778437800: endDate is not after eventStartTime");
}

TEST_CASE("gamma: cryptoMarketConfig.twapEnabled sets the resolution rule, absent means spot") {
  auto with_config = [](const std::string& config) {
    auto e = gamma_event;
    e.replace(e.find(R"("negRisk":false)"), 15, R"("negRisk":false,"cryptoMarketConfig":)" + config);
    return e;
  };
  auto rule_of = [](const std::string& json) {
    auto m = parse_gamma_event(json, "btc");
    REQUIRE(m.ok());
    REQUIRE(m->has_value());
    return (*m)->record.rule;
  };
  CHECK(rule_of(gamma_event) == resolution_rule::spot); // older markets carry no config
  CHECK(rule_of(with_config("null")) == resolution_rule::spot);
  CHECK(rule_of(with_config(R"({"id":"btc-15m","asset":"btc","duration":"15m","twapEnabled":false})"))
        == resolution_rule::spot);
  CHECK(rule_of(with_config(R"({"id":"btc-15m-twap-60","asset":"btc","duration":"15m","twapEnabled":true,)"
                            R"("twapLookbackSeconds":60})"))
        == resolution_rule::twap60);
  CHECK(rule_of(with_config(R"({"id":"btc-15m"})")) == resolution_rule::spot);
  // Present but unreadable: that market is refused with the field named, not guessed.
  for (const char* bad : {R"({"twapEnabled":"true"})", R"({"twapEnabled":1})", R"({"twapEnabled":null})",
                          R"("twap")", R"([true])"}) {
    CAPTURE(bad);
    auto m = parse_gamma_event(with_config(bad), "btc");
    REQUIRE_FALSE(m.ok());
    CHECK(m.error().rfind("gamma btc-updown-15m-1778437800: cryptoMarketConfig", 0) == 0);
  }
}

TEST_CASE("clob reply: failures are classified as the reference says") {
  CHECK(classify_reply(200, "{}", "").kind == reply_kind::ok);
  auto c425 = classify_reply(425, "", "");
  CHECK(c425.kind == reply_kind::too_early);
  auto c429 = classify_reply(429, R"({"error":"slow down"})", "3");
  CHECK(c429.kind == reply_kind::rate_limited);
  CHECK(c429.retry_after_ms == 3000);
  CHECK(c429.error == "slow down");
  auto po = classify_reply(
    503, R"({"error":"post-only mode: only post-only orders and cancels are allowed","code":"post_only_mode","retry_after_seconds":79})", "");
  CHECK(po.kind == reply_kind::post_only_mode);
  CHECK(po.retry_after_ms == 79'000);
  CHECK(classify_reply(503, R"({"error":"Trading is currently disabled."})", "").kind == reply_kind::unavailable);
  CHECK(classify_reply(500, R"({"error":"could not insert order"})", "").kind == reply_kind::server_error);
  CHECK(classify_reply(404, R"({"error":"Order not found"})", "").kind == reply_kind::not_found);
  CHECK(classify_reply(401, "", "").kind == reply_kind::unauthorized);
  CHECK(classify_reply(400, R"({"error":"invalid post-only order: order crosses book"})", "").error
        == "invalid post-only order: order crosses book");
  auto t = classify_reply(0, "timed out", "");
  CHECK(t.kind == reply_kind::transport);
  CHECK(t.error == "timed out");
  CHECK(retryable(reply_kind::transport));
  CHECK(retryable(reply_kind::too_early));
  CHECK_FALSE(retryable(reply_kind::rejected));
  CHECK_FALSE(retryable(reply_kind::post_only_mode));
}

TEST_CASE("clob reply: success with errorMsg is a failure - acks - cancels - credentials - lookups") {
  auto placed = parse_order_ack(R"({"success":true,"orderID":"0xab","status":"live","errorMsg":"","tradeIDs":[]})");
  REQUIRE(placed.ok());
  CHECK(placed->placed);
  CHECK(placed->status == "live");
  auto killed = parse_order_ack(R"({"success":true,"orderID":"0xab","status":"","errorMsg":"order couldn't be fully filled. FOK orders are fully filled or killed."})");
  REQUIRE(killed.ok());
  CHECK_FALSE(killed->placed);
  CHECK(killed->error == "order couldn't be fully filled. FOK orders are fully filled or killed.");
  // A taker delay's notice with a `delayed` status is a placed, held order: treated
  // as a failure, the node would place a second exit while the first one trades.
  auto delayed = parse_order_ack(R"({"success":true,"orderID":"0xab","status":"delayed","errorMsg":"order match delayed due to market conditions"})");
  REQUIRE(delayed.ok());
  CHECK(delayed->placed);
  CHECK(delayed->status == "delayed");
  CHECK(delayed->error.empty());
  auto plain = parse_order_ack(R"({"success":true,"orderID":"0xab","status":"delayed","errorMsg":"","makingAmount":"","takingAmount":""})");
  CHECK(plain->placed);
  auto unmatched = parse_order_ack(R"({"success":true,"orderID":"0xab","status":"unmatched","errorMsg":""})");
  CHECK(unmatched->placed);
  auto no = parse_order_ack(R"({"success":false,"errorMsg":""})");
  CHECK_FALSE(no->placed);
  CHECK(no->error == "success:false");
  auto many = parse_order_acks(R"([{"success":true,"orderID":"0x1","status":"matched","tradeIDs":["t1"]},{"success":false,"errorMsg":"x"}])");
  REQUIRE(many.ok());
  CHECK((*many)[0].trade_ids == std::vector<std::string>{"t1"});
  CHECK_FALSE((*many)[1].placed);
  auto c = parse_cancel_ack(R"({"canceled":["0x1"],"not_canceled":{"0x2":"Order already matched"}})");
  REQUIRE(c.ok());
  CHECK(c->canceled == std::vector<std::string>{"0x1"});
  CHECK(c->not_canceled[0].second == "Order already matched");
  CHECK(parse_api_credentials(R"({"apiKey":"k","secret":"s","passphrase":"p"})")->key == "k");
  CHECK_FALSE(parse_api_credentials(R"({"apiKey":"k","secret":""})").ok());
  auto o = parse_open_order(R"({"id":"0x1","status":"ORDER_STATUS_LIVE","original_size":"5","size_matched":"1.5","price":"0.01"})");
  REQUIRE(o.ok());
  CHECK(o->status == "LIVE");
  CHECK(o->size_matched.micros == 1'500'000);
  CHECK(o->px.micros == 10'000);
  CHECK_FALSE(parse_open_order(R"({"id":"0x1"})").ok());
}

TEST_CASE("rate limiter: capacity per window then exact waits") {
  token_bucket b(bucket_of({"post_order", 5, 10'000}), 0);
  for (int i = 0; i < 5; ++i)
    CHECK(b.try_take(0) == 0);
  CHECK(b.try_take(0) == 2000); // one token per 2 s
  CHECK(b.try_take(1999) == 1);
  CHECK(b.try_take(2000) == 0);
  CHECK(b.try_take(2000, 3) == 6000); // a batch waits for all its tokens
  CHECK(b.try_take(2000, 6) == -1); // more than the window's capacity: never
  CHECK(rate_class("POST", "/order") == "post_order");
  CHECK(rate_class("DELETE", "/orders") == "delete_orders");
  CHECK(rate_class("GET", "/book?token_id=1") == "book");
  CHECK(rate_class("GET", "/data/order/0xab") == "data_orders");
  CHECK(rate_class("GET", "/auth/derive-api-key") == "auth");
  CHECK(rate_class("GET", "/time") == "general");
  auto limits = polymarket_rate_limits();
  CHECK(std::find_if(limits.begin(), limits.end(), [](auto& l) { return l.name == "post_order"; })->capacity == 5000);
}

TEST_CASE("backoff: doubles from min to max with jitter in the upper half") {
  backoff_policy p{1000ms, 60000ms};
  CHECK(backoff_delay(p, 0, 0.0) == 500ms);
  CHECK(backoff_delay(p, 0, 0.999999) == 999ms);
  CHECK(backoff_delay(p, 3, 0.0) == 4000ms);
  CHECK(backoff_delay(p, 6, 0.5) == 45000ms); // 64 s capped at 60 s, half + half of half
  CHECK(backoff_delay(p, 40, 0.0) == 30000ms);
  for (std::uint32_t a = 0; a < 12; ++a)
    for (double r : {0.0, 0.3, 0.7, 0.99}) {
      auto d = backoff_delay(p, a, r);
      CHECK(d >= 500ms);
      CHECK(d < 60000ms);
    }
}

TEST_CASE("circuit breaker: trips after 10 consecutive failures and recovers by itself") {
  circuit_breaker b(10);
  for (int i = 0; i < 9; ++i)
    CHECK(b.on_failure() == circuit_breaker::change::none);
  CHECK_FALSE(b.tripped());
  CHECK(b.on_failure() == circuit_breaker::change::tripped);
  CHECK(b.tripped());
  CHECK(b.on_failure() == circuit_breaker::change::none); // trips once
  CHECK(b.consecutive_failures() == 11);
  CHECK(b.on_healthy() == circuit_breaker::change::recovered);
  CHECK_FALSE(b.tripped());
  CHECK(b.on_healthy() == circuit_breaker::change::none);
  for (int i = 0; i < 5; ++i)
    b.on_failure();
  b.on_healthy(); // a success in between resets the count
  for (int i = 0; i < 9; ++i)
    CHECK(b.on_failure() == circuit_breaker::change::none);
}

TEST_CASE("endpoint: venue URLs parse with defaults and clear errors") {
  auto e = parse_endpoint("wss://ws-subscriptions-clob.polymarket.com/ws/market");
  REQUIRE(e.ok());
  CHECK(e->tls);
  CHECK(e->websocket);
  CHECK(e->port == 443);
  CHECK(e->path == "/ws/market");
  auto h = parse_endpoint("http://127.0.0.1:18080");
  CHECK(h->port == 18080);
  CHECK(h->path == "/");
  CHECK_FALSE(h->tls);
  CHECK(parse_endpoint("ws://[::1]:9/x")->host == "::1");
  CHECK_FALSE(parse_endpoint("ftp://x").ok());
  CHECK_FALSE(parse_endpoint("http://:80").ok());
  CHECK_FALSE(parse_endpoint("http://h:99999").ok());
  CHECK_FALSE(parse_endpoint("clob.polymarket.com").ok());
}

TEST_CASE("config: venue - feed and discovery keys are validated") {
  auto ok = parse_config(R"({"venue":{"clob_url":"https://clob.polymarket.com","market_ws_url":"wss://ws-subscriptions-clob.polymarket.com/ws/market"},
    "feed":{"market_stale_ms":2000,"breaker_failures":10},"discovery":{"assets":["btc","eth"],"slot_seconds":900}})");
  REQUIRE_MESSAGE(ok.ok(), ok.error());
  CHECK(ok->venue_clob_url == "https://clob.polymarket.com");
  CHECK(ok->discovery_assets == std::vector<std::string>{"btc", "eth"});
  auto ws_for_http = parse_config(R"({"venue":{"clob_url":"ws://x:1"}})");
  REQUIRE_FALSE(ws_for_http.ok());
  CHECK(ws_for_http.error().find("$.venue.clob_url") != std::string::npos);
  CHECK(parse_config(R"({"venue":{"rtds_url":"nope"}})").error().find("$.venue.rtds_url") != std::string::npos);
  CHECK(parse_config(R"({"feed":{"reconnect_min_ms":5000,"reconnect_max_ms":1000}})").error().find("reconnect_max_ms")
        != std::string::npos);
  CHECK(parse_config(R"({"discovery":{"assets":["BTC"]}})").error().find("$.discovery.assets") != std::string::npos);
  CHECK(parse_config(R"({"discovery":{"assets":[]}})").error().find("$.discovery.assets") != std::string::npos);
  CHECK(parse_config(R"({"feed":{"breaker_failures":0}})").error().find("$.feed.breaker_failures") != std::string::npos);
}
