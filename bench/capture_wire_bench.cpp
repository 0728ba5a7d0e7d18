// Issue 17: book update -> 99c capture order on the wire, p50/p99, with the
// order signed ahead (capture.presign true) and signed on demand (false), in
// one run. Real store (temp LMDB), feed (frames as ws_frame messages, no
// socket), directory/markets with the capture on, bidding, and the real order
// actor with the real CLOB session and order venue, talking HTTP to a loopback
// CLOB (bench/loopback_clob) that stamps the first bytes of each POST /orders.
//   tdmaker-capture-bench [--n N]     (N iterations per mode; default 20)
// Prints one JSON line per mode. Run by bench/run_link_bench.sh.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include "actors/bidding.hpp"
#include "actors/directory.hpp"
#include "actors/feed.hpp"
#include "actors/order.hpp"
#include "actors/store.hpp"
#include "bench/loopback_clob.hpp"
#include "core/endpoint.hpp"
#include "db/lmdb_env.hpp"
#include "messages/register.hpp"
#include "net/clob_session.hpp"
#include "net/http_client.hpp"
#include "net/io_pool.hpp"
#include "net/order_venue.hpp"

using namespace tdmaker;
using clk = std::chrono::steady_clock;

namespace {

constexpr std::int64_t window_s = 1; // the capture window: the slot's last second

std::int64_t steady_ns() { return std::chrono::duration_cast<std::chrono::nanoseconds>(clk::now().time_since_epoch()).count(); }
std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

/// Counts the order actor's "N order(s) of market X signed ahead" lines (the
/// only sign that the kept orders exist) and passes warnings on to stderr.
class presign_counter : public spdlog::sinks::base_sink<std::mutex> {
public:
  std::atomic<std::uint64_t> kept_pairs{0};
  bool verbose = std::getenv("CAPTURE_BENCH_VERBOSE") != nullptr; // every line to stderr

protected:
  void sink_it_(const spdlog::details::log_msg& m) override {
    std::string_view s(m.payload.data(), m.payload.size());
    if (s.find("2 order(s) of market") != std::string_view::npos && s.find("signed ahead") != std::string_view::npos)
      ++kept_pairs;
    if (verbose || m.level >= spdlog::level::warn)
      std::fprintf(stderr, "%.*s\n", static_cast<int>(s.size()), s.data());
  }
  void flush_() override {}
};

template <class Pred>
bool wait_for(Pred done, std::chrono::milliseconds limit) {
  auto until = clk::now() + limit;
  while (!done()) {
    if (clk::now() > until)
      return false;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  return true;
}

std::string book_frame(const std::string& cid, const std::string& token, const char* ask) {
  return R"({"event_type":"book","market":")" + cid + R"(","asset_id":")" + token
         + R"(","timestamp":"1","hash":"","bids":[{"price":"0.4","size":"10"}],"asks":[{"price":")" + ask
         + R"(","size":"100"}]})";
}

market_record bench_market(int mode, int i, std::int64_t slot_end_s) {
  market_record r;
  r.fee = fee_schedule{true, 70'000, 1, true}; // a market is traded only with a known schedule
  char hex[65];
  std::snprintf(hex, sizeof hex, "%064x", mode * 100'000 + i + 1);
  r.id = *parse_condition_id(std::string("0x") + hex);
  r.slug = "capture-bench-" + std::to_string(mode) + "-" + std::to_string(i);
  r.asset = "btc";
  r.up_token = *parse_token_id(std::to_string(2'000'000 + mode * 100'000 + 2 * i));
  r.down_token = *parse_token_id(std::to_string(2'000'001 + mode * 100'000 + 2 * i));
  r.tick = tick_size{10'000};
  r.slot_start_s = slot_end_s - 300;
  r.slot_end_s = slot_end_s;
  r.ref_start = ref_price{100'000'00000000};
  return r;
}

struct wire_result {
  std::vector<std::int64_t> ns;
  int missed = 0;
};

directory_options directory_of(bool presign, int n, bidding_actor bidding, order_actor orders) {
  directory_options d;
  d.max_live = n + 2;
  d.market.book_hash_check = false;
  d.market.bidding = std::move(bidding);
  d.market.orders = std::move(orders);
  d.market.stop_before_end_ms = 0;
  d.market.idle_evaluate = std::chrono::hours(1); // only the bench's book update may trigger the entry
  capture_config c;
  c.enabled = true;
  c.entry_window_s = window_s;
  c.stop_before_end_s = 0;
  c.threshold_ppm = 0; // every trigger enters: the path is measured, not the model
  c.max_price = 990'000;
  c.shares = 5;
  c.max_exposure = 1'000'000'000'000;
  c.presign = presign;
  d.market.capture = c;
  return d;
}

/// One mode: its own store, session, actors; `n` fresh markets, one at a time.
wire_result run_mode(bool presign, int n, presign_counter& counter) {
  wire_result out;
  bench::loopback_clob clob;
  io_pool io(1);
  http_client_options ho;
  ho.timeout = std::chrono::milliseconds(5'000);
  auto http = http_client::make(io, *parse_endpoint("http://127.0.0.1:" + std::to_string(clob.port())), ho);
  // Anvil's first well-known test key: no secret.
  auto session = clob_session::make(http, *private_key::parse("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"));
  caf::actor_system_config cfg;
  register_message_types(cfg);
  cfg.set("scheduler.max-threads", std::size_t{2});
  cfg.set("logger.verbosity", caf::atom("quiet"));
  caf::actor_system sys{cfg};
  char tmpl[] = "/tmp/tdmaker-capture-bench-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  {
    auto env = std::move(lmdb_env::open(dir, 64)).value();
    caf::scoped_actor self{sys};
    auto store = spawn_store(sys, env, telemetry_actor{}, {});
    auto feed = spawn_feed(sys, nullptr, nullptr, nullptr, telemetry_actor{}, notifier_actor{}, {});
    bidding_options bo;
    bo.strategies[index_of(strategy_kind::td_maker)] = {false, usdc{0}};
    bo.strategies[index_of(strategy_kind::capture_99c)] = {true, usdc{1'000'000'000'000}};
    bo.max_exposure = usdc{1'000'000'000'000};
    bo.max_per_market = usdc{1'000'000'000'000};
    auto bidding = spawn_bidding(sys, telemetry_actor{}, audit_actor{}, store_actor{}, bo);
    order_options oo;
    oo.paper = false;
    oo.cancel_before_end_ms = 0; // the bench's slots are a second long at the end
    oo.risk.stale_cancel_ms = 3'600'000;
    oo.risk.stale_halt_ms = 3'600'000;
    oo.clock = wall_ms;
    auto orders = spawn_order(sys, make_clob_order_venue(session), order_peers{store, bidding, {}, {}, {}}, oo);
    feed_health fh;
    fh.channel = "market";
    fh.connected = true;
    fh.messages = 1;
    fh.last_message_age_ms = 0;
    self->send(orders, fh);
    phase_record ph;
    ph.current = phase::proof_of_concept; // a live phase: orders go to the venue
    ph.source = "config";
    self->send(orders, ph);
    std::atomic<int> creds{0};
    session->establish_credentials([&](result<api_credentials> c) { creds = c ? 1 : -1; });
    if (!wait_for([&] { return creds != 0; }, std::chrono::seconds(10)) || creds < 0) {
      std::fprintf(stderr, "capture bench: no API credentials from the loopback CLOB\n");
      std::exit(1);
    }
    self->send(orders, credentials_ready{true, ""});
    auto dir_actor = spawn_directory(sys, store, telemetry_actor{}, notifier_actor{}, directory_of(presign, n, bidding, orders));
    for (int i = 0; i < n; ++i) {
      // A slot ending 2-3 s from now: the first book lands before the window
      // (the presign lead), the trigger inside it.
      auto slot_end_s = wall_ms() / 1000 + window_s + 2;
      auto r = bench_market(presign ? 1 : 0, i, slot_end_s);
      market_actor m;
      self->request(dir_actor, std::chrono::seconds(5), r).receive([&](market_actor& a) { m = a; }, [](caf::error&) {});
      if (!m) {
        ++out.missed;
        continue;
      }
      self->send(feed, subscribe_market{r.id, r.up_token, r.down_token, ""}, m);
      const auto kept_before = counter.kept_pairs.load();
      self->send(feed, ws_frame{feed_channel::market, book_frame(r.id.hex, r.up_token.digits, "0.6"), 0});
      self->send(feed, ws_frame{feed_channel::market, book_frame(r.id.hex, r.down_token.digits, "0.6"), 0});
      if (presign && !wait_for([&] { return counter.kept_pairs.load() > kept_before; }, std::chrono::seconds(2))) {
        ++out.missed;
        continue;
      }
      // Into the window, a little past its edge (both modes wait the same way).
      auto open_ms = (slot_end_s - window_s) * 1000 + 50;
      while (wall_ms() < open_ms)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      const auto posts_before = clob.orders_posts();
      std::string trigger = R"({"event_type":"price_change","market":")" + r.id.hex + R"(","timestamp":"2","price_changes":[{"asset_id":")"
                            + r.up_token.digits + R"(","price":"0.59","size":"50","side":"SELL","hash":""}]})";
      const auto t0 = steady_ns();
      caf::anon_send(feed, ws_frame{feed_channel::market, std::move(trigger), t0});
      if (!wait_for([&] { return clob.orders_posts() > posts_before; }, std::chrono::seconds(2))) {
        ++out.missed;
        continue;
      }
      out.ns.push_back(clob.last_post_ns() - t0);
    }
    for (auto a : {caf::actor_cast<caf::actor>(dir_actor), caf::actor_cast<caf::actor>(orders),
                   caf::actor_cast<caf::actor>(bidding), caf::actor_cast<caf::actor>(feed),
                   caf::actor_cast<caf::actor>(store)})
      self->send_exit(a, caf::exit_reason::user_shutdown);
  }
  io.stop();
  std::string rm = "rm -rf " + dir;
  if (std::system(rm.c_str()) != 0)
    std::fprintf(stderr, "could not remove %s\n", dir.c_str());
  return out;
}

void print(bool presign, wire_result r) {
  std::sort(r.ns.begin(), r.ns.end());
  auto pct = [&](double p) { return r.ns.empty() ? 0.0 : r.ns[static_cast<std::size_t>(p * (r.ns.size() - 1))] / 1000.0; };
  std::printf("{\"bench\":\"capture_wire\",\"presign\":%s,\"n\":%zu,\"missed\":%d,\"p50_us\":%.1f,\"p99_us\":%.1f,\"max_us\":%.1f}\n",
              presign ? "true" : "false", r.ns.size(), r.missed, pct(0.5), pct(0.99), pct(1.0));
  std::fflush(stdout);
}

} // namespace

int main(int argc, char** argv) {
  int n = 20;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    if (k == "--n")
      n = std::max(1, std::atoi(argv[i + 1]));
    else {
      std::fprintf(stderr, "usage: tdmaker-capture-bench [--n N]\n");
      return 2;
    }
  }
  if (argc % 2 == 0) {
    std::fprintf(stderr, "usage: tdmaker-capture-bench [--n N]\n");
    return 2;
  }
  auto counter = std::make_shared<presign_counter>();
  auto logger = std::make_shared<spdlog::logger>("bench", counter);
  logger->set_level(spdlog::level::info); // the node's default level: its info lines are on the path too
  spdlog::set_default_logger(logger);
  // Alternating would mix warm-up into one mode only; each mode gets its own process state instead.
  print(true, run_mode(true, n, *counter));
  print(false, run_mode(false, n, *counter));
  return 0;
}
