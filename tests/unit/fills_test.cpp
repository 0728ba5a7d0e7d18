// Seed 003's FillDetector rules: exactly-once booking under replays, status
// progression and FAILED reversal, positions as the fold of fills, the four
// matching priorities, the user-channel and REST trade codecs, and the record.
#include <doctest/doctest.h>

#include <optional>
#include <vector>

#include "core/fills.hpp"
#include "core/trade_codec.hpp"

using namespace tdmaker;

namespace {

const condition_id cid{"0x" + std::string(64, '1')};
const token_id up{"111"};
const token_id down{"222"};
const std::string ours = "11111111-2222-3333-4444-555555555555";
const std::string theirs = "99999999-8888-7777-6666-555555555555";
const std::string order_a = "0x" + std::string(64, 'a');
const std::string order_b = "0x" + std::string(64, 'b');

fill_report report(std::string trade, std::string order, trade_status st, std::int64_t size = 5'000'000,
                   std::int64_t px = 830'000) {
  fill_report r;
  r.trade_id = std::move(trade);
  r.order_id = std::move(order);
  r.market = cid;
  r.token = up;
  r.px = price{px};
  r.size = shares{size};
  r.status = st;
  r.ts_ms = 1'800'000'000'000;
  return r;
}

/// Runs reports through apply_report like the fill actor does (a map of keys).
struct ledger {
  std::map<std::string, fill_record> fills;
  std::vector<fill_change> changes;
  fill_change add(const fill_report& r) {
    auto key = fill_key(r.market, r.order_id, r.trade_id);
    std::optional<fill_record> known;
    if (auto it = fills.find(key); it != fills.end())
      known = it->second;
    fill_record next;
    auto c = apply_report(known, r, 42, next);
    if (c != fill_change::duplicate)
      fills[key] = next;
    changes.push_back(c);
    return c;
  }
  std::vector<fill_record> all() const {
    std::vector<fill_record> v;
    for (auto& [k, f] : fills)
      v.push_back(f);
    return v;
  }
};

order_record order(std::string id, order_state st, std::int64_t created_ms, std::int64_t px = 830'000) {
  order_record o;
  o.order_id = std::move(id);
  o.market = cid;
  o.token = up;
  o.px = price{px};
  o.size = shares{5'000'000};
  o.state = st;
  o.created_ms = created_ms;
  return o;
}

std::string trade_json(std::string_view status, std::string_view maker_owner, std::string_view taker_owner,
                       std::string_view extra_maker = "") {
  std::string j = R"({"event_type":"trade","type":"TRADE","id":"t-1","taker_order_id":"0x)" + std::string(64, 'f')
                  + R"(","market":")" + cid.hex
                  + R"(","asset_id":"222","side":"BUY","size":"7","fee_rate_bps":"0","price":"0.2","status":")"
                  + std::string(status) + R"(","match_time":"1800000000","last_update":"1800000000","outcome":"Down",)"
                  + R"("owner":")" + std::string(taker_owner)
                  + R"(","maker_address":"0x0","transaction_hash":"","trader_side":"MAKER","maker_orders":[)"
                  + R"({"order_id":")" + order_a + R"(","owner":")" + std::string(maker_owner)
                  + R"(","maker_address":"0x0","matched_amount":"4.5","price":"0.8","fee_rate_bps":"0",)"
                  + R"("asset_id":"111","outcome":"Up","side":"BUY"})" + std::string(extra_maker) + "]}";
  return j;
}

} // namespace

TEST_CASE("fills: the dedup key is condition:order:trade") {
  CHECK(fill_key(cid, order_a, "t-1") == cid.hex + ":" + order_a + ":t-1");
}

TEST_CASE("fills: a fill is booked once whatever repeats it") {
  ledger l;
  CHECK(l.add(report("t-1", order_a, trade_status::matched)) == fill_change::booked);
  // The same event again (duplicated frame), then as a reconnect replay and from REST.
  CHECK(l.add(report("t-1", order_a, trade_status::matched)) == fill_change::duplicate);
  auto from_rest = report("t-1", order_a, trade_status::matched);
  from_rest.source = fill_source::reconcile;
  CHECK(l.add(from_rest) == fill_change::duplicate);
  // Another order in the same trade, and another trade of the same order, are new.
  CHECK(l.add(report("t-1", order_b, trade_status::matched)) == fill_change::booked);
  CHECK(l.add(report("t-2", order_a, trade_status::matched)) == fill_change::booked);
  auto pos = positions_of(l.all());
  REQUIRE(pos.size() == 1);
  CHECK(pos.at("111").bought == shares{15'000'000});
  CHECK(pos.at("111").cost == usdc{12'450'000});
  CHECK(pos.at("111").fills == 3);
}

TEST_CASE("fills: replay after a restart is a duplicate (the record survives encoding)") {
  ledger before;
  before.add(report("t-1", order_a, trade_status::mined));
  auto stored = encode(before.fills.begin()->second);
  auto back = decode_fill_record(stored);
  REQUIRE(back.ok());
  // A restarted node loads its fills and sees the same trade replayed.
  ledger after;
  after.fills[back->key] = *back;
  CHECK(after.add(report("t-1", order_a, trade_status::matched)) == fill_change::duplicate);
  CHECK(after.add(report("t-1", order_a, trade_status::mined)) == fill_change::duplicate);
  CHECK(after.add(report("t-1", order_a, trade_status::confirmed)) == fill_change::advanced);
}

TEST_CASE("fills: status moves forward only and FAILED reverses a booked fill") {
  ledger l;
  CHECK(l.add(report("t-1", order_a, trade_status::matched)) == fill_change::booked);
  CHECK(l.add(report("t-1", order_a, trade_status::mined)) == fill_change::advanced);
  CHECK(l.add(report("t-1", order_a, trade_status::matched)) == fill_change::duplicate); // late, older
  CHECK(l.add(report("t-1", order_a, trade_status::retrying)) == fill_change::duplicate);
  CHECK(l.add(report("t-1", order_a, trade_status::confirmed)) == fill_change::advanced);
  CHECK(positions_of(l.all()).at("111").bought == shares{5'000'000});

  ledger f;
  f.add(report("t-9", order_a, trade_status::matched));
  CHECK(f.add(report("t-9", order_a, trade_status::retrying)) == fill_change::advanced);
  CHECK(f.add(report("t-9", order_a, trade_status::failed)) == fill_change::reversed);
  CHECK(f.fills.begin()->second.reversed);
  CHECK(positions_of(f.all()).empty()); // a failed trade holds nothing
  // Nothing brings it back: not a replayed MATCHED, not another FAILED.
  CHECK(f.add(report("t-9", order_a, trade_status::matched)) == fill_change::duplicate);
  CHECK(f.add(report("t-9", order_a, trade_status::failed)) == fill_change::duplicate);
}

TEST_CASE("fills: FAILED first is remembered and never booked") {
  ledger l;
  CHECK(l.add(report("t-3", order_a, trade_status::failed)) == fill_change::never_booked);
  CHECK(l.add(report("t-3", order_a, trade_status::matched)) == fill_change::duplicate);
  CHECK(positions_of(l.all()).empty());
}

TEST_CASE("fills: partial fills add up and a reversal takes exactly its part out") {
  position p;
  p.market = cid;
  p.token = up;
  auto a = report("t-1", order_a, trade_status::matched, 2'000'000, 830'000);
  auto b = report("t-2", order_a, trade_status::matched, 3'000'000, 830'000);
  fill_record fa, fb;
  apply_report(std::nullopt, a, 1, fa);
  apply_report(std::nullopt, b, 1, fb);
  fold_fill(p, fa, false);
  fold_fill(p, fb, false);
  CHECK(p.held() == shares{5'000'000});
  CHECK(p.cost == usdc{4'150'000});
  fold_fill(p, fa, true);
  CHECK(p.held() == shares{3'000'000});
  CHECK(p.cost == usdc{2'490'000});
  CHECK(p.fills == 1);
  // A sale: proceeds and fees count, shares leave.
  auto s = report("t-3", order_b, trade_status::matched, 1'000'000, 400'000);
  s.side = order_side::sell;
  s.fee = usdc{16'800};
  fill_record fs;
  apply_report(std::nullopt, s, 1, fs);
  fold_fill(p, fs, false);
  CHECK(p.held() == shares{2'000'000});
  CHECK(p.proceeds == usdc{400'000});
  CHECK(p.fees == usdc{16'800});
}

TEST_CASE("fills: cash is exact on the tick grid") {
  CHECK(fill_cash(shares{4'500'000}, price{830'000}) == usdc{3'735'000});
  CHECK(fill_cash(shares{1'230'000}, price{987'000}) == usdc{1'214'010});
}

TEST_CASE("fills: matching priority 1, exact order id") {
  std::vector<order_record> orders{order(order_b, order_state::live, 1), order(order_a, order_state::live, 2)};
  auto m = match_fill(report("t", order_a, trade_status::matched), orders);
  CHECK(m.kind == match_kind::exact);
  REQUIRE(m.order);
  CHECK(m.order->order_id == order_a);
  // A late fill of a cancelled order is still its own.
  orders[1].state = order_state::cancelled;
  CHECK(match_fill(report("t", order_a, trade_status::matched), orders).kind == match_kind::exact);
}

TEST_CASE("fills: matching priority 2, a placeholder still waiting for its answer") {
  std::vector<order_record> orders{order(order_a, order_state::placing, 1)};
  CHECK(match_fill(report("t", order_a, trade_status::matched), orders).kind == match_kind::placeholder);
  orders[0].state = order_state::unknown; // timed out, ghost check pending
  CHECK(match_fill(report("t", order_a, trade_status::matched), orders).kind == match_kind::placeholder);
}

TEST_CASE("fills: matching priority 3, an order being cancelled") {
  std::vector<order_record> orders{order(order_a, order_state::cancel_pending, 1)};
  CHECK(match_fill(report("t", order_a, trade_status::matched), orders).kind == match_kind::pending_cancel);
}

TEST_CASE("fills: matching priority 4, broad: oldest open order at that price with room") {
  const std::string unknown = "0x" + std::string(64, 'e');
  std::vector<order_record> orders{order(order_b, order_state::live, 5),
                                   order(order_a, order_state::live, 3),
                                   order("0x" + std::string(64, 'c'), order_state::live, 1, 820'000),
                                   order("0x" + std::string(64, 'd'), order_state::cancelled, 0)};
  auto m = match_fill(report("t", unknown, trade_status::matched), orders);
  CHECK(m.kind == match_kind::broad);
  REQUIRE(m.order);
  CHECK(m.order->order_id == order_a); // oldest at 0.83; the 0.82 one and the cancelled one do not qualify
  orders[1].matched = shares{3'000'000}; // no room left for 5 shares
  CHECK(match_fill(report("t", unknown, trade_status::matched), orders).order->order_id == order_b);
  // Nothing fits: no match (the fill is still booked to the account by the fill actor).
  CHECK(match_fill(report("t", unknown, trade_status::matched, 9'000'000), orders).kind == match_kind::none);
}

TEST_CASE("fills: matching stays in the fill's book - a venue fill never takes a paper order, a paper fill never a venue order") {
  const std::string unknown = "0x" + std::string(64, 'e');
  auto paper_order = order(order_a, order_state::live, 1);
  paper_order.paper = true;
  std::vector<order_record> orders{paper_order};
  // A venue fill the ledger cannot name by id: the paper bid at that price is no candidate.
  CHECK(match_fill(report("t", unknown, trade_status::matched), orders).kind == match_kind::none);
  // Nor by id (a paper id is never the venue's).
  CHECK(match_fill(report("t", order_a, trade_status::matched), orders).kind == match_kind::none);
  auto paper = report("paper-5000000", order_a, trade_status::confirmed);
  paper.source = fill_source::paper;
  CHECK(match_fill(paper, orders).kind == match_kind::exact);
  // A venue order of the same id and price is not a paper fill's.
  orders[0].paper = false;
  CHECK(match_fill(paper, orders).kind == match_kind::none);
  CHECK(match_fill(report("t", unknown, trade_status::matched), orders).kind == match_kind::broad);
}

TEST_CASE("fills: a paper sell above the paper holding is an oversell, a venue sell never") {
  position p;
  p.market = cid;
  p.token = up;
  p.bought = shares{7'000'000};
  p.sold = shares{2'000'000};
  p.paper = true;
  auto sell = report("paper-exit", order_a, trade_status::confirmed, 5'000'000);
  sell.side = order_side::sell;
  sell.source = fill_source::paper;
  CHECK_FALSE(paper_oversell(&p, sell)); // 5 held, 5 sold: exact
  sell.size = shares{5'000'001};
  CHECK(paper_oversell(&p, sell));
  CHECK(paper_oversell(nullptr, sell)); // nothing held on paper
  sell.source = fill_source::user_ws;
  CHECK_FALSE(paper_oversell(nullptr, sell)); // the venue's trade is its truth
  auto buy = report("paper-5", order_a, trade_status::confirmed);
  buy.source = fill_source::paper;
  CHECK_FALSE(paper_oversell(nullptr, buy));
}

TEST_CASE("trade codec: the node's maker leg is its maker_orders entry, not the top level") {
  auto legs = parse_user_frame(trade_json("MATCHED", ours, theirs), ours);
  REQUIRE(legs.ok());
  REQUIRE(legs->size() == 1);
  auto& f = (*legs)[0];
  CHECK(f.trade_id == "t-1");
  CHECK(f.order_id == order_a);
  CHECK(f.token == up); // cross-asset: taker bought Down, our maker leg bought Up
  CHECK(f.side == order_side::buy);
  CHECK(f.px == price{800'000});
  CHECK(f.size == shares{4'500'000});
  CHECK(f.fee == usdc{0});
  CHECK_FALSE(f.taker);
  CHECK(f.status == trade_status::matched);
  CHECK(f.ts_ms == 1'800'000'000'000);
  CHECK(f.source == fill_source::user_ws);
}

TEST_CASE("trade codec: someone else's trade yields nothing and a taker leg carries its fee") {
  auto none = parse_user_frame(trade_json("MINED", theirs, theirs), ours);
  REQUIRE(none.ok());
  CHECK(none->empty());
  auto taker = parse_user_frame(trade_json("TRADE_STATUS_CONFIRMED", theirs, ours), ours);
  REQUIRE(taker.ok());
  REQUIRE(taker->size() == 1);
  CHECK((*taker)[0].taker);
  CHECK((*taker)[0].token == down);
  CHECK((*taker)[0].size == shares{7'000'000});
  CHECK((*taker)[0].status == trade_status::confirmed);
  CHECK((*taker)[0].fee == usdc{0}); // priced by the fill actor from the market's schedule
  // Order events and arrays of events.
  auto arr = parse_user_frame("[{\"event_type\":\"order\",\"type\":\"UPDATE\"}," + trade_json("MATCHED", ours, theirs) + "]",
                              ours);
  REQUIRE(arr.ok());
  CHECK(arr->size() == 1);
}

TEST_CASE("trade codec: malformed trades are refused with the reason") {
  CHECK_FALSE(parse_user_frame("not json", ours).ok());
  CHECK_FALSE(parse_user_frame(R"({"type":"TRADE"})", ours).ok());
  auto bad_status = parse_user_frame(trade_json("SETTLING", ours, theirs), ours);
  REQUIRE_FALSE(bad_status.ok());
  CHECK(bad_status.error().find("SETTLING") != std::string::npos);
  auto j = trade_json("MATCHED", ours, theirs);
  auto pos = j.find("\"4.5\"");
  auto bad_size = j.substr(0, pos) + "\"-1\"" + j.substr(pos + 5);
  CHECK_FALSE(parse_user_frame(bad_size, ours).ok());
}

TEST_CASE("trade codec: a /data/trades page") {
  auto t = trade_json("CONFIRMED", ours, theirs);
  auto page = parse_trades_page(R"({"limit":100,"next_cursor":"MTAw","count":2,"data":[)" + t + "," + t + "]}", ours);
  REQUIRE(page.ok());
  CHECK(page->trades == 2);
  CHECK(page->fills.size() == 2);
  CHECK(page->next_cursor == "MTAw");
  CHECK(page->fills[0].source == fill_source::reconcile);
  CHECK_FALSE(parse_trades_page(R"({"data":{}})", ours).ok());
}

TEST_CASE("fill record: round trip and refusals") {
  fill_record r;
  apply_report(std::nullopt, report("t-1", order_a, trade_status::mined), 77, r);
  r.fee = usdc{1'234};
  r.taker = true;
  r.source = fill_source::paper;
  auto back = decode_fill_record(encode(r));
  REQUIRE(back.ok());
  CHECK(back->key == r.key);
  CHECK(back->px == r.px);
  CHECK(back->size == r.size);
  CHECK(back->fee == r.fee);
  CHECK(back->taker);
  CHECK(back->status == trade_status::mined);
  CHECK(back->booked_ms == 77);
  CHECK(back->source == fill_source::paper);
  auto tampered = encode(r);
  tampered.replace(tampered.find("t-1\",\"order_id"), 3, "t-2");
  CHECK_FALSE(decode_fill_record(tampered).ok()); // the key no longer names the trade
}

TEST_CASE("fill record: the strategy round-trips, an older record is the TD maker's and an unknown name is refused") {
  fill_record r;
  apply_report(std::nullopt, report("t-9", order_a, trade_status::matched), 77, r);
  r.strategy = strategy_kind::capture_99c;
  auto back = decode_fill_record(encode(r));
  REQUIRE(back.ok());
  CHECK(back->strategy == strategy_kind::capture_99c);
  // As the node wrote it before issue 17: no "strategy".
  const std::string old = R"({"key":")" + fill_key(cid, order_a, "t-9") + R"(","trade_id":"t-9","order_id":")" + order_a
                          + R"(","market":")" + cid.hex
                          + R"(","token":"111","side":"BUY","price":"0.83","size":"5","fee":"0","taker":false,)"
                            R"("status":"MATCHED","reversed":false,"ts_ms":1,"booked_ms":2,"source":"user_ws"})";
  auto was = decode_fill_record(old);
  REQUIRE(was.ok());
  CHECK(was->strategy == strategy_kind::td_maker);
  auto unknown = old;
  unknown.replace(unknown.size() - 1, 1, R"(,"strategy":"arb"})");
  CHECK_FALSE(decode_fill_record(unknown).ok());
}

TEST_CASE("fills: each strategy holds its own position, and the TD maker's keys are as before") {
  ledger l;
  l.add(report("t-1", order_a, trade_status::matched, 5'000'000, 830'000));
  auto capture = report("t-2", order_b, trade_status::matched, 6'000'000, 990'000);
  l.add(capture);
  fill_record paper_capture;
  auto pr = report("t-3", order_b, trade_status::matched, 7'000'000, 990'000);
  pr.source = fill_source::paper;
  apply_report(std::nullopt, pr, 42, paper_capture);
  l.fills[fill_key(cid, order_b, "t-2")].strategy = strategy_kind::capture_99c;
  paper_capture.strategy = strategy_kind::capture_99c;
  l.fills[paper_capture.key] = paper_capture;
  auto ps = positions_of(l.all());
  REQUIRE(ps.size() == 3);
  REQUIRE(ps.count("111"));
  REQUIRE(ps.count("111/capture_99c"));
  REQUIRE(ps.count("111/paper/capture_99c"));
  CHECK(ps["111"].strategy == strategy_kind::td_maker);
  CHECK(ps["111"].bought == shares{5'000'000});
  CHECK(ps["111/capture_99c"].strategy == strategy_kind::capture_99c);
  CHECK(ps["111/capture_99c"].bought == shares{6'000'000});
  CHECK(ps["111/capture_99c"].cost == usdc{5'940'000});
  CHECK_FALSE(ps["111/capture_99c"].paper);
  CHECK(ps["111/paper/capture_99c"].paper);
  CHECK(ps["111/paper/capture_99c"].bought == shares{7'000'000});
}
