#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "core/config.hpp"
#include "config_error.hpp"

using namespace tdmaker;

using test::config_error;

TEST_CASE("the shipped local config is valid and is paper mode") {
  std::ifstream in(std::string(TDMAKER_SOURCE_DIR) + "/config/local.json");
  std::stringstream ss;
  ss << in.rdbuf();
  auto cfg = parse_config(ss.str());
  REQUIRE_MESSAGE(cfg, (cfg ? "" : cfg.error()));
  CHECK(cfg->mode == trading_mode::paper);
  CHECK(cfg->http_listen.host == "127.0.0.1");
  CHECK(cfg->http_listen.port == 9464);
  CHECK(cfg->initial_phase == phase::experience);
}

TEST_CASE("an empty object yields the documented defaults") {
  auto cfg = parse_config("{}");
  REQUIRE(cfg);
  CHECK(cfg->worker_threads == 2);
  CHECK(cfg->store_max_batch == 512);
  CHECK(cfg->http_listen.port == 9464);
}

TEST_CASE("config errors name the JSON path and the reason") {
  CHECK(config_error(R"({"node":{"worker_thread":2}})") == "$.node.worker_thread: unknown key");
  CHECK(config_error(R"({"nodes":{}})") == "$.nodes: unknown key");
  CHECK(config_error(R"({"node":{"worker_threads":"2"}})")
        == "$.node.worker_threads: expected an integer in [1, 64], got a string");
  CHECK(config_error(R"({"node":{"worker_threads":0}})")
        == "$.node.worker_threads: expected an integer in [1, 64], got 0");
  CHECK(config_error(R"({"node":{"worker_threads":2.5}})")
        == "$.node.worker_threads: expected an integer in [1, 64], got a number");
  CHECK(config_error(R"({"node":{"mode":"yolo"}})")
        == "$.node.mode: expected one of paper, live, got 'yolo'");
  CHECK(config_error(R"({"node":3})") == "$.node: expected an object, got an integer");
  CHECK(config_error(R"({"phase":{"initial":"Moon"}})").find("$.phase.initial: unknown phase 'Moon'")
        == 0);
  CHECK(config_error(R"({"log":{"level":"loud"}})").find("$.log.level: expected one of") == 0);
  CHECK(config_error("[1]") == "$: expected an object, got an array");
  CHECK(config_error(R"({"node": {)").find("invalid JSON at offset") == 0);
}

TEST_CASE("secrets in a config file are refused without echoing them") {
  auto e = config_error(R"({"node":{"private_key":"0xdeadbeef"}})");
  CHECK(e.find("$.node.private_key: secrets are not accepted") == 0);
  CHECK(e.find("deadbeef") == std::string::npos);
}

TEST_CASE("listen addresses: loopback by default - others only when allowed") {
  CHECK(config_error(R"({"http":{"listen":"0.0.0.0:9464"}})").find("not a loopback address")
        != std::string::npos);
  CHECK(parse_config(R"({"http":{"listen":"0.0.0.0:9464","allow_non_loopback":true}})"));
  CHECK(parse_config(R"({"http":{"listen":"[::1]:9000"}})"));
  CHECK(!parse_listen_address("127.0.0.1:70000"));
  CHECK(!parse_listen_address("127.0.0.1"));
  CHECK(!parse_listen_address("example.com:80"));
  CHECK(parse_listen_address("localhost:1")->port == 1);
}

// Issue 14, defect 8: a config is one JSON document, each key once.
TEST_CASE("config: trailing data after the document is refused") {
  CHECK(config_error(R"({"node":{"mode":"paper"}} {"node":{"mode":"live"}})")
          .find("invalid JSON at offset 26: The document root must not be followed by other values.")
        == 0);
  CHECK(config_error(R"({} garbage)").find("invalid JSON at offset 3") == 0);
  CHECK(parse_config("{}\n  \t\n")); // whitespace is not data
}

TEST_CASE("config: a key given twice is refused at any depth - the error names the path") {
  CHECK(config_error(R"({"node":{"mode":"paper","mode":"live"}})") == "$.node.mode: duplicate key (each key may appear once)");
  CHECK(config_error(R"({"node":{},"node":{}})") == "$.node: duplicate key (each key may appear once)");
  CHECK(config_error(R"({"_comment":{"a":1,"a":2}})") == "$._comment.a: duplicate key (each key may appear once)");
  CHECK(config_error(R"({"discovery":{"assets":["btc",{"x":1,"x":1}]}})")
        == "$.discovery.assets[1].x: duplicate key (each key may appear once)");
}

TEST_CASE("config: a secret-shaped value is refused and never echoed - in any field or _comment") {
  const std::string key = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
  for (auto doc : {R"({"node":{"mode":")" + key + R"("}})", R"({"node":{"data_dir":")" + key + R"("}})",
                   R"({"_comment":"my key: )" + key + R"("})", R"({"_comment":["note",")" + key.substr(2) + R"("]})"}) {
    auto e = config_error(doc);
    CHECK_MESSAGE(e.find("looks like a secret; secrets are not accepted in config files") != std::string::npos, e);
    for (std::size_t i = 0; i + 8 <= key.size() - 2; i += 8) // no 8 hex digits of it in a row
      CHECK_MESSAGE(e.find(key.substr(2 + i, 8)) == std::string::npos, e);
  }
  CHECK(config_error(R"({"node":{"mode":")" + key + R"("}})")
        == "$.node.mode: a 66-character value looks like a secret; secrets are not accepted in config files,"
           " set them in the environment (see .env.example)");
  // A Telegram bot token and a base64 API secret, as a value and as a key.
  CHECK(config_error(R"({"notifier":{"chat_id":"123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawq"}})")
          .find("$.notifier.chat_id: a 45-character value looks like a secret") == 0);
  CHECK(config_error(R"({"_comment":{"c2VjcmV0LXNlY3JldC1zZWNyZXQtU0VDUkVULTEyMzQ1Njc4":1}})")
          .find("$._comment.<a 48-character value>: this key looks like a secret") == 0);
  // What a config holds stays accepted.
  CHECK(parse_config(R"({"_comment":"paper node for the 15-minute BTC, ETH markets; see docs/configuration.md",)"
                     R"("node":{"data_dir":"/var/lib/tdmaker/data-2026-12-01"},"notifier":{"chat_id":"-1001234567890"}})"));
}

TEST_CASE("config: a password in a URL is refused without echoing it") {
  auto e = config_error(R"({"venue":{"clob_url":"http://operator:hunter2@127.0.0.1:18080"}})");
  CHECK(e == "$.venue.clob_url: 'http://***@127.0.0.1:18080': credentials in a URL are not accepted (the node"
             " sends none; secrets come from the environment)");
  CHECK(config_error(R"({"venue":{"rtds_url":"wss://tok3n@ws.example.com/x"}})").find("tok3n") == std::string::npos);
}

TEST_CASE("config: nesting deeper than the bound is a clear error, not a crash") {
  std::string deep(150'000, '[');
  CHECK(config_error(deep).find("JSON nested deeper than 32 levels at offset 32") == 0);
  std::string obj = R"({"_comment":)" + std::string(40, '[') + std::string(40, ']') + "}";
  CHECK(config_error(obj).find("JSON nested deeper than 32 levels") == 0);
}

TEST_CASE("config: heartbeat keys - defaults, bounds, and room for retries before the venue's timeout") {
  auto cfg = parse_config("{}");
  REQUIRE(cfg);
  CHECK(cfg->heartbeat_interval_ms == 5000);
  CHECK(cfg->heartbeat_grace_ms == 3000);
  CHECK(cfg->heartbeat_venue_timeout_ms == 10000);
  CHECK(config_error(R"({"heartbeat":{"interval_ms":1000,"grace_ms":1000,"venue_timeout_ms":3000}})") == "OK");
  CHECK(config_error(R"({"heartbeat":{"interval_ms":50}})")
        == "$.heartbeat.interval_ms: expected an integer in [200, 60000], got 50");
  CHECK(config_error(R"({"heartbeat":{"interval_ms":6000}})")
        == "$.heartbeat.interval_ms: must be at most half of $.heartbeat.venue_timeout_ms");
  CHECK(config_error(R"({"heartbeat":{"grace_ms":5000}})")
        == "$.heartbeat.grace_ms: interval_ms + grace_ms must be below $.heartbeat.venue_timeout_ms");
  CHECK(config_error(R"({"heartbeat":{"intervall_ms":5000}})") == "$.heartbeat.intervall_ms: unknown key");
}

TEST_CASE("rate_limits: the Standard tier by default, validated, batches must fit the burst") {
  auto d = parse_config("{}");
  REQUIRE(d);
  CHECK(d->rate_limits_enabled);
  CHECK(d->rate_limits_order_rate == 40);
  CHECK(d->rate_limits_order_burst == 60);
  CHECK(d->rate_limits_cancel_rate == 80);
  CHECK(d->rate_limits_cancel_burst == 120);
  auto c = parse_config(R"({"rate_limits":{"order_rate":10,"order_burst":30,"exit_reserve":5,"entry_max_wait_ms":0}})");
  REQUIRE(c);
  CHECK(c->rate_limits_order_burst == 30);
  CHECK(c->rate_limits_entry_max_wait_ms == 0);
  auto zero = parse_config(R"({"rate_limits":{"cancel_rate":0}})");
  REQUIRE_FALSE(zero);
  CHECK(zero.error().find("$.rate_limits.cancel_rate") != std::string::npos);
  auto tight = parse_config(R"({"rate_limits":{"order_burst":20,"exit_reserve":10}})");
  REQUIRE_FALSE(tight);
  CHECK(tight.error().find("must be >= $.orders.batch_max + $.rate_limits.exit_reserve") != std::string::npos);
}

// Issue 16 (seed 002): the phase section.
namespace {
const phase_limits& limits_of(const node_config& c, phase p) { return c.phases.limits_of(p); }
} // namespace

TEST_CASE("phase section: defaults take the ladder and budget config") {
  auto cfg = parse_config(R"({"ladder":{"shares_per_rung":7},"budget":{"max_exposure":"40","max_per_market":"12"}})");
  REQUIRE_MESSAGE(cfg, (cfg ? "" : cfg.error()));
  for (auto p : all_phases) {
    CHECK(limits_of(*cfg, p).shares_per_rung.micros == 7'000'000);
    CHECK(limits_of(*cfg, p).max_exposure.micros == 40'000'000);
    CHECK(limits_of(*cfg, p).max_per_market.micros == 12'000'000);
    CHECK(limits_of(*cfg, p).capital.micros == 40'000'000); // capital = the phase's exposure
  }
  CHECK(limits_of(*cfg, phase::experience).max_trades_per_session == 0);
  CHECK(limits_of(*cfg, phase::proof_of_concept).max_trades_per_session == 1);
  CHECK(limits_of(*cfg, phase::real_money_trial).max_trades_per_session == 0);
  CHECK_FALSE(cfg->phases.auto_upgrade);
  CHECK(cfg->phases.session.boundary_s == 0);
  CHECK(cfg->phases.session.length_s == 86'400);
  for (const auto& g : cfg->phases.gates) {
    CHECK(g.window_sessions == 20);
    CHECK(g.min_sessions == 5);
    CHECK(g.min_trades == 20);
    CHECK(g.min_win_rate_ppm == 600'000);
    CHECK(g.min_rr_ppm == 1'000'000);
    CHECK(g.require_positive_pnl);
    CHECK_FALSE(g.max_drawdown.has_value());
  }
  CHECK(cfg->phases.downgrade.enabled);
  CHECK(cfg->phases.downgrade.consecutive_losses == 3);
  CHECK(cfg->phases.downgrade.min_win_rate_ppm == 550'000);
  CHECK(cfg->phases.downgrade.win_rate_window_sessions == 20);
  CHECK(cfg->phases.downgrade.win_rate_min_trades == 10);
  CHECK(cfg->phases.downgrade.max_session_loss_ppm == 50'000);
}

TEST_CASE("phase section: a phase's per-market cap not given never exceeds its exposure") {
  auto cfg = parse_config(R"({"phase":{"limits":{"ProofOfConcept":{"max_exposure":"10"}}}})");
  REQUIRE_MESSAGE(cfg, (cfg ? "" : cfg.error()));
  CHECK(limits_of(*cfg, phase::proof_of_concept).max_exposure.micros == 10'000'000);
  CHECK(limits_of(*cfg, phase::proof_of_concept).max_per_market.micros == 10'000'000);
  CHECK(limits_of(*cfg, phase::proof_of_concept).capital.micros == 10'000'000);
  CHECK(limits_of(*cfg, phase::scaling).max_per_market.micros == 15'000'000);
}

TEST_CASE("phase section: every key is read") {
  auto cfg = parse_config(R"({"phase":{
    "initial":"RealMoneyTrial", "auto_upgrade":true,
    "session":{"boundary_utc":"13:30","length_s":10},
    "limits":{"Scaling":{"shares_per_rung":20,"max_exposure":"500.5","max_per_market":"100",
                         "max_trades_per_session":9,"capital":"1000"},
              "ProofOfConcept":{"max_trades_per_session":0}},
    "gates":{"Scaling":{"window_sessions":50,"min_sessions":10,"min_trades":100,"min_win_rate":"0.65",
                        "min_rr":"1.5","require_positive_pnl":false,"max_drawdown":"25.25"},
             "ProofOfConcept":{"max_drawdown":null}},
    "downgrade":{"enabled":false,"consecutive_losses":0,"min_win_rate":"0.5","win_rate_window_sessions":7,
                 "win_rate_min_trades":4,"max_session_loss":"0.1"}}})");
  REQUIRE_MESSAGE(cfg, (cfg ? "" : cfg.error()));
  CHECK(cfg->initial_phase == phase::real_money_trial);
  CHECK(cfg->phases.auto_upgrade);
  CHECK(cfg->phases.session.boundary_s == 13 * 3600 + 30 * 60);
  CHECK(cfg->phases.session.length_s == 10);
  const auto& s = limits_of(*cfg, phase::scaling);
  CHECK(s.shares_per_rung.micros == 20'000'000);
  CHECK(s.max_exposure.micros == 500'500'000);
  CHECK(s.max_per_market.micros == 100'000'000);
  CHECK(s.max_trades_per_session == 9);
  CHECK(s.capital.micros == 1'000'000'000);
  CHECK(limits_of(*cfg, phase::proof_of_concept).max_trades_per_session == 0);
  const auto& g = cfg->phases.gates[2]; // RealMoneyTrial -> Scaling
  CHECK(g.window_sessions == 50);
  CHECK(g.min_sessions == 10);
  CHECK(g.min_trades == 100);
  CHECK(g.min_win_rate_ppm == 650'000);
  CHECK(g.min_rr_ppm == 1'500'000);
  CHECK_FALSE(g.require_positive_pnl);
  REQUIRE(g.max_drawdown.has_value());
  CHECK(g.max_drawdown->micros == 25'250'000);
  CHECK_FALSE(cfg->phases.gates[0].max_drawdown.has_value());
  CHECK(cfg->phases.gates[1].window_sessions == 20); // untouched gate keeps its defaults
  const auto& d = cfg->phases.downgrade;
  CHECK_FALSE(d.enabled);
  CHECK(d.consecutive_losses == 0);
  CHECK(d.min_win_rate_ppm == 500'000);
  CHECK(d.win_rate_window_sessions == 7);
  CHECK(d.win_rate_min_trades == 4);
  CHECK(d.max_session_loss_ppm == 100'000);
}

TEST_CASE("phase section: refusals name the path and the reason") {
  CHECK(config_error(R"({"phase":{"limits":{"Moon":{}}}})")
        == "$.phase.limits.Moon: unknown phase 'Moon' (expected one of Experience, ProofOfConcept, "
           "RealMoneyTrial, Scaling)");
  CHECK(config_error(R"({"phase":{"gates":{"proof_of_concept":{}}}})")
        == "$.phase.gates.proof_of_concept: phase names are canonical here: use 'ProofOfConcept'");
  CHECK(config_error(R"({"phase":{"gates":{"Experience":{"min_trades":1}}}})")
        == "$.phase.gates.Experience: no gate leads into Experience (gates are keyed by the phase they lead "
           "into: ProofOfConcept, RealMoneyTrial, Scaling)");
  CHECK(config_error(R"({"phase":{"limits":{"Scaling":{"size":1}}}})") == "$.phase.limits.Scaling.size: unknown key");
  CHECK(config_error(R"({"phase":{"limits":{"Scaling":{"shares_per_rung":0}}}})")
        == "$.phase.limits.Scaling.shares_per_rung: expected an integer in [1, 1000000], got 0");
  CHECK(config_error(R"({"phase":{"limits":{"Scaling":{"max_exposure":50}}}})")
        .find("$.phase.limits.Scaling.max_exposure: expected a decimal string in [0, ") == 0);
  CHECK(config_error(R"({"phase":{"limits":{"Experience":{"max_exposure":"10","max_per_market":"11"}}}})")
        == "$.phase.limits.Experience.max_per_market: must be <= the phase's max_exposure (11 > 10)");
  CHECK(config_error(R"({"phase":{"limits":{"Scaling":{"max_per_market":"60"}}}})")
        == "$.phase.limits.Scaling.max_per_market: must be <= the phase's max_exposure (60 > 50)");
  CHECK(config_error(R"({"phase":{"limits":{"Scaling":{"max_trades_per_session":-1}}}})")
        == "$.phase.limits.Scaling.max_trades_per_session: expected an integer in [0, 1000000], got -1");
  CHECK(config_error(R"({"phase":{"session":{"boundary_utc":"24:00"}}})")
        == "$.phase.session.boundary_utc: expected \"HH:MM\" with HH in 00..23 and MM in 00..59, got '24:00'");
  CHECK(config_error(R"({"phase":{"session":{"boundary_utc":"9:30"}}})")
        == "$.phase.session.boundary_utc: expected \"HH:MM\" (UTC), got '9:30'");
  CHECK(config_error(R"({"phase":{"session":{"boundary_utc":"12:60"}}})").find("MM in 00..59") != std::string::npos);
  CHECK(config_error(R"({"phase":{"session":{"length_s":9}}})")
        == "$.phase.session.length_s: expected an integer in [10, 604800], got 9");
  CHECK(config_error(R"({"phase":{"session":{"length_s":604801}}})")
        == "$.phase.session.length_s: expected an integer in [10, 604800], got 604801");
  CHECK(config_error(R"({"phase":{"gates":{"Scaling":{"min_win_rate":"1.01"}}}})")
        .find("$.phase.gates.Scaling.min_win_rate: expected a decimal string in [0, 1]") == 0);
  CHECK(config_error(R"({"phase":{"gates":{"Scaling":{"min_win_rate":0.6}}}})")
        == "$.phase.gates.Scaling.min_win_rate: expected a decimal string in [0, 1] (amounts are "
           "strings, never floats), got a number");
  CHECK(config_error(R"({"phase":{"gates":{"Scaling":{"min_rr":"100.5"}}}})")
        .find("$.phase.gates.Scaling.min_rr: expected a decimal string in [0, 100]") == 0);
  CHECK(config_error(R"({"phase":{"gates":{"Scaling":{"window_sessions":0}}}})")
        == "$.phase.gates.Scaling.window_sessions: expected an integer in [1, 1000], got 0");
  CHECK(config_error(R"({"phase":{"gates":{"Scaling":{"window_sessions":1001}}}})")
        == "$.phase.gates.Scaling.window_sessions: expected an integer in [1, 1000], got 1001");
  CHECK(config_error(R"({"phase":{"gates":{"RealMoneyTrial":{"window_sessions":4}}}})")
        == "$.phase.gates.RealMoneyTrial.min_sessions: must be <= window_sessions (a gate that can never pass)");
  CHECK(config_error(R"({"phase":{"gates":{"Scaling":{"require_positive_pnl":"yes"}}}})")
        == "$.phase.gates.Scaling.require_positive_pnl: expected a boolean, got a string");
  CHECK(config_error(R"({"phase":{"gates":{"Scaling":{"max_drawdown":"-1"}}}})")
        .find("(or null: not checked)") != std::string::npos);
  CHECK(config_error(R"({"phase":{"downgrade":{"consecutive_losses":101}}})")
        == "$.phase.downgrade.consecutive_losses: expected an integer in [0, 100], got 101");
  CHECK(config_error(R"({"phase":{"downgrade":{"max_session_loss":"1.5"}}})")
        .find("$.phase.downgrade.max_session_loss: expected a decimal string in [0, 1]") == 0);
  CHECK(config_error(R"({"phase":{"downgrade":{"min_win_rate":"-0.1"}}})")
        .find("$.phase.downgrade.min_win_rate: expected a decimal string in [0, 1]") == 0);
  CHECK(config_error(R"({"phase":{"downgrade":{"win_rate_window_sessions":0}}})")
        == "$.phase.downgrade.win_rate_window_sessions: expected an integer in [1, 1000], got 0");
  CHECK(config_error(R"({"phase":{"downgrade":{"win_rate_min_trades":0}}})")
        == "$.phase.downgrade.win_rate_min_trades: expected an integer in [1, 1000000], got 0");
  CHECK(config_error(R"({"phase":{"downgrade":{"trigger":1}}})") == "$.phase.downgrade.trigger: unknown key");
  CHECK(config_error(R"({"phase":{"limits":[]}})") == "$.phase.limits: expected an object, got an array");
}

// ---- the strategies section (issue 17) ----

TEST_CASE("strategies: the defaults are the documented ones, the capture off") {
  auto cfg = parse_config("{}");
  REQUIRE(cfg);
  CHECK(cfg->td_maker.enabled);
  CHECK(cfg->td_maker.max_exposure == 0);
  const auto& k = cfg->capture;
  CHECK_FALSE(k.enabled);
  CHECK(k.entry_window_s == 180);
  CHECK(k.stop_before_end_s == 3);
  CHECK(k.threshold_ppm == 800'000);
  CHECK(k.max_price == 990'000);
  CHECK(k.shares == 5);
  CHECK(k.max_exposure == 20'000'000);
  CHECK(k.presign);
  CHECK(k.velocity_window_ms == 5'000);
  CHECK(k.slow_window_ms == 60'000);
  CHECK(k.confidence.cap_ppm == 850'000);
  CHECK(k.confidence.validate_above_ppm == 750'000);
  CHECK(k.confidence.extreme_ppm == 800'000);
  CHECK(k.confidence.vote_min_ppm == 600'000);
  CHECK(k.confidence.market_weight_ppm == 500'000);
  CHECK(k.danger_exit == 60);
  CHECK(k.danger.confidence_drop + k.danger.adverse_velocity + k.danger.time_left + k.danger.opposite_bid == 100);
  CHECK_FALSE(k.winning_exit);
  CHECK(k.winning_exit_px == 999'000);
  // The shipped local config leaves the capture off too.
  std::ifstream in(std::string(TDMAKER_SOURCE_DIR) + "/config/local.json");
  std::stringstream ss;
  ss << in.rdbuf();
  auto local = parse_config(ss.str());
  REQUIRE(local);
  CHECK_FALSE(local->capture.enabled);
  CHECK(local->td_maker.enabled);
}

TEST_CASE("strategies: every key of a full document is read") {
  auto cfg = parse_config(R"({"strategies": {
    "td_maker": {"enabled": false, "max_exposure": "30.5"},
    "capture_99c": {"enabled": true, "entry_window_s": 240, "stop_before_end_s": 5, "threshold": "0.82",
      "max_price": "0.985", "shares": 7, "max_exposure": "25", "presign": false,
      "velocity_window_ms": 4000, "slow_window_ms": 90000,
      "confidence": {"cap": "0.9", "validate_above": "0.7", "extreme": "0.85", "vote_min": "0.55",
                     "vote_weights": {"move": "0.5", "velocity": "0.25", "imbalance": "0.15", "last_trade": "0.1"},
                     "market_weight": "0.4", "annual_vol": "1.2", "fill_time_s": 12,
                     "time_penalty_max": "0.08", "thin_book_shares": 40, "thin_penalty_max": "0.04"},
      "danger": {"exit_at": 70, "weights": {"confidence_drop": 35, "adverse_velocity": 30, "time_left": 10,
                                            "opposite_bid": 25},
                 "drop_full": "0.25", "velocity_full": "0.00015", "time_full_s": 240, "opposite_full": "0.4"},
      "winning_exit": true, "winning_exit_price": "0.998"}}})");
  REQUIRE_MESSAGE(cfg, (cfg ? "" : cfg.error()));
  CHECK_FALSE(cfg->td_maker.enabled);
  CHECK(cfg->td_maker.max_exposure == 30'500'000);
  const auto& k = cfg->capture;
  CHECK(k.enabled);
  CHECK(k.entry_window_s == 240);
  CHECK(k.stop_before_end_s == 5);
  CHECK(k.threshold_ppm == 820'000);
  CHECK(k.max_price == 985'000);
  CHECK(k.shares == 7);
  CHECK(k.max_exposure == 25'000'000);
  CHECK_FALSE(k.presign);
  CHECK(k.velocity_window_ms == 4'000);
  CHECK(k.slow_window_ms == 90'000);
  const auto& r = k.confidence;
  CHECK(r.cap_ppm == 900'000);
  CHECK(r.validate_above_ppm == 700'000);
  CHECK(r.extreme_ppm == 850'000);
  CHECK(r.vote_min_ppm == 550'000);
  CHECK(r.vote_move_ppm == 500'000);
  CHECK(r.vote_velocity_ppm == 250'000);
  CHECK(r.vote_imbalance_ppm == 150'000);
  CHECK(r.vote_last_trade_ppm == 100'000);
  CHECK(r.market_weight_ppm == 400'000);
  CHECK(r.annual_vol_ppm == 1'200'000);
  CHECK(r.fill_time_s == 12);
  CHECK(r.time_penalty_max_ppm == 80'000);
  CHECK(r.thin_book_shares == 40);
  CHECK(r.thin_penalty_max_ppm == 40'000);
  CHECK(k.danger_exit == 70);
  CHECK(k.danger.confidence_drop == 35);
  CHECK(k.danger.adverse_velocity == 30);
  CHECK(k.danger.time_left == 10);
  CHECK(k.danger.opposite_bid == 25);
  CHECK(k.danger.drop_full_ppm == 250'000);
  CHECK(k.danger.velocity_full_ppb == 150'000);
  CHECK(k.danger.time_full_s == 240);
  CHECK(k.danger.opposite_full == 400'000);
  CHECK(k.winning_exit);
  CHECK(k.winning_exit_px == 998'000);
}

TEST_CASE("strategies: each refusal names the path and the reason") {
  const std::string c = R"({"strategies":{"capture_99c":)";
  auto capture = [&](const std::string& body) { return config_error(c + body + "}}"); };
  CHECK(capture(R"({"threshold":"0.90"})")
        == "$.strategies.capture_99c.threshold: 0.9 is above confidence.cap 0.85 (a confidence is never above "
           "the cap)");
  CHECK(capture(R"({"confidence":{"cap":"0.75"}})").find("$.strategies.capture_99c.threshold: 0.8 is above "
                                                           "confidence.cap 0.75") == 0);
  CHECK(capture(R"({"confidence":{"validate_above":"0.86"}})")
          .find("$.strategies.capture_99c.confidence.validate_above: 0.86 is above confidence.cap 0.85") == 0);
  CHECK(capture(R"({"confidence":{"extreme":"0.9"}})")
          .find("$.strategies.capture_99c.confidence.extreme: 0.9 is above confidence.cap 0.85") == 0);
  CHECK(capture(R"({"confidence":{"cap":"1.01"}})")
          .find("$.strategies.capture_99c.confidence.cap: expected a decimal string in [0, 1]") == 0);
  CHECK(capture(R"({"confidence":{"vote_min":"-0.1"}})")
          .find("$.strategies.capture_99c.confidence.vote_min: expected a decimal string in [0, 1]") == 0);
  CHECK(capture(R"({"confidence":{"market_weight":0.5}})")
        == "$.strategies.capture_99c.confidence.market_weight: expected a decimal string in [0, 1] (amounts are "
           "strings, never floats), got a number");
  CHECK(capture(R"({"confidence":{"annual_vol":"0"}})")
          .find("$.strategies.capture_99c.confidence.annual_vol: expected a decimal string in [0.000001, 100]")
        == 0);
  CHECK(capture(R"({"confidence":{"vote_weights":{"move":"0","velocity":"0","imbalance":"0","last_trade":"0"}}})")
        == "$.strategies.capture_99c.confidence.vote_weights: the weights must not all be 0");
  CHECK(capture(R"({"confidence":{"vote_weights":{"volume":"0.1"}}})")
        == "$.strategies.capture_99c.confidence.vote_weights.volume: unknown key");
  CHECK(capture(R"({"max_price":"1"})")
          .find("$.strategies.capture_99c.max_price: expected a decimal string in [0.001, 0.999]") == 0);
  CHECK(capture(R"({"max_price":"0"})").find("$.strategies.capture_99c.max_price: expected a decimal") == 0);
  CHECK(capture(R"({"max_price":"0.9905"})")
        == "$.strategies.capture_99c.max_price: expected a multiple of 0.001, got '0.9905'");
  CHECK(capture(R"({"winning_exit_price":"1"})")
          .find("$.strategies.capture_99c.winning_exit_price: expected a decimal string in [0.000001, 0.999999]")
        == 0);
  CHECK(capture(R"({"danger":{"weights":{"confidence_drop":-1}}})")
        == "$.strategies.capture_99c.danger.weights.confidence_drop: expected an integer in [0, 100], got -1");
  CHECK(capture(R"({"danger":{"weights":{"confidence_drop":50,"adverse_velocity":30}}})")
        == "$.strategies.capture_99c.danger.weights: must sum to 1..100 points, got 115");
  CHECK(capture(R"({"danger":{"weights":{"confidence_drop":0,"adverse_velocity":0,"time_left":0,
                                          "opposite_bid":0}}})")
        == "$.strategies.capture_99c.danger.weights: must sum to 1..100 points, got 0");
  CHECK(capture(R"({"danger":{"exit_at":0}})")
        == "$.strategies.capture_99c.danger.exit_at: expected an integer in [1, 100], got 0");
  CHECK(capture(R"({"danger":{"exit_at":101}})")
        == "$.strategies.capture_99c.danger.exit_at: expected an integer in [1, 100], got 101");
  CHECK(capture(R"({"danger":{"velocity_full":"0"}})")
          .find("$.strategies.capture_99c.danger.velocity_full: expected a decimal string in [0.000000001, 1]") == 0);
  CHECK(capture(R"({"danger":{"drop_full":"0"}})").find("$.strategies.capture_99c.danger.drop_full: expected") == 0);
  CHECK(capture(R"({"danger":{"time_full_s":0}})")
        == "$.strategies.capture_99c.danger.time_full_s: expected an integer in [1, 86400], got 0");
  CHECK(capture(R"({"entry_window_s":3})")
        == "$.strategies.capture_99c.stop_before_end_s: must be below entry_window_s (3 >= 3: no time left to "
           "enter)");
  CHECK(capture(R"({"stop_before_end_s":-1})")
        == "$.strategies.capture_99c.stop_before_end_s: expected an integer in [0, 86400], got -1");
  CHECK(capture(R"({"velocity_window_ms":999})")
        == "$.strategies.capture_99c.velocity_window_ms: expected an integer in [1000, 3600000], got 999");
  CHECK(capture(R"({"slow_window_ms":500})")
        == "$.strategies.capture_99c.slow_window_ms: expected an integer in [1000, 3600000], got 500");
  CHECK(capture(R"({"shares":0})") == "$.strategies.capture_99c.shares: expected an integer in [1, 1000000], got 0");
  CHECK(capture(R"({"max_exposure":"-1"})").find("$.strategies.capture_99c.max_exposure: expected a decimal") == 0);
  CHECK(capture(R"({"presign":"yes"})") == "$.strategies.capture_99c.presign: expected a boolean, got a string");
  CHECK(capture(R"({"size":5})") == "$.strategies.capture_99c.size: unknown key");
  CHECK(capture("[]") == "$.strategies.capture_99c: expected an object, got an array");
  CHECK(config_error(R"({"strategies":{"momentum":{}}})") == "$.strategies.momentum: unknown key");
  CHECK(config_error(R"({"strategies":{"td_maker":{"max_exposure":5}}})")
          .find("$.strategies.td_maker.max_exposure: expected a decimal string") == 0);
  CHECK(config_error(R"({"strategies":{"td_maker":{"enabled":false}}})")
        == "$.strategies: no strategy is enabled (enable strategies.td_maker or strategies.capture_99c)");
  // Only the capture on is fine; each refusal changed nothing a later parse sees.
  auto only_capture = parse_config(R"({"strategies":{"td_maker":{"enabled":false},"capture_99c":{"enabled":true}}})");
  REQUIRE(only_capture);
  CHECK(only_capture->capture.enabled);
  // Equal to the cap is allowed.
  CHECK(parse_config(c + R"({"threshold":"0.85","confidence":{"validate_above":"0.85","extreme":"0.85"}}}})"));
}
