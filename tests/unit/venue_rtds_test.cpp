// The venue's RTDS channel: every known symbol subscribes from the first moment
// (empty backfill, then updates), a refused or malformed request gets an error
// frame, never silence.
#include <doctest/doctest.h>

#include <rapidjson/document.h>

#include "tests/ws_recording_session.hpp"
#include "venue/faults.hpp"
#include "venue/ws_feeds.hpp"

using namespace tdmaker;
using namespace tdmaker::venue;

namespace {

struct rtds_fixture {
  std::int64_t now = 1'800'000'000'000;
  rtds_feed feed{[this] { return now; }, {"btc", "eth"}};
  std::shared_ptr<recording_session> s = std::make_shared<recording_session>();

  rtds_fixture() {
    s->id = 1;
    feed.on_open(s);
  }

  static std::string request(const char* action, const std::string& symbol,
                             const char* topic = "crypto_prices_chainlink") {
    return std::string(R"({"action":")") + action + R"(","subscriptions":[{"topic":")" + topic
           + R"(","type":"*","filters":"{\"symbol\":\")" + symbol + R"(\"}"}]})";
  }

  rapidjson::Document last() {
    REQUIRE_FALSE(s->sent.empty());
    rapidjson::Document d;
    d.Parse(s->sent.back().c_str());
    REQUIRE(d.IsObject());
    return d;
  }
};

} // namespace

TEST_CASE_FIXTURE(rtds_fixture, "rtds: a subscribe before any price is accepted and updates then flow") {
  feed.on_text(s, request("subscribe", "btc/usd"));
  REQUIRE(s->sent.size() == 1);
  auto ack = last();
  CHECK(std::string(ack["type"].GetString()) == "subscribe");
  CHECK(std::string(ack["payload"]["symbol"].GetString()) == "btc/usd");
  CHECK(ack["payload"]["data"].IsArray());
  CHECK(ack["payload"]["data"].Size() == 0);

  feed.publish("btc", now, ref_price{6'723'450'000'000});
  feed.publish("eth", now, ref_price{300'000'000'000}); // not subscribed: not sent
  REQUIRE(s->sent.size() == 2);
  auto up = last();
  CHECK(std::string(up["type"].GetString()) == "update");
  CHECK(std::string(up["payload"]["symbol"].GetString()) == "btc/usd");
  CHECK(std::string(up["payload"]["full_accuracy_value"].GetString()) == "67234500000000000000000");

  // A later subscriber gets the history as its backfill; matching ignores case.
  auto t = std::make_shared<recording_session>();
  t->id = 2;
  feed.on_open(t);
  feed.on_text(t, request("subscribe", "BTC/USD"));
  REQUIRE(t->sent.size() == 1);
  rapidjson::Document d;
  d.Parse(t->sent[0].c_str());
  REQUIRE(d["payload"]["data"].Size() == 1);
  CHECK(d["payload"]["data"][0]["timestamp"].GetInt64() == now);

  feed.on_text(s, request("unsubscribe", "btc/usd"));
  feed.publish("btc", now + 1000, ref_price{6'723'460'000'000});
  CHECK(s->sent.size() == 2);
  CHECK(t->sent.size() == 2);
}

TEST_CASE_FIXTURE(rtds_fixture, "rtds: an unknown symbol is refused with an error frame and subscribes nothing") {
  feed.on_text(s, request("subscribe", "doge/usd"));
  REQUIRE(s->sent.size() == 1);
  auto e = last();
  CHECK(e["statusCode"].GetInt() == 401);
  CHECK(std::string(e["body"]["message"].GetString()) == "symbol doge/usd not found");
  feed.publish("doge", now, ref_price{1'000'000});
  CHECK(s->sent.size() == 1);
  CHECK_FALSE(s->closed);
}

TEST_CASE_FIXTURE(rtds_fixture, "rtds: a bad topic refuses the whole batch - malformed requests get a 400") {
  std::string batch = R"({"action":"subscribe","subscriptions":[)"
                      R"({"topic":"crypto_prices_chainlink","type":"*","filters":"{\"symbol\":\"btc/usd\"}"},)"
                      R"({"topic":"nope","type":"*","filters":"{\"symbol\":\"eth/usd\"}"}]})";
  feed.on_text(s, batch);
  REQUIRE(s->sent.size() == 1);
  CHECK(last()["statusCode"].GetInt() == 401);
  CHECK(std::string(last()["body"]["message"].GetString()) == "topic nope not found");
  feed.publish("btc", now, ref_price{1'000'000});
  CHECK(s->sent.size() == 1); // btc/usd was not subscribed either

  for (std::string bad : {std::string("{not json"), std::string(R"({"action":"listen","subscriptions":[]})"),
                          std::string(R"({"action":"subscribe"})"),
                          std::string(R"({"action":"subscribe","subscriptions":[{"topic":"crypto_prices_chainlink"}]})"),
                          request("subscribe", "btc/usd\\\"x")}) {
    auto before = s->sent.size();
    feed.on_text(s, bad);
    REQUIRE_MESSAGE(s->sent.size() == before + 1, bad);
    CHECK_MESSAGE(last()["statusCode"].GetInt() == 400, bad);
  }
  // A space after ':' in the filter matches nothing, silently, as the real service does.
  auto before = s->sent.size();
  feed.on_text(s, R"({"action":"subscribe","subscriptions":[{"topic":"crypto_prices_chainlink","type":"*","filters":"{\"symbol\": \"btc/usd\"}"}]})");
  CHECK(s->sent.size() == before);
  feed.on_text(s, "PING");
  CHECK(s->sent.size() == before);
}

TEST_CASE("faults: rtds_freeze_windows parse relative and absolute and round-trip") {
  auto p = parse_fault_plan(R"({"rtds_freeze_windows":[{"in_s":0,"for_s":60},{"start_s":5,"end_s":9}]})", 1000);
  REQUIRE(p);
  REQUIRE(p->rtds_freeze_windows.size() == 2);
  CHECK(p->rtds_freeze_windows[0].start_s == 1000);
  CHECK(p->rtds_freeze_windows[0].end_s == 1060);
  fault_injector f(*p);
  CHECK(f.in_window(p->rtds_freeze_windows, 1059));
  CHECK_FALSE(f.in_window(p->rtds_freeze_windows, 1060));
  CHECK(fault_plan_json(*p).find(R"("rtds_freeze_windows":[{"start_s":1000,"end_s":1060},{"start_s":5,"end_s":9}])")
        != std::string::npos);
  CHECK_FALSE(parse_fault_plan(R"({"rtds_freeze_windows":[{"in_s":-1,"for_s":5}]})", 0));
}
