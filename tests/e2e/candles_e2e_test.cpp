// `tdmaker candles` over a store the test fills (issue 18): the range, the formats,
// exit 2 on bad usage, 1 on no store, 3 on an unreadable candle.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "core/candle.hpp"
#include "db/lmdb_env.hpp"
#include "process.hpp"

using namespace tdmaker;

namespace {

constexpr std::int64_t m0 = 1'800'000'000'000; // 2027-01-15T08:00:00Z, a minute start

struct candle_store {
  std::string dir = test::temp_dir("candles-cli");
  std::string data = dir + "/data";
  std::string config = dir + "/node.json";
  candle_store() {
    std::ofstream(config) << R"({"node":{"data_dir":")" << data << R"(","log_dir":")" << dir << R"(/logs"}})";
    write_batch b;
    for (int i = 0; i < 4; ++i) {
      candle c{m0 + i * candle_minute_ms, 9'700'000'000'000 + i, 9'700'100'000'000, 9'699'900'000'000,
               9'700'000'000'000, 0, 3, 0};
      b.writes.push_back({record_db::candles, candle_key("btc/usd", c.start_ms), encode_candle("btc/usd", c), false});
    }
    candle mid{m0, 535'000, 535'000, 535'000, 535'000, 0, 0, candle_filled};
    b.writes.push_back({record_db::candles, candle_key("12/mid", m0), encode_candle("12/mid", mid), false});
    candle other{m0, 1, 1, 1, 1, 0, 1, 0};
    b.writes.push_back({record_db::candles, candle_key("123/mid", m0), encode_candle("123/mid", other), false});
    auto env = lmdb_env::open(data, 64);
    REQUIRE_MESSAGE(env, env.error());
    REQUIRE((*env)->write({&b}).empty());
  }
  ~candle_store() { std::filesystem::remove_all(dir); }
};

} // namespace

TEST_CASE("candles cli: a stream's range as csv and jsonl, from a data dir or a config") {
  candle_store s;
  auto [code, out] = test::run({"candles", "--stream", "btc/usd", "--from", "2027-01-15T08:01:00Z", "--to",
                                std::to_string((m0 + 3 * candle_minute_ms) / 1000), "--data-dir", s.data});
  CHECK(code == 0);
  CHECK(out == "start,start_ms,open,high,low,close,volume,ticks,filled\n"
               "2027-01-15T08:01:00.000Z,1800000060000,97000.00000001,97001,96999,97000,0,3,false\n"
               "2027-01-15T08:02:00.000Z,1800000120000,97000.00000002,97001,96999,97000,0,3,false\n");
  std::tie(code, out) = test::run({"candles", "--stream", "12/mid", "--from", "0", "--to", "2000000000", "--format",
                                   "jsonl", "--config", s.config});
  CHECK(code == 0);
  CHECK(out == R"({"stream":"12/mid","start_ms":1800000000000,"start":"2027-01-15T08:00:00.000Z","open":"0.535",)"
               R"("high":"0.535","low":"0.535","close":"0.535","volume":"0","ticks":0,"filled":true})" "\n");
  std::tie(code, out) = test::run({"candles", "--stream", "eth/usd", "--from", "0", "--to", "2000000000", "--data-dir",
                                   s.data});
  CHECK(code == 0);
  CHECK(out == "start,start_ms,open,high,low,close,volume,ticks,filled\n");
}

TEST_CASE("candles cli: bad usage exits 2 with a message, no store exits 1, an unreadable candle exits 3") {
  candle_store s;
  const std::vector<std::vector<std::string>> bad{
    {"candles", "--from", "0", "--to", "1", "--data-dir", s.data},
    {"candles", "--stream", "btc/eur", "--from", "0", "--to", "1", "--data-dir", s.data},
    {"candles", "--stream", "btc/usd", "--from", "5", "--to", "1", "--data-dir", s.data},
    {"candles", "--stream", "btc/usd", "--from", "soon", "--to", "1", "--data-dir", s.data},
    {"candles", "--stream", "btc/usd", "--from", "0", "--to", "1", "--format", "xml", "--data-dir", s.data},
    {"candles", "--stream", "btc/usd", "--from", "0", "--to", "1", "--config", s.config, "--data-dir", s.data},
    {"candles", "--stream", "btc/usd", "--from", "0", "--to", "1", "--config", s.dir + "/missing.json"},
  };
  for (const auto& args : bad) {
    CAPTURE(args[1]);
    auto [code, out] = test::run(args);
    CHECK(code == 2);
    CHECK_FALSE(out.empty());
  }
  auto [code, out] = test::run({"candles", "--stream", "btc/usd", "--from", "0", "--to", "1", "--data-dir",
                                s.dir + "/nowhere"});
  CHECK(code == 1);
  CHECK(out.find("does not exist") != std::string::npos);

  write_batch b; // straight into LMDB, as a damaged or foreign store could hold it
  b.writes.push_back({record_db::candles, candle_key("btc/usd", m0 + 60 * candle_minute_ms), "{\"stream\":1}", false});
  {
    auto env = lmdb_env::open(s.data, 64);
    REQUIRE_MESSAGE(env, env.error());
    REQUIRE((*env)->write({&b}).empty());
  }
  std::tie(code, out) = test::run({"candles", "--stream", "btc/usd", "--from", "0", "--to", "2000000000",
                                   "--data-dir", s.data});
  CHECK(code == 3);
  CHECK(out.find("candles: btc/usd@1800003600000: candle:") != std::string::npos);
  CHECK(out.find("1 unreadable candles left out") != std::string::npos);
  CHECK(out.find("2027-01-15T08:03:00.000Z") != std::string::npos); // the rest printed
}
