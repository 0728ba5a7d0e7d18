#include <doctest/doctest.h>

#include <string>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include "core/audit_lines.hpp"
#include "core/control.hpp"
#include "core/phase_status.hpp"

using namespace tdmaker;

namespace {

// A reason no line may be broken by: a quote, a backslash, a newline, ESC, a
// byte that is never UTF-8 and a truncated sequence.
const std::string nasty = "say \"stop\" \\ now\nnext line \x1b[31m red \xFF end \xE2\x82";
// What the line carries instead: the same text, each ill-formed sequence as U+FFFD.
const std::string nasty_clean = "say \"stop\" \\ now\nnext line \x1b[31m red \xEF\xBF\xBD end \xEF\xBF\xBD";

const condition_id market{"0x" + std::string(64, 'a')};

rapidjson::Document one_line(const std::string& line) {
  INFO("line: " << line);
  CHECK(line.find('\n') == std::string::npos); // JSONL: one record per line
  rapidjson::Document d;
  d.Parse<rapidjson::kParseValidateEncodingFlag>(line.data(), line.size());
  REQUIRE_MESSAGE(!d.HasParseError(), rapidjson::GetParseError_En(d.GetParseError()));
  REQUIRE(d.IsObject());
  return d;
}

std::string str(const rapidjson::Value& o, const char* key) {
  REQUIRE(o.HasMember(key));
  REQUIRE(o[key].IsString());
  return {o[key].GetString(), o[key].GetStringLength()};
}

} // namespace

TEST_CASE("audit: the entry decision line keeps a hostile reason and every input") {
  entry_inputs in{outcome::down, price{420'000}, price{440'000}, ref_price{100'000'000'000}, ref_price{99'000'000'000},
                  1'700'000'100'000, 1'700'000'000, 1'700'000'900};
  filter_result r{entry_action::maker, nasty, price{420'000}, 0.75};
  auto d = one_line(entry_audit_line(1'700'000'100'000, market.hex, nasty, in, r, "placed", 2));
  CHECK(d["ts_ms"].GetInt64() == 1'700'000'100'000);
  CHECK(str(d, "kind") == "entry");
  CHECK(str(d, "market") == market.hex);
  CHECK(str(d, "asset") == nasty_clean);
  CHECK(str(d, "outcome") == "down");
  CHECK(str(d, "action") == "maker");
  CHECK(str(d, "verdict") == "placed");
  CHECK(str(d, "reason") == nasty_clean);
  CHECK(str(d, "bid") == "0.42");
  CHECK(d["move_ppm"].GetInt64() == 10'000);
  CHECK(d["seconds_into"].GetInt64() == 100);
  CHECK(d["seconds_left"].GetInt64() == 800);
  CHECK(d["p_win"].GetDouble() == 0.75);
  CHECK(d["orders"].GetUint64() == 2);
}

TEST_CASE("audit: the entry line has no p_win when none was computed") {
  entry_inputs in{};
  filter_result r{entry_action::skip, "peak not reached", {}, -1};
  auto d = one_line(entry_audit_line(0, market.hex, "BTC", in, r, "skip", 0));
  CHECK(!d.HasMember("p_win"));
}

TEST_CASE("audit: the stop-loss line escapes its reason") {
  stop_check c{stop_verdict::exit, nasty, price{640'000}, -1};
  auto d = one_line(stop_loss_audit_line(1'700'000'000'000, market.hex, outcome::up, shares{5'000'000}, c));
  CHECK(d["ts_ms"].GetInt64() == 1'700'000'000'000);
  CHECK(str(d, "kind") == "stop_loss");
  CHECK(str(d, "event") == "exit");
  CHECK(str(d, "market") == market.hex);
  CHECK(str(d, "outcome") == "up");
  CHECK(str(d, "shares") == "5");
  CHECK(str(d, "bid") == "0.64");
  CHECK(str(d, "reason") == nasty_clean);
}

TEST_CASE("audit: the shadow-taker line") {
  auto d = one_line(shadow_taker_audit_line(7, nasty, outcome::down, price{510'000}, shares{12'500'000}, price{490'000}));
  CHECK(d["ts_ms"].GetInt64() == 7);
  CHECK(str(d, "kind") == "shadow_taker");
  CHECK(str(d, "event") == "first_fill");
  CHECK(str(d, "market") == nasty_clean);
  CHECK(str(d, "outcome") == "down");
  CHECK(str(d, "ask") == "0.51");
  CHECK(str(d, "ask_size") == "12.5");
  CHECK(str(d, "bid") == "0.49");
}

TEST_CASE("audit: the order line escapes the venue's reason and its ids") {
  order_record r;
  r.order_id = "0x" + std::string(64, 'b');
  r.client_id = nasty;
  r.market = market;
  r.side_outcome = outcome::down;
  r.rung = 3;
  r.side = order_side::sell;
  r.px = price{330'000};
  r.size = shares{10'000'000};
  r.matched = shares{2'000'000};
  r.state = order_state::rejected;
  r.reason = nasty;
  r.paper = true;
  auto d = one_line(order_audit_line(r, 42, nasty));
  CHECK(d["ts_ms"].GetInt64() == 42);
  CHECK(str(d, "kind") == "order");
  CHECK(str(d, "event") == nasty_clean);
  CHECK(str(d, "order_id") == r.order_id);
  CHECK(str(d, "client_id") == nasty_clean);
  CHECK(str(d, "outcome") == "down");
  CHECK(d["rung"].GetUint() == 3);
  CHECK(str(d, "side") == "SELL");
  CHECK(str(d, "price") == "0.33");
  CHECK(str(d, "size") == "10");
  CHECK(str(d, "matched") == "2");
  CHECK(str(d, "state") == std::string(to_string(order_state::rejected)));
  CHECK(str(d, "reason") == nasty_clean);
  CHECK(d["paper"].GetBool());
}

TEST_CASE("audit: the fill line embeds the fill record as an object") {
  fill_record f;
  f.key = nasty;
  f.trade_id = nasty;
  f.order_id = "0x" + std::string(64, 'c');
  f.market = market;
  f.px = price{450'000};
  f.size = shares{3'000'000};
  f.ts_ms = 11;
  auto d = one_line(fill_audit_line(f, fill_change::booked, 12));
  CHECK(d["ts_ms"].GetInt64() == 12);
  CHECK(str(d, "kind") == "fill");
  CHECK(str(d, "event") == std::string(to_string(fill_change::booked)));
  REQUIRE(d["fill"].IsObject());
  CHECK(str(d["fill"], "trade_id") == nasty_clean);
  CHECK(str(d["fill"], "key") == nasty_clean);
  CHECK(str(d["fill"], "price") == "0.45");
  CHECK(d["fill"]["ts_ms"].GetInt64() == 11);
}

TEST_CASE("audit: the settlement line embeds the settlement record as an object") {
  settlement_record s;
  s.market = market;
  s.winner = nasty;
  s.method = settle_method::clob;
  s.pnl = usdc{-1'500'000};
  s.settled_ms = 99;
  s.paper = true;
  auto d = one_line(settlement_audit_line(s));
  CHECK(d["ts_ms"].GetInt64() == 99);
  CHECK(str(d, "kind") == "settlement");
  CHECK(str(d, "event") == "settled");
  REQUIRE(d["settlement"].IsObject());
  CHECK(str(d["settlement"], "winner") == nasty_clean);
  CHECK(str(d["settlement"], "method") == "clob");
  CHECK(str(d["settlement"], "pnl") == "-1.5");
  CHECK(d["settlement"]["paper"].GetBool());
}

TEST_CASE("audit: the phase switch reply escapes reason and source") {
  phase_record r{phase::scaling, phase::real_money_trial, 1'700'000'000'123, nasty, nasty};
  auto d = one_line(phase_switch_json(r, true));
  CHECK(str(d, "phase") == "Scaling");
  CHECK(str(d, "previous") == "RealMoneyTrial");
  CHECK(str(d, "reason") == nasty_clean);
  CHECK(str(d, "source") == nasty_clean);
}

TEST_CASE("audit: a control error reply escapes its message") {
  auto d = one_line(json_error(nasty));
  CHECK(str(d, "error") == nasty_clean);
}

TEST_CASE("audit: the capture entry line carries the confidence, its parts and reasons") {
  confidence_result c;
  c.confidence_ppm = 850'000;
  c.probability_ppm = 992'170;
  c.blended_ppm = 971'085;
  c.penalty_ppm = 25'000;
  c.vote_ppm = -200'000;
  c.reasons = reason_capped | reason_thin_book;
  auto d = one_line(capture_entry_audit_line(1'700'000'000'123, market.hex, nasty, outcome::down, price{990'000},
                                             shares{5'000'000}, c, nasty));
  CHECK(d["ts_ms"].GetInt64() == 1'700'000'000'123);
  CHECK(str(d, "kind") == "capture_99c");
  CHECK(str(d, "event") == "capture_entry");
  CHECK(str(d, "market") == market.hex);
  CHECK(str(d, "asset") == nasty_clean);
  CHECK(str(d, "outcome") == "down");
  CHECK(str(d, "verdict") == nasty_clean);
  CHECK(str(d, "ask") == "0.99");
  CHECK(str(d, "size") == "5");
  CHECK(d["confidence_ppm"].GetInt64() == 850'000);
  CHECK(d["probability_ppm"].GetInt64() == 992'170);
  CHECK(d["blended_ppm"].GetInt64() == 971'085);
  CHECK(d["penalty_ppm"].GetInt64() == 25'000);
  CHECK(d["vote_ppm"].GetInt64() == -200'000);
  CHECK(str(d, "reasons") == "capped,thin_book");
}

TEST_CASE("audit: the capture fill line carries the peak confidence at fill") {
  auto d = one_line(capture_fill_audit_line(42, market.hex, outcome::up, true, price{980'000}, shares{5'000'000},
                                            812'345));
  CHECK(d["ts_ms"].GetInt64() == 42);
  CHECK(str(d, "kind") == "capture_99c");
  CHECK(str(d, "event") == "capture_fill");
  CHECK(str(d, "outcome") == "up");
  CHECK(str(d, "price") == "0.98");
  CHECK(str(d, "size") == "5");
  CHECK(d["peak_confidence_ppm"].GetInt64() == 812'345);
  CHECK(d["paper"].GetBool());
  auto live = one_line(capture_fill_audit_line(42, market.hex, outcome::up, false, price{980'000},
                                               shares{5'000'000}, 0));
  CHECK_FALSE(live["paper"].GetBool());
}

TEST_CASE("audit: the danger line carries the score, each component and the action") {
  danger_result r{71, 40, 13, 8, 10};
  auto d = one_line(danger_audit_line(7, market.hex, outcome::down, false, 850'000, 550'000, r, 60, nasty));
  CHECK(d["ts_ms"].GetInt64() == 7);
  CHECK(str(d, "kind") == "capture_99c");
  CHECK(str(d, "event") == "danger");
  CHECK(str(d, "outcome") == "down");
  CHECK(str(d, "action") == nasty_clean);
  CHECK(d["score"].GetInt() == 71);
  CHECK(d["threshold"].GetInt() == 60);
  CHECK(d["drop_points"].GetInt() == 40);
  CHECK(d["velocity_points"].GetInt() == 13);
  CHECK(d["time_points"].GetInt() == 8);
  CHECK(d["opposite_points"].GetInt() == 10);
  CHECK(d["peak_confidence_ppm"].GetInt64() == 850'000);
  CHECK(d["confidence_ppm"].GetInt64() == 550'000);
  CHECK_FALSE(d["paper"].GetBool());
}
