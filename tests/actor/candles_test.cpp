// The candles actor (issue 18): samples in, candles completed and written to LMDB,
// open candles completed and written on the shutdown flush; GET /candles reads them.
#include <doctest/doctest.h>

#include <thread>

#include "actors/candles.hpp"
#include "actors/store.hpp"
#include "actors/util.hpp"
#include "core/candle.hpp"
#include "fixture.hpp"
#include "net/http_server.hpp"
#include "../raw_http.hpp"

using namespace tdmaker;
using namespace std::chrono_literals;

namespace {

constexpr std::int64_t m0 = 1'800'000'000'000 - 1'800'000'000'000 % candle_minute_ms;
constexpr std::int64_t minute = candle_minute_ms;

std::vector<stored_candle> stored(lmdb_env& env, const std::string& stream) {
  auto rows = env.range(record_db::candles, candle_key(stream, 0), candle_key(stream, INT64_MAX), 1000);
  REQUIRE(rows.ok());
  std::vector<stored_candle> out;
  for (auto& r : rows->rows) {
    auto c = decode_candle(r.payload);
    REQUIRE(c.ok());
    out.push_back(std::move(c).value());
  }
  return out;
}

candle_stats close_candles(caf::scoped_actor& self, candles_actor& a) {
  candle_stats out;
  self->request(a, 5s, flush_atom::value)
    .receive([&](candle_stats& s) { out = s; }, [&](caf::error& e) { FAIL(error_text(e)); });
  return out;
}

} // namespace

TEST_CASE_FIXTURE(test::actor_fixture, "candles: completed candles are written, the open one on the shutdown flush") {
  auto store = spawn_store(*sys, env, telemetry_actor{}, {});
  candles_options o;
  o.tick_every = 1h; // no timer in this test: only the flush writes
  auto a = spawn_candles(*sys, store, telemetry_actor{}, o);
  caf::scoped_actor self{*sys};
  candle_samples s;
  s.new_streams = {"btc/usd", "not a stream", "7/last"};
  s.samples = {{0, m0 + 1'000, 100, 0}, {0, m0 + 2'000, 120, 0}, {1, m0 + 3'000, 5, 0},
               {0, m0 + 3'000, 90, 0},  {2, m0 + 4'000, 530'000, 5'000'000}, {0, m0 + minute, 95, 0}};
  self->send(a, s);
  candle_samples later; // new indexes continue from the first message's
  later.new_streams = {"8/mid"};
  later.samples = {{3, m0 + minute + 5, 500'000, 0}, {0, m0 + 10, 1, 0}}; // the second is late
  self->send(a, later);
  auto st = close_candles(self, a);
  CHECK(st.completed_ref == 2);
  CHECK(st.completed_last == 1);
  CHECK(st.completed_mid == 1);
  CHECK(st.persisted == 4);
  CHECK(st.late_ticks == 1);
  CHECK(st.ticks == 6);
  auto btc = stored(*env, "btc/usd");
  REQUIRE(btc.size() == 2);
  CHECK(btc[0].c == candle{m0, 100, 120, 90, 90, 0, 3, 0});
  CHECK(btc[1].c == candle{m0 + minute, 95, 95, 95, 95, 0, 1, 0});
  auto last = stored(*env, "7/last");
  REQUIRE(last.size() == 1);
  CHECK(last[0].c.volume == 5'000'000);
  CHECK(stored(*env, "8/mid").size() == 1);
  // Closed: later ticks make nothing that could not be written.
  candle_samples after;
  after.samples = {{0, m0 + 5 * minute, 1, 0}};
  self->send(a, after);
  auto again = close_candles(self, a);
  CHECK(again.persisted == 4);
  CHECK(again.ticks == 6);
  self->send_exit(a, caf::exit_reason::user_shutdown);
  self->send_exit(store, caf::exit_reason::user_shutdown);
}

TEST_CASE_FIXTURE(test::actor_fixture, "candles: a quiet stream's candle is completed and written by the timer") {
  auto store = spawn_store(*sys, env, telemetry_actor{}, {});
  candles_options o;
  o.tick_every = 10ms;
  o.grace_ms = 5'000;
  o.clock = [] { return m0 + minute + 5'000; }; // the minute is over, and its grace
  auto a = spawn_candles(*sys, store, telemetry_actor{}, o);
  caf::scoped_actor self{*sys};
  candle_samples s;
  s.new_streams = {"eth/usd"};
  s.samples = {{0, m0 + 30'000, 7, 0}};
  self->send(a, s);
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (stored(*env, "eth/usd").empty() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(5ms);
  auto rows = stored(*env, "eth/usd");
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].c == candle{m0, 7, 7, 7, 7, 0, 1, 0});
  auto st = close_candles(self, a);
  CHECK(st.completed_ref == 1);
  CHECK(st.persisted == 1);
  self->send_exit(a, caf::exit_reason::user_shutdown);
  self->send_exit(store, caf::exit_reason::user_shutdown);
}

namespace {

std::string get(int port, const std::string& target) {
  test::raw_conn c(port);
  REQUIRE(c.ok());
  REQUIRE(c.send_all("GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  std::string buf;
  c.read_until(buf, [](const std::string& b) {
    auto end = b.find("\r\n\r\n");
    return end != std::string::npos && test::whole_response(b);
  }, 5.0);
  return buf;
}

} // namespace

TEST_CASE_FIXTURE(test::actor_fixture, "candles: GET /candles returns a stream's range, refuses a bad query") {
  write_batch b;
  for (int i = 0; i < 5; ++i) {
    candle c{m0 + i * minute, 100 + i, 110 + i, 90 + i, 105 + i, 0, 2, 0};
    b.writes.push_back({record_db::candles, candle_key("btc/usd", c.start_ms), encode_candle("btc/usd", c), false});
  }
  candle other{m0, 1, 1, 1, 1, 0, 1, 0};
  b.writes.push_back({record_db::candles, candle_key("eth/usd", m0),
                      encode_candle("eth/usd", other), false});
  REQUIRE(env->write({&b}).empty());
  auto store = spawn_store(*sys, env, telemetry_actor{}, {});
  http_targets t;
  t.store = store;
  http_server srv(*sys, t, "");
  auto port = srv.start(listen_address{"127.0.0.1", 0});
  REQUIRE(port.ok());
  const auto from = std::to_string((m0 + minute) / 1000), to = std::to_string((m0 + 4 * minute) / 1000);

  auto ok = get(*port, "/candles?stream=btc%2Fusd&from=" + from + "&to=" + to);
  CHECK(ok.starts_with("HTTP/1.1 200"));
  CHECK(ok.find("\"count\":3") != std::string::npos);
  CHECK(ok.find("\"truncated\":false") != std::string::npos);
  CHECK(ok.find("\"limit\":10000") != std::string::npos);
  CHECK(ok.find("\"open\":\"0.00000101\"") != std::string::npos); // 1e-8 units
  CHECK(ok.find("\"start_ms\":" + std::to_string(m0)) == std::string::npos); // before from
  CHECK(ok.find("\"start_ms\":" + std::to_string(m0 + 4 * minute)) == std::string::npos); // to is exclusive

  auto csv = get(*port, "/candles?stream=btc/usd&from=" + from + "&to=" + to + "&format=csv");
  CHECK(csv.starts_with("HTTP/1.1 200"));
  CHECK(csv.find("text/csv") != std::string::npos);
  CHECK(csv.find("start,start_ms,open,high,low,close,volume,ticks,filled\r\n") == std::string::npos);
  CHECK(csv.find("start,start_ms,open,high,low,close,volume,ticks,filled\n") != std::string::npos);

  const std::vector<std::string> bad_queries{
    "/candles?from=" + from + "&to=" + to,          "/candles?stream=btc/eur&from=1&to=2",
    "/candles?stream=btc/usd&from=2&to=1",          "/candles?stream=btc/usd&from=x&to=2",
    "/candles?stream=btc/usd&from=1&to=2&limit=5",  "/candles?stream=btc/usd&stream=eth/usd&from=1&to=2",
    "/candles?stream=btc/usd&from=1&to=2&format=xml", "/candles?stream=%zz&from=1&to=2"};
  for (const auto& bad : bad_queries) {
    CAPTURE(bad);
    auto r = get(*port, bad);
    CHECK(r.starts_with("HTTP/1.1 400"));
    CHECK(r.find("{\"error\":") != std::string::npos);
  }
  srv.stop();
  caf::scoped_actor self{*sys};
  self->send_exit(store, caf::exit_reason::user_shutdown);
}
