// Bidding under seed 002's phases: the phase in force sets the rung size, the
// exposure budget and the per-market cap of the next decision, and the trade
// limiter (committed to LMDB before a market's first order) caps new positions
// per session. The test plays the market (it sends views, reads decisions) and
// the phase manager (it sends phase records); time is the view's now_ms.
#include <doctest/doctest.h>

#include "actors/bidding.hpp"
#include "actors/store.hpp"
#include "actors/util.hpp"
#include "core/td_maker.hpp"
#include "core/trade_limiter.hpp"
#include "fixture.hpp"

using namespace tdmaker;
using namespace std::chrono_literals;

namespace {

constexpr std::int64_t slot_start_s = 1'800'000'000;
constexpr std::int64_t t0 = (slot_start_s + 60) * 1000; // a minute into the slot, ms

condition_id market_n(int n) {
  auto hex = std::to_string(n);
  return condition_id{"0x" + std::string(64 - hex.size(), 'a') + hex};
}

/// Every book passes the entry filters with Up at 0.85 (Down's 0.10 bid is skipped).
entry_rules entry() {
  entry_rules e;
  e.target_bid = price{800'000};
  e.max_bid = price{920'000};
  e.min_move_ppm = -1'000'000;
  e.max_move_ppm = 1'000'000;
  e.max_entry_s = 100'000;
  e.fair_value = false;
  return e;
}

bidding_options options(phase_policy policy) {
  bidding_options o;
  o.ladder.rungs = 3;
  o.ladder.spacing_ticks = 1;
  o.ladder.sequential = true;
  o.max_exposure = usdc{1'000'000'000}; // overridden by the phase's limits
  o.max_per_market = usdc{1'000'000'000};
  o.phases = std::move(policy);
  o.paper = false;
  o.publish_every = std::chrono::hours(1);
  o.strategies[index_of(strategy_kind::capture_99c)] = {true, usdc{10'000'000}};
  return o;
}

phase_policy policy() {
  phase_policy p;
  p.limits[0] = {shares{5'000'000}, usdc{50'000'000}, usdc{15'000'000}, 0, usdc{50'000'000}};   // Experience
  p.limits[1] = {shares{5'000'000}, usdc{50'000'000}, usdc{15'000'000}, 1, usdc{50'000'000}};   // ProofOfConcept
  p.limits[2] = {shares{10'000'000}, usdc{80'000'000}, usdc{5'000'000}, 0, usdc{80'000'000}};   // RealMoneyTrial
  p.limits[3] = {shares{20'000'000}, usdc{100'000'000}, usdc{40'000'000}, 0, usdc{100'000'000}}; // Scaling
  p.session = session_clock{0, 86'400};
  return p;
}

market_view view(int n, std::int64_t now_ms = t0, std::uint32_t placed_up = 0, std::uint32_t filled_up = 0) {
  market_view v;
  v.market = market_n(n);
  v.asset = "btc";
  v.up_token = token_id{"11"};
  v.down_token = token_id{"22"};
  v.now_ms = now_ms;
  v.slot_start_s = now_ms / 1000 - 60;
  v.slot_end_s = v.slot_start_s + 900;
  v.up = {price{850'000}, shares{100'000'000}, price{860'000}, shares{100'000'000}};
  v.down = {price{100'000}, shares{100'000'000}, price{140'000}, shares{100'000'000}};
  v.ref_start = ref_price{100'000'000'000};
  v.ref_now = ref_price{100'000'000'000};
  v.tick = tick_size{10'000};
  v.min_size = shares{1'000'000};
  v.placed_up = placed_up;
  v.filled_up = filled_up;
  return v;
}

phase_record in_phase(phase p, phase prev = phase::experience) { return {p, prev, t0, "test", "test"}; }

struct rig {
  test::actor_fixture& fx;
  caf::scoped_actor self;
  store_actor store;
  bidding_actor bidding;
  phase_policy pol;
  phase current = phase::experience;

  explicit rig(test::actor_fixture& f, phase_policy p = policy()) : fx(f), self(*f.sys), pol(std::move(p)) {
    store_health_options h;
    h.probe_every = std::chrono::hours(1);
    store = spawn_store(*fx.sys, fx.env, telemetry_actor{}, {}, h);
    start();
  }
  ~rig() {
    stop();
    self->send_exit(store, caf::exit_reason::user_shutdown);
  }
  void start() { bidding = spawn_bidding(*fx.sys, telemetry_actor{}, audit_actor{}, store, options(pol)); }
  /// Kills bidding and waits until it is gone: a restart on the same LMDB.
  void stop() {
    if (!bidding)
      return;
    self->monitor(bidding);
    self->send_exit(bidding, caf::exit_reason::kill);
    self->receive([](caf::down_msg&) {}, caf::after(5s) >> [] { FAIL("bidding did not stop"); });
    bidding = nullptr;
  }
  /// Plays the market: its TD maker (core/td_maker) proposes from the view, at
  /// the rung size of the phase in force; bidding admits.
  bid_decision decide(market_view v) {
    td_maker td(entry(), std::nullopt, options(pol).ladder);
    strategy_snapshot snap;
    snap.now_ms = v.now_ms;
    snap.slot_start_s = v.slot_start_s;
    snap.slot_end_s = v.slot_end_s;
    snap.up = {v.up.best_bid, v.up.bid_size, v.up.best_ask, v.up.ask_size};
    snap.down = {v.down.best_bid, v.down.bid_size, v.down.best_ask, v.down.ask_size};
    snap.ref_start = v.ref_start;
    snap.ref_now = v.ref_now;
    snap.tick = v.tick;
    snap.min_size = v.min_size;
    snap.rung_shares = pol.limits_of(current).shares_per_rung.micros / micros_per_unit;
    strategy_orders mine;
    mine.placed[0] = v.placed_up;
    mine.filled[0] = v.filled_up;
    strategy_intents out;
    td.evaluate(snap, mine, out);
    std::vector<place_intent> proposals;
    for (auto& p : out.place)
      proposals.push_back(intent(v, strategy_kind::td_maker, p.side, p.rung, p.px, p.size, p.post_only));
    return admit(std::move(v), std::move(proposals));
  }
  static place_intent intent(const market_view& v, strategy_kind k, outcome side, std::uint32_t rung, price px,
                             shares size, bool post_only) {
    place_intent i;
    i.market = v.market;
    i.token = side == outcome::up ? v.up_token : v.down_token;
    i.side_outcome = side;
    i.rung = rung;
    i.px = px;
    i.size = size;
    i.post_only = post_only;
    i.strategy = k;
    return i;
  }
  bid_decision admit(market_view v, std::vector<place_intent> proposals) {
    bid_decision out;
    self->request(bidding, 5s, admission_request{std::move(v), std::move(proposals)})
      .receive([&](bid_decision& d) { out = std::move(d); }, [](caf::error& e) { FAIL(error_text(e)); });
    return out;
  }
  budget_snapshot budget() {
    budget_snapshot out;
    self->request(bidding, 5s, get_atom::value, budget_atom::value)
      .receive([&](budget_snapshot& s) { out = s; }, [](caf::error& e) { FAIL(error_text(e)); });
    return out;
  }
  void phase_is(phase p) {
    current = p;
    self->send(bidding, in_phase(p));
  }
  std::optional<trade_count_record> stored(bool paper) {
    auto v = fx.env->get(record_db::phase, trade_count_key(paper));
    REQUIRE(v);
    if (!v->found)
      return std::nullopt;
    auto r = decode_trade_count_record(v->payload);
    REQUIRE(r);
    return *r;
  }
};

} // namespace

TEST_CASE_FIXTURE(test::actor_fixture, "bidding: no order before a phase is known") {
  rig r(*this);
  auto d = r.decide(view(1));
  CHECK(d.place.empty());
  CHECK(d.reason == "trading phase not known yet");
  r.phase_is(phase::scaling);
  CHECK(r.decide(view(1)).place.size() == 1);
}

TEST_CASE_FIXTURE(test::actor_fixture, "bidding: a phase change applies its rung size - budget and cap to the next decision") {
  rig r(*this);
  r.phase_is(phase::experience);
  auto d = r.decide(view(1));
  REQUIRE(d.place.size() == 1);
  CHECK(d.place[0].size == shares{5'000'000});
  CHECK(d.place[0].px == price{850'000});
  auto b = r.budget();
  CHECK(b.current_phase == phase::experience);
  CHECK(b.limit == usdc{50'000'000});
  CHECK(b.max_per_market == usdc{15'000'000});
  CHECK(b.shares_per_rung == shares{5'000'000});

  r.phase_is(phase::scaling);
  d = r.decide(view(2));
  REQUIRE(d.place.size() == 1);
  CHECK(d.place[0].size == shares{20'000'000});
  CHECK(d.place[0].reserved == usdc{17'000'000}); // 20 x 0.85: above Experience's 15 cap, within Scaling's 40
  b = r.budget();
  CHECK(b.current_phase == phase::scaling);
  CHECK(b.limit == usdc{100'000'000});
  CHECK(b.max_per_market == usdc{40'000'000});
  CHECK(b.shares_per_rung == shares{20'000'000});

  // RealMoneyTrial: 10 shares a rung cost 8.50, above its 5.00 per-market cap.
  r.phase_is(phase::real_money_trial);
  d = r.decide(view(3));
  CHECK(d.place.empty());
  CHECK(d.reason == "no budget");
  CHECK(r.budget().max_per_market == usdc{5'000'000});
}

TEST_CASE_FIXTURE(test::actor_fixture, "bidding: ProofOfConcept allows one trade a session - later rungs of it still go") {
  rig r(*this);
  r.phase_is(phase::proof_of_concept);
  auto first = r.decide(view(1));
  REQUIRE(first.place.size() == 1);
  // The count is in LMDB before the decision is answered.
  auto rec = r.stored(false);
  REQUIRE(rec);
  CHECK(rec->markets == std::vector<std::string>{market_n(1).hex});
  CHECK_FALSE(r.stored(true)); // the live book only

  auto second = r.decide(view(2));
  CHECK(second.place.empty());
  CHECK(second.reason == "trade limit");
  // Rung 1 of the first market after rung 0 filled: not a new trade.
  auto later = r.decide(view(1, t0 + 1000, 0b1, 1));
  REQUIRE(later.place.size() == 1);
  CHECK(later.place[0].rung == 1);
  // A market counted this session whose orders all went (masks back at 0) is a repeat.
  CHECK(r.decide(view(1, t0 + 2000)).place.size() == 1);
  auto b = r.budget();
  CHECK(b.session_trade_limit == 1);
  CHECK(b.trades_refused == 1);
  CHECK(r.stored(false)->markets.size() == 1);
}

TEST_CASE_FIXTURE(test::actor_fixture, "bidding: the session's trade count survives a restart on the same LMDB") {
  rig r(*this);
  r.phase_is(phase::proof_of_concept);
  REQUIRE(r.decide(view(1)).place.size() == 1);
  r.stop();
  r.start();
  r.phase_is(phase::proof_of_concept);
  auto d = r.decide(view(2));
  CHECK(d.place.empty());
  CHECK(d.reason == "trade limit");
  CHECK(r.decide(view(1, t0 + 1000)).place.size() == 1); // the counted market itself still trades
}

TEST_CASE_FIXTURE(test::actor_fixture, "bidding: a new session resets the trade count") {
  auto p = policy();
  p.session = session_clock{0, 10}; // 10 s sessions
  rig r(*this, p);
  r.phase_is(phase::proof_of_concept);
  std::int64_t s0 = (t0 / 10'000) * 10'000; // the start of t0's session
  REQUIRE(r.decide(view(1, s0 + 1000)).place.size() == 1);
  CHECK(r.decide(view(2, s0 + 9'999)).reason == "trade limit");
  auto next = r.decide(view(2, s0 + 10'000));
  REQUIRE(next.place.size() == 1);
  CHECK(r.stored(false)->markets == std::vector<std::string>{market_n(2).hex});
  CHECK(r.decide(view(3, s0 + 10'500)).reason == "trade limit");
}

TEST_CASE_FIXTURE(test::actor_fixture, "bidding: paper and live trades are counted apart") {
  rig r(*this);
  r.phase_is(phase::proof_of_concept);
  REQUIRE(r.decide(view(1)).place.size() == 1);
  r.phase_is(phase::experience); // paper, no limit: its own record
  REQUIRE(r.decide(view(2)).place.size() == 1);
  CHECK(r.stored(true)->markets == std::vector<std::string>{market_n(2).hex});
  CHECK(r.stored(false)->markets == std::vector<std::string>{market_n(1).hex});
  r.phase_is(phase::proof_of_concept);
  CHECK(r.decide(view(3)).reason == "trade limit");
}

// ---- issue 17: each strategy's cap inside the global budget ----

TEST_CASE_FIXTURE(test::actor_fixture, "bidding: a strategy's cap refuses what the global budget would allow") {
  rig r(*this);
  r.phase_is(phase::scaling); // 100 global, 40 per market, 20 shares a rung
  auto v = view(1);
  // The capture's cap is 10: 10 shares at 0.99 (9.90) fit, the next 10 (19.80) do not.
  auto cap = [&](int n, std::uint32_t rung) {
    auto w = view(n);
    return rig::intent(w, strategy_kind::capture_99c, outcome::up, rung, price{990'000}, shares{10'000'000}, false);
  };
  auto d = r.admit(view(1), {cap(1, 0)});
  REQUIRE(d.place.size() == 1);
  CHECK(d.place[0].reserved == usdc{9'900'000});
  CHECK(d.place[0].strategy == strategy_kind::capture_99c);
  d = r.admit(view(2), {cap(2, 0)});
  CHECK(d.place.empty());
  CHECK(d.reason == "no budget");
  // The TD maker is not held back by the capture's cap.
  d = r.decide(view(3));
  REQUIRE(d.place.size() == 1);
  auto b = r.budget();
  REQUIRE(b.strategies.size() == strategy_count);
  CHECK(b.strategies[index_of(strategy_kind::capture_99c)].limit == usdc{10'000'000});
  CHECK(b.strategies[index_of(strategy_kind::capture_99c)].reserved == usdc{9'900'000});
  CHECK(b.strategies[index_of(strategy_kind::td_maker)].reserved == d.place[0].reserved);
  CHECK(b.reserved.micros == 9'900'000 + d.place[0].reserved.micros);
  // Released under its own strategy, the capture's cap has room again.
  r.self->send(r.bidding, budget_release{market_n(1), usdc{9'900'000}, strategy_kind::capture_99c, false});
  CHECK(r.admit(view(2), {cap(2, 0)}).place.size() == 1);
  (void)v;
}

TEST_CASE_FIXTURE(test::actor_fixture, "bidding: a disabled strategy and a size above the phase's rung are refused") {
  auto p = policy();
  rig r(*this, p);
  r.phase_is(phase::experience); // 5 shares a rung
  auto v = view(1);
  auto big = rig::intent(v, strategy_kind::td_maker, outcome::up, 0, price{850'000}, shares{10'000'000}, true);
  auto d = r.admit(v, {big});
  CHECK(d.place.empty());
  CHECK(d.reason == "above the phase's rung size");
  r.stop();
  auto o = options(p);
  o.strategies[index_of(strategy_kind::capture_99c)].enabled = false;
  r.bidding = spawn_bidding(*r.fx.sys, telemetry_actor{}, audit_actor{}, r.store, o);
  r.phase_is(phase::experience);
  auto cap = rig::intent(v, strategy_kind::capture_99c, outcome::up, 0, price{990'000}, shares{5'000'000}, false);
  d = r.admit(v, {cap});
  CHECK(d.place.empty());
  CHECK(d.reason == "strategy disabled");
  CHECK(r.budget().reserved == usdc{0});
}

TEST_CASE_FIXTURE(test::actor_fixture, "bidding: retiring a market frees every strategy's reservation in it") {
  rig r(*this);
  r.phase_is(phase::scaling);
  auto v = view(1);
  auto cap = rig::intent(v, strategy_kind::capture_99c, outcome::up, 0, price{990'000}, shares{5'000'000}, false);
  REQUIRE(r.admit(v, {cap}).place.size() == 1);
  REQUIRE(r.decide(view(1)).place.size() == 1);
  CHECK(r.budget().reserved.micros > 0);
  r.self->send(r.bidding, budget_release{market_n(1), usdc{std::numeric_limits<std::int64_t>::max()},
                                         strategy_kind::td_maker, true});
  auto b = r.budget();
  CHECK(b.reserved == usdc{0});
  for (auto& s : b.strategies)
    CHECK(s.reserved == usdc{0});
}
