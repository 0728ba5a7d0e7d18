// The fill and settlement actors over a real LMDB store. The test plays the
// order actor (it receives fill_booked) and the venue: REST trade pages and
// resolution answers are scripted. Time is an injected clock; the settlement
// actor's ticks are sent by the test.
#include <algorithm>
#include <atomic>
#include <mutex>

#include <doctest/doctest.h>

#include "actors/fill.hpp"
#include "actors/settlement.hpp"
#include "actors/store.hpp"
#include "fixture.hpp"

using namespace tdmaker;
using namespace std::chrono_literals;

namespace {

const condition_id market_a{"0x" + std::string(64, 'a')};
const condition_id market_b{"0x" + std::string(64, 'b')};
const condition_id market_c{"0x" + std::string(64, 'c')};
const token_id up{"111"};
const token_id down{"222"};
constexpr std::int64_t slot_end_s = 1'800'000'900;
constexpr std::int64_t t0 = slot_end_s * 1000 - 60'000;

fill_report leg(const condition_id& m, std::string trade, int order, trade_status st, std::int64_t size = 5'000'000) {
  fill_report r;
  r.trade_id = std::move(trade);
  r.order_id = "0x" + std::string(63, '0') + std::to_string(order);
  r.market = m;
  r.token = m == market_a ? up : down;
  r.px = price{800'000};
  r.size = shares{size};
  r.status = st;
  r.ts_ms = t0;
  return r;
}

settlement_record stored_settlement(test::actor_fixture& fx, const condition_id& m) {
  auto v = fx.env->get(record_db::settlements, m.hex);
  REQUIRE(v);
  REQUIRE(v->found);
  auto r = decode_settlement_record(v->payload);
  REQUIRE(r);
  return *r;
}

fill_record stored_fill(test::actor_fixture& fx, const std::string& key) {
  auto v = fx.env->get(record_db::fills, key);
  REQUIRE(v);
  REQUIRE(v->found);
  auto r = decode_fill_record(v->payload);
  REQUIRE(r);
  return *r;
}

/// Scripted REST pages of /data/trades: the test queues the pages to serve.
struct trade_pages {
  std::mutex m;
  std::vector<trades_done> pages;
  std::size_t served = 0;
  void serve(std::string, std::string, std::function<void(trades_done)> done) {
    trades_done d;
    {
      std::lock_guard lk(m);
      if (served < pages.size())
        d = pages[served++];
      else
        d.ok = true; // nothing new
    }
    done(std::move(d));
  }
};

struct rig {
  test::actor_fixture& fx;
  caf::scoped_actor self;
  std::shared_ptr<std::atomic<std::int64_t>> now = std::make_shared<std::atomic<std::int64_t>>(t0);
  std::shared_ptr<trade_pages> rest = std::make_shared<trade_pages>();
  store_actor store;
  fill_actor fills;

  explicit rig(test::actor_fixture& f) : fx(f), self(*f.sys) {
    store = spawn_store(*fx.sys, fx.env, telemetry_actor{}, {});
    start_fills();
  }
  ~rig() {
    self->send_exit(fills, caf::exit_reason::user_shutdown);
    self->send_exit(store, caf::exit_reason::user_shutdown);
  }
  void start_fills() {
    fill_options o;
    o.reconcile_every = std::chrono::hours(1); // the test asks for reconciliations
    o.clock = [n = now] { return n->load(); };
    o.fetch_trades = [r = rest](std::string a, std::string c, std::function<void(trades_done)> d) {
      r->serve(std::move(a), std::move(c), std::move(d));
    };
    fills = spawn_fill(*fx.sys, fill_peers{store, caf::actor_cast<order_actor>(self), {}, {}, {}}, o);
  }
  /// A crash: the actor goes, the store stays.
  void restart_fills() {
    self->send_exit(fills, caf::exit_reason::kill);
    start_fills();
  }
  fill_booked booked() {
    fill_booked out;
    self->receive([&](fill_booked& b) { out = b; }, caf::after(5s) >> [] { FAIL("no fill booked"); });
    return out;
  }
  std::vector<position> positions() {
    std::vector<position> out;
    self->request(fills, 5s, get_atom::value, positions_atom::value)
      .receive([&](positions_view& v) { out = v.positions; }, [](caf::error&) { FAIL("fill actor"); });
    return out;
  }
  std::uint32_t reconcile() {
    std::uint32_t n = 0;
    self->request(fills, 5s, reconcile_atom::value).receive([&](std::uint32_t k) { n = k; }, [](caf::error&) { FAIL("reconcile"); });
    return n;
  }
  std::size_t stored_fills() {
    auto rows = fx.env->scan(record_db::fills, "");
    REQUIRE(rows);
    return rows->rows.size();
  }
};

} // namespace

TEST_CASE_FIXTURE(test::actor_fixture, "fill actor: each trade leg is booked once through duplicates, a crash and REST") {
  rig r(*this);
  auto t1 = leg(market_a, "t-1", 1, trade_status::matched);
  r.self->send(r.fills, std::vector<fill_report>{t1});
  auto b = r.booked();
  CHECK(b.change == fill_change::booked);
  CHECK(b.fill.key == fill_key(market_a, t1.order_id, "t-1"));
  // Committed before the order actor heard of it.
  CHECK(r.stored_fills() == 1);
  // The same frame twice, a later status, an older status: nothing is booked again.
  r.self->send(r.fills, std::vector<fill_report>{t1, t1});
  r.self->send(r.fills, std::vector<fill_report>{leg(market_a, "t-1", 1, trade_status::mined)});
  r.self->send(r.fills, std::vector<fill_report>{leg(market_a, "t-1", 1, trade_status::matched)});
  // A new leg is the next thing booked: proof that none of the above was.
  r.self->send(r.fills, std::vector<fill_report>{leg(market_a, "t-2", 2, trade_status::matched, 2'000'000)});
  CHECK(r.booked().fill.trade_id == "t-2");
  auto ps = r.positions();
  REQUIRE(ps.size() == 1);
  CHECK(ps[0].bought == shares{7'000'000});
  CHECK(ps[0].cost == usdc{5'600'000});

  // A crash, and the user channel replays everything on reconnect.
  r.restart_fills();
  r.self->send(r.fills, std::vector<fill_report>{t1, leg(market_a, "t-2", 2, trade_status::matched, 2'000'000),
                                                 leg(market_a, "t-3", 3, trade_status::confirmed, 1'000'000)});
  CHECK(r.booked().fill.trade_id == "t-3");
  ps = r.positions();
  REQUIRE(ps.size() == 1);
  CHECK(ps[0].bought == shares{8'000'000}); // recovered from LMDB, plus t-3 only

  // REST reconciliation: a copy of t-1 and one the WebSocket never delivered.
  trades_done page;
  page.ok = true;
  page.fills = {leg(market_a, "t-1", 1, trade_status::confirmed), leg(market_a, "t-4", 4, trade_status::mined)};
  page.fills[0].source = page.fills[1].source = fill_source::reconcile;
  page.next_cursor = "LTE=";
  r.rest->pages.push_back(page);
  CHECK(r.reconcile() == 1);
  auto b4 = r.booked();
  CHECK(b4.fill.trade_id == "t-4");
  CHECK(b4.fill.source == fill_source::reconcile);

  // FAILED takes a booked fill back out, once.
  r.self->send(r.fills, std::vector<fill_report>{leg(market_a, "t-2", 2, trade_status::failed)});
  auto rev = r.booked();
  CHECK(rev.change == fill_change::reversed);
  CHECK(rev.fill.trade_id == "t-2");
  ps = r.positions();
  REQUIRE(ps.size() == 1);
  CHECK(ps[0].bought == shares{11'000'000}); // 5 + 1 + 5, without t-2's 2
  CHECK(r.stored_fills() == 4);
}

TEST_CASE_FIXTURE(test::actor_fixture, "fill actor: a taker leg pays its market's durable fee schedule - none known books 0") {
  rig r(*this);
  market_record rec;
  rec.id = market_a;
  rec.slug = "eth-updown-15m-1800000000";
  rec.asset = "eth";
  rec.slot_end_s = slot_end_s;
  rec.fee = fee_schedule{true, 250'000, 2, true}; // rate 0.25, exponent 2
  write_batch wb;
  wb.writes.push_back({record_db::markets, market_a.hex, encode(rec), false});
  r.self->request(r.store, 5s, std::move(wb)).receive([](commit_ack&) {}, [](caf::error&) { FAIL("store"); });
  // From the user channel and from REST alike: 10 x 0.25 x (0.8 x 0.2)^2 = 0.064.
  auto ws = leg(market_a, "t-1", 1, trade_status::matched, 10'000'000);
  ws.taker = true;
  ws.source = fill_source::user_ws;
  r.self->send(r.fills, std::vector<fill_report>{ws});
  CHECK(r.booked().fill.fee == usdc{64'000});
  auto rest = leg(market_a, "t-2", 2, trade_status::confirmed, 7'000'000);
  rest.taker = true;
  rest.source = fill_source::reconcile;
  trades_done page;
  page.ok = true;
  page.fills = {rest};
  page.next_cursor = "LTE=";
  r.rest->pages.push_back(page);
  CHECK(r.reconcile() == 1);
  CHECK(r.booked().fill.fee == usdc{44'800}); // 7 x 0.25 x 0.0256
  // A maker leg pays nothing; a market with no record (no schedule) books 0, not a guess.
  auto maker = leg(market_a, "t-3", 3, trade_status::matched);
  r.self->send(r.fills, std::vector<fill_report>{maker});
  CHECK(r.booked().fill.fee == usdc{0});
  auto unknown = leg(market_c, "t-4", 4, trade_status::matched);
  unknown.taker = true;
  r.self->send(r.fills, std::vector<fill_report>{unknown});
  CHECK(r.booked().fill.fee == usdc{0});
  // Durable: the stored fill carries the fee.
  auto v = env->get(record_db::fills, fill_key(market_a, ws.order_id, "t-1"));
  REQUIRE(v);
  REQUIRE(v->found);
  CHECK(decode_fill_record(v->payload)->fee == usdc{64'000});
}

TEST_CASE_FIXTURE(test::actor_fixture, "settlement: waits for the grace, defers while unresolved, forces after the limit") {
  rig r(*this);
  // Market A: known to the store (slug, end); market B: never discovered (the CLOB knows its end).
  market_record rec;
  rec.fee = fee_schedule{true, 70'000, 1, true}; // a market is traded only with a known schedule
  rec.id = market_a;
  rec.slug = "btc-updown-15m-1800000000";
  rec.slot_end_s = slot_end_s;
  rec.up_token = up;
  rec.down_token = token_id{"333"};
  write_batch wb;
  wb.writes.push_back({record_db::markets, market_a.hex, encode(rec), false});
  r.self->request(r.store, 5s, std::move(wb)).receive([](commit_ack&) {}, [](caf::error&) { FAIL("store"); });
  r.self->send(r.fills, std::vector<fill_report>{leg(market_a, "t-1", 1, trade_status::matched)});
  r.booked();
  r.self->send(r.fills, std::vector<fill_report>{leg(market_b, "t-9", 9, trade_status::matched)});
  r.booked();

  // Scripted sources: who asked what; B's winner is known to the CLOB from the start.
  struct calls {
    std::mutex m;
    std::vector<std::string> log;
    void add(std::string s) {
      std::lock_guard lk(m);
      log.push_back(std::move(s));
    }
    std::size_t count(const std::string& s) {
      std::lock_guard lk(m);
      return static_cast<std::size_t>(std::count(log.begin(), log.end(), s));
    }
  };
  auto seen = std::make_shared<calls>();
  resolution_sources src;
  src.gamma = [seen](condition_id cid, std::string, std::function<void(resolution_done)> done) {
    seen->add("gamma " + cid.hex.substr(0, 4));
    resolution_done d;
    d.market = cid;
    d.source = settle_method::gamma;
    d.ok = true; // listed, not resolved
    done(d);
  };
  src.clob = [seen](condition_id cid, std::function<void(resolution_done)> done) {
    seen->add("clob " + cid.hex.substr(0, 4));
    resolution_done d;
    d.market = cid;
    d.source = settle_method::clob;
    d.ok = true;
    d.slot_end_s = slot_end_s;
    if (cid == market_b) {
      d.resolved = true;
      d.winner = down.digits;
    }
    done(d);
  };
  src.book = [seen](condition_id cid, token_id, std::function<void(resolution_done)> done) {
    seen->add("book " + cid.hex.substr(0, 4));
    resolution_done d;
    d.market = cid;
    d.source = settle_method::last_bid;
    d.ok = true; // an empty book: no bid
    done(d);
  };
  settlement_options so;
  so.tick_every = std::chrono::hours(1);
  so.retry_ms = 1'000;
  so.clock = [n = r.now] { return n->load(); };
  auto settle = spawn_settlement(*sys, settlement_peers{r.store, r.fills, {}, {}, {}, {}, {}, {}}, src, so);
  auto status = [&] {
    settlement_status out;
    r.self->request(settle, 5s, get_atom::value, settle_atom::value)
      .receive([&](settlement_status& s) { out = s; }, [](caf::error&) { FAIL("settlement"); });
    return out;
  };
  // Polls the settlement actor until `pred` (each answer is one round trip, no sleeping for time).
  auto until = [&](auto pred) {
    for (int i = 0; i < 500 && !pred(); ++i)
      status();
    return pred();
  };
  auto tick_at = [&](std::int64_t ms) {
    *r.now = ms;
    r.self->send(settle, tick_atom::value);
  };

  // Before end + grace: B's end is learned from the CLOB, nothing is settled.
  tick_at(slot_end_s * 1000 + 10'000);
  REQUIRE(until([&] { return seen->count("clob 0xbb") >= 1; }));
  CHECK(status().settled == 0);
  CHECK(seen->count("gamma 0xaa") == 0);

  // After the grace: A is asked (Gamma, then the CLOB: unresolved, deferred); B settles by the CLOB.
  tick_at((slot_end_s + 301) * 1000);
  REQUIRE(until([&] { return status().settled == 1 && status().deferred == 1; }));
  CHECK(seen->count("gamma 0xaa") == 1);
  CHECK(seen->count("clob 0xaa") == 1);
  auto b = stored_settlement(*this, market_b);
  CHECK(b.method == settle_method::clob);
  CHECK(b.payout == usdc{5'000'000});
  CHECK(b.pnl == usdc{1'000'000}); // 5 shares bought at 0.80, paid 1 each
  CHECK(seen->count("book 0xaa") == 0); // not forced yet

  // Still unresolved long after: forced. No bid: a loss, recorded as forced.
  tick_at((slot_end_s + 300 + 3'600) * 1000);
  REQUIRE(until([&] { return status().settled == 2; }));
  CHECK(seen->count("book 0xaa") == 1);
  auto a = stored_settlement(*this, market_a);
  CHECK(a.method == settle_method::forced);
  CHECK(a.winner.empty());
  CHECK(a.payout == usdc{0});
  CHECK(a.pnl == usdc{-4'000'000});
  CHECK(status().forced == 1);
  CHECK(status().realised_pnl == usdc{-3'000'000});
  // The fill actor closed both positions; a replayed fill of a settled market books nothing.
  CHECK(r.positions().empty());
  r.self->send(r.fills, std::vector<fill_report>{leg(market_a, "t-7", 7, trade_status::matched)});
  r.self->send(r.fills, std::vector<fill_report>{leg(market_c, "t-8", 8, trade_status::matched)});
  CHECK(r.booked().fill.trade_id == "t-8");
  r.self->send_exit(settle, caf::exit_reason::user_shutdown);
}

TEST_CASE_FIXTURE(test::actor_fixture, "fill actor: a capture order's venue and paper fills are its own, through a restart, apart from the TD maker's") {
  rig r(*this);
  auto capture_live = leg(market_a, "t-c1", 5, trade_status::matched, 6'000'000);
  auto capture_paper = leg(market_a, "t-c2", 6, trade_status::matched, 7'000'000);
  capture_paper.source = fill_source::paper;
  auto td = leg(market_a, "t-td", 1, trade_status::matched, 5'000'000);
  // The order actor names its orders before they can trade; the TD maker's order
  // 1 is named too, so nothing here is an unknown order.
  r.self->send(r.fills, order_strategy_note{{capture_live.order_id, capture_paper.order_id}, strategy_kind::capture_99c});
  r.self->send(r.fills, order_strategy_note{{td.order_id}, strategy_kind::td_maker});
  r.self->send(r.fills, std::vector<fill_report>{capture_live, capture_paper, td});
  std::map<std::string, strategy_kind> seen;
  for (int i = 0; i < 3; ++i) {
    auto b = r.booked();
    seen[b.fill.trade_id] = b.fill.strategy;
  }
  CHECK(seen["t-c1"] == strategy_kind::capture_99c);
  CHECK(seen["t-c2"] == strategy_kind::capture_99c);
  CHECK(seen["t-td"] == strategy_kind::td_maker);
  auto by_key = [&] {
    std::map<std::string, position> out;
    for (auto& p : r.positions()) {
      fill_record as;
      as.token = p.token;
      as.source = p.paper ? fill_source::paper : fill_source::user_ws;
      as.strategy = p.strategy;
      out[position_key(as)] = p;
    }
    return out;
  };
  auto check_positions = [&] {
    auto ps = by_key();
    REQUIRE(ps.size() == 3);
    REQUIRE(ps.count("111"));
    REQUIRE(ps.count("111/capture_99c"));
    REQUIRE(ps.count("111/paper/capture_99c"));
    CHECK(ps["111"].bought == shares{5'000'000});
    CHECK(ps["111/capture_99c"].bought == shares{6'000'000});
    CHECK(ps["111/paper/capture_99c"].bought == shares{7'000'000});
  };
  check_positions();

  // A capture order recorded by the order actor (LMDB `orders`) that no note
  // names after the restart: the fill actor reads the orders at start.
  order_record stored;
  stored.order_id = "0x" + std::string(63, '0') + "8";
  stored.client_id = "_placing_8";
  stored.market = market_a;
  stored.token = up;
  stored.px = price{990'000};
  stored.size = shares{5'000'000};
  stored.state = order_state::live;
  stored.slot_end_s = slot_end_s; // an order whose slot ended hours ago trades no more: not indexed
  stored.strategy = strategy_kind::capture_99c;
  write_batch wb;
  wb.writes.push_back({record_db::orders, stored.order_id, encode(stored), false});
  r.self->request(r.store, 5s, std::move(wb)).receive([](commit_ack&) {}, [](caf::error&) { FAIL("store"); });

  r.restart_fills();
  check_positions(); // rebuilt from LMDB with each fill's strategy
  auto later = leg(market_a, "t-c3", 8, trade_status::matched, 1'000'000);
  r.self->send(r.fills, std::vector<fill_report>{later});
  auto b = r.booked();
  CHECK(b.fill.trade_id == "t-c3");
  CHECK(b.fill.strategy == strategy_kind::capture_99c);
  auto ps = by_key();
  CHECK(ps["111/capture_99c"].bought == shares{7'000'000});
  CHECK(ps["111"].bought == shares{5'000'000});
  // Stored with its strategy: the record says so itself.
  auto v = stored_fill(*this, fill_key(market_a, later.order_id, "t-c3"));
  CHECK(v.strategy == strategy_kind::capture_99c);
}

TEST_CASE_FIXTURE(test::actor_fixture, "settlement: one record per market split by strategy, and the status's PnL per strategy") {
  rig r(*this);
  auto capture = leg(market_b, "t-c", 10, trade_status::matched, 6'000'000);
  r.self->send(r.fills, order_strategy_note{{capture.order_id}, strategy_kind::capture_99c});
  r.self->send(r.fills, std::vector<fill_report>{leg(market_b, "t-td", 9, trade_status::matched), capture});
  r.booked();
  r.booked();
  resolution_sources src;
  src.gamma = [](condition_id cid, std::string, std::function<void(resolution_done)> done) {
    resolution_done d;
    d.market = cid;
    d.source = settle_method::gamma;
    d.ok = true; // listed, not resolved
    done(d);
  };
  src.clob = [](condition_id cid, std::function<void(resolution_done)> done) {
    resolution_done d;
    d.market = cid;
    d.source = settle_method::clob;
    d.ok = true;
    d.slot_end_s = slot_end_s;
    d.resolved = true;
    d.winner = down.digits; // the token both strategies hold
    done(d);
  };
  src.book = [](condition_id cid, token_id, std::function<void(resolution_done)> done) {
    resolution_done d;
    d.market = cid;
    d.source = settle_method::last_bid;
    d.ok = true;
    done(d);
  };
  settlement_options so;
  so.tick_every = std::chrono::hours(1);
  so.retry_ms = 1'000;
  so.clock = [n = r.now] { return n->load(); };
  auto settle = spawn_settlement(*sys, settlement_peers{r.store, r.fills, {}, {}, {}, {}, {}, {}}, src, so);
  auto status = [&] {
    settlement_status out;
    r.self->request(settle, 5s, get_atom::value, settle_atom::value)
      .receive([&](settlement_status& s) { out = s; }, [](caf::error&) { FAIL("settlement"); });
    return out;
  };
  // Before anything settled the status names every strategy, at zero.
  auto first = status();
  REQUIRE(first.by_strategy.size() == strategy_count);
  CHECK(first.by_strategy[index_of(strategy_kind::capture_99c)].realised_pnl == usdc{0});
  *r.now = (slot_end_s + 301) * 1000;
  r.self->send(settle, tick_atom::value);
  settlement_status st;
  for (int i = 0; i < 500 && st.settled == 0; ++i)
    st = status();
  REQUIRE(st.settled == 1);
  auto rec = stored_settlement(*this, market_b);
  CHECK(rec.pnl == usdc{2'200'000}); // 11 shares bought at 0.80, each paid 1
  REQUIRE(rec.by_strategy.size() == 2);
  CHECK(rec.by_strategy[0].strategy == strategy_kind::td_maker);
  CHECK(rec.by_strategy[0].pnl == usdc{1'000'000});
  CHECK(rec.by_strategy[1].strategy == strategy_kind::capture_99c);
  CHECK(rec.by_strategy[1].pnl == usdc{1'200'000});
  CHECK(st.realised_pnl == usdc{2'200'000});
  REQUIRE(st.by_strategy.size() == strategy_count);
  CHECK(st.by_strategy[index_of(strategy_kind::td_maker)].realised_pnl == usdc{1'000'000});
  CHECK(st.by_strategy[index_of(strategy_kind::capture_99c)].realised_pnl == usdc{1'200'000});
  CHECK(st.by_strategy[index_of(strategy_kind::capture_99c)].settled == 1);
  r.self->send_exit(settle, caf::exit_reason::user_shutdown);

  // A restart of the settlement actor: the split comes back from the records.
  auto again = spawn_settlement(*sys, settlement_peers{r.store, r.fills, {}, {}, {}, {}, {}, {}}, src, so);
  settlement_status back;
  r.self->request(again, 5s, get_atom::value, settle_atom::value)
    .receive([&](settlement_status& s) { back = s; }, [](caf::error&) { FAIL("settlement"); });
  REQUIRE(back.by_strategy.size() == strategy_count);
  CHECK(back.by_strategy[index_of(strategy_kind::capture_99c)].realised_pnl == usdc{1'200'000});
  r.self->send_exit(again, caf::exit_reason::user_shutdown);
}
