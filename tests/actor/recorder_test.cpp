// The recorder (issue 18): frames reach disk as blocks that read back byte for
// byte; a torn tail left by a crash is cut off at the next start while every
// earlier block and segment still reads, and recording resumes; retention,
// overflow and write errors are counted, never fatal.
#include <doctest/doctest.h>

#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <random>
#include <thread>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include "actors/feed.hpp"
#include "actors/recorder.hpp"
#include "actors/recording_dir.hpp"
#include "actors/telemetry.hpp"
#include "actors/util.hpp"
#include "fixture.hpp"
#include "net/io_pool.hpp"

using namespace tdmaker;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

recorder_options options_in(const std::string& dir) {
  recorder_options o;
  o.dir = dir;
  o.flush_every = 1h; // the test flushes; no timer races it
  o.retention_ms = 0;
  o.retention_bytes = 0;
  return o;
}

bool flush(caf::scoped_actor& self, const recorder_actor& r) {
  bool ok = false;
  self->request(r, 10s, flush_atom::value).receive([&](bool b) { ok = b; },
                                                   [&](caf::error& e) { FAIL(error_text(e)); });
  return ok;
}

void stop(caf::scoped_actor& self, recorder_actor& r) {
  self->send_exit(r, caf::exit_reason::user_shutdown);
  self->wait_for(r);
  r = nullptr;
}

std::string metrics(caf::scoped_actor& self, const telemetry_actor& t) {
  std::string out;
  self->request(t, 5s, metrics_atom::value).receive([&](std::string& s) { out = std::move(s); },
                                                    [&](caf::error& e) { FAIL(error_text(e)); });
  return out;
}

/// Every frame of every segment under `dir`, in recording order; `torn` counts tails that stop early.
std::vector<recorded_frame> read_all(const std::string& dir, int* torn = nullptr) {
  std::vector<recorded_frame> out;
  auto segs = list_segments(dir);
  REQUIRE(segs.ok());
  for (auto& s : segs.value()) {
    auto c = read_segment(s);
    REQUIRE(c.ok());
    if (torn && !c->scan.error.empty())
      ++*torn;
    for (auto& b : c->scan.blocks) {
      auto d = decode_block(std::string_view(c->bytes).substr(b.offset, b.size), b.offset);
      REQUIRE(d.ok);
      out.insert(out.end(), d.frames.begin(), d.frames.end());
    }
  }
  return out;
}

std::string frame_text(int i) { return R"({"event_type":"book","seq":)" + std::to_string(i) + "}"; }

/// `n` market frames from `first` on, then a flush: one block.
void record_block(caf::scoped_actor& self, const recorder_actor& r, int first, int n) {
  for (int i = first; i < first + n; ++i)
    self->send(r, ws_frame{feed_channel::market, frame_text(i), steady_ns()});
  REQUIRE(flush(self, r));
}

} // namespace

TEST_CASE_FIXTURE(test::actor_fixture, "recorder: every channel's frames reach disk and read back byte for byte") {
  caf::scoped_actor self{*sys};
  const auto rec_dir = dir + "/recording";
  auto r = spawn_recorder(*sys, telemetry_actor{}, options_in(rec_dir));
  const auto before = wall_ms();
  self->send(r, ws_frame{feed_channel::market, frame_text(1), steady_ns()});
  self->send(r, ws_frame{feed_channel::user, "", steady_ns()});
  self->send(r, ws_frame{feed_channel::rtds, std::string(100'000, 'p'), steady_ns()});
  self->send(r, record_frame{record_channel::gamma, 1'700'000'000'000, 5, "200 /events?slug=x\n[]"});
  self->send(r, record_frame{record_channel::resolution, 1'700'000'000'001, 6, "404 /markets/0x1\n"});
  REQUIRE(flush(self, r));
  auto frames = read_all(rec_dir);
  REQUIRE(frames.size() == 5);
  CHECK(frames[0].channel == record_channel::market_ws);
  CHECK(frames[0].text == frame_text(1));
  CHECK(frames[0].recv_ms >= before - 1000);
  CHECK(frames[0].recv_ms <= wall_ms());
  CHECK(frames[1].channel == record_channel::user_ws);
  CHECK(frames[1].text.empty());
  CHECK(frames[2].channel == record_channel::rtds_ws);
  CHECK(frames[2].text == std::string(100'000, 'p'));
  CHECK(frames[3] == recorded_frame{record_channel::gamma, 1'700'000'000'000, 5, "200 /events?slug=x\n[]"});
  CHECK(frames[4].channel == record_channel::resolution);
  // Its index is on disk beside it and agrees with a scan.
  auto segs = list_segments(rec_dir).value();
  REQUIRE(segs.size() == 1);
  auto idx = read_text_file(segs[0].index_path);
  REQUIRE(idx.ok());
  CHECK(decode_index(idx.value()).size() == 1);
  stop(self, r);
}

TEST_CASE_FIXTURE(test::actor_fixture, "recorder: a clean stop writes what is still buffered") {
  caf::scoped_actor self{*sys};
  const auto rec_dir = dir + "/recording";
  auto r = spawn_recorder(*sys, telemetry_actor{}, options_in(rec_dir));
  record_block(self, r, 0, 3);
  for (int i = 3; i < 6; ++i)
    self->send(r, ws_frame{feed_channel::market, frame_text(i), steady_ns()});
  stop(self, r);
  auto frames = read_all(rec_dir);
  REQUIRE(frames.size() == 6);
  CHECK(frames[5].text == frame_text(5));
}

TEST_CASE_FIXTURE(test::actor_fixture,
                  "recorder crash: a segment torn at any offset is cut at restart - earlier blocks and segments "
                  "read - recording resumes") {
  caf::scoped_actor self{*sys};
  const auto base = dir + "/base";
  {
    // Two segments: the first closed by rotation (segment_bytes 1: each block rotates), then three blocks.
    auto o = options_in(base);
    o.segment_bytes = 1;
    auto r = spawn_recorder(*sys, telemetry_actor{}, o);
    record_block(self, r, 0, 4);
    stop(self, r);
    r = spawn_recorder(*sys, telemetry_actor{}, options_in(base));
    record_block(self, r, 4, 4);
    record_block(self, r, 8, 4);
    record_block(self, r, 12, 4);
    stop(self, r);
  }
  auto segs = list_segments(base).value();
  REQUIRE(segs.size() == 2);
  auto last = read_segment(segs[1]).value();
  REQUIRE(last.scan.blocks.size() == 3);
  const auto third = last.scan.blocks[2];
  std::mt19937 rng(18);
  std::uniform_int_distribution<std::uint64_t> in_third(third.offset + 1, third.offset + third.size - 1);
  for (int round = 0; round < 12; ++round) {
    const auto cut = round == 0 ? third.offset + 1 : in_third(rng); // the header alone cut, then anywhere
    CAPTURE(cut);
    const auto run = dir + "/run" + std::to_string(round);
    fs::copy(base, run, fs::copy_options::recursive);
    const auto torn_path = run + "/" + fs::path(segs[1].path).filename().string();
    REQUIRE(::truncate(torn_path.c_str(), static_cast<off_t>(cut)) == 0);
    int torn = 0;
    auto before = read_all(run, &torn);
    CHECK(torn == 1);
    REQUIRE(before.size() == 12); // the first segment and two whole blocks of the second
    for (int i = 0; i < 12; ++i)
      CHECK(before[i].text == frame_text(i));
    // A node restarted on the directory: the tail is cut, and new blocks append after it.
    auto r = spawn_recorder(*sys, telemetry_actor{}, options_in(run));
    record_block(self, r, 100, 2);
    stop(self, r);
    CHECK(fs::file_size(torn_path) == third.offset);
    torn = 0;
    auto after = read_all(run, &torn);
    CHECK(torn == 0);
    REQUIRE(after.size() == 14);
    for (int i = 0; i < 12; ++i)
      CHECK(after[i].text == frame_text(i));
    CHECK(after[12].text == frame_text(100));
    CHECK(after[13].text == frame_text(101));
    CHECK(list_segments(run).value().size() == 3); // a new segment: the old one is never appended to
  }
}

TEST_CASE_FIXTURE(test::actor_fixture, "recorder: retention deletes the oldest whole segments") {
  caf::scoped_actor self{*sys};
  const auto rec_dir = dir + "/recording";
  auto o = options_in(rec_dir);
  o.segment_bytes = 1;             // every block closes its segment
  o.retention_bytes = 3 * 4096;    // a few blocks of ~100 bytes: kept until the total passes this
  std::int64_t now = 1'800'000'000'000;
  o.clock = [&now] { return now; };
  auto r = spawn_recorder(*sys, telemetry_actor{}, o);
  for (int i = 0; i < 400; ++i) {
    self->send(r, record_frame{record_channel::gamma, now, 0, std::string(200, static_cast<char>('a' + i % 26))});
    REQUIRE(flush(self, r));
    now += 1000;
  }
  stop(self, r);
  auto segs = list_segments(rec_dir).value();
  std::uint64_t total = 0;
  for (auto& s : segs)
    total += s.bytes;
  CHECK(segs.size() < 400);
  CHECK(total <= 3 * 4096 + 1024);
  // The ones kept are the newest, each with its index.
  auto frames = read_all(rec_dir);
  REQUIRE_FALSE(frames.empty());
  CHECK(frames.back().text == std::string(200, static_cast<char>('a' + 399 % 26)));
  for (auto& s : segs)
    CHECK(fs::exists(s.index_path));
  CHECK(std::count_if(fs::directory_iterator(rec_dir), fs::directory_iterator(), [](auto&) { return true; })
        == static_cast<std::ptrdiff_t>(2 * segs.size()));
}

TEST_CASE_FIXTURE(test::actor_fixture, "recorder: a full buffer drops the oldest, counted in /metrics") {
  caf::scoped_actor self{*sys};
  auto telemetry = spawn_telemetry(*sys, telemetry_options{});
  auto o = options_in(dir + "/recording");
  o.buffer_size = 3;
  auto r = spawn_recorder(*sys, telemetry, o);
  for (int i = 0; i < 10; ++i)
    self->send(r, ws_frame{feed_channel::market, frame_text(i), steady_ns()});
  REQUIRE(flush(self, r));
  auto frames = read_all(dir + "/recording");
  REQUIRE(frames.size() == 3);
  CHECK(frames[0].text == frame_text(7));
  auto m = metrics(self, telemetry);
  CHECK(m.find("tdmaker_record_dropped_total{reason=\"overflow\"} 7\n") != std::string::npos);
  CHECK(m.find("tdmaker_record_frames_total{channel=\"market_ws\"} 10\n") != std::string::npos);
  CHECK(m.find("tdmaker_record_buffer_utilisation_ppm 1000000\n") != std::string::npos);
  CHECK(m.find("tdmaker_record_segments 1\n") != std::string::npos);
  CHECK(m.find("tdmaker_record_write_errors_total 0\n") != std::string::npos);
  stop(self, r);
  self->send_exit(telemetry, caf::exit_reason::user_shutdown);
}

TEST_CASE_FIXTURE(test::actor_fixture, "recorder: a write that fails is logged and counted, and the recorder lives on") {
  caf::scoped_actor self{*sys};
  auto telemetry = spawn_telemetry(*sys, telemetry_options{});
  const auto blocker = dir + "/not-a-dir";
  std::ofstream(blocker) << "x";
  auto r = spawn_recorder(*sys, telemetry, options_in(blocker + "/recording"));
  for (int i = 0; i < 4; ++i)
    self->send(r, ws_frame{feed_channel::rtds, frame_text(i), steady_ns()});
  CHECK_FALSE(flush(self, r));
  self->send(r, ws_frame{feed_channel::rtds, frame_text(9), steady_ns()});
  CHECK_FALSE(flush(self, r)); // still answering
  auto m = metrics(self, telemetry);
  CHECK(m.find("tdmaker_record_write_errors_total 2\n") != std::string::npos);
  CHECK(m.find("tdmaker_record_dropped_total{reason=\"write_error\"} 5\n") != std::string::npos);
  stop(self, r);
  self->send_exit(telemetry, caf::exit_reason::user_shutdown);
}

TEST_CASE_FIXTURE(test::actor_fixture, "recorder tap: the feed's WebSocket frames reach the recorder as received") {
  namespace asio = boost::asio;
  namespace websocket = boost::beast::websocket;
  using tcp = asio::ip::tcp;
  asio::io_context server_ctx;
  tcp::acceptor acceptor(server_ctx, {asio::ip::make_address("127.0.0.1"), 0});
  const auto port = acceptor.local_endpoint().port();
  // Two connections (market and RTDS): each gets one frame naming its path, then is held open.
  std::promise<void> looked;
  std::thread server([&, done = looked.get_future().share()] {
    std::vector<std::thread> conns;
    try {
      for (int i = 0; i < 2; ++i) {
        auto sock = std::make_shared<tcp::socket>(acceptor.accept());
        conns.emplace_back([sock, done] {
          try {
            websocket::stream<tcp::socket> ws(std::move(*sock));
            boost::beast::http::request<boost::beast::http::empty_body> req;
            boost::beast::flat_buffer buf;
            boost::beast::http::read(ws.next_layer(), buf, req);
            ws.accept(req);
            ws.read(buf); // the subscribe frame
            ws.write(asio::buffer(R"({"frame from":")" + std::string(req.target()) + R"("})"));
            done.wait();
          } catch (const std::exception&) {
          }
        });
      }
    } catch (const std::exception&) {
    }
    for (auto& c : conns)
      c.join();
  });
  // The I/O pool outlives every actor: the feed's clients are freed with the feed,
  // which a pending timer message may keep until the actor system goes.
  io_pool io(1);
  std::vector<recorded_frame> got;
  {
    caf::scoped_actor self{*sys};
    auto r = spawn_recorder(*sys, telemetry_actor{}, options_in(dir + "/recording"));
    feed_options fo;
    fo.market_ws = *parse_endpoint("ws://127.0.0.1:" + std::to_string(port) + "/ws/market");
    fo.rtds = *parse_endpoint("ws://127.0.0.1:" + std::to_string(port) + "/rtds");
    fo.recorder = r;
    auto feed = spawn_feed(*sys, &io, nullptr, nullptr, telemetry_actor{}, notifier_actor{}, fo);
    market_record m;
    m.id = *parse_condition_id("0x" + std::string(64, 'c'));
    m.up_token = *parse_token_id("1130");
    m.down_token = *parse_token_id("3803");
    self->send(feed, subscribe_market{m.id, m.up_token, m.down_token, "btc/usd"},
               caf::actor_cast<market_actor>(self));
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (got.size() < 2 && std::chrono::steady_clock::now() < deadline) {
      REQUIRE(flush(self, r));
      got = read_all(dir + "/recording");
      if (got.size() < 2)
        std::this_thread::sleep_for(20ms); // polling the condition, not asserting after a sleep
    }
    looked.set_value();
    ::shutdown(acceptor.native_handle(), SHUT_RDWR);
    self->send_exit(feed, caf::exit_reason::user_shutdown);
    self->wait_for(feed);
    io.stop();
    server.join();
    stop(self, r);
  }
  sys.reset();
  REQUIRE(got.size() == 2);
  std::map<record_channel, std::string> by_channel;
  for (auto& f : got)
    by_channel[f.channel] = f.text;
  CHECK(by_channel[record_channel::market_ws] == R"({"frame from":"/ws/market"})");
  CHECK(by_channel[record_channel::rtds_ws] == R"({"frame from":"/rtds"})");
}
