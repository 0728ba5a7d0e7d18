// The market channel, RTDS and book model: wire in, exact integers out.
#include <openssl/sha.h>

#include <doctest/doctest.h>

#include "core/bytes.hpp"
#include "core/feed_codec.hpp"
#include "core/json_parse.hpp"
#include "core/order_book.hpp"

using namespace tdmaker;

namespace {

constexpr const char* cid = "0x5af6ae84ab5a506bdc6eaaa2237c6e7922916e8cba14bf8f4abfa7687938e9af";
constexpr const char* up = "17150014263863820334536505947133668369109711165729547142002160169790667173276";
constexpr const char* down = "97017359066849622016326462443481114453583446836818610123351986223665519980519";

price px(std::int64_t cents) { return price{cents * 10'000}; }
shares sz(std::int64_t units) { return shares{units * 1'000'000}; }

std::string sha1_hex(const std::string& s) {
  unsigned char d[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(s.data()), s.size(), d);
  return to_hex(std::span<const std::uint8_t>(d, sizeof d), false);
}

struct collect : market_event_sink {
  std::vector<book_snapshot> books;
  std::vector<book_delta> deltas;
  std::vector<last_trade> trades;
  std::vector<tick_size_change> ticks;
  std::vector<market_resolved> resolved;
  std::vector<std::string> bad;
  void on_book(book_snapshot&& b) override { books.push_back(std::move(b)); }
  void on_delta(book_delta&& d) override { deltas.push_back(std::move(d)); }
  void on_last_trade(last_trade&& t) override { trades.push_back(std::move(t)); }
  void on_tick_size(tick_size_change&& t) override { ticks.push_back(std::move(t)); }
  void on_resolved(market_resolved&& r) override { resolved.push_back(std::move(r)); }
  void on_bad_event(std::string_view why) override { bad.emplace_back(why); }
};

} // namespace

TEST_CASE("token book: snapshot sorts best first and drops empty levels") {
  token_book b;
  std::vector<book_level> bids{{px(40), sz(10)}, {px(45), sz(5)}, {px(30), shares{0}}};
  std::vector<book_level> asks{{px(60), sz(7)}, {px(55), sz(3)}};
  b.replace(bids, asks);
  REQUIRE(b.bids().size() == 2);
  CHECK(b.best_bid().px == px(45));
  CHECK(b.bids()[1].px == px(40));
  CHECK(b.best_ask().px == px(55));
  CHECK(b.asks()[1].px == px(60));
}

TEST_CASE("token book: absolute deltas insert update and remove - replays change nothing") {
  token_book b;
  b.set(book_side::bid, px(40), sz(10));
  b.set(book_side::bid, px(42), sz(1));
  b.set(book_side::ask, px(50), sz(2));
  b.set(book_side::bid, px(40), sz(12)); // update
  CHECK(b.bids()[1].size == sz(12));
  b.set(book_side::bid, px(42), shares{0}); // remove
  CHECK(b.best_bid().px == px(40));
  b.set(book_side::bid, px(41), shares{0}); // removing an absent level is a no-op
  auto before = b;
  b.set(book_side::bid, px(40), sz(12)); // duplicate of an applied change
  b.set(book_side::ask, px(50), sz(2));
  CHECK(b == before);
  b.clear();
  CHECK(b.empty());
  CHECK(b.best_bid().size.micros == 0);
}

TEST_CASE("book hash: SHA-1 of the compact wire JSON with hash empty and best last") {
  token_book b;
  std::vector<book_level> bids{{px(45), shares{5'500'000}}, {px(40), sz(10)}};
  std::vector<book_level> asks{{px(55), sz(3)}};
  b.replace(bids, asks);
  std::string scratch;
  auto h = book_hash({cid, up, 1700000000123, sz(5), tick_size{10'000}, false, "0.5"}, b, scratch);
  const std::string expected_json =
    std::string(R"({"market":")") + cid + R"(","asset_id":")" + up
    + R"(","timestamp":"1700000000123","hash":"","bids":[{"price":"0.4","size":"10"},{"price":"0.45","size":"5.5"}],)"
    + R"("asks":[{"price":"0.55","size":"3"}],"min_order_size":"5","tick_size":"0.01","neg_risk":false,"last_trade_price":"0.5"})";
  CHECK(scratch == expected_json);
  CHECK(h == sha1_hex(expected_json));
  // Any change to the book changes the hash.
  b.set(book_side::bid, px(45), sz(6));
  CHECK(book_hash({cid, up, 1700000000123, sz(5), tick_size{10'000}, false, "0.5"}, b, scratch) != h);
}

TEST_CASE("market frame: initial dump array of books in wire order") {
  const std::string frame = std::string(R"([{"event_type":"book","market":")") + cid + R"(","asset_id":")" + up
                            + R"(","timestamp":"1700000000000","hash":"abc","bids":[{"price":"0.01","size":"3149725.72"},{"price":"0.48","size":"10"}],)"
                            + R"("asks":[{"price":"0.99","size":"5"},{"price":"0.52","size":"7"}],"tick_size":"0.01","min_order_size":"5","neg_risk":false,"last_trade_price":"0.5"},)"
                            + R"({"event_type":"book","market":")" + cid + R"(","asset_id":")" + down
                            + R"(","timestamp":"1700000000001","hash":"","bids":[],"asks":[]}])";
  json::reusable_document doc;
  collect c;
  auto st = parse_market_frame(frame, doc, c);
  REQUIRE(st.ok());
  CHECK(st->events == 2);
  REQUIRE(c.books.size() == 2);
  auto& b = c.books[0];
  CHECK(b.market.hex == cid);
  CHECK(b.token.digits == up);
  CHECK(b.ts_ms == 1700000000000);
  CHECK(b.hash == "abc");
  CHECK(b.bids[0] == book_level{px(1), shares{3'149'725'720'000}});
  CHECK(b.asks[1].px == px(52));
  CHECK(b.tick.micros == 10'000);
  CHECK(b.has_tick);
  CHECK(b.min_size == sz(5));
  CHECK(b.has_last_trade);
  CHECK(b.last_trade_px == px(50));
  CHECK(c.books[1].bids.empty());
  CHECK_FALSE(c.books[1].has_tick);
}

TEST_CASE("market frame: price_change covers both tokens - legacy schema too") {
  const std::string frame = std::string(R"({"event_type":"price_change","market":")") + cid
                            + R"(","timestamp":"1700000000500","price_changes":[)"
                            + R"({"asset_id":")" + up + R"(","price":"0.48","size":"0","side":"BUY","hash":"h1","best_bid":"0.47","best_ask":"0.52"},)"
                            + R"({"asset_id":")" + down + R"(","price":"0.5","size":"12.5","side":"SELL","hash":"h2","best_bid":"","best_ask":""}]})";
  json::reusable_document doc;
  collect c;
  REQUIRE(parse_market_frame(frame, doc, c).ok());
  REQUIRE(c.deltas.size() == 1);
  auto& d = c.deltas[0];
  CHECK(d.ts_ms == 1700000000500);
  REQUIRE(d.changes.size() == 2);
  CHECK(d.changes[0].token.digits == up);
  CHECK(d.changes[0].side == book_side::bid);
  CHECK(d.changes[0].size.micros == 0);
  CHECK(d.changes[0].hash == "h1");
  CHECK(d.changes[1].side == book_side::ask);
  CHECK(d.changes[1].size == shares{12'500'000});

  const std::string legacy = std::string(R"({"event_type":"price_change","asset_id":")") + up + R"(","market":")" + cid
                             + R"(","timestamp":"1","hash":"lh","changes":[{"price":"0.3","side":"BUY","size":"4"}]})";
  collect c2;
  REQUIRE(parse_market_frame(legacy, doc, c2).ok());
  REQUIRE(c2.deltas.size() == 1);
  CHECK(c2.deltas[0].changes[0].token.digits == up);
  CHECK(c2.deltas[0].changes[0].hash == "lh");
}

TEST_CASE("market frame: trades - tick changes - resolutions - ignored and bad events") {
  const std::string frame =
    std::string("[") + R"({"event_type":"last_trade_price","market":")" + cid + R"(","asset_id":")" + up
    + R"(","price":"0.53","side":"SELL","size":"20","fee_rate_bps":"0","timestamp":"5"},)"
    + R"({"event_type":"tick_size_change","market":")" + cid + R"(","asset_id":")" + up
    + R"(","old_tick_size":"0.01","new_tick_size":"0.001","timestamp":"6"},)"
    + R"({"event_type":"market_resolved","market":")" + cid + R"(","winning_asset_id":")" + down
    + R"(","timestamp":"7"},)" + R"({"event_type":"best_bid_ask","market":"x"},)"
    + R"({"event_type":"book","market":"not-a-condition","asset_id":"1","timestamp":"1","bids":[],"asks":[]},)"
    + R"({"event_type":"price_change","market":")" + cid + R"(","timestamp":"8","price_changes":[{"asset_id":")" + up
    + R"(","price":"1.5","size":"1","side":"BUY"}]},)" + R"(42])";
  json::reusable_document doc;
  collect c;
  auto st = parse_market_frame(frame, doc, c);
  REQUIRE(st.ok());
  CHECK(st->events == 3);
  CHECK(st->ignored == 1);
  CHECK(st->bad == 3); // bad condition id, price above 1, a number instead of an event
  REQUIRE(c.trades.size() == 1);
  CHECK(c.trades[0].px == px(53));
  CHECK(c.trades[0].side == order_side::sell);
  CHECK(c.trades[0].size == sz(20));
  REQUIRE(c.ticks.size() == 1);
  CHECK(c.ticks[0].new_tick.micros == 1'000);
  REQUIRE(c.resolved.size() == 1);
  CHECK(c.resolved[0].winner.digits == down);
  CHECK(c.deltas.empty());
  CHECK(c.bad.size() == 3);

  collect c2;
  CHECK(parse_market_frame("PONG", doc, c2)->ignored == 1);
  CHECK(parse_market_frame("NO NEW ASSETS", doc, c2)->ignored == 1);
  CHECK_FALSE(parse_market_frame("{not json", doc, c2).ok());
}

TEST_CASE("book reply: only a 200 with a valid book is a book") {
  const std::string body = std::string(R"({"market":")") + cid + R"(","asset_id":")" + up
                           + R"(","timestamp":"9","hash":"","bids":[{"price":"0.4","size":"1"}],"asks":[]})";
  auto ok = parse_book_reply(200, body);
  REQUIRE(ok.ok());
  CHECK(ok->bids[0] == book_level{px(40), sz(1)});
  auto missing = parse_book_reply(404, R"({"error":"No orderbook exists for the requested token id"})");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().find("HTTP 404") != std::string::npos);
  CHECK_FALSE(parse_book_reply(200, "<html>").ok());
  CHECK_FALSE(parse_book_reply(200, R"({"market":"x"})").ok());
}

TEST_CASE("snapshot hash: what the venue sends is what the node recomputes") {
  book_snapshot b;
  b.market = *parse_condition_id(cid);
  b.token = *parse_token_id(up);
  b.ts_ms = 42;
  b.bids = {{px(40), sz(1)}, {px(45), sz(2)}};
  b.asks = {{px(60), sz(3)}};
  b.min_size = sz(5);
  b.tick = tick_size{10'000};
  b.has_last_trade = true;
  b.last_trade_px = px(50);
  token_book book;
  book.replace(b.bids, b.asks);
  std::string scratch;
  CHECK(snapshot_hash(b) == book_hash({cid, up, 42, sz(5), tick_size{10'000}, false, "0.5"}, book, scratch));
}

TEST_CASE("RTDS: updates and backfill give exact 1e-8 prices - errors are reported") {
  json::reusable_document doc;
  auto u = parse_rtds_frame(
    R"({"topic":"crypto_prices_chainlink","type":"update","timestamp":1753314064237,"payload":{"symbol":"BTC/USD","timestamp":1753314064000,"value":67234.50000001,"full_accuracy_value":"1"},"connection_id":"x"})",
    doc);
  REQUIRE(u.ok());
  REQUIRE(u->size() == 1);
  CHECK((*u)[0].symbol == "btc/usd");
  CHECK((*u)[0].value.e8 == 6'723'450'000'001);
  CHECK((*u)[0].source_ts_ms == 1753314064000);
  auto s = parse_rtds_frame(
    R"({"topic":"crypto_prices_chainlink","type":"subscribe","timestamp":1,"payload":{"symbol":"eth/usd","data":[{"timestamp":1000,"value":3000.1},{"timestamp":2000,"value":3000.25}]}})",
    doc);
  REQUIRE(s.ok());
  REQUIRE(s->size() == 2);
  CHECK((*s)[1].value.e8 == 300'025'000'000);
  CHECK(parse_rtds_frame(R"({"topic":"other","type":"update","payload":{"symbol":"x"}})", doc)->empty());
  CHECK(parse_rtds_frame("", doc)->empty());
  CHECK_FALSE(parse_rtds_frame(R"({"statusCode":401,"body":{"message":"topic x not found"}})", doc).ok());
  CHECK_FALSE(parse_rtds_frame(
                R"({"topic":"crypto_prices_chainlink","type":"update","payload":{"symbol":"btc/usd","timestamp":1,"value":1.123456789}})",
                doc)
                .ok());
}

TEST_CASE("subscribe frames are exactly the protocol's") {
  std::vector<std::string> toks{up, down};
  CHECK(market_subscribe_frame(toks)
        == std::string(R"({"assets_ids":[")") + up + R"(",")" + down
             + R"("],"type":"market","custom_feature_enabled":true,"initial_dump":true})");
  CHECK(market_update_frame(false, std::vector<std::string>{up})
        == std::string(R"({"operation":"unsubscribe","assets_ids":[")") + up + R"("],"custom_feature_enabled":true})");
  CHECK(user_subscribe_frame({"k", "s", "p"}, std::vector<std::string>{cid})
        == std::string(R"({"auth":{"apiKey":"k","secret":"s","passphrase":"p"},"type":"user","markets":[")") + cid + R"("]})");
  CHECK(user_update_frame(true, std::vector<std::string>{cid})
        == std::string(R"({"operation":"subscribe","markets":[")") + cid + R"("]})");
  // `filters` is a string of compact JSON: no space after ':'.
  CHECK(rtds_subscribe_frame(true, std::vector<std::string>{"btc/usd"})
        == R"({"action":"subscribe","subscriptions":[{"topic":"crypto_prices_chainlink","type":"*","filters":"{\"symbol\":\"btc/usd\"}"}]})");
}

// ---- issue 14: the feed's parse path neither grows nor overflows the stack

namespace {

std::string price_change_frame(int i) {
  return std::string(R"({"event_type":"price_change","market":")") + cid + R"(","timestamp":")"
         + std::to_string(1700000000000 + i) + R"(","price_changes":[{"asset_id":")" + up + R"(","price":"0.)"
         + std::to_string(10 + i % 80) + R"(","size":")" + std::to_string(i % 1000) + R"(","side":"BUY","hash":"h)"
         + std::to_string(i) + R"("}]})";
}

std::string rtds_update_frame(int i) {
  return R"({"topic":"crypto_prices_chainlink","type":"update","timestamp":1,"payload":{"symbol":"btc/usd","timestamp":)"
         + std::to_string(1753314064000 + i) + R"(,"value":67234.)" + std::to_string(i % 100000) + "}}";
}

struct counting : market_event_sink {
  std::size_t deltas = 0, bad = 0;
  void on_book(book_snapshot&&) override {}
  void on_delta(book_delta&& d) override { deltas += d.changes.size(); }
  void on_last_trade(last_trade&&) override {}
  void on_tick_size(tick_size_change&&) override {}
  void on_resolved(market_resolved&&) override {}
  void on_bad_event(std::string_view) override { ++bad; }
};

} // namespace

TEST_CASE("market and RTDS frames: the parse path's memory does not grow with the number of frames") {
  // The feed actor's documents, through the feed's own functions: the pool after
  // 100k frames is the pool after the first thousand (issue 14's leak grew it by
  // ~495 bytes a frame).
  json::reusable_document doc;
  counting sink;
  for (int i = 0; i < 1000; ++i)
    REQUIRE(parse_market_frame(price_change_frame(i), doc, sink).ok());
  const auto warm = doc.pool_capacity();
  for (int i = 1000; i < 101'000; ++i)
    (void)parse_market_frame(price_change_frame(i), doc, sink);
  CHECK(sink.deltas == 101'000);
  CHECK(sink.bad == 0);
  CHECK(doc.pool_capacity() == warm);

  json::reusable_document rtds;
  std::size_t ticks = 0;
  for (int i = 0; i < 1000; ++i)
    ticks += parse_rtds_frame(rtds_update_frame(i), rtds)->size();
  const auto rtds_warm = rtds.pool_capacity();
  for (int i = 1000; i < 101'000; ++i)
    if (auto r = parse_rtds_frame(rtds_update_frame(i), rtds); r)
      ticks += r->size();
  CHECK(ticks == 101'000);
  CHECK(rtds.pool_capacity() == rtds_warm);
}

TEST_CASE("market frame: 240 KB of open brackets is refused with a clear error and delivers nothing") {
  json::reusable_document doc;
  collect c;
  const std::string nested(240 * 1024, '[');
  auto st = parse_market_frame(nested, doc, c);
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().find("nested deeper than") != std::string::npos);
  const std::string objects = [] {
    std::string s;
    for (int i = 0; i < 60'000; ++i)
      s += R"({"a":)";
    return s;
  }();
  CHECK_FALSE(parse_market_frame(objects, doc, c).ok());
  CHECK(c.books.empty());
  CHECK(c.deltas.empty());
  CHECK(c.bad.empty());
  // The same document takes the next good frame.
  REQUIRE(parse_market_frame(price_change_frame(1), doc, c).ok());
  CHECK(c.deltas.size() == 1);
}

TEST_CASE("RTDS frame: deep nesting is refused with a clear error") {
  json::reusable_document doc;
  const std::string nested(240 * 1024, '[');
  auto r = parse_rtds_frame(nested, doc);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().find("nested deeper than") != std::string::npos);
  const std::string in_payload = R"({"topic":"crypto_prices_chainlink","type":"update","payload":)" + nested;
  CHECK_FALSE(parse_rtds_frame(in_payload, doc).ok());
  CHECK(parse_rtds_frame(rtds_update_frame(5), doc)->size() == 1);
}

TEST_CASE("book reply: deep nesting is an error, not a crash") {
  auto r = parse_book_reply(200, std::string(240 * 1024, '['));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().find("nested deeper than") != std::string::npos);
}
