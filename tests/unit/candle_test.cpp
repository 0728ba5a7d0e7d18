// The stored candle: stream names, the key order, the codec and what it refuses.
#include <doctest/doctest.h>

#include "core/candle.hpp"
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
