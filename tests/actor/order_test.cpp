// The order actor's flows against a scripted venue: each venue call is recorded
// and answered by the test, in the order and with the replies a scenario needs.
// The test plays the market (it sends the batches and receives order updates)
// and bidding (it receives budget releases and claims). Time is an injected clock.
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include <doctest/doctest.h>

#include "net/clob_session.hpp"
#include "actors/order.hpp"
#include "net/order_venue.hpp"
#include "actors/store.hpp"
#include "fixture.hpp"

using namespace tdmaker;
using namespace std::chrono_literals;

namespace {

const condition_id market{"0x" + std::string(64, 'c')};
constexpr std::int64_t t0 = 1'800'000'000'000; // ms
constexpr std::int64_t slot_end_s = 1'800'000'900;

std::string id_of(int n) {
  auto hex = std::to_string(n);
  return "0x" + std::string(64 - hex.size(), '0') + hex;
}

/// Records every call; the test answers through the stored callbacks.
class scripted_venue : public order_venue {
public:
  bool ready() const override { return true; }

  result<signed_placement> sign(const place_intent&, std::int64_t) override {
    std::lock_guard lk(m_);
    return signed_placement{id_of(++signed_), {}, false};
  }
  void place(std::vector<signed_placement> orders, std::function<void(placements_done)> done) override {
    std::lock_guard lk(m_);
    std::vector<std::string> ids;
    for (auto& o : orders)
      ids.push_back(o.order_id);
    placed.push_back(ids);
    place_cbs.push_back(std::move(done));
    cv_.notify_all();
  }
  void cancel(std::vector<std::string> ids, std::function<void(cancels_done)> done) override {
    std::lock_guard lk(m_);
    cancels.push_back(std::move(ids));
    cancel_cbs.push_back(std::move(done));
    cv_.notify_all();
  }
  void lookup(std::string id, std::function<void(lookup_done)> done) override {
    std::lock_guard lk(m_);
    lookups.push_back(std::move(id));
    lookup_cbs.push_back(std::move(done));
    cv_.notify_all();
  }
  void open_orders(std::function<void(open_orders_done)> done) override {
    std::lock_guard lk(m_);
    open_cbs.push_back(std::move(done));
    cv_.notify_all();
  }
  void balance(std::function<void(result<usdc>)> done) override { done(usdc{100'000'000}); }

  /// Waits until `pred` holds over the recorded calls.
  template <class Pred>
  bool wait(Pred pred) {
    std::unique_lock lk(m_);
    return cv_.wait_for(lk, 5s, [&] { return pred(*this); });
  }

  std::vector<std::vector<std::string>> placed;
  std::vector<std::function<void(placements_done)>> place_cbs;
  std::vector<std::vector<std::string>> cancels;
  std::vector<std::function<void(cancels_done)>> cancel_cbs;
  std::vector<std::string> lookups;
  std::vector<std::function<void(lookup_done)>> lookup_cbs;
  std::vector<std::function<void(open_orders_done)>> open_cbs;

private:
  std::mutex m_;
  std::condition_variable cv_;
  int signed_ = 0;
};

place_intent intent(std::uint32_t rung, std::int64_t cents) {
  place_intent i;
  i.market = market;
  i.token = token_id{"1130"};
  i.side_outcome = outcome::up;
  i.rung = rung;
  i.px = price{cents * 10'000};
  i.size = shares{5'000'000};
  i.reserved = usdc{cents * 50'000};
  i.slot_end_s = slot_end_s;
  return i;
}

placement_result placed_live(const std::string& id) { return {id, place_verdict::placed, "live", "", false}; }
placement_result refused(const std::string& id, std::string why) {
  return {id, place_verdict::rejected, "", std::move(why), false};
}
placement_result unclear(const std::string& id) {
  return {id, place_verdict::unknown, "", "HTTP 502", false};
}

struct rig {
  test::actor_fixture& fx;
  caf::scoped_actor self;
  std::shared_ptr<scripted_venue> venue = std::make_shared<scripted_venue>();
  std::shared_ptr<std::atomic<std::int64_t>> now = std::make_shared<std::atomic<std::int64_t>>(t0);
  std::shared_ptr<lmdb_env> env;
  store_actor store;
  order_actor orders;

  /// `own_env`: a store over another LMDB (a tiny map); `notifier`: who hears alerts.
  /// The store probes only when the test sends probe_atom.
  /// `heartbeat`: the node is live with a key, so bids wait for a healthy heartbeat chain.
  explicit rig(test::actor_fixture& f, std::vector<order_record> ledger = {}, std::shared_ptr<lmdb_env> own_env = {},
               notifier_actor notifier = {}, bool heartbeat = false, std::optional<phase_policy> phases = {})
    : fx(f), self(*f.sys), env(own_env ? own_env : f.env) {
    store_health_options h;
    h.probe_every = std::chrono::hours(1);
    store = spawn_store(*fx.sys, env, telemetry_actor{}, {}, h);
    if (!ledger.empty()) {
      write_batch b;
      for (auto& r : ledger)
        b.writes.push_back({record_db::orders, r.order_id, encode(r), false});
      self->request(store, 5s, std::move(b)).receive([](commit_ack&) {}, [](caf::error&) { FAIL("store"); });
    }
    order_options o;
    o.paper = false;
    o.sweep_every = std::chrono::hours(1); // the test sends the sweep
    o.cancel_before_end_ms = 10'000;
    o.clock = [n = now] { return n->load(); };
    o.heartbeat_required = heartbeat;
    o.phases = std::move(phases);
    orders = spawn_order(*fx.sys, venue, order_peers{store, caf::actor_cast<bidding_actor>(self), {}, notifier, {}}, o);
    self->send(orders, phase_record{phase::proof_of_concept, phase::experience, t0, "test", "test"});
    feed_fresh();
  }
  ~rig() {
    self->send_exit(orders, caf::exit_reason::user_shutdown);
    self->send_exit(store, caf::exit_reason::user_shutdown);
  }

  void feed_fresh() {
    feed_health h;
    h.channel = "market";
    h.connected = true;
    h.last_message_age_ms = 0;
    self->send(orders, h);
  }

  /// Startup reconciliation with the venue's open orders.
  void reconcile(std::vector<venue_open_order> open = {}) {
    REQUIRE(venue->wait([](auto& v) { return !v.open_cbs.empty(); }));
    venue->open_cbs.back()(open_orders_done{true, "", std::move(open)});
  }

  /// One order placed and acknowledged live; returns its id.
  std::string place_live(place_intent i) {
    auto before = venue->placed.size();
    self->send(orders, place_batch{market, {std::move(i)}});
    REQUIRE(venue->wait([&](auto& v) { return v.placed.size() == before + 1; }));
    auto id = venue->placed[before][0];
    venue->place_cbs[before](placements_done{{placed_live(id)}});
    CHECK(update().state == order_state::live);
    return id;
  }

  /// The next update of `id` in `state`, skipping others.
  order_update update_for(const std::string& id, order_state state) {
    for (;;) {
      auto u = update();
      if (u.order_id == id && u.state == state)
        return u;
    }
  }
  order_update update() {
    order_update out;
    self->receive([&](order_update& u) { out = u; }, caf::after(5s) >> [] { FAIL("no order update"); });
    return out;
  }
  budget_release release() {
    budget_release out;
    self->receive([&](budget_release& r) { out = r; }, caf::after(5s) >> [] { FAIL("no budget release"); });
    return out;
  }
  order_record stored(const std::string& id) {
    auto v = env->get(record_db::orders, id);
    REQUIRE(v);
    REQUIRE(v->found);
    return *decode_order_record(v->payload);
  }
  /// Everything sent to the order actor so far has been handled.
  void sync() {
    self->request(orders, 5s, get_atom::value).receive([](std::vector<order_record>&) {}, [](caf::error&) { FAIL("order actor"); });
  }
  void sweep_at(std::int64_t ms) {
    sync(); // answers given so far are handled at the old time
    *now = ms;
    feed_fresh();
    self->send(orders, expire_atom::value);
  }
};

} // namespace

TEST_CASE_FIXTURE(test::actor_fixture, "orders: placeholders are durable before the request - then live, rejected, slot-end cancel") {
  rig r(*this);
  r.reconcile();
  r.self->send(r.orders, place_batch{market, {intent(0, 85), intent(1, 83)}});
  REQUIRE(r.venue->wait([](auto& v) { return v.placed.size() == 1; }));
  auto ids = r.venue->placed[0];
  REQUIRE(ids.size() == 2); // one POST /orders for the batch
  // The venue is only asked after both placeholders are in LMDB.
  auto ph = r.stored(ids[0]);
  CHECK(ph.state == order_state::placing);
  CHECK(ph.client_id.starts_with("_placing_"));
  CHECK(ph.reserved == usdc{4'250'000});
  CHECK(r.stored(ids[1]).state == order_state::placing);

  r.venue->place_cbs[0](placements_done{{placed_live(ids[0]), refused(ids[1], "invalid post-only order: order crosses book")}});
  auto u1 = r.update();
  auto u2 = r.update();
  if (u1.order_id != ids[0])
    std::swap(u1, u2);
  CHECK(u1.state == order_state::live);
  CHECK(u2.state == order_state::rejected);
  CHECK(u2.reason == "invalid post-only order: order crosses book");
  CHECK(u2.rung == 1); // the market frees this rung and re-prices it on its next evaluation
  auto rel = r.release();
  CHECK(rel.amount == usdc{4'150'000});
  CHECK(r.stored(ids[0]).state == order_state::live);
  CHECK(r.stored(ids[1]).state == order_state::rejected);

  // 10 s before the slot ends everything of the market is cancelled.
  r.sweep_at((slot_end_s - 11) * 1000);
  r.sweep_at((slot_end_s - 10) * 1000);
  REQUIRE(r.venue->wait([](auto& v) { return v.cancels.size() == 1; }));
  CHECK(r.venue->cancels[0] == std::vector<std::string>{ids[0]});
  CHECK(r.update().state == order_state::cancel_pending);
  CHECK(r.stored(ids[0]).state == order_state::cancel_pending);
  r.venue->cancel_cbs[0](cancels_done{{ids[0]}, true, "", {ids[0]}, {}, {}});
  // "canceled" is confirmed by the order's record, which also tells what traded
  // before the cancel: 2 of the 5 shares, now a position that keeps its budget.
  REQUIRE(r.venue->wait([](auto& v) { return v.lookups.size() == 1; }));
  r.venue->lookup_cbs[0](lookup_done{ids[0], true, false, "CANCELED", shares{2'000'000}, shares{5'000'000}, ""});
  auto done = r.update();
  CHECK(done.state == order_state::cancelled);
  CHECK(done.matched == shares{2'000'000});
  CHECK(r.release().amount == usdc{2'550'000}); // 4.25 reserved - 1.70 held by the 2 shares
  CHECK(r.stored(ids[0]).state == order_state::cancelled);
  CHECK(r.stored(ids[0]).matched == shares{2'000'000});
  // And no new order is accepted that close to the end.
  r.self->send(r.orders, place_batch{market, {intent(2, 80)}});
  auto late = r.update();
  CHECK(late.state == order_state::rejected);
  CHECK(late.reason == "slot ends within orders.cancel_before_end_ms");
  r.release();
}

TEST_CASE_FIXTURE(test::actor_fixture, "orders: no clear reply - the ghost check finds one order, the other was never placed") {
  rig r(*this);
  r.reconcile();
  r.self->send(r.orders, place_batch{market, {intent(0, 85), intent(1, 83)}});
  REQUIRE(r.venue->wait([](auto& v) { return v.placed.size() == 1; }));
  auto ids = r.venue->placed[0];
  r.venue->place_cbs[0](placements_done{{unclear(ids[0]), unclear(ids[1])}});
  CHECK(r.update().state == order_state::unknown);
  CHECK(r.update().state == order_state::unknown);
  // Never re-sent: looked up every recheck interval (5 s) until the venue says.
  for (int k = 1; k <= 3; ++k) {
    r.sweep_at(t0 + k * 5'000 + 1);
    REQUIRE(r.venue->wait([&](auto& v) { return v.lookups.size() >= static_cast<std::size_t>(k == 1 ? 2 : k + 1); }));
    if (k == 1) {
      // First look-up: the first order rests (its reply was lost), the second is a 404.
      lookup_done found{ids[0], true, false, "LIVE", shares{0}, shares{5'000'000}, ""};
      r.venue->lookup_cbs[0](found);
      CHECK(r.update().state == order_state::live);
      r.venue->lookup_cbs[1](lookup_done{ids[1], false, true, "", {}, {}, "Order not found"});
    } else {
      r.venue->lookup_cbs.back()(lookup_done{ids[1], false, true, "", {}, {}, "Order not found"});
    }
  }
  auto gone = r.update();
  CHECK(gone.order_id == ids[1]);
  CHECK(gone.state == order_state::rejected);
  CHECK(gone.reason == "not on the venue after 3 look-ups: never placed");
  CHECK(r.release().amount == usdc{4'150'000});
  CHECK(r.venue->placed.size() == 1); // nothing was sent twice
  CHECK(r.stored(ids[0]).state == order_state::live);
  CHECK(r.stored(ids[1]).checks == 3);
}

TEST_CASE_FIXTURE(test::actor_fixture, "orders: no answer at all within the placement timeout leads to the ghost check") {
  rig r(*this);
  r.reconcile();
  r.self->send(r.orders, place_batch{market, {intent(0, 85)}});
  REQUIRE(r.venue->wait([](auto& v) { return v.placed.size() == 1; }));
  auto id = r.venue->placed[0][0];
  r.sweep_at(t0 + 14'999);
  r.sweep_at(t0 + 15'000);
  REQUIRE(r.venue->wait([](auto& v) { return v.lookups.size() == 1; }));
  CHECK(r.update().state == order_state::unknown);
  CHECK(r.stored(id).reason == "no reply within the placement timeout");
  r.venue->lookup_cbs[0](lookup_done{id, true, false, "MATCHED", shares{5'000'000}, shares{5'000'000}, ""});
  auto u = r.update();
  CHECK(u.state == order_state::filled);
  CHECK(u.matched == shares{5'000'000});
  // The late reply changes nothing.
  r.venue->place_cbs[0](placements_done{{placed_live(id)}});
  r.self->send(r.orders, get_atom::value);
  r.self->receive([](std::vector<order_record>& open) { CHECK(open.empty()); }, caf::after(5s) >> [] { FAIL("no answer"); });
}

TEST_CASE_FIXTURE(test::actor_fixture, "orders: a pending cancel unanswered for 30 s is checked on the venue - its failure is sent again") {
  rig r(*this);
  r.reconcile();
  auto id = r.place_live(intent(0, 85));
  *r.now = t0 + 1'000;
  r.self->send(r.orders, cancel_batch{market, {id}});
  REQUIRE(r.venue->wait([](auto& v) { return v.cancels.size() == 1; }));
  CHECK(r.update().state == order_state::cancel_pending);
  r.sweep_at(t0 + 30'999);
  r.sweep_at(t0 + 31'000);
  REQUIRE(r.venue->wait([](auto& v) { return v.lookups.size() == 1; }));
  // Still live on the venue, but the DELETE is still out: no second one beside it.
  r.venue->lookup_cbs[0](lookup_done{id, true, false, "LIVE", shares{0}, shares{5'000'000}, ""});
  r.sync();
  CHECK(r.venue->cancels.size() == 1);
  CHECK(r.stored(id).state == order_state::cancel_pending);
  r.venue->cancel_cbs[0](cancels_done{{id}, false, "cancel: HTTP 0 timeout", {}, {}, {}});
  r.sweep_at(t0 + 33'000);
  REQUIRE(r.venue->wait([](auto& v) { return v.cancels.size() == 2; }));
  CHECK(r.venue->cancels[1] == std::vector<std::string>{id});
  r.venue->cancel_cbs[1](cancels_done{{id}, true, "", {}, {id}, {"Order already matched"}});
  REQUIRE(r.venue->wait([](auto& v) { return v.lookups.size() == 2; }));
  r.venue->lookup_cbs[1](lookup_done{id, true, false, "MATCHED", shares{5'000'000}, shares{5'000'000}, ""});
  CHECK(r.update().state == order_state::filled);
  CHECK(r.stored(id).state == order_state::filled);
}

TEST_CASE_FIXTURE(test::actor_fixture, "orders: a failed slot-end cancel is sent again after its backoff - not left for the 30 s expiry") {
  rig r(*this);
  r.reconcile();
  auto id = r.place_live(intent(0, 85));
  // 10 s before the end the sweep cancels it; the DELETE fails (after the client's retries).
  r.sweep_at(slot_end_s * 1000 - 10'000);
  REQUIRE(r.venue->wait([](auto& v) { return v.cancels.size() == 1; }));
  CHECK(r.update().state == order_state::cancel_pending);
  r.venue->cancel_cbs[0](cancels_done{{id}, false, "cancel: HTTP 429 Too Many Requests", {}, {}, {}});
  // The first retry waits 0.5-1 s.
  r.sweep_at(slot_end_s * 1000 - 9'600);
  r.sync();
  CHECK(r.venue->cancels.size() == 1);
  r.sweep_at(slot_end_s * 1000 - 9'000);
  REQUIRE(r.venue->wait([](auto& v) { return v.cancels.size() == 2; }));
  CHECK(r.venue->cancels[1] == std::vector<std::string>{id});
  // A sweep while it is out sends no third.
  r.sweep_at(slot_end_s * 1000 - 8'000);
  r.sync();
  CHECK(r.venue->cancels.size() == 2);
  r.venue->cancel_cbs[1](cancels_done{{id}, false, "cancel: HTTP 500 could not cancel", {}, {}, {}});
  // The second waits 1-2 s.
  r.sweep_at(slot_end_s * 1000 - 6'000);
  REQUIRE(r.venue->wait([](auto& v) { return v.cancels.size() == 3; }));
  r.venue->cancel_cbs[2](cancels_done{{id}, true, "", {id}, {}, {}});
  REQUIRE(r.venue->wait([](auto& v) { return v.lookups.size() == 1; }));
  r.venue->lookup_cbs[0](lookup_done{id, true, false, "CANCELED", shares{0}, shares{5'000'000}, ""});
  CHECK(r.update_for(id, order_state::cancelled).order_id == id);
  // Settled: later sweeps send nothing more.
  r.sweep_at(slot_end_s * 1000 - 1'000);
  r.sync();
  CHECK(r.venue->cancels.size() == 3);
  CHECK(r.venue->lookups.size() == 1);
}

TEST_CASE_FIXTURE(test::actor_fixture, "orders: startup reconciliation adopts known orders, cancels orphans, looks up the rest") {
  auto rec = [](int n, order_state s) {
    order_record o;
    o.order_id = id_of(n);
    o.client_id = "_placing_" + std::to_string(n);
    o.market = market;
    o.token = token_id{"1130"};
    o.rung = static_cast<std::uint32_t>(n);
    o.px = price{800'000};
    o.size = shares{5'000'000};
    o.reserved = usdc{4'000'000};
    o.state = s;
    o.created_ms = o.updated_ms = t0 - 5'000;
    o.slot_end_s = slot_end_s;
    return o;
  };
  rig r(*this, {rec(1, order_state::live), rec(2, order_state::placing)});
  // Before reconciliation nothing new goes out.
  r.self->send(r.orders, place_batch{market, {intent(5, 85)}});
  auto early = r.update();
  CHECK(early.state == order_state::rejected);
  CHECK(early.reason == "not yet reconciled with the venue");
  r.release();
  auto orphan = id_of(99);
  r.reconcile({{id_of(1), "LIVE", market.hex, "1130", price{800'000}, shares{5'000'000}, shares{1'000'000}},
               {orphan, "LIVE", market.hex, "1130", price{10'000}, shares{5'000'000}, shares{0}}});
  REQUIRE(r.venue->wait([](auto& v) { return v.cancels.size() == 1 && v.lookups.size() == 1; }));
  CHECK(r.venue->cancels[0] == std::vector<std::string>{orphan});
  CHECK(r.venue->lookups[0] == id_of(2));
  CHECK(r.stored(id_of(1)).state == order_state::partially_filled);
  CHECK(r.stored(id_of(1)).reason == "adopted at start");
  // The market, restarted too, asks for its orders: their budget is reserved again, once.
  auto ask = [&] {
    std::vector<order_record> mine;
    r.self->request(r.orders, 5s, get_atom::value, market).receive([&](std::vector<order_record>& v) { mine = v; },
                                                                   [](caf::error&) { FAIL("no orders"); });
    return mine;
  };
  CHECK(ask().size() == 2);
  budget_claim c1, c2;
  r.self->receive([&](budget_claim& c) { c1 = c; }, caf::after(5s) >> [] { FAIL("no claim"); });
  r.self->receive([&](budget_claim& c) { c2 = c; }, caf::after(5s) >> [] { FAIL("no claim"); });
  CHECK(c1.amount == usdc{4'000'000});
  CHECK(c2.amount == usdc{4'000'000});
  // A second ask (a market restart) claims nothing more. A claim would precede
  // the reply (one sender, in order), so an empty mailbox now is conclusive.
  CHECK(ask().size() == 2);
  r.self->receive([](budget_claim&) { FAIL("claimed twice"); }, caf::after(std::chrono::seconds(0)) >> [] {});
  // The placeholder never reached the venue: three 404s and it is rejected.
  for (int k = 0; k < 3; ++k) {
    if (k > 0) {
      r.sweep_at(t0 + k * 5'000 + 1);
      REQUIRE(r.venue->wait([&](auto& v) { return v.lookups.size() == static_cast<std::size_t>(k + 1); }));
    }
    r.venue->lookup_cbs[static_cast<std::size_t>(k)](lookup_done{id_of(2), false, true, "", {}, {}, "Order not found"});
  }
  CHECK(r.update_for(id_of(2), order_state::rejected).reason == "not on the venue after 3 look-ups: never placed");
  CHECK(r.stored(id_of(2)).state == order_state::rejected); // durable before the update was sent
}

TEST_CASE_FIXTURE(test::actor_fixture, "orders: a stale feed cancels everything, then halts trading until a phase switch") {
  rig r(*this);
  r.reconcile();
  auto id = r.place_live(intent(0, 85));
  // The market feed has been silent for 60 s (risk limits: cancel at 15 s, halt at 60 s).
  feed_health stale;
  stale.channel = "market";
  stale.connected = true;
  stale.last_message_age_ms = 60'000;
  r.self->send(r.orders, stale);
  r.self->send(r.orders, expire_atom::value);
  REQUIRE(r.venue->wait([](auto& v) { return v.cancels.size() == 1; }));
  CHECK(r.update().state == order_state::cancel_pending);
  // The feed is back, but a halt is latched: new orders are refused.
  r.feed_fresh();
  r.self->send(r.orders, place_batch{market, {intent(1, 83)}});
  auto refused_while_halted = r.update();
  CHECK(refused_while_halted.state == order_state::rejected);
  CHECK(refused_while_halted.reason == "trading halted: market feed stale beyond stale_halt_ms");
  r.release();
  // The operator switches the phase: trading resumes.
  r.self->send(r.orders, phase_record{phase::real_money_trial, phase::proof_of_concept, t0, "resume", "test"});
  r.self->send(r.orders, place_batch{market, {intent(1, 83)}});
  REQUIRE(r.venue->wait([](auto& v) { return v.placed.size() == 2; }));
}

TEST_CASE_FIXTURE(test::actor_fixture, "orders: a fill is settled from the venue's order record, and an unknown order's fill is claimed from the budget") {
  rig r(*this);
  r.reconcile();
  auto id = r.place_live(intent(0, 80));
  // A booked fill of our order: the venue's record settles matched size and state.
  fill_record f;
  f.key = fill_key(market, id, "t-1");
  f.trade_id = "t-1";
  f.order_id = id;
  f.market = market;
  f.token = token_id{"1130"};
  f.px = price{800'000};
  f.size = shares{2'000'000};
  r.self->send(r.orders, fill_booked{f, fill_change::booked});
  REQUIRE(r.venue->wait([](auto& v) { return v.lookups.size() == 1; }));
  CHECK(r.venue->lookups[0] == id);
  r.venue->lookup_cbs[0](lookup_done{id, true, false, "LIVE", shares{2'000'000}, shares{5'000'000}, ""});
  auto u = r.update_for(id, order_state::partially_filled);
  CHECK(u.matched == shares{2'000'000});
  CHECK(r.stored(id).matched == shares{2'000'000});
  // A fill of an order this ledger never had (placed by hand with the key): its
  // cost was never reserved, so it is claimed.
  f.order_id = "0x" + std::string(64, 'f');
  f.key = fill_key(market, f.order_id, "t-2");
  f.trade_id = "t-2";
  f.px = price{700'000};
  f.size = shares{3'000'000};
  r.self->send(r.orders, fill_booked{f, fill_change::booked});
  budget_claim c;
  r.self->receive([&](budget_claim& x) { c = x; }, caf::after(5s) >> [] { FAIL("no claim"); });
  CHECK(c.market == market);
  CHECK(c.amount == usdc{2'100'000});
}

TEST_CASE_FIXTURE(test::actor_fixture, "orders: an exit sells on its position's book whatever the phase - live in Experience, paper never sent") {
  rig r(*this);
  r.reconcile();
  // The operator switches to Experience (paper only) while a live position is held.
  r.self->send(r.orders, phase_record{phase::experience, phase::proof_of_concept, t0, "review", "test"});
  r.sync();
  auto exit = intent(31, 30); // the market's exit rung
  exit.side = order_side::sell;
  exit.post_only = false;
  exit.reserved = usdc{0};
  exit.paper = false;
  // The live exit reaches the venue: a paper phase must not trap real money.
  auto id = r.place_live(exit);
  CHECK_FALSE(r.stored(id).paper);
  // A paper position's exit is recorded on the paper book and never sent.
  exit.paper = true;
  r.self->send(r.orders, place_batch{market, {exit}});
  auto u = r.update();
  CHECK(u.paper);
  CHECK(u.side == order_side::sell);
  // A new entry takes the phase's book: paper.
  r.self->send(r.orders, place_batch{market, {intent(0, 80)}});
  auto b = r.update();
  CHECK(b.paper);
  r.sync();
  CHECK(r.venue->placed.size() == 1);
}

TEST_CASE_FIXTURE(test::actor_fixture, "orders: a fill during a ghost check - the order's matched size comes from the venue's record, stored and told") {
  rig r(*this);
  r.reconcile();
  r.self->send(r.orders, place_batch{market, {intent(0, 51)}});
  REQUIRE(r.venue->wait([](auto& v) { return v.placed.size() == 1; }));
  auto id = r.venue->placed[0][0];
  // The trade is booked while the placement's reply is still out (the reply was lost).
  fill_record f;
  f.key = fill_key(market, id, "t-1");
  f.trade_id = "t-1";
  f.order_id = id;
  f.market = market;
  f.token = token_id{"1130"};
  f.px = price{510'000};
  f.size = shares{5'000'000};
  r.self->send(r.orders, fill_booked{f, fill_change::booked});
  REQUIRE(r.venue->wait([](auto& v) { return v.lookups.size() == 1; }));
  // The ghost check finds the order MATCHED: that says it traded, not how much.
  r.venue->place_cbs[0](placements_done{{{id, place_verdict::placed, "MATCHED", "", true}}});
  auto u = r.update_for(id, order_state::filled);
  // The fill's look-up answers: 5 matched. The state is the same, the size is news.
  r.venue->lookup_cbs[0](lookup_done{id, true, false, "MATCHED", shares{5'000'000}, shares{5'000'000}, ""});
  for (;;) {
    u = r.update();
    if (u.order_id == id && u.matched == shares{5'000'000})
      break;
  }
  CHECK(u.state == order_state::filled);
  r.sync();
  CHECK(r.stored(id).matched == shares{5'000'000});
}

TEST_CASE_FIXTURE(test::actor_fixture, "orders: a failing store admits no new bid, cancels and exits still go out, and a recovered one admits again") {
  struct gone_after {
    std::string dir;
    ~gone_after() { std::filesystem::remove_all(dir); }
  } tmp{test::temp_dir("tiny")};
  auto tiny = lmdb_env::open(tmp.dir, 1); // 1 MB
  REQUIRE(tiny);
  caf::scoped_actor alerts(*sys);
  rig r(*this, {}, *tiny, caf::actor_cast<notifier_actor>(alerts.ptr()));
  r.reconcile();
  auto resting = r.place_live(intent(0, 85));
  // The map cannot take this record: MDB_MAP_FULL, and the store trips. Its
  // watchers hear it before this writer hears of its failed commit.
  write_batch big;
  big.writes.push_back({record_db::audit, "big", std::string(2 * 1024 * 1024, 'x'), false});
  r.self->request(r.store, 5s, std::move(big)).receive([](commit_ack&) { FAIL("a 2 MB record fit a 1 MB map"); }, [](caf::error&) {});
  r.sync();

  // A bid is refused up front: no placeholder, no POST, its budget back.
  r.self->send(r.orders, place_batch{market, {intent(1, 80)}});
  auto refused_bid = r.update();
  CHECK(refused_bid.state == order_state::rejected);
  CHECK(refused_bid.reason.starts_with("store failing: "));
  CHECK(refused_bid.reason.find("MDB_MAP_FULL") != std::string::npos);
  CHECK(r.release().amount == usdc{4'000'000});
  // The resting bid's cancel goes out.
  r.self->send(r.orders, cancel_batch{market, {resting}});
  REQUIRE(r.venue->wait([](auto& v) { return v.cancels.size() == 1; }));
  CHECK(r.venue->cancels[0] == std::vector<std::string>{resting});
  // A stop-loss exit goes out.
  auto exit = intent(31, 30);
  exit.side = order_side::sell;
  exit.post_only = false;
  exit.reserved = usdc{0};
  exit.paper = false;
  r.self->send(r.orders, place_batch{market, {exit}});
  REQUIRE(r.venue->wait([](auto& v) { return v.placed.size() == 2; }));
  r.sync();
  CHECK(r.venue->placed.size() == 2); // the resting bid and the exit: the refused bid never went
  // The trip raised one critical alert.
  alert tripped;
  alerts->receive([&](alert& a) { tripped = a; }, caf::after(5s) >> [] { FAIL("no alert"); });
  CHECK(tripped.level == severity::critical);
  CHECK(tripped.topic == "store");
  CHECK(tripped.text.find("STORE FAILING") != std::string::npos);

  // The probe commits with room in the map: recovered, bids admitted again.
  r.self->send(r.store, probe_atom::value);
  alert back;
  alerts->receive([&](alert& a) { back = a; }, caf::after(5s) >> [] { FAIL("no recovery alert"); });
  CHECK(back.text.find("recovered") != std::string::npos);
  r.self->send(r.orders, place_batch{market, {intent(2, 80)}});
  REQUIRE(r.venue->wait([](auto& v) { return v.placed.size() == 3; }));
  auto admitted = r.venue->placed[2][0];
  CHECK(r.stored(admitted).state == order_state::placing); // its placeholder committed first
}

TEST_CASE_FIXTURE(test::actor_fixture, "orders: a slot-end cancel of an order still being placed waits for its reply, then cancels it") {
  rig r(*this);
  r.reconcile();
  r.sweep_at((slot_end_s - 12) * 1000);
  r.self->send(r.orders, place_batch{market, {intent(0, 85)}});
  REQUIRE(r.venue->wait([](auto& v) { return v.placed.size() == 1; }));
  auto id = r.venue->placed[0][0];
  // The slot-end sweep comes while the POST is in flight: no DELETE may pass it
  // (it would find nothing, and the order would be booked cancelled, or rest untracked).
  r.sweep_at((slot_end_s - 10) * 1000);
  r.sync();
  CHECK(r.venue->cancels.empty());
  CHECK(r.stored(id).state == order_state::placing);
  r.venue->place_cbs[0](placements_done{{placed_live(id)}});
  CHECK(r.update().state == order_state::live);
  REQUIRE(r.venue->wait([](auto& v) { return v.cancels.size() == 1; }));
  CHECK(r.venue->cancels[0] == std::vector<std::string>{id});
  CHECK(r.update().state == order_state::cancel_pending);
}

TEST_CASE_FIXTURE(test::actor_fixture, "orders: an unhealthy heartbeat admits no new bid, cancels and exits go, and a lapse reconciles at once") {
  rig r(*this, {}, {}, {}, true);
  r.reconcile();
  auto beat = [&](heartbeat_state s, std::string why, std::uint64_t sent, std::uint64_t failed, std::uint64_t lapses) {
    r.self->send(r.orders, heartbeat_status{s, std::move(why), sent, failed, lapses});
  };
  // Before the first heartbeat success a bid is refused up front, its budget back.
  r.self->send(r.orders, place_batch{market, {intent(0, 85)}});
  auto early = r.update();
  CHECK(early.state == order_state::rejected);
  CHECK(early.reason == "heartbeat not healthy: no heartbeat answered yet");
  CHECK(r.release().amount == usdc{4'250'000});
  CHECK(r.venue->placed.empty());

  beat(heartbeat_state::healthy, "", 1, 0, 0);
  auto cancelled = r.place_live(intent(0, 85));
  auto kept = r.place_live(intent(1, 84));

  beat(heartbeat_state::unhealthy, "no heartbeat answered for 3001 ms: HTTP 500", 3, 1, 0);
  r.self->send(r.orders, place_batch{market, {intent(2, 83)}});
  auto refused_bid = r.update();
  CHECK(refused_bid.state == order_state::rejected);
  CHECK(refused_bid.reason == "heartbeat not healthy: no heartbeat answered for 3001 ms: HTTP 500");
  r.release();
  // A cancel goes out, and so does a stop-loss exit.
  r.self->send(r.orders, cancel_batch{market, {cancelled}});
  REQUIRE(r.venue->wait([](auto& v) { return v.cancels.size() == 1; }));
  CHECK(r.venue->cancels[0] == std::vector<std::string>{cancelled}); // left unanswered: cancel_pending
  auto exit = intent(31, 30);
  exit.side = order_side::sell;
  exit.post_only = false;
  exit.reserved = usdc{0};
  exit.paper = false;
  r.self->send(r.orders, place_batch{market, {exit}});
  REQUIRE(r.venue->wait([](auto& v) { return v.placed.size() == 3; }));
  auto exit_id = r.venue->placed[2][0];
  r.venue->place_cbs[2](placements_done{{placed_live(exit_id)}});
  CHECK(r.update_for(exit_id, order_state::live).order_id == exit_id);
  r.sync();
  CHECK(r.venue->placed.size() == 3); // two bids while healthy, the exit: the refused bids never went
  CHECK(r.venue->open_cbs.size() == 1); // no reconciliation yet: unhealthy is not a lapse

  // The chain breaks: the venue cancelled everything. The node lists the venue's
  // open orders at once; nothing rests, so each open ledger order is looked up
  // (the bid resting, the exit, and the bid whose cancel is pending).
  beat(heartbeat_state::unhealthy, "venue answered Invalid Heartbeat ID: the chain restarts", 4, 2, 1);
  REQUIRE(r.venue->wait([](auto& v) { return v.open_cbs.size() == 2; }));
  r.venue->open_cbs[1](open_orders_done{true, "", {}});
  REQUIRE(r.venue->wait([](auto& v) { return v.lookups.size() == 3; }));
  for (std::size_t k = 0; k < 3; ++k) {
    auto id = r.venue->lookups[k];
    r.venue->lookup_cbs[k](lookup_done{id, true, false, "CANCELED", shares{0}, shares{5'000'000}, ""});
  }
  std::set<std::string> told; // all are told, in any order, after their state is stored
  while (told.size() < 3) {
    auto u = r.update();
    if (u.state == order_state::cancelled)
      told.insert(u.order_id);
  }
  CHECK(r.stored(kept).state == order_state::cancelled);
  CHECK(r.stored(exit_id).state == order_state::cancelled);

  // Healthy again: one more listing (the venue may cancel a moment after the
  // lapse is seen), and bids are admitted again.
  beat(heartbeat_state::healthy, "", 5, 2, 1);
  REQUIRE(r.venue->wait([](auto& v) { return v.open_cbs.size() == 3; }));
  r.venue->open_cbs[2](open_orders_done{true, "", {}});
  r.self->send(r.orders, place_batch{market, {intent(3, 82)}});
  REQUIRE(r.venue->wait([](auto& v) { return v.placed.size() == 4; }));
}

TEST_CASE_FIXTURE(test::actor_fixture, "orders: a lapse during a reconciliation lists the venue again after it") {
  rig r(*this, {}, {}, {}, true);
  r.reconcile();
  r.self->send(r.orders, heartbeat_status{heartbeat_state::unhealthy, "lapsed", 3, 2, 1});
  REQUIRE(r.venue->wait([](auto& v) { return v.open_cbs.size() == 2; }));
  r.self->send(r.orders, heartbeat_status{heartbeat_state::unhealthy, "lapsed again", 6, 4, 2});
  r.sync();
  CHECK(r.venue->open_cbs.size() == 2); // one listing at a time
  r.venue->open_cbs[1](open_orders_done{true, "", {}});
  REQUIRE(r.venue->wait([](auto& v) { return v.open_cbs.size() == 3; }));
}

namespace {

/// The stored record of `id` satisfies `pred` within 5 s (the store commits after the actor moves on).
template <class Pred>
bool stored_within(rig& r, const std::string& id, Pred pred) {
  auto until = std::chrono::steady_clock::now() + 5s;
  while (std::chrono::steady_clock::now() < until) {
    if (auto v = r.env->get(record_db::orders, id); v && v->found)
      if (auto rec = decode_order_record(v->payload); rec && pred(*rec))
        return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

place_intent exit_intent() {
  auto i = intent(31, 30); // the stop-loss sells at the bid: a taker when it crosses
  i.side = order_side::sell;
  i.reserved = usdc{0};
  return i;
}

} // namespace

TEST_CASE_FIXTURE(test::actor_fixture, "orders: a delayed taker order books no fill, stays open and is followed to its fills") {
  rig r(*this);
  r.reconcile();
  r.self->send(r.orders, place_batch{market, {exit_intent()}});
  REQUIRE(r.venue->wait([](auto& v) { return v.placed.size() == 1; }));
  auto id = r.venue->placed[0][0];
  *r.now = t0 + 10;
  r.venue->place_cbs[0](placements_done{{{id, place_verdict::placed, "delayed", "", false}}});
  auto held = r.update();
  CHECK(held.state == order_state::delayed); // open: the market sends no second exit
  CHECK(held.matched == shares{0});          // nothing booked from the reply
  CHECK(r.stored(id).state == order_state::delayed); // durable before it is told
  // Not looked up before the first follow interval (300 ms at most), then it is.
  r.sweep_at(t0 + 100);
  r.sync();
  CHECK(r.venue->lookups.empty());
  r.sweep_at(t0 + 310);
  REQUIRE(r.venue->wait([](auto& v) { return v.lookups.size() == 1; }));
  // Still held: no update, looked up again after a longer interval (<= 600 ms).
  r.venue->lookup_cbs[0](lookup_done{id, true, false, "DELAYED", shares{0}, shares{5'000'000}, ""});
  r.sweep_at(t0 + 320);
  r.sync();
  CHECK(r.venue->lookups.size() == 1);
  CHECK(r.stored(id).state == order_state::delayed);
  CHECK(stored_within(r, id, [](const order_record& x) { return x.checks == 1; })); // the count is durable
  r.sweep_at(t0 + 1'000);
  REQUIRE(r.venue->wait([](auto& v) { return v.lookups.size() == 2; }));
  // The hold ended and it traded 3 of 5; the rest rests: exactly the venue's size.
  r.venue->lookup_cbs[1](lookup_done{id, true, false, "LIVE", shares{3'000'000}, shares{5'000'000}, ""});
  auto part = r.update_for(id, order_state::partially_filled);
  CHECK(part.matched == shares{3'000'000});
  CHECK(r.stored(id).matched == shares{3'000'000});
  // No longer followed: a later sweep asks the venue nothing.
  r.sweep_at(t0 + 60'000);
  r.sync();
  CHECK(r.venue->lookups.size() == 2);
  CHECK(r.venue->placed.size() == 1); // never sent twice
}

TEST_CASE_FIXTURE(test::actor_fixture, "orders: an unmatched taker order is followed, and a delayed one is followed again after a restart") {
  {
    rig r(*this);
    r.reconcile();
    r.self->send(r.orders, place_batch{market, {exit_intent()}});
    REQUIRE(r.venue->wait([](auto& v) { return v.placed.size() == 1; }));
    auto id = r.venue->placed[0][0];
    r.venue->place_cbs[0](placements_done{{{id, place_verdict::placed, "unmatched", "", false}}});
    CHECK(r.update().state == order_state::delayed); // not booked cancelled from the reply
    r.sweep_at(t0 + 400);
    REQUIRE(r.venue->wait([](auto& v) { return v.lookups.size() == 1; }));
    r.venue->lookup_cbs[0](lookup_done{id, true, false, "UNMATCHED", shares{0}, shares{5'000'000}, ""});
    CHECK(r.update_for(id, order_state::cancelled).matched == shares{0});
  }
  // A delayed order in the ledger when the node starts: still open on the venue's
  // side is adopted and followed; its end is learned once, from the venue.
  order_record held;
  held.order_id = id_of(77);
  held.client_id = "_placing_77";
  held.market = market;
  held.token = token_id{"1130"};
  held.side = order_side::sell;
  held.rung = 31;
  held.px = price{300'000};
  held.size = shares{5'000'000};
  held.state = order_state::delayed;
  held.created_ms = held.updated_ms = t0;
  held.slot_end_s = slot_end_s;
  rig r(*this, {held});
  venue_open_order on_venue{held.order_id, "DELAYED", market.hex, "1130", held.px, held.size, shares{0}};
  r.reconcile({on_venue});
  r.sweep_at(t0 + 1'000);
  REQUIRE(r.venue->wait([](auto& v) { return v.lookups.size() == 1; }));
  r.venue->lookup_cbs[0](lookup_done{held.order_id, true, false, "MATCHED", shares{5'000'000}, shares{5'000'000}, ""});
  CHECK(stored_within(r, held.order_id, [](const order_record& x) {
    return x.state == order_state::filled && x.matched == shares{5'000'000};
  }));
  r.sweep_at(t0 + 60'000);
  r.sync();
  CHECK(r.venue->lookups.size() == 1);
  CHECK(r.venue->placed.empty());
}

// Seed 002: a phase change cancels the resting buys the new phase's limits do not allow.
namespace {
phase_policy cancel_policy() {
  phase_policy p;
  p.limits[0] = {shares{5'000'000}, usdc{50'000'000}, usdc{15'000'000}, 0, usdc{50'000'000}};    // Experience
  p.limits[1] = {shares{5'000'000}, usdc{50'000'000}, usdc{15'000'000}, 1, usdc{50'000'000}};    // ProofOfConcept
  p.limits[2] = {shares{10'000'000}, usdc{100'000'000}, usdc{40'000'000}, 0, usdc{100'000'000}}; // RealMoneyTrial
  p.limits[3] = p.limits[2];
  return p;
}

place_intent sell_exit() {
  auto exit = intent(31, 30); // the market's exit rung
  exit.side = order_side::sell;
  exit.post_only = false;
  exit.reserved = usdc{0};
  return exit;
}
} // namespace

TEST_CASE_FIXTURE(test::actor_fixture, "orders: a switch to Experience cancels the live resting buys and leaves the exit alone") {
  rig r(*this, {}, {}, {}, false, cancel_policy());
  r.reconcile();
  auto buy0 = r.place_live(intent(0, 85));
  auto buy1 = r.place_live(intent(1, 83));
  auto exit = r.place_live(sell_exit());
  r.self->send(r.orders, phase_record{phase::experience, phase::proof_of_concept, t0, "review", "test"});
  REQUIRE(r.venue->wait([](auto& v) { return v.cancels.size() == 1; }));
  auto cancelled = std::set<std::string>(r.venue->cancels[0].begin(), r.venue->cancels[0].end());
  CHECK(cancelled == std::set<std::string>{buy0, buy1});
  CHECK(r.update_for(buy0, order_state::cancel_pending).reason == "above the limits of phase Experience");
  CHECK(r.stored(buy1).state == order_state::cancel_pending);
  CHECK(r.stored(exit).state == order_state::live);
  r.sync();
  CHECK(r.venue->cancels.size() == 1);
}

TEST_CASE_FIXTURE(test::actor_fixture, "orders: a downgrade cancels the resting buys larger than its rung size - the others stay") {
  rig r(*this, {}, {}, {}, false, cancel_policy());
  r.reconcile();
  r.self->send(r.orders, phase_record{phase::real_money_trial, phase::proof_of_concept, t0, "gate met", "test"});
  r.sync();
  CHECK(r.venue->cancels.empty()); // RealMoneyTrial allows everything resting
  auto big = intent(0, 85);
  big.size = shares{10'000'000};
  big.reserved = usdc{8'500'000};
  auto big_id = r.place_live(big);
  auto small_id = r.place_live(intent(1, 83));
  auto exit = r.place_live(sell_exit());
  r.self->send(r.orders, phase_record{phase::proof_of_concept, phase::real_money_trial, t0, "downgrade", "auto"});
  REQUIRE(r.venue->wait([](auto& v) { return v.cancels.size() == 1; }));
  CHECK(r.venue->cancels[0] == std::vector<std::string>{big_id});
  CHECK(r.stored(small_id).state == order_state::live);
  CHECK(r.stored(exit).state == order_state::live);
}

TEST_CASE_FIXTURE(test::actor_fixture, "orders: a batch sized before a downgrade that arrives after it - its buys above the new limits are refused, the rest placed") {
  rig r(*this, {}, {}, {}, false, cancel_policy());
  r.reconcile();
  r.self->send(r.orders, phase_record{phase::real_money_trial, phase::proof_of_concept, t0, "gate met", "test"});
  r.sync();
  r.self->send(r.orders, phase_record{phase::proof_of_concept, phase::real_money_trial, t0, "downgrade", "auto"});
  // The market still sized by RealMoneyTrial: 10 shares on rung 0, 5 on rung 1.
  auto big = intent(0, 85);
  big.size = shares{10'000'000};
  big.reserved = usdc{8'500'000};
  r.self->send(r.orders, place_batch{market, {big, intent(1, 83), sell_exit()}});
  auto refused = r.update();
  CHECK(refused.state == order_state::rejected);
  CHECK(refused.rung == 0);
  CHECK(refused.reason == "above the limits of phase ProofOfConcept");
  CHECK(r.release().market == market); // its reservation goes back to the budget
  REQUIRE(r.venue->wait([](auto& v) { return v.placed.size() == 1; }));
  CHECK(r.venue->placed[0].size() == 2); // rung 1 and the exit went out
}

TEST_CASE_FIXTURE(test::actor_fixture, "orders: a refused exit names its position's book, and a venue fill never credits a paper order") {
  rig r(*this);
  r.self->send(r.orders, phase_record{phase::experience, phase::proof_of_concept, t0, "review", "test"});
  // Before the reconciliation every order is refused: the paper exit's refusal
  // says paper, so the market's paper stop-loss (not the live one) hears of it.
  auto exit = intent(31, 30);
  exit.side = order_side::sell;
  exit.post_only = false;
  exit.reserved = usdc{0};
  exit.paper = true;
  r.self->send(r.orders, place_batch{market, {exit}});
  auto refused_exit = r.update();
  CHECK(refused_exit.state == order_state::rejected);
  CHECK(refused_exit.side == order_side::sell);
  CHECK(refused_exit.paper);
  r.reconcile();
  // A paper bid rests at 0.80 (Experience).
  r.self->send(r.orders, place_batch{market, {intent(0, 80)}});
  auto bid = r.update();
  REQUIRE(bid.paper);
  REQUIRE(bid.state == order_state::live);
  // A venue fill at the same market, token, side and price names an order this
  // ledger does not know: it is the account's, never the paper order's.
  fill_record f;
  f.trade_id = "t-venue";
  f.order_id = "0x" + std::string(64, 'f');
  f.key = fill_key(market, f.order_id, f.trade_id);
  f.market = market;
  f.token = token_id{"1130"};
  f.px = price{800'000};
  f.size = shares{5'000'000};
  f.source = fill_source::user_ws;
  r.self->send(r.orders, fill_booked{f, fill_change::booked});
  budget_claim c;
  r.self->receive([&](budget_claim& x) { c = x; },
                  [&](order_update& u) { FAIL("the venue fill moved order " << u.order_id << " to " << to_string(u.state)); },
                  caf::after(5s) >> [] { FAIL("no claim for the unattributed venue fill"); });
  CHECK(c.amount == usdc{4'000'000});
  r.sync();
  CHECK(r.stored(bid.order_id).matched == shares{0});
  CHECK(r.venue->placed.empty());
}

TEST_CASE_FIXTURE(test::actor_fixture, "orders: each order names its strategy - to the fill actor before the request, in its record, updates and budget") {
  rig r(*this);
  r.reconcile();
  r.self->send(r.orders, caf::actor_cast<fill_actor>(r.self)); // the test plays the fill actor too
  auto cap = intent(0, 85);
  cap.strategy = strategy_kind::capture_99c;
  r.self->send(r.orders, place_batch{market, {cap, intent(1, 83)}});
  std::map<strategy_kind, std::vector<std::string>> noted;
  for (int i = 0; i < 2; ++i)
    r.self->receive([&](order_strategy_note& n) { noted[n.strategy] = n.order_ids; },
                    caf::after(5s) >> [] { FAIL("no strategy note"); });
  REQUIRE(r.venue->wait([](auto& v) { return v.placed.size() == 1; }));
  auto ids = r.venue->placed[0];
  REQUIRE(ids.size() == 2);
  CHECK(noted[strategy_kind::capture_99c] == std::vector<std::string>{ids[0]});
  CHECK(noted[strategy_kind::td_maker] == std::vector<std::string>{ids[1]});
  CHECK(r.stored(ids[0]).strategy == strategy_kind::capture_99c);
  CHECK(r.stored(ids[1]).strategy == strategy_kind::td_maker);
  r.venue->place_cbs[0](placements_done{{refused(ids[0], "not enough balance"), placed_live(ids[1])}});
  auto u = r.update_for(ids[0], order_state::rejected);
  CHECK(u.strategy == strategy_kind::capture_99c);
  auto rel = r.release();
  CHECK(rel.strategy == strategy_kind::capture_99c); // the capture's own cap is freed
  CHECK(r.update_for(ids[1], order_state::live).strategy == strategy_kind::td_maker);
}
