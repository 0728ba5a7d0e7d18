// A market actor's stop-loss path. The test plays the order actor (it answers
// the market's order load and receives its batches) and the stop-loss actor (it
// answers each check): a filled position is checked on a book update, the bid is
// re-checked before the sell, the sell goes out at the best bid past every gate,
// and a failed exit is reported and retried only after a backoff.
#include <doctest/doctest.h>

#include "actors/directory.hpp"
#include "actors/stop_loss.hpp"
#include "actors/store.hpp"
#include "actors/util.hpp"
#include "fixture.hpp"

using namespace tdmaker;
using namespace std::chrono_literals;

namespace {

market_record live_market() {
  market_record m;
  m.fee = fee_schedule{true, 70'000, 1, true}; // a market is traded only with a known schedule
  m.id = *parse_condition_id("0x" + std::string(64, 'e'));
  m.slug = "btc-updown-15m-exit";
  m.asset = "btc";
  auto now_s = wall_ms() / 1000;
  m.slot_start_s = now_s - 300;
  m.slot_end_s = now_s + 600;
  m.up_token = *parse_token_id("1130");
  m.down_token = *parse_token_id("3803");
  m.status = market_status::active;
  return m;
}

book_snapshot book(const market_record& m, const token_id& t, std::int64_t bid, std::int64_t ask) {
  book_snapshot b;
  b.market = m.id;
  b.token = t;
  b.ts_ms = wall_ms();
  b.bids = {{price{bid - 10'000}, shares{50'000'000}}, {price{bid}, shares{20'000'000}}};
  b.asks = {{price{ask + 10'000}, shares{50'000'000}}, {price{ask}, shares{20'000'000}}};
  return b;
}

order_record filled_buy(const market_record& m) {
  order_record r;
  r.order_id = "0x" + std::string(64, '5');
  r.client_id = "_placing_1";
  r.market = m.id;
  r.token = m.up_token;
  r.side_outcome = outcome::up;
  r.rung = 0;
  r.px = price{800'000};
  r.size = shares{5'000'000};
  r.matched = shares{5'000'000};
  r.state = order_state::filled;
  r.slot_end_s = m.slot_end_s;
  return r;
}

} // namespace

TEST_CASE_FIXTURE(test::actor_fixture, "market: stop-loss re-checks the bid, sells at it, and backs off after a failed exit") {
  caf::scoped_actor self{*sys};
  auto store = spawn_store(*sys, env, telemetry_actor{}, {});
  directory_options opts;
  opts.market.book_hash_check = false;
  opts.market.orders = caf::actor_cast<order_actor>(self);
  opts.market.stop_loss = caf::actor_cast<stop_loss_actor>(self);
  auto dir = spawn_directory(*sys, store, telemetry_actor{}, notifier_actor{}, opts);
  auto m = live_market();
  market_actor h;
  self->request(dir, 5s, m).receive([&](market_actor& x) { h = x; }, [&](caf::error& e) { FAIL(error_text(e)); });
  // The market loads its orders: one filled buy of 5 Up at 0.80.
  self->receive([&](get_atom, condition_id& id) -> std::vector<order_record> {
                  CHECK(id == m.id);
                  return {filled_buy(m)};
                },
                caf::after(5s) >> [] { FAIL("the market did not ask for its orders"); });

  // A book update: the position is checked before anything else.
  self->send(h, book(m, m.down_token, 690'000, 700'000));
  self->send(h, book(m, m.up_token, 300'000, 310'000));
  market_view seen;
  // First answer: exit at 0.25 - the bid (0.30) is above it now, so no sale.
  self->receive([&](market_view& v) -> stop_decision {
                  seen = v;
                  return {stop_verdict::exit, "test: crash", price{250'000}};
                },
                caf::after(5s) >> [] { FAIL("no stop-loss check"); });
  CHECK(seen.position.open);
  CHECK(seen.position.side == outcome::up);
  CHECK(seen.position.qty == shares{5'000'000});
  CHECK(seen.position.cost == usdc{4'000'000});
  CHECK(seen.position.entry == price{800'000});
  CHECK(seen.up.best_bid == price{300'000});

  // The next update: exit at 0.30, the bid still 0.30: the sell goes out.
  self->send(h, book(m, m.up_token, 300'000, 320'000));
  self->receive([&](market_view&) -> stop_decision { return {stop_verdict::exit, "test: crash", price{300'000}}; },
                caf::after(5s) >> [] { FAIL("no second stop-loss check"); });
  place_batch sell;
  self->receive([&](place_batch& b) { sell = b; }, caf::after(5s) >> [] { FAIL("no exit order"); });
  REQUIRE(sell.orders.size() == 1);
  auto& o = sell.orders[0];
  CHECK(o.side == order_side::sell);
  CHECK(o.token == m.up_token);
  CHECK(o.px == price{300'000});
  CHECK(o.size == shares{5'000'000});
  CHECK_FALSE(o.post_only);
  CHECK(o.reserved == usdc{0});

  // While the exit is out, no further checks; the venue refuses it.
  order_update refused;
  refused.order_id = "0x" + std::string(64, '6');
  refused.market = m.id;
  refused.side_outcome = outcome::up;
  refused.rung = o.rung;
  refused.state = order_state::rejected;
  refused.reason = "not enough balance";
  refused.token = m.up_token;
  refused.px = o.px;
  refused.size = o.size;
  refused.side = order_side::sell;
  self->send(h, refused);
  stop_result res;
  self->receive([&](stop_result& r) { res = r; }, caf::after(5s) >> [] { FAIL("no stop result"); });
  CHECK_FALSE(res.ok);
  CHECK(res.error == "not enough balance");
  // Backoff: an update right away is not checked (the next message is the state answer).
  self->send(h, book(m, m.up_token, 290'000, 320'000));
  market_state st;
  self->request(h, 5s, get_atom::value).receive([&](market_state& s) { st = s; }, [](caf::error&) { FAIL("state"); });
  self->receive([](market_view&) -> stop_decision {
                  FAIL("checked again during the backoff");
                  return {};
                },
                caf::after(std::chrono::milliseconds(0)) >> [] {});
  CHECK(st.view.position.qty == shares{5'000'000}); // never dropped
  self->send_exit(dir, caf::exit_reason::user_shutdown);
  self->send_exit(store, caf::exit_reason::user_shutdown);
}

TEST_CASE_FIXTURE(test::actor_fixture, "market: live and paper legs never net - the live position is checked and sold on the live book") {
  caf::scoped_actor self{*sys};
  auto store = spawn_store(*sys, env, telemetry_actor{}, {});
  directory_options opts;
  opts.market.book_hash_check = false;
  opts.market.orders = caf::actor_cast<order_actor>(self);
  opts.market.stop_loss = caf::actor_cast<stop_loss_actor>(self);
  auto dir = spawn_directory(*sys, store, telemetry_actor{}, notifier_actor{}, opts);
  auto m = live_market();
  market_actor h;
  self->request(dir, 5s, m).receive([&](market_actor& x) { h = x; }, [&](caf::error& e) { FAIL(error_text(e)); });
  // A live buy of 5 Up at 0.80 (before a switch to Experience) and a paper buy
  // of 3 Up at 0.70 (after it).
  self->receive([&](get_atom, condition_id&) -> std::vector<order_record> {
                  auto live = filled_buy(m);
                  auto paper = filled_buy(m);
                  paper.order_id = "0x" + std::string(64, '7');
                  paper.client_id = "_placing_2";
                  paper.px = price{700'000};
                  paper.size = paper.matched = shares{3'000'000};
                  paper.paper = true;
                  return {live, paper};
                },
                caf::after(5s) >> [] { FAIL("the market did not ask for its orders"); });
  self->send(h, book(m, m.down_token, 690'000, 700'000));
  self->send(h, book(m, m.up_token, 300'000, 310'000));
  market_view seen;
  self->receive([&](market_view& v) -> stop_decision {
                  seen = v;
                  return {stop_verdict::exit, "test: crash", price{300'000}};
                },
                caf::after(5s) >> [] { FAIL("no stop-loss check"); });
  CHECK(seen.position.open);
  CHECK_FALSE(seen.position.paper);
  CHECK(seen.position.qty == shares{5'000'000}); // not 8: the books do not net
  CHECK(seen.position.cost == usdc{4'000'000});
  place_batch sell;
  self->receive([&](place_batch& b) { sell = b; }, caf::after(5s) >> [] { FAIL("no exit order"); });
  REQUIRE(sell.orders.size() == 1);
  CHECK(sell.orders[0].side == order_side::sell);
  CHECK_FALSE(sell.orders[0].paper);
  CHECK(sell.orders[0].size == shares{5'000'000});
  self->send_exit(dir, caf::exit_reason::user_shutdown);
  self->send_exit(store, caf::exit_reason::user_shutdown);
}

TEST_CASE_FIXTURE(test::actor_fixture, "market: no second stop-loss exit while the first one is delayed by the venue") {
  caf::scoped_actor self{*sys};
  auto store = spawn_store(*sys, env, telemetry_actor{}, {});
  directory_options opts;
  opts.market.book_hash_check = false;
  opts.market.orders = caf::actor_cast<order_actor>(self);
  opts.market.stop_loss = caf::actor_cast<stop_loss_actor>(self);
  auto dir = spawn_directory(*sys, store, telemetry_actor{}, notifier_actor{}, opts);
  auto m = live_market();
  market_actor h;
  self->request(dir, 5s, m).receive([&](market_actor& x) { h = x; }, [&](caf::error& e) { FAIL(error_text(e)); });
  self->receive([&](get_atom, condition_id&) -> std::vector<order_record> { return {filled_buy(m)}; },
                caf::after(5s) >> [] { FAIL("the market did not ask for its orders"); });
  self->send(h, book(m, m.down_token, 690'000, 700'000));
  self->send(h, book(m, m.up_token, 300'000, 310'000));
  self->receive([&](market_view&) -> stop_decision { return {stop_verdict::exit, "test: crash", price{300'000}}; },
                caf::after(5s) >> [] { FAIL("no stop-loss check"); });
  place_batch sell;
  self->receive([&](place_batch& b) { sell = b; }, caf::after(5s) >> [] { FAIL("no exit order"); });
  REQUIRE(sell.orders.size() == 1);
  order_update u;
  u.order_id = "0x" + std::string(64, '7');
  u.market = m.id;
  u.side_outcome = outcome::up;
  u.rung = sell.orders[0].rung;
  u.token = m.up_token;
  u.px = sell.orders[0].px;
  u.size = sell.orders[0].size;
  u.side = order_side::sell;
  u.state = order_state::delayed; // the venue holds the taker order
  self->send(h, u);
  // The price keeps falling while the exit is held: no check, no second sell.
  for (std::int64_t bid : {290'000, 280'000, 270'000})
    self->send(h, book(m, m.up_token, bid, 320'000));
  self->request(h, 5s, get_atom::value).receive([](market_state&) {}, [](caf::error&) { FAIL("state"); });
  self->receive([](market_view&) -> stop_decision {
                  FAIL("stop-loss checked while its exit is delayed");
                  return {};
                },
                [](place_batch&) { FAIL("a second exit while the first is delayed"); },
                caf::after(std::chrono::milliseconds(0)) >> [] {});
  // The hold ends with the exit filled: reported once, as a success.
  u.state = order_state::filled;
  u.matched = u.size;
  self->send(h, u);
  stop_result res;
  self->receive([&](stop_result& r) { res = r; }, caf::after(5s) >> [] { FAIL("no stop result"); });
  CHECK(res.ok);
  CHECK(res.sold == shares{5'000'000});
  self->send_exit(dir, caf::exit_reason::user_shutdown);
  self->send_exit(store, caf::exit_reason::user_shutdown);
}

namespace {

/// A live buy of 5 Up at 0.80 (before a switch to Experience) and a paper buy of
/// 3 Up at 0.70 (after it): the market's orders as the ledger has them.
std::vector<order_record> live_and_paper(const market_record& m) {
  auto live = filled_buy(m);
  auto paper = filled_buy(m);
  paper.order_id = "0x" + std::string(64, '7');
  paper.client_id = "_placing_2";
  paper.px = price{700'000};
  paper.size = paper.matched = shares{3'000'000};
  paper.paper = true;
  return {live, paper};
}

struct exit_rig {
  explicit exit_rig(test::actor_fixture& fx) : self(*fx.sys) {
    store = spawn_store(*fx.sys, fx.env, telemetry_actor{}, {});
    directory_options opts;
    opts.market.book_hash_check = false;
    opts.market.orders = caf::actor_cast<order_actor>(self);
    opts.market.stop_loss = caf::actor_cast<stop_loss_actor>(self);
    opts.market.fills = caf::actor_cast<fill_actor>(self);
    dir = spawn_directory(*fx.sys, store, telemetry_actor{}, notifier_actor{}, opts);
    self->request(dir, 5s, m).receive([&](market_actor& x) { h = x; }, [&](caf::error& e) { FAIL(error_text(e)); });
  }
  ~exit_rig() {
    self->send_exit(dir, caf::exit_reason::user_shutdown);
    self->send_exit(store, caf::exit_reason::user_shutdown);
  }
  void load(std::vector<order_record> orders) {
    self->receive([&](get_atom, condition_id&) -> std::vector<order_record> { return orders; },
                  caf::after(5s) >> [] { FAIL("the market did not ask for its orders"); });
  }
  void books(std::int64_t up_bid) {
    self->send(h, book(m, m.down_token, 690'000, 700'000));
    self->send(h, book(m, m.up_token, up_bid, up_bid + 10'000));
  }
  /// Answers the next stop-loss check with `verdict`; returns the position checked.
  position_view check(stop_verdict verdict, price exit_px) {
    position_view seen;
    self->receive([&](market_view& v) -> stop_decision {
                    seen = v.position;
                    return {verdict, "test", exit_px};
                  },
                  caf::after(5s) >> [] { FAIL("no stop-loss check"); });
    return seen;
  }
  place_intent exit_order() {
    place_batch b;
    self->receive([&](place_batch& x) { b = x; }, caf::after(5s) >> [] { FAIL("no exit order"); });
    REQUIRE(b.orders.size() == 1);
    return b.orders[0];
  }
  caf::scoped_actor self;
  market_record m = live_market();
  store_actor store;
  directory_actor dir;
  market_actor h;
};

} // namespace

TEST_CASE_FIXTURE(test::actor_fixture, "market: a paper position held beside a live one has its own stop-loss - both are checked and both sold, each on its book") {
  exit_rig r(*this);
  r.load(live_and_paper(r.m));
  r.books(300'000);
  // One check per book, in the same pass: the paper position is not left
  // unprotected until the live one closes.
  auto first = r.check(stop_verdict::exit, price{300'000});
  auto second = r.check(stop_verdict::exit, price{300'000});
  CHECK_FALSE(first.paper);
  CHECK(first.qty == shares{5'000'000});
  CHECK(first.cost == usdc{4'000'000});
  CHECK(second.paper);
  CHECK(second.qty == shares{3'000'000});
  CHECK(second.cost == usdc{2'100'000});
  auto live_sell = r.exit_order();
  auto paper_sell = r.exit_order();
  CHECK(live_sell.side == order_side::sell);
  CHECK_FALSE(live_sell.paper);
  CHECK(live_sell.size == shares{5'000'000});
  CHECK(paper_sell.side == order_side::sell);
  CHECK(paper_sell.paper);
  CHECK(paper_sell.size == shares{3'000'000});
}

TEST_CASE_FIXTURE(test::actor_fixture, "market: a live exit resting on the venue does not starve the paper position's stop-loss, and no second live exit goes") {
  exit_rig r(*this);
  r.load(live_and_paper(r.m));
  r.books(300'000);
  // The live book's check says exit; the paper one's says hold for now.
  CHECK_FALSE(r.check(stop_verdict::exit, price{300'000}).paper);
  CHECK(r.check(stop_verdict::hold, price{}).paper);
  auto live_sell = r.exit_order();
  CHECK_FALSE(live_sell.paper);
  // The live exit rests (no fill yet): the order actor says it is live.
  order_update resting;
  resting.order_id = "0x" + std::string(64, '8');
  resting.market = r.m.id;
  resting.side_outcome = outcome::up;
  resting.rung = live_sell.rung;
  resting.state = order_state::live;
  resting.token = r.m.up_token;
  resting.px = live_sell.px;
  resting.size = live_sell.size;
  resting.side = order_side::sell;
  r.self->send(r.h, resting);
  // The next update: only the paper book is checked (the live exit is still open).
  r.books(290'000);
  auto next = r.check(stop_verdict::exit, price{290'000});
  CHECK(next.paper);
  CHECK(next.qty == shares{3'000'000});
  auto paper_sell = r.exit_order();
  CHECK(paper_sell.paper);
  CHECK(paper_sell.size == shares{3'000'000});
  // Both exits open: no further check of either book.
  r.books(280'000);
  market_state st;
  r.self->request(r.h, 5s, get_atom::value).receive([&](market_state& s) { st = s; }, [](caf::error&) { FAIL("state"); });
  r.self->receive([](market_view&) -> stop_decision {
                    FAIL("checked a book whose exit is open");
                    return {};
                  },
                  caf::after(std::chrono::milliseconds(0)) >> [] {});
}

TEST_CASE_FIXTURE(test::actor_fixture, "market: a paper exit fills no more than the paper book holds") {
  exit_rig r(*this);
  r.load(live_and_paper(r.m));
  // The order actor reports a paper exit of 8 (more than the 3 paper shares: the
  // 5 live ones are not the paper book's to sell).
  order_update exit;
  exit.order_id = "0x" + std::string(64, '9');
  exit.market = r.m.id;
  exit.side_outcome = outcome::up;
  exit.rung = 31;
  exit.state = order_state::live;
  exit.token = r.m.up_token;
  exit.px = price{300'000};
  exit.size = shares{8'000'000};
  exit.side = order_side::sell;
  exit.paper = true;
  r.self->send(r.h, exit);
  std::vector<fill_report> fills;
  r.self->receive([&](std::vector<fill_report>& f) { fills = f; }, caf::after(5s) >> [] { FAIL("no paper exit fill"); });
  REQUIRE(fills.size() == 1);
  CHECK(fills[0].source == fill_source::paper);
  CHECK(fills[0].side == order_side::sell);
  CHECK(fills[0].size == shares{3'000'000});
}

namespace {

market_view held_view(const market_record& m, bool paper, std::int64_t bid) {
  market_view v;
  v.market = m.id;
  v.now_ms = wall_ms();
  v.slot_start_s = m.slot_start_s;
  v.slot_end_s = m.slot_end_s;
  v.up = {price{bid}, shares{20'000'000}, price{bid + 10'000}, shares{20'000'000}};
  v.down = {price{990'000 - bid}, shares{20'000'000}, price{1'000'000 - bid}, shares{20'000'000}};
  v.position.open = true;
  v.position.paper = paper;
  v.position.side = outcome::up;
  v.position.token = m.up_token;
  v.position.qty = shares{5'000'000};
  return v;
}

} // namespace

TEST_CASE_FIXTURE(test::actor_fixture, "stop-loss: a paper position bought after a switch does not inherit the live position's peak, and failures count per book") {
  caf::scoped_actor self{*sys};
  caf::scoped_actor alerts{*sys};
  stop_loss_options o; // rules: peak 0.90, exit 0.65; no reference price, so no fair-value grace
  o.rules.alert_after_failures = 2;
  auto sl = spawn_stop_loss(*sys, {telemetry_actor{}, caf::actor_cast<notifier_actor>(alerts.ptr()), audit_actor{}}, o);
  auto m = live_market();
  auto ask = [&](const market_view& v) {
    stop_decision d;
    self->request(sl, 5s, v).receive([&](stop_decision& x) { d = x; }, [](caf::error& e) { FAIL(error_text(e)); });
    return d;
  };
  // The live position saw its bid at 0.92: the peak is reached, the bid above the exit.
  CHECK(ask(held_view(m, false, 920'000)).verdict == stop_verdict::hold);
  // The paper position (bought after the switch to Experience) has seen only 0.60:
  // its peak is not reached, so it holds; the live one, at the same bid, exits.
  auto paper = ask(held_view(m, true, 600'000));
  CHECK(paper.verdict == stop_verdict::hold);
  CHECK(paper.reason == "peak not reached");
  auto live = ask(held_view(m, false, 600'000));
  CHECK(live.verdict == stop_verdict::exit);
  CHECK(live.exit_px == price{600'000});
  // A failed live exit, a failed paper exit, a failed live exit: the live book's
  // second failure in a row is the first alert (one count per market would have
  // alerted on the paper failure, with its text).
  self->send(sl, stop_result{m.id, false, "live refused 1", 0, shares{}, price{600'000}, false});
  self->send(sl, stop_result{m.id, false, "paper refused", 0, shares{}, price{600'000}, true});
  self->send(sl, stop_result{m.id, false, "live refused 2", 0, shares{}, price{600'000}, false});
  alert a;
  alerts->receive([&](alert& x) { a = x; }, caf::after(5s) >> [] { FAIL("no alert after two live failures"); });
  CHECK(a.level == severity::critical);
  CHECK(a.text.find("live refused 2") != std::string::npos);
  CHECK(a.text.find("(paper)") == std::string::npos);
  self->send_exit(sl, caf::exit_reason::user_shutdown);
}

TEST_CASE_FIXTURE(test::actor_fixture, "market: a holding that awaited settlement on an empty bid gets its exit back when a bid returns") {
  caf::scoped_actor self{*sys};
  auto store = spawn_store(*sys, env, telemetry_actor{}, {});
  directory_options opts;
  opts.market.book_hash_check = false;
  opts.market.orders = caf::actor_cast<order_actor>(self);
  opts.market.stop_loss = caf::actor_cast<stop_loss_actor>(self);
  auto dir = spawn_directory(*sys, store, telemetry_actor{}, notifier_actor{}, opts);
  auto m = live_market();
  market_actor h;
  self->request(dir, 5s, m).receive([&](market_actor& x) { h = x; }, [&](caf::error& e) { FAIL(error_text(e)); });
  self->receive([&](get_atom, condition_id&) -> std::vector<order_record> { return {filled_buy(m)}; },
                caf::after(5s) >> [] { FAIL("the market did not ask for its orders"); });
  self->send(h, book(m, m.down_token, 690'000, 700'000));
  auto no_bid = book(m, m.up_token, 300'000, 310'000);
  no_bid.bids.clear(); // a maker re-quoting: the side is empty for a moment
  self->send(h, no_bid);
  self->receive([&](market_view& v) -> stop_decision {
                  CHECK(v.up.best_bid == price{0});
                  return {stop_verdict::await_settlement, "test: no bid", price{}};
                },
                caf::after(5s) >> [] { FAIL("no stop-loss check"); });
  // Still no bid: the holding awaits, nothing is checked.
  self->send(h, no_bid);
  market_state st;
  self->request(h, 5s, get_atom::value).receive([&](market_state& s) { st = s; }, [](caf::error&) { FAIL("state"); });
  CHECK(st.view.awaiting_settlement);
  self->receive([](market_view&) -> stop_decision {
                  FAIL("checked while the book has no bid");
                  return {};
                },
                caf::after(std::chrono::milliseconds(0)) >> [] {});
  // The bid is back: the exit is watched again, and the sell goes out at it.
  self->send(h, book(m, m.up_token, 300'000, 310'000));
  self->receive([&](market_view& v) -> stop_decision {
                  CHECK(v.up.best_bid == price{300'000});
                  CHECK_FALSE(v.awaiting_settlement);
                  return {stop_verdict::exit, "test: crash", price{300'000}};
                },
                caf::after(5s) >> [] { FAIL("no stop-loss check after the bid came back"); });
  place_batch sell;
  self->receive([&](place_batch& b) { sell = b; }, caf::after(5s) >> [] { FAIL("no exit order"); });
  REQUIRE(sell.orders.size() == 1);
  CHECK(sell.orders[0].side == order_side::sell);
  CHECK(sell.orders[0].px == price{300'000});
  self->send_exit(dir, caf::exit_reason::user_shutdown);
  self->send_exit(store, caf::exit_reason::user_shutdown);
}
