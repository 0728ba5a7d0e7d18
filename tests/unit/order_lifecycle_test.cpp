// Seed 003's OrderManager rules: placeholders, venue answers, ghost checks,
// pending-cancel expiry, startup reconciliation, and the durable order record.
#include <doctest/doctest.h>

#include "core/order_lifecycle.hpp"

using namespace tdmaker;

namespace {

const std::string id_a = "0x" + std::string(64, 'a');
const std::string id_b = "0x" + std::string(64, 'b');
const std::string id_c = "0x" + std::string(64, 'c');
const std::string id_d = "0x" + std::string(64, 'd');

order_record record(std::string id, order_state s, std::int64_t created_ms = 1'000'000) {
  order_record r;
  r.order_id = std::move(id);
  r.client_id = placeholder_id(7);
  r.market = condition_id{"0x" + std::string(64, '1')};
  r.token = token_id{"123456789"};
  r.side_outcome = outcome::down;
  r.rung = 2;
  r.px = price{830'000};
  r.size = shares{5'000'000};
  r.reserved = usdc{4'150'000};
  r.state = s;
  r.created_ms = created_ms;
  r.updated_ms = created_ms;
  r.slot_end_s = 1'800'000'900;
  return r;
}

} // namespace

TEST_CASE("orders: placeholder names") {
  CHECK(placeholder_id(42) == "_placing_42");
  CHECK(is_placeholder("_placing_42"));
  CHECK_FALSE(is_placeholder(id_a));
}

TEST_CASE("orders: placeholder lifecycle placing -> live -> cancel_pending -> cancelled") {
  auto r = record(id_a, order_state::placing);
  CHECK(is_open(r.state));
  CHECK(advance(r, state_after_ack("live"), 1'000'100));
  CHECK(r.state == order_state::live);
  CHECK_FALSE(advance(r, order_state::placing, 1'000'200)); // never back to a placeholder
  CHECK(advance(r, order_state::cancel_pending, 1'000'300, "slot ends"));
  CHECK(r.cancel_requested_ms == 1'000'300);
  CHECK(r.reason == "slot ends");
  CHECK(advance(r, order_state::cancel_pending, 1'000'900)); // resent cancel keeps the first stamp
  CHECK(r.cancel_requested_ms == 1'000'300);
  CHECK(advance(r, order_state::cancelled, 1'000'400));
  CHECK(is_terminal(r.state));
  CHECK_FALSE(advance(r, order_state::live, 1'000'500)); // terminal is final ...
  CHECK(advance(r, order_state::filled, 1'000'600));      // ... except a late fill, the venue's truth
  CHECK(r.state == order_state::filled);
  CHECK_FALSE(advance(r, order_state::cancelled, 1'000'700));
}

TEST_CASE("orders: what a placement answer and a venue look-up mean") {
  CHECK(state_after_ack("live") == order_state::live);
  CHECK(state_after_ack("matched") == order_state::filled);
  // Taker delay: no fill known yet, and not over either (see the delayed-order case).
  CHECK(state_after_ack("delayed") == order_state::delayed);
  CHECK(state_after_ack("unmatched") == order_state::delayed);
  shares five{5'000'000}, two{2'000'000}, none{0};
  CHECK(state_from_venue("LIVE", none, five) == order_state::live);
  CHECK(state_from_venue("LIVE", two, five) == order_state::partially_filled);
  CHECK(state_from_venue("MATCHED", five, five) == order_state::filled);
  CHECK(state_from_venue("CANCELED", two, five) == order_state::cancelled);
  CHECK(state_from_venue("CANCELED_MARKET_RESOLVED", none, five) == order_state::cancelled);
  CHECK(state_from_venue("UNMATCHED_invalid post-only order: order crosses book", none, five)
        == order_state::cancelled);
  CHECK(state_from_venue("INVALID", none, five) == order_state::rejected);
  CHECK(state_from_venue("SOMETHING_NEW", none, five) == order_state::unknown);
}

TEST_CASE("orders: a delayed order stays open and is followed with a growing, bounded interval") {
  auto r = record(id_a, order_state::placing, 1'000'000);
  CHECK(advance(r, state_after_ack("delayed"), 1'000'100));
  CHECK(r.state == order_state::delayed);
  CHECK(is_open(r.state)); // so the stop-loss sends no second exit, and a slot end cancels it
  CHECK_FALSE(is_terminal(r.state));
  CHECK(parse_order_state(to_string(order_state::delayed)).value() == order_state::delayed);
  shares five{5'000'000}, none{0};
  CHECK(state_from_venue("DELAYED", none, five) == order_state::delayed);
  // Where a hold ends, as the venue's order record says.
  CHECK(state_from_venue("MATCHED", five, five) == order_state::filled);
  CHECK(state_from_venue("UNMATCHED", none, five) == order_state::cancelled);
  backoff_policy p{std::chrono::milliseconds(300), std::chrono::milliseconds(5'000)};
  // First look-up 300 ms after the reply (jitter 0.99 ~ the full delay), then further apart.
  CHECK_FALSE(follow_due(r, 1'000'100 + 296, p, 0.99));
  CHECK(follow_due(r, 1'000'100 + 300, p, 0.99));
  r.checks = 3; // 300 x 2^3 = 2.4 s
  CHECK_FALSE(follow_due(r, 1'000'100 + 2'300, p, 0.99));
  CHECK(follow_due(r, 1'000'100 + 2'400, p, 0.99));
  r.checks = 30; // capped at 5 s: a long hold costs a bounded rate of look-ups
  CHECK(follow_due(r, 1'000'100 + 5'000, p, 0.99));
  auto live = record(id_b, order_state::live);
  CHECK_FALSE(follow_due(live, 9'000'000, p, 0.99)); // only delayed orders are followed
}

TEST_CASE("orders: placement timeout leads to the ghost check, unknown is re-checked") {
  order_timeouts t; // 15 s, 30 s, 5 s
  auto r = record(id_a, order_state::placing, 1'000'000);
  CHECK_FALSE(placement_timed_out(r, 1'014'999, t));
  CHECK(placement_timed_out(r, 1'015'000, t));
  // The ghost check found nothing conclusive: unknown, looked up again later.
  CHECK(advance(r, order_state::unknown, 1'015'000, "no reply; venue look-up 503"));
  CHECK_FALSE(placement_timed_out(r, 1'100'000, t));
  CHECK_FALSE(recheck_due(r, 1'019'999, t));
  CHECK(recheck_due(r, 1'020'000, t));
  // Found: live (adopted as any other order).
  CHECK(advance(r, state_from_venue("LIVE", shares{0}, r.size), 1'020'000));
  CHECK(r.state == order_state::live);
  // Or found nowhere after the look-ups: rejected, never re-sent.
  auto g = record(id_b, order_state::unknown);
  CHECK(advance(g, order_state::rejected, 1'030'000, "not on the venue after 4 look-ups"));
  CHECK(is_terminal(g.state));
}

TEST_CASE("orders: pending cancels expire after 30 s for a venue check") {
  order_timeouts t;
  auto r = record(id_a, order_state::live);
  CHECK_FALSE(cancel_expired(r, 9'000'000, t)); // not cancel_pending
  advance(r, order_state::cancel_pending, 2'000'000);
  CHECK_FALSE(cancel_expired(r, 2'029'999, t));
  CHECK(cancel_expired(r, 2'030'000, t));
  // The venue says it is still live: the cancel is sent again and the clock restarts.
  advance(r, order_state::live, 2'030'000);
  advance(r, order_state::cancel_pending, 2'030'001);
  CHECK_FALSE(cancel_expired(r, 2'040'000, t));
  CHECK(cancel_expired(r, 2'060'001, t));
}

TEST_CASE("orders: startup reconciliation adopts, cancels orphans and looks up the rest") {
  std::vector<order_record> ledger{record(id_a, order_state::live), record(id_b, order_state::placing),
                                   record(id_c, order_state::cancelled)};
  // Venue shows a (ours, live), c (ours but cancelled in the ledger) and d (unknown to us).
  auto plan = plan_reconciliation(ledger, {id_a, id_c, id_d});
  CHECK(plan.adopt == std::vector<std::string>{id_a});
  CHECK(plan.look_up == std::vector<std::string>{id_b});
  CHECK(plan.cancel_orphans == std::vector<std::string>{id_d, id_c});
  auto empty = plan_reconciliation({}, {});
  CHECK(empty.adopt.empty());
  CHECK(empty.cancel_orphans.empty());
  CHECK(empty.look_up.empty());
}

TEST_CASE("orders: the durable record round-trips exactly and refuses damage") {
  auto r = record(id_a, order_state::cancel_pending);
  r.matched = shares{1'500'000};
  r.cancel_requested_ms = 1'000'500;
  r.checks = 3;
  r.reason = "slot ends \"soon\"";
  auto back = decode_order_record(encode(r));
  REQUIRE(back);
  CHECK(back->order_id == r.order_id);
  CHECK(back->client_id == "_placing_7");
  CHECK(back->market == r.market);
  CHECK(back->token == r.token);
  CHECK(back->side_outcome == outcome::down);
  CHECK(back->rung == 2);
  CHECK(back->side == order_side::buy);
  CHECK(back->px == r.px);
  CHECK(back->size == r.size);
  CHECK(back->matched == r.matched);
  CHECK(back->reserved == r.reserved);
  CHECK(back->state == order_state::cancel_pending);
  CHECK(back->cancel_requested_ms == 1'000'500);
  CHECK(back->slot_end_s == r.slot_end_s);
  CHECK(back->checks == 3);
  CHECK(back->reason == r.reason);
  auto text = encode(r);
  auto bad_state = text;
  bad_state.replace(bad_state.find("cancel_pending"), 14, "cancel_pendin_");
  CHECK_FALSE(decode_order_record(bad_state));
  auto bad_price = text;
  bad_price.replace(bad_price.find("0.83"), 4, "1.83");
  CHECK_FALSE(decode_order_record(bad_price));
  CHECK_FALSE(decode_order_record("{}"));
  r.order_id = "0x12";
  CHECK_FALSE(decode_order_record(encode(r)));
}
