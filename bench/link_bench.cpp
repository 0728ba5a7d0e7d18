// The node's side of the exchange link, measured (issue 5):
//   --sign N       order build + EIP-712 sign + POST /order JSON, orders/s
//   --book N       market-channel price_change parse + book apply (+ hash check), msgs/s
//   --latency      feed-frame -> market-actor latency through the real feed and
//                  market actors (no sockets), p50/p99, at a paced frame rate
//                  (each market keeps its last 1024 samples);
//                  --record on|off|both: with the recorder's tap (issue 18) beside it
//   --intent       book update -> order intent latency (issue 6): the same path on
//                  to the bidding actor and back with a place_batch, every update
//                  producing an intent (a stand-in order actor frees each rung at once)
//   --candles 1    with either: the feed also taps each frame into a candles actor (issue 18)
// Prints one JSON line per measurement. Run by bench/run_link_bench.sh.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <spdlog/spdlog.h>

#include <caf/typed_event_based_actor.hpp>

#include "actors/bidding.hpp"
#include "actors/candles.hpp"
#include "actors/directory.hpp"
#include "actors/feed.hpp"
#include "actors/recorder.hpp"
#include "net/weak_handle.hpp"
#include "db/lmdb_env.hpp"
#include "actors/store.hpp"
#include "core/eth_address.hpp"
#include "core/feed_codec.hpp"
#include "core/order_book.hpp"
#include "core/order_sign.hpp"
#include "messages/register.hpp"

using namespace tdmaker;
using clk = std::chrono::steady_clock;

namespace {

const std::string token = "71321045679252212594626385532706912750332728571942532289631379312455583992563";

double secs_since(clk::time_point t0) { return std::chrono::duration<double>(clk::now() - t0).count(); }

void bench_sign(int n) {
  auto key = *private_key::parse("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
  exchange_domain dom;
  dom.verifying_contract = *parse_address(ctf_exchange_v2);
  const auto dsep = domain_separator(dom);
  std::size_t bytes = 0;
  auto one = [&](int i) {
    auto px = price{std::min<std::int64_t>(10'000 + (i % 97) * 10'000, 990'000)};
    auto spec = limit_spec(token, i % 2 ? order_side::sell : order_side::buy, px, shares{(5 + i % 50) * 1'000'000},
                           static_cast<std::uint64_t>(i) * 7919 + 1, 1'764'460'800'000ULL + static_cast<std::uint64_t>(i),
                           "5f8b2a4e-1c3d-4e5f-8a9b-0c1d2e3f4a5b");
    spec.post_only = true;
    auto o = sign_order(spec, key, dsep);
    bytes += encode_order_request(*o).size();
  };
  for (int i = 0; i < 200; ++i)
    one(i);
  auto t0 = clk::now();
  for (int i = 0; i < n; ++i)
    one(i);
  double s = secs_since(t0);
  std::printf("{\"bench\":\"sign\",\"orders\":%d,\"seconds\":%.4f,\"orders_per_s\":%.0f,\"bytes\":%zu}\n", n, s, n / s, bytes);
}

struct apply_sink : market_event_sink {
  token_book books[2];
  std::string up, down;
  std::string scratch;
  bool verify = true;
  std::uint64_t mismatches = 0;
  const condition_id* market = nullptr;
  void on_book(book_snapshot&&) override {}
  void on_delta(book_delta&& d) override {
    const std::string* last = nullptr;
    for (auto& c : d.changes) {
      books[c.token.digits == up ? 0 : 1].set(c.side, c.px, c.size);
      last = &c.hash;
    }
    if (verify && last) {
      auto h = book_hash({d.market.hex, up, d.ts_ms, shares{5'000'000}, tick_size{10'000}, false, ""}, books[0], scratch);
      mismatches += h != *last;
    }
  }
  void on_last_trade(last_trade&&) override {}
  void on_tick_size(tick_size_change&&) override {}
  void on_resolved(market_resolved&&) override {}
  void on_bad_event(std::string_view) override {}
};

// Realistic frames: a 20-level book per side, each frame moves two levels of the
// Up token, with the venue's hash of the result.
std::vector<std::string> make_frames(int n, const std::string& cid, const std::string& up) {
  std::mt19937_64 rng(7);
  token_book venue;
  std::vector<book_level> bids, asks;
  for (int i = 1; i <= 20; ++i) {
    bids.push_back({price{(30 + i) * 10'000}, shares{100'000'000}});
    asks.push_back({price{(51 + i) * 10'000}, shares{100'000'000}});
  }
  venue.replace(bids, asks);
  std::vector<std::string> frames;
  std::string scratch;
  for (int i = 0; i < n; ++i) {
    std::string changes;
    for (int k = 0; k < 2; ++k) {
      bool bid = rng() % 2;
      std::int64_t px = bid ? 31 + static_cast<std::int64_t>(rng() % 20) : 52 + static_cast<std::int64_t>(rng() % 20);
      std::int64_t size = static_cast<std::int64_t>(rng() % 4) == 0 ? 0 : static_cast<std::int64_t>(rng() % 5000) * 10'000;
      venue.set(bid ? book_side::bid : book_side::ask, price{px * 10'000}, shares{size});
      changes += std::string(k ? "," : "") + R"({"asset_id":")" + up + R"(","price":")" + to_string(price{px * 10'000})
                 + R"(","size":")" + to_string(shares{size}) + R"(","side":")" + (bid ? "BUY" : "SELL") + R"(","hash":"@"})";
    }
    auto ts = 1'764'460'800'000 + i;
    auto h = book_hash({cid, up, ts, shares{5'000'000}, tick_size{10'000}, false, ""}, venue, scratch);
    for (auto p = changes.find('@'); p != std::string::npos; p = changes.find('@'))
      changes.replace(p, 1, h);
    frames.push_back(R"({"event_type":"price_change","market":")" + cid + R"(","timestamp":")" + std::to_string(ts)
                     + R"(","price_changes":[)" + changes + "]}");
  }
  return frames;
}

const std::string bench_cid = "0x" + std::string(64, 'b');
const std::string bench_up = "1130";

void bench_book(int n) {
  auto frames = make_frames(n, bench_cid, bench_up);
  for (bool verify : {false, true}) {
    apply_sink sink;
    sink.up = bench_up;
    sink.down = "3803";
    sink.verify = verify;
    std::vector<book_level> bids, asks;
    for (int i = 1; i <= 20; ++i) {
      bids.push_back({price{(30 + i) * 10'000}, shares{100'000'000}});
      asks.push_back({price{(51 + i) * 10'000}, shares{100'000'000}});
    }
    sink.books[0].replace(bids, asks);
    json::reusable_document doc; // the feed actor's own, so the figure is the feed's
    auto t0 = clk::now();
    for (auto& f : frames)
      (void)parse_market_frame(f, doc, sink);
    double s = secs_since(t0);
    std::printf("{\"bench\":\"book_parse_apply%s\",\"messages\":%d,\"seconds\":%.4f,\"messages_per_s\":%.0f,\"hash_mismatches\":%llu}\n",
                verify ? "_hash_check" : "", n, s, n / s, static_cast<unsigned long long>(sink.mismatches));
  }
}

/// Stands in for the order actor: every placement is answered at once as
/// cancelled (no quiet period), so the market's rungs are free again and the
/// next book update produces an intent too.
class instant_orders : public order_actor::base {
public:
  instant_orders(caf::actor_config& cfg, bidding_actor bidding) : order_actor::base(cfg), bidding_(std::move(bidding)) {}
  std::uint64_t intents = 0;
  behavior_type make_behavior() override {
    return {
      [=, this](place_batch& b) {
        auto m = caf::actor_cast<market_actor>(current_sender());
        for (auto& i : b.orders) {
          ++intents;
          send(bidding_, budget_release{i.market, i.reserved});
          send(m, order_update{"", "0x", i.market, i.side_outcome, i.rung, order_state::cancelled, {}, "bench", 0,
                                  i.token, i.px, i.size, false, i.side});
        }
      },
      [](cancel_batch&) {}, [](expire_atom) {}, [](reconcile_atom) {}, [](placements_done&) {},
      [](cancels_done&) {}, [](lookup_done&) {}, [](open_orders_done&) {}, [](balance_update&) {},
      [](feed_health&) {}, [](safe_mode&) {}, [](phase_record&) {}, [](credentials_ready&) {}, [](fill_booked&) {}, [](settlement_status&) {}, [](store_status&) {},
      [](heartbeat_status&) {}, [](presign_request&) {}, [](fill_actor&) {},
      [](get_atom) { return std::vector<order_record>{}; },
      [](get_atom, condition_id&) { return std::vector<order_record>{}; },
    };
  }

private:
  bidding_actor bidding_;
};

void bench_latency(int markets, int rate, double seconds, bool intents, bool record, bool candles) {
  caf::actor_system_config cfg;
  register_message_types(cfg);
  cfg.set("scheduler.max-threads", std::size_t{2});
  cfg.set("logger.verbosity", caf::atom("quiet"));
  caf::actor_system sys{cfg};
  char tmpl[] = "/tmp/tdmaker-link-bench-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  auto env = std::move(lmdb_env::open(dir, 64)).value();
  {
    caf::scoped_actor self{sys};
    auto store = spawn_store(sys, env, telemetry_actor{}, {});
    // --candles 1: the feed taps every frame's top of book into the candles actor.
    feed_options fo;
    if (candles)
      fo.candles = spawn_candles(sys, store, telemetry_actor{}, {});
    auto feed = spawn_feed(sys, nullptr, nullptr, nullptr, telemetry_actor{}, notifier_actor{}, fo);
    // --record: the recorder (real files, fsync per block) gets the same message, as the feed's tap sends it.
    recorder_actor recorder;
    if (record) {
      recorder_options ro;
      ro.dir = dir + "/recording";
      recorder = spawn_recorder(sys, telemetry_actor{}, ro);
    }
    weak_handle<feed_actor> feed_tap(feed);
    weak_handle<recorder_actor> rec_tap(recorder);
    directory_options dopts;
    dopts.max_live = markets + 1;
    dopts.market.book_hash_check = false; // latency of routing, not of the hash
    bidding_actor bidding;
    order_actor orders;
    if (intents) {
      bidding_options bo;
      td_maker_setup td;
      td.entry.target_bid = price{10'000}; // every book passes: each update yields an intent
      td.entry.max_bid = price{990'000};
      td.entry.min_move_ppm = -1'000'000;
      td.entry.max_move_ppm = 1'000'000;
      td.entry.max_entry_s = 100'000;
      td.entry.fair_value = false;
      td.ladder.rungs = 1;
      bo.ladder.rungs = 1;
      dopts.market.td_maker = td;
      bo.max_exposure = usdc{1'000'000'000'000};
      bo.max_per_market = usdc{1'000'000'000'000};
      bidding = spawn_bidding(sys, telemetry_actor{}, audit_actor{}, store_actor{}, bo);
      orders = sys.spawn<instant_orders>(bidding);
      dopts.market.bidding = bidding;
      dopts.market.orders = orders;
      dopts.market.stop_before_end_ms = 0;
      dopts.market.idle_evaluate = std::chrono::hours(1);
    }
    auto dir_actor = spawn_directory(sys, store, telemetry_actor{}, notifier_actor{}, dopts);
    std::vector<market_actor> ms;
    std::vector<std::string> cids;
    for (int i = 0; i < markets; ++i) {
      market_record r;
      r.fee = fee_schedule{true, 70'000, 1, true}; // a market is traded only with a known schedule
      char hex[65];
      std::snprintf(hex, sizeof hex, "%064x", i + 1);
      r.id = *parse_condition_id(std::string("0x") + hex);
      r.slug = "bench-" + std::to_string(i);
      r.asset = "btc";
      r.up_token = *parse_token_id(std::to_string(1000 + 2 * i));
      r.down_token = *parse_token_id(std::to_string(1001 + 2 * i));
      auto now_s = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
      r.slot_start_s = now_s - 10;
      r.slot_end_s = now_s + 3600;
      r.ref_start = ref_price{100'000'00000000};
      self->request(dir_actor, std::chrono::seconds(5), r).receive([&](market_actor& m) { ms.push_back(m); }, [](caf::error&) {});
      self->send(feed, subscribe_market{r.id, r.up_token, r.down_token, ""}, ms.back());
      cids.push_back(r.id.hex);
    }
    // Snapshots first (both tokens), so deltas land on synced books.
    for (int i = 0; i < markets; ++i)
      for (int t = 0; t < 2; ++t) {
        auto tok = std::to_string(1000 + 2 * i + t);
        self->send(feed, ws_frame{feed_channel::market,
                                  R"({"event_type":"book","market":")" + cids[i] + R"(","asset_id":")" + tok
                                    + R"(","timestamp":"1","hash":"","bids":[{"price":"0.4","size":"10"}],"asks":[{"price":"0.6","size":"10"}]})",
                                  0});
      }
    if (intents)
      for (auto& m : ms)
        self->send(m, reference_tick{"btc/usd", ref_price{100'050'00000000}, 0});
    const int total = static_cast<int>(rate * seconds);
    std::vector<std::string> frames;
    frames.reserve(static_cast<std::size_t>(total));
    for (int i = 0; i < total; ++i) {
      int k = i % markets;
      auto up = std::to_string(1000 + 2 * k);
      frames.push_back(R"({"event_type":"price_change","market":")" + cids[k] + R"(","timestamp":")" + std::to_string(2 + i)
                       + R"(","price_changes":[{"asset_id":")" + up + R"(","price":"0.)" + std::to_string(41 + i % 9)
                       + R"(","size":")" + std::to_string(1 + i % 100) + R"(","side":"BUY","hash":"","best_bid":"0.)"
                       + std::to_string(41 + i % 9) + R"(","best_ask":"0.6"}]})");
    }
    // The bench thread plays the I/O thread: stamp and hand over, paced.
    const auto gap = std::chrono::nanoseconds(1'000'000'000LL / rate);
    auto next = clk::now();
    for (auto& f : frames) {
      while (clk::now() < next) {
      }
      next += gap;
      auto now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(clk::now().time_since_epoch()).count();
      if (!record) {
        caf::anon_send(feed, ws_frame{feed_channel::market, std::move(f), now_ns});
        continue;
      }
      auto msg = caf::make_message(ws_frame{feed_channel::market, std::move(f), now_ns});
      feed_tap.send_message(msg);
      rec_tap.send_message(std::move(msg));
    }
    self->request(feed, std::chrono::seconds(10), status_atom::value).receive([](std::vector<feed_health>&) {}, [](caf::error&) {});
    if (intents)
      std::this_thread::sleep_for(std::chrono::milliseconds(200)); // the last decisions come back
    std::vector<std::int64_t> all;
    auto collect = [&](std::vector<std::int64_t>& v) { all.insert(all.end(), v.begin(), v.end()); };
    for (auto& m : ms) {
      if (intents)
        self->request(m, std::chrono::seconds(10), get_atom::value, decision_atom::value).receive(collect, [](caf::error&) {});
      else
        self->request(m, std::chrono::seconds(10), get_atom::value, latency_atom::value).receive(collect, [](caf::error&) {});
    }
    std::sort(all.begin(), all.end());
    auto pct = [&](double p) { return all.empty() ? 0.0 : all[static_cast<std::size_t>(p * (all.size() - 1))] / 1000.0; };
    std::printf("{\"bench\":\"%s\",\"markets\":%d,\"frames_per_s\":%d,\"samples\":%zu,\"p50_us\":%.1f,\"p99_us\":%.1f,\"max_us\":%.1f,\"record\":%s}\n",
                intents ? "book_update_to_order_intent_latency" : "feed_to_market_latency", markets, rate, all.size(),
                pct(0.5), pct(0.99), pct(1.0), record ? "true" : "false");
    if (record) {
      self->send_exit(recorder, caf::exit_reason::user_shutdown);
      self->wait_for(recorder); // its last block is written before the directory goes
    }
    if (intents) {
      self->send_exit(bidding, caf::exit_reason::user_shutdown);
      self->send_exit(orders, caf::exit_reason::user_shutdown);
    }
    for (auto& m : ms)
      self->send_exit(m, caf::exit_reason::user_shutdown);
    self->send_exit(feed, caf::exit_reason::user_shutdown);
    if (fo.candles)
      self->send_exit(fo.candles, caf::exit_reason::user_shutdown); // its timer would keep the system up
    self->send_exit(dir_actor, caf::exit_reason::user_shutdown);
    self->send_exit(store, caf::exit_reason::user_shutdown);
  }
  std::string rm = "rm -rf " + dir;
  if (std::system(rm.c_str()) != 0)
    std::fprintf(stderr, "could not remove %s\n", dir.c_str());
}

} // namespace

int main(int argc, char** argv) {
  spdlog::set_level(spdlog::level::warn); // market spawn lines would drown the figures
  int sign_n = 0, book_n = 0, markets = 0, intent_markets = 0, rate = 2000, candles = 0;
  double seconds = 2;
  std::string record = "off"; // --record on|off|both: the recorder's tap beside the latency path
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    if (k == "--sign")
      sign_n = std::atoi(argv[i + 1]);
    else if (k == "--book")
      book_n = std::atoi(argv[i + 1]);
    else if (k == "--latency-markets")
      markets = std::atoi(argv[i + 1]);
    else if (k == "--intent-markets")
      intent_markets = std::atoi(argv[i + 1]);
    else if (k == "--rate")
      rate = std::atoi(argv[i + 1]);
    else if (k == "--seconds")
      seconds = std::atof(argv[i + 1]);
    else if (k == "--record" && (std::strcmp(argv[i + 1], "on") == 0 || std::strcmp(argv[i + 1], "off") == 0
                                 || std::strcmp(argv[i + 1], "both") == 0))
      record = argv[i + 1];
    else if (k == "--candles")
      candles = std::atoi(argv[i + 1]);
    else {
      std::fprintf(stderr, "usage: tdmaker-link-bench [--sign N] [--book N] [--latency-markets M | --intent-markets M] [--rate R] [--seconds S] [--record on|off|both] [--candles 0|1]\n");
      return 2;
    }
  }
  if (sign_n > 0)
    bench_sign(sign_n);
  if (book_n > 0)
    bench_book(book_n);
  if (markets > 0 && record != "on")
    bench_latency(markets, std::max(rate, 1), seconds, false, false, candles != 0);
  if (markets > 0 && record != "off")
    bench_latency(markets, std::max(rate, 1), seconds, false, true, candles != 0);
  if (intent_markets > 0)
    bench_latency(intent_markets, std::max(rate, 1), seconds, true, false, candles != 0);
  return 0;
}
