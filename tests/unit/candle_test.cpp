// The stored candle: stream names, the key order, the codec and what it refuses.
#include <doctest/doctest.h>

#include "core/candle.hpp"
#include "core/candle_query.hpp"
#include "core/candle_tap.hpp"
#include "core/config.hpp"
#include "core/feed_codec.hpp"
#include "core/record_validation.hpp"

using namespace tdmaker;

TEST_CASE("candles: stream names and their kinds") {
  CHECK(*parse_candle_stream("btc/usd") == candle_kind::ref);
  CHECK(*parse_candle_stream("7132/mid") == candle_kind::mid);
  CHECK(*parse_candle_stream("7132/last") == candle_kind::last);
  for (auto bad : {"", "btc", "/usd", "BTC/usd", "btc/eur", "12a/mid", "btc/mid", "7132/usd/x", "7132/",
                   "averyveryverylongasset/usd"})
    CHECK_FALSE(parse_candle_stream(bad).ok());
}

TEST_CASE("candles: keys sort by stream, then time, and a stream never prefixes another's range") {
  CHECK(candle_key("btc/usd", 0) < candle_key("btc/usd", 60'000));
  CHECK(candle_key("btc/usd", -60'000) < candle_key("btc/usd", 0));
  CHECK(candle_key("btc/usd", 60'000 * 256) > candle_key("btc/usd", 60'000 * 255));
  CHECK(candle_key("12/mid", 0).starts_with(candle_key_prefix("12/mid")));
  CHECK_FALSE(candle_key("123/mid", 0).starts_with(candle_key_prefix("12/mid")));
  CHECK(candle_key("btc/usd", 0).size() == 7 + 1 + 8);
}

TEST_CASE("candles: a candle survives its codec and the store's check") {
  candle c{1'800'000'040'000 - 1'800'000'040'000 % 60'000, 5, 9, 1, 7, 12, 3, 0};
  auto text = encode_candle("btc/usd", c);
  auto back = decode_candle(text);
  REQUIRE(back.ok());
  CHECK(back->stream == "btc/usd");
  CHECK(back->c == c);
  CHECK(validate_record("candles", candle_key("btc/usd", c.start_ms), text).empty());
  CHECK_FALSE(validate_record("candles", candle_key("eth/usd", c.start_ms), text).empty());
  CHECK_FALSE(validate_record("candles", candle_key("btc/usd", c.start_ms + 60'000), text).empty());
  candle flat{c.start_ms, 7, 7, 7, 7, 0, 0, candle_filled};
  CHECK(decode_candle(encode_candle("1/last", flat)).ok());
}

TEST_CASE("candles: the decoder refuses what no aggregator makes") {
  const std::int64_t t = 1'799'999'980'000;
  auto bad = [](std::string_view s, candle c) { return !decode_candle(encode_candle(s, c)).ok(); };
  CHECK(bad("btc/usd", candle{t + 1, 5, 9, 1, 7, 0, 1, 0}));          // not aligned
  CHECK(bad("btc/usd", candle{t, 5, 4, 1, 3, 0, 1, 0}));              // open above high
  CHECK(bad("btc/usd", candle{t, 5, 9, 6, 7, 0, 1, 0}));              // open below low
  CHECK(bad("btc/usd", candle{t, 5, 9, 1, 7, -1, 1, 0}));             // negative volume
  CHECK(bad("btc/usd", candle{t, 5, 9, 1, 7, 0, 0, 0}));              // no tick, not filled
  CHECK(bad("btc/usd", candle{t, 5, 5, 5, 5, 0, 2, candle_filled}));  // filled with ticks
  CHECK(bad("btc/usd", candle{t, 5, 5, 5, 5, 0, 0, 4}));              // unknown flag
  CHECK(bad("btc/eur", candle{t, 5, 9, 1, 7, 0, 1, 0}));              // unknown stream
  CHECK_FALSE(decode_candle("{\"stream\":\"btc/usd\"}").ok());
  CHECK_FALSE(decode_candle("[1]").ok());
}

TEST_CASE("candles: a key is named readably in errors") {
  CHECK(describe_candle_key(candle_key("btc/usd", 1'800'000'000'000 - 20'000)) == "btc/usd@1799999980000");
  CHECK(describe_candle_key("btc/usd") == "<bad key>");
  auto why = validate_record("candles", "junk", encode_candle("btc/usd", candle{0, 1, 1, 1, 1, 0, 1, 0}));
  CHECK(why.find("candles/<bad key> refused") != std::string::npos);
  CHECK(why.find("btc/usd@0") != std::string::npos);
}

TEST_CASE("candles: the feed's tap names each stream once and keeps a mid only when it moves or a minute begins") {
  candle_tap tap(true);
  const std::int64_t t = 1'800'000'000'000 - 1'800'000'000'000 % 60'000;
  tap.reference("btc/usd", t + 1, 9'700'000'000'000);
  tap.top("7", t + 2, price{530'000}, price{540'000});
  tap.top("7", t + 3, price{530'000}, price{540'000}); // same mid, same minute: nothing
  tap.top("7", t + 4, price{0}, price{540'000});       // one-sided: nothing
  tap.top("7", t + 5, price{530'000}, price{1'000'000}); // no ask (the venue's "1"): nothing
  tap.top("7", t + 60'000, price{530'000}, price{540'000}); // same mid, a new minute: kept
  tap.trade("7", t + 6, price{540'000}, shares{5'000'000});
  auto s = tap.take();
  CHECK(s.new_streams == std::vector<std::string>{"btc/usd", "7/mid", "7/last"});
  REQUIRE(s.samples.size() == 4);
  CHECK(s.samples[0].stream == 0);
  CHECK(s.samples[1].value == 535'000);
  CHECK(s.samples[2].ts_ms == t + 60'000);
  CHECK(s.samples[3].stream == 2);
  CHECK(s.samples[3].volume == 5'000'000);
  CHECK(tap.empty());
  tap.reference("btc/usd", t + 7, 1);
  auto next = tap.take();
  CHECK(next.new_streams.empty()); // named in the first batch already
  CHECK(next.samples.size() == 1);
  candle_tap ref_only(false);
  ref_only.top("7", t, price{530'000}, price{540'000});
  ref_only.trade("7", t, price{540'000}, shares{1});
  CHECK(ref_only.empty());
}

TEST_CASE("candles: config keys, their defaults and their checks") {
  auto d = parse_config("{}");
  REQUIRE(d.ok());
  CHECK(d->candles_enabled);
  CHECK(d->candles_tokens);
  auto off = parse_config(R"({"candles":{"enabled":false,"markets":false}})");
  REQUIRE(off.ok());
  CHECK_FALSE(off->candles_enabled);
  CHECK_FALSE(off->candles_tokens);
  CHECK(parse_config(R"({"candles":{"enabled":"yes"}})").error().starts_with("$.candles.enabled: "));
  CHECK(parse_config(R"({"candles":{"interval":1}})").error() == "$.candles.interval: unknown key");
  CHECK_FALSE(parse_config(R"({"candles":{"markets":1}})").ok());
}

TEST_CASE("candles: command arguments and the HTTP query") {
  auto q = parse_candle_args({"--stream", "btc/usd", "--from", "1800000000", "--to", "2027-12-02T03:00:00Z",
                              "--format", "jsonl", "--data-dir", "/tmp/x"});
  REQUIRE(q.ok());
  CHECK(q->from_ms == 1'800'000'000'000);
  CHECK(q->to_ms == 1'827'716'400'000);
  CHECK(q->format == candle_format::jsonl);
  CHECK(q->data_dir == "/tmp/x");
  // from after to: refused (to is 2026-12-02, from 2027-01-15).
  CHECK_FALSE(parse_candle_args({"--stream", "btc/usd", "--from", "1800000000", "--to", "1796180400"}).ok());
  for (const std::vector<std::string>& bad :
       {std::vector<std::string>{"--from", "1", "--to", "2"}, {"--stream", "btc/usd", "--from", "1"},
        {"--stream", "btc/usd", "--from", "1", "--to", "2", "--format", "json"},
        {"--stream", "btc/usd", "--from", "1", "--to", "2", "--config", "a", "--data-dir", "b"},
        {"--stream", "btc/usd", "--from", "yesterday", "--to", "2"}, {"--stream"},
        {"--stream", "btc/usd", "--from", "1", "--to", "2", "--limit", "3"}, {"btc/usd"},
        {"--stream", "btc/usd", "--from", "99999999999999999", "--to", "2"}}) {
    CAPTURE(bad.size());
    CHECK_FALSE(parse_candle_args(bad).ok());
  }
  auto h = parse_candle_http_query("stream=7%2Fmid&from=60&to=180");
  REQUIRE(h.ok());
  CHECK(h->stream == "7/mid");
  CHECK(h->kind == candle_kind::mid);
  CHECK(h->format == candle_format::json);
  CHECK(candle_from_key(*h) == candle_key("7/mid", 60'000));
  CHECK(candle_to_key(*h) == candle_key("7/mid", 180'000));
}

TEST_CASE("candles: rendered rows are exact decimals in the stream's units") {
  candle_query q;
  q.stream = "btc/usd";
  q.kind = candle_kind::ref;
  q.format = candle_format::csv;
  std::vector<stored_candle> rows{{"btc/usd", candle{60'000, 9'700'012'345'678, 9'700'012'345'678, 9'700'012'345'678,
                                                     9'700'012'345'678, 0, 0, candle_filled}}};
  CHECK(render_candles(q, rows, false, 0)
        == "start,start_ms,open,high,low,close,volume,ticks,filled\n"
           "1970-01-01T00:01:00.000Z,60000,97000.12345678,97000.12345678,97000.12345678,97000.12345678,0,0,true\n");
  q.kind = candle_kind::last;
  q.stream = "7/last";
  q.format = candle_format::jsonl;
  rows = {{"7/last", candle{0, 535'000, 540'000, 530'000, 535'000, 5'000'000, 3, 0}}};
  CHECK(render_candles(q, rows, false, 0)
        == R"({"stream":"7/last","start_ms":0,"start":"1970-01-01T00:00:00.000Z","open":"0.535","high":"0.54",)"
           R"("low":"0.53","close":"0.535","volume":"5","ticks":3,"filled":false})" "\n");
}

namespace {
struct delta_sink : market_event_sink {
  std::vector<book_delta> deltas;
  void on_book(book_snapshot&&) override {}
  void on_delta(book_delta&& d) override { deltas.push_back(std::move(d)); }
  void on_last_trade(last_trade&&) override {}
  void on_tick_size(tick_size_change&&) override {}
  void on_resolved(market_resolved&&) override {}
  void on_bad_event(std::string_view) override {}
};
} // namespace

TEST_CASE("candles: a price_change entry's best_bid and best_ask are read for the mid, and never drop the change") {
  const std::string cid = "0x" + std::string(64, 'a');
  auto frame = [&](std::string_view top) {
    return R"({"event_type":"price_change","market":")" + cid + R"(","timestamp":"1800000000000","price_changes":[)"
           R"({"asset_id":"7","price":"0.5","size":"10","side":"BUY","hash":"h")" + std::string(top) + "}]}";
  };
  json::reusable_document doc;
  delta_sink sink;
  REQUIRE(parse_market_frame(frame(R"(,"best_bid":"0.53","best_ask":"0.54")"), doc, sink).ok());
  REQUIRE(parse_market_frame(frame(R"(,"best_bid":"oops","best_ask":"0.54")"), doc, sink).ok());
  REQUIRE(parse_market_frame(frame(""), doc, sink).ok());
  REQUIRE(sink.deltas.size() == 3);
  CHECK(sink.deltas[0].changes[0].best_bid == price{530'000});
  CHECK(sink.deltas[0].changes[0].best_ask == price{540'000});
  for (int i : {1, 2}) {
    CHECK(sink.deltas[static_cast<std::size_t>(i)].changes[0].best_bid == price{0});
    CHECK(sink.deltas[static_cast<std::size_t>(i)].changes[0].best_ask == price{0});
    CHECK(sink.deltas[static_cast<std::size_t>(i)].changes[0].size == shares{10'000'000});
  }
}
