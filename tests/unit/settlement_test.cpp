// Seed 003's SettlementManager rules: when a market is due, each resolution
// source (Gamma, CLOB market, last bid) and its refusals, deferral and force,
// exact PnL, the record, and the ledger export.
#include <doctest/doctest.h>

#include "core/gamma_codec.hpp"
#include "core/ledger_export.hpp"
#include "core/settlement.hpp"

using namespace tdmaker;

namespace {

const condition_id cid{"0x" + std::string(64, '2')};
const token_id up{"111"};
const token_id down{"222"};

position held(token_id t, std::int64_t bought, std::int64_t cost, std::int64_t sold = 0, std::int64_t proceeds = 0,
              std::int64_t fees = 0) {
  position p;
  p.market = cid;
  p.token = std::move(t);
  p.bought = shares{bought};
  p.cost = usdc{cost};
  p.sold = shares{sold};
  p.proceeds = usdc{proceeds};
  p.fees = usdc{fees};
  p.fills = 1;
  return p;
}

std::string gamma_event(bool closed, std::string_view prices) {
  return R"([{"slug":"btc-updown-15m-1800000000","markets":[{"conditionId":")" + cid.hex
         + R"(","slug":"btc-updown-15m-1800000000","clobTokenIds":"[\"222\", \"111\"]","outcomes":"[\"Down\", \"Up\"]",)"
         + R"("outcomePrices":")" + std::string(prices) + R"(","eventStartTime":"2027-01-15T08:00:00Z",)"
         + R"("endDate":"2027-01-15T08:15:00Z","closed":)" + (closed ? "true" : "false") + "}]}]";
}

std::string clob_market(bool closed, bool up_wins, bool down_wins) {
  return R"({"condition_id":")" + cid.hex + R"(","tokens":[{"token_id":"111","outcome":"Up","winner":)"
         + (up_wins ? "true" : "false") + R"(},{"token_id":"222","outcome":"Down","winner":)"
         + (down_wins ? "true" : "false") + R"(}],"closed":)" + (closed ? "true" : "false")
         + R"(,"end_date_iso":"2027-01-15T08:15:00Z"})";
}

} // namespace

TEST_CASE("settlement: due after the grace, forced after the deferral limit") {
  settlement_rules r; // 300 s grace, 3600 s deferral
  const std::int64_t end = 1'800'000'900;
  CHECK(settle_due(end - 10, end, r) == settle_step::wait);
  CHECK(settle_due(end + 299, end, r) == settle_step::wait);
  CHECK(settle_due(end + 300, end, r) == settle_step::resolve);
  CHECK(settle_due(end + 300 + 3599, end, r) == settle_step::resolve); // deferred, still asking
  CHECK(settle_due(end + 300 + 3600, end, r) == settle_step::force);
}

TEST_CASE("settlement: Gamma says who won once closed with clean 1/0 prices, in outcome order") {
  auto open = parse_gamma_event(gamma_event(false, R"([\"0.4\", \"0.6\"])"), "btc");
  REQUIRE(open.ok());
  CHECK((*open)->winner == -1);
  // outcomes are [Down, Up]: prices [1, 0] mean Down won.
  auto down_won = parse_gamma_event(gamma_event(true, R"([\"1\", \"0\"])"), "btc");
  REQUIRE(down_won.ok());
  CHECK((*down_won)->winner == 1);
  CHECK((*down_won)->record.down_token == down);
  auto up_won = parse_gamma_event(gamma_event(true, R"([\"0\", \"1\"])"), "btc");
  CHECK((*up_won)->winner == 0);
  // Closed but not settled to 1/0 yet (the real Gamma lags): unresolved.
  auto lagging = parse_gamma_event(gamma_event(true, R"([\"0.9995\", \"0.0005\"])"), "btc");
  CHECK((*lagging)->winner == -1);
}

TEST_CASE("settlement: the CLOB market's winner flag, and its refusals") {
  auto open = parse_clob_market(clob_market(false, false, false));
  REQUIRE(open.ok());
  CHECK_FALSE(open->winner);
  CHECK(open->end_s == parse_iso8601_utc("2027-01-15T08:15:00Z").value());
  auto closed_no_flag = parse_clob_market(clob_market(true, false, false));
  REQUIRE(closed_no_flag.ok());
  CHECK_FALSE(closed_no_flag->winner);
  auto up_won = parse_clob_market(clob_market(true, true, false));
  REQUIRE(up_won.ok());
  REQUIRE(up_won->winner);
  CHECK(*up_won->winner == up);
  CHECK_FALSE(parse_clob_market(clob_market(true, true, true)).ok()); // two winners: refuse
  CHECK_FALSE(parse_clob_market(R"({"condition_id":"x"})").ok());
  CHECK_FALSE(parse_clob_market("[]").ok());
}

TEST_CASE("settlement: last-bid fallback, where anything ambiguous is a loss") {
  settlement_rules r; // win_bid 0.95
  auto win = last_bid_resolution(up, price{990'000}, r);
  CHECK(win.method == settle_method::last_bid);
  REQUIRE(win.winner);
  CHECK(*win.winner == up);
  CHECK_FALSE(last_bid_resolution(up, price{940'000}, r).winner);
  CHECK_FALSE(last_bid_resolution(up, std::nullopt, r).winner); // empty book
}

TEST_CASE("settlement: PnL is payout + proceeds - cost - fees, exact to the micro-unit") {
  // 15 Up shares bought for 12.45, 1 sold for 0.40 with a 0.0168 fee: 14 held.
  std::vector<position> ps{held(up, 15'000'000, 12'450'000, 1'000'000, 400'000, 16'800)};
  auto won = settle(cid, ps, resolution{settle_method::gamma, up}, 5);
  CHECK(won.payout == usdc{14'000'000});
  CHECK(won.pnl == usdc{14'000'000 + 400'000 - 12'450'000 - 16'800});
  CHECK(won.held == shares{14'000'000});
  CHECK(won.winner == "111");
  auto lost = settle(cid, ps, resolution{settle_method::clob, down}, 5);
  CHECK(lost.payout == usdc{0});
  CHECK(lost.pnl == usdc{400'000 - 12'450'000 - 16'800});
  auto forced = settle(cid, ps, resolution{settle_method::forced, std::nullopt}, 5);
  CHECK(forced.payout == usdc{0});
  CHECK(forced.method == settle_method::forced);
  CHECK(forced.winner.empty());
  // Both sides held: only the winner pays.
  std::vector<position> both{held(up, 5'000'000, 4'000'000), held(down, 5'000'000, 900'000)};
  auto s = settle(cid, both, resolution{settle_method::gamma, down}, 5);
  CHECK(s.payout == usdc{5'000'000});
  CHECK(s.pnl == usdc{5'000'000 - 4'900'000});
  CHECK(s.fills == 2);
}

TEST_CASE("settlement record: round trip, negative PnL included") {
  std::vector<position> ps{held(up, 5'000'000, 4'150'000)};
  auto s = settle(cid, ps, resolution{settle_method::last_bid, std::nullopt}, 1'800'000'000'000);
  auto back = decode_settlement_record(encode(s));
  REQUIRE(back.ok());
  CHECK(back->pnl == usdc{-4'150'000});
  CHECK(back->method == settle_method::last_bid);
  CHECK(back->settled_ms == 1'800'000'000'000);
  CHECK_FALSE(decode_settlement_record(R"({"market":"x"})").ok());
}

TEST_CASE("export: arguments are validated") {
  auto q = parse_export_args({"trades", "--from", "1800000000", "--to", "2027-01-15T08:15:00Z", "--format", "csv"});
  REQUIRE(q.ok());
  CHECK(q->kind == "trades");
  CHECK(q->from_ms == 1'800'000'000'000);
  CHECK(q->csv);
  CHECK_FALSE(parse_export_args({"positions"}).ok());
  CHECK_FALSE(parse_export_args({"trades", "--format", "xml"}).ok());
  CHECK_FALSE(parse_export_args({"trades", "--from"}).ok());
  CHECK_FALSE(parse_export_args({"trades", "--from", "yesterday"}).ok());
  CHECK_FALSE(parse_export_args({"trades", "--from", "20", "--to", "10"}).ok());
  CHECK_FALSE(parse_export_args({"trades", "--colour", "red"}).ok());
}

TEST_CASE("export: trades and settlements as CSV, filtered by time") {
  fill_record a, b;
  fill_report r;
  r.trade_id = "t-1";
  r.order_id = "0x" + std::string(64, 'a');
  r.market = cid;
  r.token = up;
  r.px = price{830'000};
  r.size = shares{4'500'000};
  r.ts_ms = 2'000;
  apply_report(std::nullopt, r, 1, a);
  r.trade_id = "t-2";
  r.ts_ms = 9'000;
  apply_report(std::nullopt, r, 1, b);
  export_query q;
  q.csv = true;
  q.to_ms = 5'000;
  auto csv = export_trades({b, a}, q);
  CHECK(csv.find("ts_ms,trade_id") == 0);
  CHECK(csv.find(",t-1,") != std::string::npos);
  CHECK(csv.find(",t-2,") == std::string::npos);
  CHECK(csv.find(",0.83,4.5,3.735,0,MAKER,MATCHED,false,user_ws") != std::string::npos);
  std::vector<position> ps{held(up, 5'000'000, 4'150'000)};
  auto s = settle(cid, ps, resolution{settle_method::gamma, up}, 3'000);
  auto rows = export_settlements({s}, q);
  CHECK(rows.find("," + cid.hex + ",111,gamma,5,5,4.15,0,0,0.85,1") != std::string::npos);
  q.csv = false;
  CHECK(export_settlements({s}, q) == encode(s) + "\n");
}

TEST_CASE("export: orders as CSV quote the free-text reason and filter by creation time") {
  order_record o;
  o.order_id = "0x" + std::string(64, 'b');
  o.client_id = "_placing_7";
  o.market = cid;
  o.token = up;
  o.px = price{450'000};
  o.size = shares{5'000'000};
  o.reserved = usdc{2'250'000};
  o.state = order_state::rejected;
  o.created_ms = 2'000;
  o.reason = "post-only \"would cross\", retry\nlater";
  order_record late = o;
  late.order_id = "0x" + std::string(64, 'c');
  late.created_ms = 9'000;
  export_query q;
  q.csv = true;
  q.to_ms = 5'000;
  auto csv = export_orders({late, o}, q);
  CHECK(csv.find("created_ms,updated_ms,order_id") == 0);
  CHECK(csv.find(o.order_id) != std::string::npos);
  CHECK(csv.find(late.order_id) == std::string::npos);
  CHECK(csv.find(",0.45,5,0,2.25,") != std::string::npos);
  CHECK(csv.find(",\"post-only \"\"would cross\"\", retry\nlater\",td_maker\n") != std::string::npos);
  q.csv = false;
  CHECK(export_orders({o}, q) == encode(o) + "\n");
}

TEST_CASE("settlement: a book that sold more than it bought holds nothing, and its record reads back") {
  std::vector<position> ps{held(up, 0, 0, 15'000'000, 4'500'000)};
  auto s = settle(cid, ps, resolution{settle_method::gamma, up}, 3'000);
  CHECK(s.held == shares{0});
  CHECK(s.payout == usdc{0});
  CHECK(s.pnl == usdc{4'500'000});
  CHECK(decode_settlement_record(encode(s)).ok());
}

TEST_CASE("settlement: the PnL is split by strategy, exactly, and the parts sum to the record") {
  auto capture = held(up, 6'000'000, 5'940'000, 0, 0, 3'333);
  capture.strategy = strategy_kind::capture_99c;
  std::vector<position> ps{held(up, 5'000'000, 4'150'000, 1'000'000, 870'000, 1'111), capture,
                           held(down, 5'000'000, 850'001)};
  auto s = settle(cid, ps, resolution{settle_method::gamma, up}, 5);
  REQUIRE(s.by_strategy.size() == 2);
  auto& td = s.by_strategy[0];
  auto& cap = s.by_strategy[1];
  CHECK(td.strategy == strategy_kind::td_maker);
  CHECK(cap.strategy == strategy_kind::capture_99c);
  CHECK(td.held == shares{9'000'000});
  CHECK(td.payout == usdc{4'000'000});
  CHECK(td.pnl == usdc{4'000'000 + 870'000 - 4'150'000 - 850'001 - 1'111});
  CHECK(td.fills == 2);
  CHECK(cap.payout == usdc{6'000'000});
  CHECK(cap.pnl == usdc{6'000'000 - 5'940'000 - 3'333});
  CHECK(td.pnl.micros + cap.pnl.micros == s.pnl.micros);
  CHECK(td.cost.micros + cap.cost.micros == s.cost.micros);
  CHECK(td.fees.micros + cap.fees.micros == s.fees.micros);
  CHECK(td.held.micros + cap.held.micros == s.held.micros);
  auto back = decode_settlement_record(encode(s));
  REQUIRE(back.ok());
  REQUIRE(back->by_strategy.size() == 2);
  CHECK(back->by_strategy[1].strategy == strategy_kind::capture_99c);
  CHECK(back->by_strategy[1].pnl == cap.pnl);
  CHECK(back->by_strategy[0].proceeds == td.proceeds);
  // A split that does not add up, or names a strategy twice, is refused.
  auto lying = encode(s);
  auto at = lying.find("\"pnl\":\"0.056667\"");
  REQUIRE(at != std::string::npos);
  lying.replace(at, 16, "\"pnl\":\"0.056668\"");
  CHECK_FALSE(decode_settlement_record(lying).ok());
}

TEST_CASE("settlement record: one written before strategies reads back with no split") {
  const std::string old = R"({"market":")" + cid.hex
                          + R"(","winner":"111","method":"gamma","held":"5","payout":"5","cost":"4.15",)"
                            R"("proceeds":"0","fees":"0","pnl":"0.85","fills":1,"settled_ms":5,"paper":false})";
  auto was = decode_settlement_record(old);
  REQUIRE(was.ok());
  CHECK(was->by_strategy.empty());
  CHECK(encode(*was) == old);
  auto unknown = old;
  unknown.replace(unknown.size() - 1, 1,
                  R"(,"by_strategy":[{"strategy":"grid","held":"5","payout":"5","cost":"4.15","proceeds":"0",)"
                  R"("fees":"0","pnl":"0.85","fills":1}]})");
  CHECK_FALSE(decode_settlement_record(unknown).ok());
  auto good = unknown;
  good.replace(good.find("grid"), 4, "td_maker");
  CHECK(decode_settlement_record(good).ok());
}

TEST_CASE("export: orders and trades name their strategy, settlements are exported per strategy") {
  export_query q;
  q.csv = true;
  order_record o;
  o.order_id = "0x" + std::string(64, 'b');
  o.market = cid;
  o.token = up;
  o.px = price{990'000};
  o.size = shares{5'000'000};
  o.strategy = strategy_kind::capture_99c;
  auto orders = export_orders({o}, q);
  CHECK(orders.find(",reason,strategy\n") != std::string::npos);
  CHECK(orders.find(",capture_99c\n") != std::string::npos);
  fill_record f;
  fill_report r;
  r.trade_id = "t-1";
  r.order_id = o.order_id;
  r.market = cid;
  r.token = up;
  r.px = price{990'000};
  r.size = shares{5'000'000};
  apply_report(std::nullopt, r, 1, f);
  f.strategy = strategy_kind::capture_99c;
  auto trades = export_trades({f}, q);
  CHECK(trades.find(",source,strategy\n") != std::string::npos);
  CHECK(trades.find(",user_ws,capture_99c\n") != std::string::npos);
  // A market both strategies held: one row each, their figures their own.
  auto capture = held(up, 5'000'000, 4'950'000);
  capture.strategy = strategy_kind::capture_99c;
  std::vector<position> ps{held(down, 5'000'000, 4'150'000), capture};
  auto s = settle(cid, ps, resolution{settle_method::gamma, up}, 3'000);
  auto rows = export_settlements({s}, q);
  CHECK(rows.find(",fills,strategy\n") != std::string::npos);
  CHECK(rows.find("," + cid.hex + ",111,gamma,5,0,4.15,0,0,-4.15,1,td_maker\n") != std::string::npos);
  CHECK(rows.find("," + cid.hex + ",111,gamma,5,5,4.95,0,0,0.05,1,capture_99c\n") != std::string::npos);
  // A record older than strategies: all of it is the TD maker's, in both forms.
  settlement_record old = s;
  old.by_strategy.clear();
  CHECK(export_settlements({old}, q).find(",gamma,10,5,9.1,0,0,-4.1,2,td_maker\n") != std::string::npos);
  q.csv = false;
  auto line = export_settlements({old}, q);
  auto back = decode_settlement_record(line.substr(0, line.size() - 1));
  REQUIRE(back.ok());
  REQUIRE(back->by_strategy.size() == 1);
  CHECK(back->by_strategy[0].strategy == strategy_kind::td_maker);
  CHECK(back->by_strategy[0].pnl == usdc{-4'100'000});
}
