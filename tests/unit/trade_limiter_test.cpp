// Seed 002's trade limiter: a new position per market per session, counted
// durably so a restart mid-session does not reset it. Plain ms as the clock.
#include <doctest/doctest.h>

#include "core/trade_limiter.hpp"

using namespace tdmaker;

namespace {

const std::string m1 = "0x" + std::string(64, 'a');
const std::string m2 = "0x" + std::string(64, 'b');
const std::string m3 = "0x" + std::string(64, 'c');
const session_clock clock100{0, 100}; // 100 s sessions
constexpr std::int64_t len_ms = 100'000;

std::string market(int i) {
  auto hex = std::to_string(i);
  return "0x" + std::string(64 - hex.size(), '0') + hex;
}

} // namespace

TEST_CASE("trade limiter: counted, repeat and refused within a session") {
  trade_limiter l(clock100, false);
  CHECK(l.count(1'000) == 0);
  CHECK(l.check(m1, 2, 1'000) == trade_verdict::counted);
  CHECK(l.check(m1, 2, 1'500) == trade_verdict::repeat); // the same market again: not a new trade
  CHECK(l.check(m2, 2, 2'000) == trade_verdict::counted);
  CHECK(l.check(m3, 2, 3'000) == trade_verdict::refused);
  CHECK(l.check(m2, 2, 3'500) == trade_verdict::repeat); // a counted market still trades
  CHECK(l.count(3'000) == 2);
  CHECK(l.record().markets == std::vector<std::string>{m1, m2});
  CHECK(l.record().session == 0);
  CHECK_FALSE(l.record().paper);
}

TEST_CASE("trade limiter: limit 0 is no limit but still counted, a new session starts at zero") {
  trade_limiter l(clock100, true);
  for (int i = 0; i < 50; ++i)
    CHECK(l.check(market(i), 0, 1'000 + i) == trade_verdict::counted);
  CHECK(l.count(2'000) == 50);
  // The next session (boundary at 100 000 ms): nothing counted yet.
  CHECK(l.count(len_ms - 1) == 50);
  CHECK(l.count(len_ms) == 0);
  CHECK(l.check(m1, 1, len_ms) == trade_verdict::counted);
  CHECK(l.record().session == 1);
  CHECK(l.check(m2, 1, len_ms + 1) == trade_verdict::refused);
  CHECK(l.record().markets == std::vector<std::string>{m1});
}

TEST_CASE("trade limiter: a restart mid-session keeps the count, the next session resets it") {
  trade_limiter before(clock100, false);
  CHECK(before.check(m1, 1, 10'000) == trade_verdict::counted);
  auto stored = encode(before.record());
  // restart: a new limiter from the stored record
  auto decoded = decode_trade_count_record(stored);
  REQUIRE(decoded.ok());
  trade_limiter after(clock100, false);
  after.restore(*decoded);
  CHECK(after.count(20'000) == 1);
  CHECK(after.check(m2, 1, 20'000) == trade_verdict::refused); // the limit survives the restart
  CHECK(after.check(m1, 1, 20'000) == trade_verdict::repeat);
  CHECK(after.check(m2, 1, len_ms + 5) == trade_verdict::counted); // the next session
  CHECK(after.count(len_ms + 5) == 1);

  // A record of an older session counts nothing.
  trade_limiter later(clock100, false);
  later.restore(*decoded);
  CHECK(later.count(3 * len_ms) == 0);
  CHECK(later.check(m2, 1, 3 * len_ms) == trade_verdict::counted);
}

TEST_CASE("trade limiter: the other book's record is not restored, a clock going back keeps the count") {
  trade_limiter paper(clock100, true);
  trade_count_record live{false, 0, {m1}};
  paper.restore(live);
  CHECK(paper.count(1'000) == 0);
  CHECK(paper.record().paper);

  trade_limiter l(clock100, false);
  CHECK(l.check(m1, 1, len_ms + 1) == trade_verdict::counted); // session 1
  CHECK(l.check(m2, 1, len_ms - 1) == trade_verdict::refused); // back in session 0: still counted
  CHECK(l.count(len_ms - 1) == 1);
}

TEST_CASE("trade limiter: a market that is not a canonical condition id is never counted") {
  trade_limiter l(clock100, false);
  CHECK(l.check("m1", 0, 1) == trade_verdict::refused);
  CHECK(l.check("0x" + std::string(64, 'A'), 0, 1) == trade_verdict::refused);
  CHECK(l.count(1) == 0);
}

TEST_CASE("trade limiter: record codec round trip and keys") {
  CHECK(trade_count_key(false) == "trades/live");
  CHECK(trade_count_key(true) == "trades/paper");
  trade_count_record r{true, 12'345, {m1, m2}};
  auto text = encode(r);
  CHECK(text == R"({"paper":true,"session":12345,"markets":[")" + m1 + R"(",")" + m2 + R"("]})");
  auto back = decode_trade_count_record(text);
  REQUIRE(back.ok());
  CHECK(back->paper);
  CHECK(back->session == 12'345);
  CHECK(back->markets == r.markets);
  auto empty = decode_trade_count_record(encode(trade_count_record{false, -3, {}}));
  REQUIRE(empty.ok());
  CHECK(empty->session == -3);
  CHECK(empty->markets.empty());
}

TEST_CASE("trade limiter: the decoder refuses what the encoder would not write") {
  auto bad = [](const std::string& text) {
    auto r = decode_trade_count_record(text);
    CAPTURE(text);
    CHECK_FALSE(r.ok());
    return r.ok() ? std::string() : r.error();
  };
  const std::string ok_markets = R"(["0x)" + std::string(64, 'a') + R"("])";
  CHECK(decode_trade_count_record(R"({"paper":false,"session":1,"markets":)" + ok_markets + "}").ok());
  bad("not json");
  bad("[]");
  bad(R"({"session":1,"markets":[]})");                          // paper missing
  bad(R"({"paper":false,"markets":[]})");                        // session missing
  bad(R"({"paper":false,"session":1})");                         // markets missing
  bad(R"({"paper":"false","session":1,"markets":[]})");          // paper not a bool
  bad(R"({"paper":false,"session":1.5,"markets":[]})");          // session not an integer
  bad(R"({"paper":false,"session":"1","markets":[]})");
  bad(R"({"paper":false,"session":1,"markets":"x"})");
  bad(R"({"paper":false,"session":1,"markets":[1]})");
  bad(R"({"paper":false,"session":1,"markets":["0x12"]})");
  bad(R"({"paper":false,"session":1,"markets":["0x)" + std::string(64, 'A') + R"("]})"); // not canonical
  bad(R"({"paper":false,"session":1,"markets":)" + ok_markets + R"(,"extra":1})");
  auto dup = bad(R"({"paper":false,"session":1,"markets":["0x)" + std::string(64, 'a') + R"(","0x)"
                 + std::string(64, 'a') + R"("]})");
  CHECK(dup.find("twice") != std::string::npos);
  std::string many = R"({"paper":false,"session":1,"markets":[)";
  for (int i = 0; i <= 10'000; ++i)
    many += (i ? ",\"" : "\"") + market(i) + "\"";
  auto too_many = bad(many + "]}");
  CHECK(too_many.find("10000") != std::string::npos);
}
