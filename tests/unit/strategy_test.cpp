// The strategy seam (issue 17): the TD maker proposes what bidding used to
// place, the 99c capture enters only in its window on one outcome, records the
// confidence at fill (not at placement) and asks for an exit past its danger
// threshold. Pure objects: the snapshot is the whole input, time included.
#include <doctest/doctest.h>

#include "core/capture_99c.hpp"
#include "core/td_maker.hpp"

using namespace tdmaker;

namespace {

constexpr std::int64_t start_s = 1'800'000'000;
constexpr std::int64_t end_s = start_s + 900;

strategy_snapshot snap_at(double seconds_left) {
  strategy_snapshot s;
  s.slot_start_s = start_s;
  s.slot_end_s = end_s;
  s.now_ms = end_s * 1000 - static_cast<std::int64_t>(seconds_left * 1000);
  s.up = {price{960'000}, shares{200'000'000}, price{970'000}, shares{200'000'000}};
  s.down = {price{20'000}, shares{50'000'000}, price{40'000}, shares{200'000'000}};
  s.ref_start = ref_price{100'000'00000000};
  s.ref_now = ref_price{100'300'00000000}; // +0.3 %: Up is all but certain late in the slot
  s.fast.points = 5;
  s.fast.velocity_known = true;
  s.fast.velocity = 1e-5; // still rising
  s.tick = tick_size{10'000};
  s.min_size = shares{5'000'000};
  s.last_trade_vote_up = 1;
  return s;
}

capture_config capture_cfg() {
  capture_config c;
  c.enabled = true;
  c.entry_window_s = 180;
  c.threshold_ppm = 800'000;
  c.max_price = 990'000;
  c.shares = 5;
  return c;
}

} // namespace

TEST_CASE("strategy: the capture waits for its window, then buys the sure outcome once as a taker at the max price") {
  capture_99c c(capture_cfg());
  strategy_orders none;
  strategy_intents out;
  c.evaluate(snap_at(400), none, out);
  CHECK(out.place.empty());
  CHECK(out.reason == "before the capture window");
  out.clear();
  c.evaluate(snap_at(120), none, out);
  REQUIRE(out.place.size() == 1);
  CHECK(out.reason == "capture order");
  CHECK(out.place[0].side == outcome::up);
  CHECK(out.place[0].px == price{990'000});
  CHECK(out.place[0].size == shares{5'000'000});
  CHECK_FALSE(out.place[0].post_only);
  CHECK(c.confidence(outcome::up).confidence_ppm >= 800'000);
  // Ordered: never again, and never the other outcome.
  c.on_ordered(outcome::up, c.confidence(outcome::up).confidence_ppm);
  CHECK(c.take_dirty());
  CHECK(c.state().ordered);
  out.clear();
  auto flipped = snap_at(100);
  std::swap(flipped.up, flipped.down);
  flipped.ref_now = ref_price{99'700'00000000};
  c.evaluate(flipped, none, out);
  CHECK(out.place.empty());
  CHECK(out.reason == "captured");
}

TEST_CASE("strategy: the capture does not buy below its threshold or above its max price") {
  capture_99c c(capture_cfg());
  strategy_orders none;
  strategy_intents out;
  auto flat = snap_at(120);
  flat.ref_now = flat.ref_start; // no move: neither outcome is sure
  flat.up = {price{480'000}, shares{100'000'000}, price{520'000}, shares{100'000'000}};
  flat.down = {price{480'000}, shares{100'000'000}, price{520'000}, shares{100'000'000}};
  c.evaluate(flat, none, out);
  CHECK(out.place.empty());
  CHECK(out.reason == "confidence below threshold");
  out.clear();
  auto dear = snap_at(120);
  dear.up.ask = price{1'000'000}; // no ask under 0.99
  auto cfg = capture_cfg();
  cfg.confidence.market_weight_ppm = 0; // the model alone: the ask cannot lower it
  capture_99c d(cfg);
  d.evaluate(dear, none, out);
  CHECK(out.place.empty());
  CHECK(out.reason == "ask above max price");
}

TEST_CASE("strategy: the capture's peak is the confidence at fill time, not at placement") {
  capture_99c c(capture_cfg());
  strategy_orders none;
  strategy_intents out;
  c.evaluate(snap_at(120), none, out);
  REQUIRE(out.place.size() == 1);
  auto placed = c.confidence(outcome::up).confidence_ppm;
  c.on_ordered(outcome::up, placed);
  // By the fill the market has moved: less time left and a thinner move.
  auto at_fill = snap_at(5);
  at_fill.ref_now = ref_price{100'001'00000000};
  at_fill.up.ask = price{600'000};
  at_fill.up.ask_size = shares{1'000'000};
  auto expected = c.confidence_now(at_fill, outcome::up).confidence_ppm;
  c.on_filled(at_fill, outcome::up);
  CHECK(c.state().peak_confidence_ppm == expected);
  CHECK(c.state().peak_confidence_ppm < placed - 100'000);
  CHECK(c.state().order_confidence_ppm == placed);
  CHECK(c.state().filled_ms == at_fill.now_ms);
  // A later fill of the same order does not move it.
  c.on_filled(snap_at(2), outcome::up);
  CHECK(c.state().peak_confidence_ppm == expected);
}

TEST_CASE("strategy: past its danger threshold the capture asks the stop-loss for an exit of that book") {
  capture_99c c(capture_cfg());
  auto s = snap_at(120);
  c.on_filled(s, outcome::up);
  strategy_orders held;
  held.placed[0] = 1;
  held.filled[0] = 1;
  held.held[0] = {true, outcome::up, shares{5'000'000}, price{970'000}};
  strategy_intents out;
  c.evaluate(s, held, out);
  CHECK(out.exits.empty());
  CHECK(c.danger_known(false));
  CHECK(c.danger(false).score < 60);
  // The reference falls through the start and keeps falling: Down's bid rises.
  auto bad = snap_at(110);
  bad.ref_now = ref_price{99'800'00000000};
  bad.fast.velocity = -2e-4;
  bad.up = {price{300'000}, shares{50'000'000}, price{350'000}, shares{50'000'000}};
  bad.down = {price{650'000}, shares{50'000'000}, price{700'000}, shares{50'000'000}};
  out.clear();
  c.evaluate(bad, held, out);
  CHECK(c.danger(false).score >= 60);
  REQUIRE(out.exits.size() == 1);
  CHECK(out.exits[0].stop_loss);
  CHECK_FALSE(out.exits[0].paper);
  CHECK(out.exits[0].px == price{300'000});
  // An exit already under way is not asked for twice.
  held.exit_open[0] = true;
  out.clear();
  c.evaluate(bad, held, out);
  CHECK(out.exits.empty());
}

TEST_CASE("strategy: a held outcome's ask gone for a moment is no fall of its confidence") {
  capture_99c c(capture_cfg());
  auto s = snap_at(60);
  c.on_filled(s, outcome::up);
  strategy_orders held;
  held.placed[0] = 1;
  held.filled[0] = 1;
  held.held[0] = {true, outcome::up, shares{5'000'000}, price{970'000}};
  strategy_intents out;
  c.evaluate(s, held, out);
  const auto before = c.danger(false);
  const auto watched = c.watched_confidence(false);
  CHECK(watched > 0);
  // A maker re-quoting (or no seller left of a near-certain winner): no ask, no
  // measurement. The danger keeps the last measured confidence: no exit.
  auto gap = snap_at(59);
  gap.up.ask = price{0};
  gap.up.ask_size = shares{0};
  out.clear();
  c.evaluate(gap, held, out);
  CHECK(c.confidence(outcome::up).confidence_ppm == 0);
  CHECK(c.watched_confidence(false) == watched);
  CHECK(c.danger(false).drop_points == before.drop_points);
  CHECK(out.exits.empty());
  // A real fall still counts once the book measures it.
  auto bad = snap_at(58);
  bad.ref_now = ref_price{99'800'00000000};
  bad.fast.velocity = -2e-4;
  bad.up = {price{300'000}, shares{50'000'000}, price{350'000}, shares{50'000'000}};
  bad.down = {price{650'000}, shares{50'000'000}, price{700'000}, shares{50'000'000}};
  out.clear();
  c.evaluate(bad, held, out);
  CHECK(c.danger(false).drop_points > before.drop_points);
  CHECK(c.watched_confidence(false) < watched);
}

TEST_CASE("strategy: the winning exit offers a winner at 0.999 only where the tick allows it") {
  auto cfg = capture_cfg();
  cfg.winning_exit = true;
  capture_99c c(cfg);
  auto s = snap_at(60);
  c.on_filled(s, outcome::up);
  strategy_orders held;
  held.held[0] = {true, outcome::up, shares{5'000'000}, price{970'000}};
  strategy_intents out;
  c.evaluate(s, held, out); // tick 0.01: 0.999 is not on the grid
  CHECK(out.exits.empty());
  s.tick = tick_size{1'000};
  c.evaluate(s, held, out);
  REQUIRE(out.exits.size() == 1);
  CHECK_FALSE(out.exits[0].stop_loss);
  CHECK(out.exits[0].px == price{999'000});
}

TEST_CASE("strategy: the capture signs both outcomes ahead shortly before its window, once") {
  capture_99c c(capture_cfg());
  strategy_orders none;
  strategy_intents out;
  c.evaluate(snap_at(300), none, out);
  CHECK(out.presign.empty());
  c.evaluate(snap_at(200), none, out);
  REQUIRE(out.presign.size() == 2);
  CHECK(out.presign[0].px == price{990'000});
  CHECK(out.presign[0].size == shares{5'000'000});
  out.clear();
  c.evaluate(snap_at(195), none, out);
  CHECK(out.presign.empty());
}

TEST_CASE("strategy: the capture's size is capped by the phase's rung and raised to the market minimum") {
  auto cfg = capture_cfg();
  cfg.shares = 20;
  capture_99c c(cfg);
  auto s = snap_at(120);
  s.rung_shares = 10;
  CHECK(c.order_size(s) == shares{10'000'000});
  s.rung_shares = 2;
  CHECK(c.order_size(s) == shares{5'000'000}); // the market's 5-share minimum
}

TEST_CASE("strategy: the TD maker proposes the ladder bidding used to place, sized on the phase's rung") {
  entry_rules e;
  e.target_bid = price{800'000};
  e.max_bid = price{920'000};
  e.min_move_ppm = -1'000'000;
  e.max_move_ppm = 1'000'000;
  e.max_entry_s = 100'000;
  e.fair_value = false;
  ladder_rules l;
  l.rungs = 3;
  l.spacing_ticks = 1;
  l.sequential = false;
  td_maker td(e, std::nullopt, l);
  auto s = snap_at(800);
  s.up = {price{850'000}, shares{100'000'000}, price{860'000}, shares{100'000'000}};
  s.rung_shares = 10;
  strategy_orders none;
  strategy_intents out;
  td.evaluate(s, none, out);
  REQUIRE(out.place.size() == 3);
  CHECK(out.place[0].px == price{850'000});
  CHECK(out.place[1].px == price{840'000});
  CHECK(out.place[2].px == price{830'000});
  for (auto& p : out.place) {
    CHECK(p.side == outcome::up);
    CHECK(p.size == shares{10'000'000});
    CHECK(p.post_only);
  }
  CHECK(td.last(outcome::up).verdict == "maker orders");
  CHECK(td.last(outcome::down).verdict == "skip");
  // All placed: nothing more.
  strategy_orders placed;
  placed.placed[0] = 0b111;
  out.clear();
  td.evaluate(s, placed, out);
  CHECK(out.place.empty());
  CHECK(td.last(outcome::up).verdict == "ladder placed");
  s.awaiting_settlement = true;
  out.clear();
  td.evaluate(s, none, out);
  CHECK(out.place.empty());
  CHECK(out.reason == "awaiting settlement");
}
