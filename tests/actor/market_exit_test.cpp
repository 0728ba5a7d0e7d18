// A market actor's stop-loss path. The test plays the order actor (it answers
// the market's order load and receives its batches) and the stop-loss actor (it
// answers each check): a filled position is checked on a book update, the bid is
// re-checked before the sell, the sell goes out at the best bid past every gate,
// and a failed exit is reported and retried only after a backoff.
#include <doctest/doctest.h>

#include "actors/directory.hpp"
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
