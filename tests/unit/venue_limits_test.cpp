// Issue 14: the venue reads every request body and WebSocket frame through a
// bounded parse. 800 KB of "[" on POST /books, /order, /orders or as a first
// frame on any of its WebSockets overflowed the stack in RapidJSON's recursive
// parser and killed the venue; each is now a clear error and changes nothing.
#include <thread>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <doctest/doctest.h>

#include "core/eth_address.hpp"
#include "core/l2_auth.hpp"
#include "core/order_wire.hpp"
#include "core/secp256k1_signer.hpp"
#include "tests/ws_recording_session.hpp"
#include "venue/clob_api.hpp"
#include "venue/market_catalog.hpp"
#include "venue/request_parse.hpp"
#include "venue/ws_feeds.hpp"

using namespace tdmaker;
using namespace tdmaker::venue;

namespace {

constexpr std::int64_t now_ms = 1'800'000'000'000;
constexpr const char* key0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

const std::string nested(800 * 1024, '[');

bool says_too_deep(const std::string& text) { return text.find("nested deeper than") != std::string::npos; }

struct venue_fixture {
  exchange ex{[] {
    exchange_config c;
    c.starting_usdc = 100'000'000;
    c.domain.verifying_contract = *parse_address("0xE111180000d2663C0091e4f400237545B87B996B");
    return c;
  }()};
  clob_api api{ex, [] { return now_ms; }};
  private_key pk = *private_key::parse(key0);
  api_creds creds = *ex.create_key(pk.address(), 0);

  venue_fixture() { ex.list_market(make_slot(1, "btc", now_ms / 1000 - 100, 900, 1800)); }

  http_reply call(http::verb method, const std::string& path, std::string body, bool l2) {
    http_request req{method, path, 11};
    req.body() = std::move(body);
    if (l2) {
      const auto ts = std::to_string(now_ms / 1000);
      req.set("POLY_API_KEY", creds.key);
      req.set("POLY_ADDRESS", to_checksum(pk.address()));
      req.set("POLY_PASSPHRASE", creds.passphrase);
      req.set("POLY_TIMESTAMP", ts);
      req.set("POLY_SIGNATURE", *l2_signature(creds.secret, ts, std::string(req.method_string()), path, req.body()));
    }
    return api.handle(req, split(path));
  }

  std::size_t open_orders() { return ex.open_orders(creds.key, "", "", "").size(); }
};

} // namespace

TEST_CASE_FIXTURE(venue_fixture, "venue: 800 KB of open brackets on POST /books /order /orders is a 400 with a clear error") {
  auto books = call(http::verb::post, "/books", nested, false);
  CHECK(books.status == 400);
  CHECK(says_too_deep(books.body));

  auto order = call(http::verb::post, "/order", nested, true);
  CHECK(order.status == 400);
  CHECK(order.body.find("Invalid order payload") != std::string::npos);
  CHECK(says_too_deep(order.body));

  auto orders = call(http::verb::post, "/orders", nested, true);
  CHECK(orders.status == 400);
  CHECK(says_too_deep(orders.body));

  // Nested inside an otherwise well-formed array of orders, too.
  std::string inner_body = R"([{"order":)";
  inner_body.append(100'000, '[');
  auto inner = call(http::verb::post, "/orders", inner_body, true);
  CHECK(inner.status == 400);
  CHECK(open_orders() == 0);

  auto cancel = call(http::verb::delete_, "/orders", nested, true);
  CHECK(cancel.status == 400);
  CHECK(says_too_deep(cancel.body));
  auto heartbeat = call(http::verb::post, "/v1/heartbeats", nested, true);
  CHECK(heartbeat.status == 400);

  // The venue still answers afterwards.
  CHECK(call(http::verb::post, "/books", "[]", false).status == 200);
}

TEST_CASE("venue request parsers: deep nesting is an error naming the limit") {
  CHECK(says_too_deep(parse_books_request(nested).error()));
  CHECK(says_too_deep(parse_string_array(nested).error()));
  CHECK(says_too_deep(parse_string_member(nested, "orderID").error()));
  CHECK(says_too_deep(split_orders_request(nested, 15).error()));
  CHECK(says_too_deep(parse_order_request(nested).error()));
  CHECK_FALSE(all_post_only(nested));
  CHECK(error_message(nested).empty());
  CHECK(says_too_deep(parse_market_subscription(nested).error()));
  CHECK(says_too_deep(parse_user_subscription(nested).error()));
  CHECK(says_too_deep(parse_rtds_request(nested).error()));
  CHECK_FALSE(parse_rtds_filter_symbol(nested).ok());
  // Ordinary requests still read as before.
  auto toks = parse_books_request(R"([{"token_id":"1"},{"x":2},{"token_id":"3"}])");
  REQUIRE(toks.ok());
  CHECK(*toks == std::vector<std::string>{"1", "3"});
  auto split = split_orders_request(R"([{"a":1},{"b":[2]}])", 15);
  REQUIRE(split.ok());
  CHECK(*split == std::vector<std::string>{R"({"a":1})", R"({"b":[2]})"});
  std::string sixteen = "[{}";
  for (int i = 1; i < 16; ++i)
    sixteen += ",{}";
  auto many = split_orders_request(sixteen + "]", 15);
  REQUIRE_FALSE(many.ok());
  CHECK(many.error() == "Too many orders in payload: 16, max allowed: 15");
  CHECK(parse_rtds_filter_symbol(R"({"symbol":"BTC/USD"})").value() == "btc/usd");
}

TEST_CASE_FIXTURE(venue_fixture, "venue: a nested first frame on each WebSocket is refused cleanly") {
  market_feed market{ex, [] { return now_ms; }, keepalive{}};
  user_feed user{ex, [] { return now_ms; }, keepalive{}};
  rtds_feed rtds{[] { return now_ms; }, {"btc"}};
  auto m = std::make_shared<recording_session>();
  auto u = std::make_shared<recording_session>();
  auto r = std::make_shared<recording_session>();
  m->id = 1, u->id = 2, r->id = 3;
  market.on_open(m);
  user.on_open(u);
  rtds.on_open(r);

  market.on_text(m, nested);
  CHECK(m->closed);
  CHECK(m->code == 1008);
  CHECK(says_too_deep(m->reason));
  CHECK(m->reason.size() <= 123); // what a close frame can carry

  user.on_text(u, nested);
  CHECK(u->closed);
  CHECK(says_too_deep(u->reason));

  rtds.on_text(r, nested);
  CHECK_FALSE(r->closed);
  REQUIRE(r->sent.size() == 1);
  CHECK(r->sent[0].find(R"("statusCode":400)") != std::string::npos);
  CHECK(says_too_deep(r->sent[0]));
  // The RTDS connection stays usable: nested filters are refused, a good request works.
  std::string deep_filters = R"({"action":"subscribe","subscriptions":[{"topic":"crypto_prices_chainlink","filters":")";
  deep_filters.append(100'000, '[').append(R"("}]})");
  rtds.on_text(r, deep_filters);
  REQUIRE(r->sent.size() == 2);
  CHECK(r->sent[1].find(R"("statusCode":400)") != std::string::npos);
  rtds.on_text(r, R"({"action":"subscribe","subscriptions":[{"topic":"crypto_prices_chainlink","filters":"{\"symbol\":\"btc/usd\"}"}]})");
  REQUIRE(r->sent.size() == 3);
  CHECK(r->sent[2].find(R"("type":"subscribe")") != std::string::npos);
}

namespace {

/// A channel that only counts what reaches it.
struct counting_channel : ws_channel {
  std::size_t texts = 0;
  void on_open(const ws_session_ptr&) override {}
  void on_text(const ws_session_ptr&, std::string_view) override { ++texts; }
  void on_close(const ws_session_ptr&) override {}
};

} // namespace

TEST_CASE("venue ws listener: a message over the bound is closed with 1009 and never reaches the channel") {
  namespace websocket = boost::beast::websocket;
  boost::asio::io_context ioc;
  counting_channel channel;
  ws_listener listener(ioc, [&](const std::string&) -> ws_channel* { return &channel; }, 64 * 1024);
  const auto port = listener.listen("127.0.0.1", 0);
  std::thread io([&] { ioc.run(); });

  boost::asio::io_context client_ctx;
  websocket::stream<boost::asio::ip::tcp::socket> ws(client_ctx);
  ws.next_layer().connect({boost::asio::ip::make_address("127.0.0.1"), port});
  ws.handshake("127.0.0.1", "/ws/market");
  ws.write(boost::asio::buffer(std::string(1000, ' ')));
  // Only the header of a 128 KiB text frame (masked, as a client's must be), no
  // payload: the venue refuses the message from its header alone. Writing the payload
  // raced the venue's close: the write failed (EPIPE) and the stream, once failed,
  // never read the close frame (fresh-clone CI: close code 0).
  const unsigned char header[14] = {0x81, 0xFF, 0, 0, 0, 0, 0, 0x02, 0x00, 0x00, 0x11, 0x22, 0x33, 0x44};
  boost::asio::write(ws.next_layer(), boost::asio::buffer(header));
  // The venue's close frame is what counts; a venue that took the message never
  // answers, so the read is bounded instead of hanging.
  boost::beast::flat_buffer buf;
  bool answered = false;
  ws.async_read(buf, [&](boost::beast::error_code, std::size_t) { answered = true; });
  client_ctx.run_for(std::chrono::seconds(5));
  listener.stop();
  ioc.stop();
  io.join();

  CHECK(answered);
  CHECK(ws.reason().code == websocket::close_code::too_big);
  CHECK(channel.texts == 1); // the small one only
}
