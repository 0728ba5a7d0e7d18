// LMDB `candles`: a range by stream and time is one key range (issue 18).
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>

#include "core/candle.hpp"
#include "db/lmdb_env.hpp"

using namespace tdmaker;
namespace fs = std::filesystem;

namespace {

constexpr std::int64_t m0 = 1'800'000'000'000 - 1'800'000'000'000 % candle_minute_ms;

struct candle_dir {
  std::string dir;
  std::shared_ptr<lmdb_env> env;
  candle_dir() {
    dir = (fs::temp_directory_path() / ("tdmaker-candles-" + std::to_string(::getpid()))).string();
    fs::remove_all(dir);
    auto e = lmdb_env::open(dir, 64);
    REQUIRE(e.ok());
    env = *e;
  }
  ~candle_dir() {
    env.reset();
    fs::remove_all(dir);
  }
  void put(const std::string& stream, int minutes) {
    write_batch b;
    for (int i = 0; i < minutes; ++i) {
      candle c{m0 + i * candle_minute_ms, 10 + i, 10 + i, 10 + i, 10 + i, 0, 1, 0};
      b.writes.push_back({record_db::candles, candle_key(stream, c.start_ms), encode_candle(stream, c), false});
    }
    REQUIRE(env->write({&b}).empty());
  }
  std::vector<std::int64_t> starts(const std::string& stream, std::int64_t from, std::int64_t to,
                                   std::size_t limit = 1000) {
    auto rows = env->range(record_db::candles, candle_key(stream, from), candle_key(stream, to), limit);
    REQUIRE(rows.ok());
    std::vector<std::int64_t> out;
    for (auto& r : rows->rows) {
      auto c = decode_candle(r.payload);
      REQUIRE(c.ok());
      CHECK(c->stream == stream);
      out.push_back(c->c.start_ms);
    }
    return out;
  }
};

} // namespace

TEST_CASE("candle range: from inclusive, to exclusive, in time order") {
  candle_dir d;
  d.put("btc/usd", 10);
  CHECK(d.starts("btc/usd", m0 + 2 * candle_minute_ms, m0 + 5 * candle_minute_ms)
        == std::vector<std::int64_t>{m0 + 2 * candle_minute_ms, m0 + 3 * candle_minute_ms, m0 + 4 * candle_minute_ms});
  // A bound inside a minute: the candle starting before it is out, the next one in.
  CHECK(d.starts("btc/usd", m0 + 1, m0 + candle_minute_ms + 1) == std::vector<std::int64_t>{m0 + candle_minute_ms});
  CHECK(d.starts("btc/usd", m0, m0 + 100 * candle_minute_ms).size() == 10);
  CHECK(d.starts("btc/usd", m0, m0 + 100 * candle_minute_ms, 3).size() == 3); // the limit
}

TEST_CASE("candle range: an empty range and a range with no candle return nothing") {
  candle_dir d;
  d.put("btc/usd", 3);
  CHECK(d.starts("btc/usd", m0 + candle_minute_ms, m0 + candle_minute_ms).empty());
  CHECK(d.starts("btc/usd", m0 + 2 * candle_minute_ms, m0).empty());
  CHECK(d.starts("btc/usd", m0 + 10 * candle_minute_ms, m0 + 20 * candle_minute_ms).empty());
  CHECK(d.starts("eth/usd", m0, m0 + 20 * candle_minute_ms).empty());
}

TEST_CASE("candle range: a stream whose name prefixes another's never sees the other's candles") {
  candle_dir d;
  d.put("12/mid", 2);
  d.put("123/mid", 5);
  d.put("12/last", 4);
  CHECK(d.starts("12/mid", m0, m0 + 10 * candle_minute_ms).size() == 2);
  CHECK(d.starts("123/mid", m0, m0 + 10 * candle_minute_ms).size() == 5);
  CHECK(d.starts("12/last", m0, m0 + 10 * candle_minute_ms).size() == 4);
  CHECK(d.starts("1/mid", m0, m0 + 10 * candle_minute_ms).empty());
}

TEST_CASE("candle range: negative start times sort before positive ones") {
  candle_dir d;
  write_batch b;
  for (std::int64_t t : {-2 * candle_minute_ms, -candle_minute_ms, std::int64_t{0}, candle_minute_ms}) {
    candle c{t, 1, 1, 1, 1, 0, 1, 0};
    b.writes.push_back({record_db::candles, candle_key("btc/usd", t), encode_candle("btc/usd", c), false});
  }
  REQUIRE(d.env->write({&b}).empty());
  CHECK(d.starts("btc/usd", -candle_minute_ms, candle_minute_ms) == std::vector<std::int64_t>{-candle_minute_ms, 0});
}
