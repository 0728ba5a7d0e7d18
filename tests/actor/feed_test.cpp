// The feed actor's flows without sockets: frames in (as the I/O threads deliver
// them), market actors' books, re-fetch requests and safe mode out.
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include <sys/socket.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <doctest/doctest.h>

#include "actors/directory.hpp"
#include "actors/feed.hpp"
#include "actors/store.hpp"
#include "actors/util.hpp"
#include "net/ws_client.hpp"
#include "core/order_book.hpp"
#include "fixture.hpp"

using namespace tdmaker;
using namespace std::chrono_literals;

namespace {

const std::string cid = "0x" + std::string(64, 'c');
const std::string up = "1130";
const std::string down = "3803";

market_record make_market() {
  market_record m;
  m.fee = fee_schedule{true, 70'000, 1, true}; // a market is traded only with a known schedule
  m.id = *parse_condition_id(cid);
  m.slug = "btc-updown-15m-1778437800";
  m.asset = "btc";
  m.slot_start_s = 1778437800;
  m.slot_end_s = 1778438700;
  m.up_token = *parse_token_id(up);
  m.down_token = *parse_token_id(down);
  return m;
}

std::string book_frame(const std::string& token, const std::string& bids, const std::string& asks) {
  return R"({"event_type":"book","market":")" + cid + R"(","asset_id":")" + token
         + R"(","timestamp":"1","hash":"","bids":)" + bids + R"(,"asks":)" + asks
         + R"(,"tick_size":"0.01","min_order_size":"5","neg_risk":false})";
}

std::string change(const std::string& token, const char* px, const char* size, const char* side,
                   const std::string& hash) {
  return R"({"asset_id":")" + token + R"(","price":")" + px + R"(","size":")" + size + R"(","side":")" + side
         + R"(","hash":")" + hash + R"("})";
}

std::string delta_frame(std::int64_t ts, const std::string& changes) {
  return R"({"event_type":"price_change","market":")" + cid + R"(","timestamp":")" + std::to_string(ts)
         + R"(","price_changes":[)" + changes + "]}";
}

// The venue's hash of a book after a price_change (last_trade_price "").
std::string venue_hash(const std::string& token, std::int64_t ts, std::vector<book_level> bids,
                       std::vector<book_level> asks) {
  token_book b;
  b.replace(bids, asks);
  std::string scratch;
  return book_hash({cid, token, ts, shares{5'000'000}, tick_size{10'000}, false, ""}, b, scratch);
}

book_level lv(std::int64_t cents, std::int64_t units) { return {price{cents * 10'000}, shares{units * 1'000'000}}; }

// The feed ticks forever and a market lives as long as a request timeout of its
// own: stop them however the test ends, so the actor system can.
struct stop_on_exit {
  std::vector<caf::actor> actors;
  template <class... Hs>
  explicit stop_on_exit(const Hs&... hs) : actors{caf::actor_cast<caf::actor>(hs)...} {}
  void add(const caf::actor& a) { actors.push_back(a); }
  ~stop_on_exit() {
    for (auto& a : actors)
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  }
};

struct world {
  caf::scoped_actor& self;
  feed_actor feed;
  market_actor market;

  // Frames are handled in order; once the feed answered, everything it sent to
  // the market is in the market's mailbox ahead of our next request.
  void frame(std::string text) {
    self->send(feed, ws_frame{feed_channel::market, std::move(text), 0});
    self->request(feed, 5s, status_atom::value).receive([](std::vector<feed_health>&) {},
                                                        [](caf::error& e) { FAIL(error_text(e)); });
  }

  book_view book(const std::string& token) {
    book_view out;
    self->request(market, 5s, get_atom::value, book_atom::value)
      .receive(
        [&](std::vector<book_view>& v) {
          for (auto& b : v)
            if (b.token.digits == token)
              out = b;
        },
        [](caf::error& e) { FAIL(error_text(e)); });
    return out;
  }
};

// A store, an I/O-less feed, the directory and one streamed market. Re-fetch
// requests from the market come to the test (`self` stands in for the feed there).
struct rig {
  market_record rec = make_market();
  feed_actor feed;
  market_actor market;
  stop_on_exit stop;
  world w;

  rig(caf::actor_system& sys, std::shared_ptr<lmdb_env> env, caf::scoped_actor& self)
    : feed(spawn_feed(sys, nullptr, nullptr, nullptr, telemetry_actor{}, notifier_actor{}, {})),
      stop(feed),
      w{self, feed, market_actor{}} {
    auto store = spawn_store(sys, std::move(env), telemetry_actor{}, {});
    directory_options opts;
    opts.market.feed = caf::actor_cast<feed_actor>(self);
    auto dir = spawn_directory(sys, store, telemetry_actor{}, notifier_actor{}, opts);
    self->request(dir, 5s, rec).receive([&](market_actor& h) { market = h; },
                                        [](caf::error& e) { FAIL(error_text(e)); });
    stop.add(caf::actor_cast<caf::actor>(market));
    stop.add(caf::actor_cast<caf::actor>(dir));
    self->send(feed, subscribe_market{rec.id, rec.up_token, rec.down_token, "btc/usd"}, market);
    w.market = market;
  }
};

} // namespace

TEST_CASE_FIXTURE(test::actor_fixture, "feed routes each event once to its market - books follow snapshots and deltas - replays are harmless") {
  caf::scoped_actor self{*sys};
  rig r(*sys, env, self);
  auto& w = r.w;
  auto& m = r.market;
  auto& rec = r.rec;

  // Initial dump: an array of both books, wire order (best last).
  w.frame("[" + book_frame(up, R"([{"price":"0.40","size":"10"},{"price":"0.45","size":"5"}])", R"([{"price":"0.55","size":"3"}])")
          + "," + book_frame(down, "[]", R"([{"price":"0.6","size":"8"}])") + "]");
  auto b = w.book(up);
  CHECK(b.synced);
  REQUIRE(b.bids.size() == 2);
  CHECK(b.bids[0] == lv(45, 5)); // best first inside the node
  CHECK(b.asks[0] == lv(55, 3));
  CHECK(w.book(down).asks[0] == lv(60, 8));

  // One frame, both tokens; the hash is the venue's book after the frame.
  auto h_up = venue_hash(up, 2, {lv(40, 10), lv(46, 2)}, {lv(55, 3)});
  auto h_down = venue_hash(down, 2, {lv(39, 1)}, {});
  auto d = delta_frame(2, change(up, "0.45", "0", "BUY", h_up) + "," + change(up, "0.46", "2", "BUY", h_up) + ","
                            + change(down, "0.6", "0", "SELL", h_down) + "," + change(down, "0.39", "1", "BUY", h_down));
  w.frame(d);
  w.frame(d); // duplicated after a reconnect: absolute sizes, same result
  b = w.book(up);
  REQUIRE(b.bids.size() == 2);
  CHECK(b.bids[0] == lv(46, 2));
  CHECK(b.bids[1] == lv(40, 10));
  auto bd = w.book(down);
  CHECK(bd.asks.empty());
  CHECK(bd.bids[0] == lv(39, 1));
  CHECK(bd.synced);

  // Events for a market nobody streams go nowhere; the known market is untouched.
  w.frame(R"({"event_type":"price_change","market":"0x)" + std::string(64, 'd') + R"(","timestamp":"3","price_changes":[)"
          + change(up, "0.10", "99", "BUY", "") + "]}");
  CHECK(w.book(up).bids.size() == 2);

  // A dropped event shows as a hash mismatch: the market asks the feed for /book.
  auto wrong = delta_frame(4, change(down, "0.38", "4", "BUY", "not-the-venue-hash"));
  w.frame(wrong);
  bool asked = false;
  self->receive([&](refetch_book& x) {
    asked = true;
    CHECK(x.market.hex == cid);
    CHECK(x.token.digits == down);
    CHECK(x.reason == "book hash mismatch");
  }, caf::after(5s) >> [] { FAIL("no re-fetch request"); });
  CHECK(asked);
  CHECK_FALSE(w.book(down).synced);

  // The re-fetched snapshot (REST /book) makes the book whole again.
  book_snapshot rest;
  rest.market = rec.id;
  rest.token = rec.down_token;
  rest.bids = {lv(39, 1), lv(38, 4)};
  rest.min_size = shares{5'000'000};
  rest.from_rest = true;
  self->send(m, rest);
  bd = w.book(down);
  CHECK(bd.synced);
  CHECK(bd.bids.size() == 2);
}

TEST_CASE_FIXTURE(test::actor_fixture, "a delta before any snapshot asks for the book") {
  caf::scoped_actor self{*sys};
  rig r(*sys, env, self);
  r.w.frame(delta_frame(1, change(up, "0.5", "1", "BUY", "")));
  self->receive([&](refetch_book& x) { CHECK(x.reason == "delta before any snapshot"); },
                caf::after(5s) >> [] { FAIL("no re-fetch request"); });
}

TEST_CASE_FIXTURE(test::actor_fixture, "10 failed connects put the node in safe mode - a healthy connection ends it") {
  caf::scoped_actor self{*sys};
  // The test stands in for telemetry and the notifier.
  auto feed = spawn_feed(*sys, nullptr, nullptr, nullptr, caf::actor_cast<telemetry_actor>(self),
                         caf::actor_cast<notifier_actor>(self), {});
  stop_on_exit stop{feed};
  auto state = [&](ws_event e, std::uint32_t n) {
    self->send(feed, ws_state{feed_channel::market, e, "refused", 0, n, 100});
  };
  auto next_safe_mode = [&]() {
    safe_mode out;
    bool got = false;
    while (!got)
      self->receive([&](safe_mode& s) { out = s; got = true; }, [&](feed_health&) {}, [&](alert&) {},
                    [&](actor_sample&) {}, [&](actor_lifecycle&) {},
                    caf::after(5s) >> [&] { FAIL("no safe_mode message"); got = true; });
    return out;
  };
  for (std::uint32_t i = 1; i <= 10; ++i)
    state(ws_event::failed, i);
  auto on = next_safe_mode();
  CHECK(on.on);
  CHECK(on.reason.find("10 failed connects") != std::string::npos);
  state(ws_event::connected, 0);
  state(ws_event::healthy, 0);
  auto off = next_safe_mode();
  CHECK_FALSE(off.on);
}

// ---- issue 14: WebSocket messages over the client's bound

namespace {

/// What a ws_client reported, for a test thread to wait on (no fixed sleeps).
struct ws_log {
  std::mutex m;
  std::condition_variable cv;
  std::vector<std::string> frames;
  std::vector<ws_status> states;
  template <class Pred>
  bool wait(Pred pred) {
    std::unique_lock lock(m);
    return cv.wait_for(lock, 10s, [&] { return pred(*this); });
  }
};

} // namespace

TEST_CASE("ws client: a message over its bound is refused, reported as oversize, and the socket replaced") {
  namespace asio = boost::asio;
  namespace websocket = boost::beast::websocket;
  using tcp = asio::ip::tcp;
  asio::io_context server_ctx;
  tcp::acceptor acceptor(server_ctx, {asio::ip::make_address("127.0.0.1"), 0});
  const auto port = acceptor.local_endpoint().port();
  // Two connections: the first sends one message too many bytes, the second a small
  // one and is held open until the test has looked.
  std::promise<void> looked;
  std::thread server([&, seen = looked.get_future()] {
    try {
      for (int i = 0; i < 2; ++i) {
        websocket::stream<tcp::socket> ws(acceptor.accept());
        ws.accept();
        boost::beast::flat_buffer buf;
        ws.read(buf); // the subscribe frame
        // The client refuses the big message from its frame header and may close
        // before all of it is written: that write may fail, and the second
        // connection must still be served.
        boost::beast::error_code ec;
        ws.write(asio::buffer(i == 0 ? std::string(128 * 1024, '[') : std::string("small")), ec);
        if (i == 0)
          while (!ec)
            ws.read(buf, ec); // until the client drops the connection
        else
          seen.wait();
      }
    } catch (const std::exception&) {
      // the acceptor shut down: the client never came
    }
  });

  auto log = std::make_shared<ws_log>();
  io_pool io(1);
  ws_client_options o;
  o.name = "market";
  o.where = *parse_endpoint("ws://127.0.0.1:" + std::to_string(port) + "/ws/market");
  o.max_message_bytes = 64 * 1024;
  o.connect_when_empty = true;
  o.backoff = {std::chrono::milliseconds(10), std::chrono::milliseconds(20)};
  ws_callbacks cb;
  cb.first_frame = [](const std::vector<std::string>&) { return std::string("subscribe"); };
  cb.update_frame = [](bool, const std::vector<std::string>&) { return std::string(); };
  cb.on_frame = [log](std::string text, std::int64_t) {
    std::lock_guard lock(log->m);
    log->frames.push_back(std::move(text));
    log->cv.notify_all();
  };
  cb.on_status = [log](const ws_status& st) {
    std::lock_guard lock(log->m);
    log->states.push_back(st);
    log->cv.notify_all();
  };
  auto client = ws_client::make(io, o, cb);
  client->start();
  const bool recovered = log->wait([](ws_log& l) { return !l.frames.empty(); });
  looked.set_value();
  ::shutdown(acceptor.native_handle(), SHUT_RDWR); // wakes a server still in accept()
  server.join();
  client->stop();
  io.stop();

  REQUIRE(recovered);
  CHECK(log->frames == std::vector<std::string>{"small"}); // the big one never reached the owner
  std::vector<std::string> oversize;
  for (auto& st : log->states)
    if (st.event == ws_event::oversize)
      oversize.push_back(st.detail);
  REQUIRE(oversize.size() == 1);
  CHECK(oversize[0] == "a message over 65536 bytes was refused");
}

TEST_CASE_FIXTURE(test::actor_fixture, "feed: a refused oversize message is counted on its channel") {
  caf::scoped_actor self{*sys};
  auto feed = spawn_feed(*sys, nullptr, nullptr, nullptr, caf::actor_cast<telemetry_actor>(self),
                         caf::actor_cast<notifier_actor>(self), {});
  stop_on_exit stop{feed};
  self->send(feed, ws_state{feed_channel::rtds, ws_event::oversize, "a message over 16777216 bytes was refused",
                            1, 0, 0});
  std::uint64_t rtds = 0, market = 0;
  bool seen = false;
  while (!seen)
    self->receive(
      [&](feed_health& h) {
        if (h.channel == "rtds") {
          rtds = h.oversize;
          seen = true;
        } else if (h.channel == "market") {
          market = h.oversize;
        }
      },
      [&](alert&) {}, [&](actor_sample&) {}, [&](actor_lifecycle&) {},
      caf::after(5s) >> [&] { FAIL("no feed_health"); seen = true; });
  CHECK(rtds == 1);
  CHECK(market == 0);
}
