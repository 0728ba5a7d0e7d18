// PolyBolt on the node's side: the frames it sends, the frames it parses (staging
// captures of Polymarket/ts-sdk, reduced), the sequencer, the subscribe pacer and
// the close codes.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/polybolt_codec.hpp"
#include "core/polybolt_sequencer.hpp"

using namespace tdmaker;

namespace {

polybolt_frame parsed(std::string_view text) {
  json::reusable_document doc;
  auto f = parse_polybolt_frame(text, doc);
  INFO(text);
  REQUIRE_MESSAGE(f.ok(), (f.ok() ? std::string() : f.error()));
  return std::move(f).value();
}

std::string refusal(std::string_view text) {
  json::reusable_document doc;
  auto f = parse_polybolt_frame(text, doc);
  INFO(text);
  REQUIRE_FALSE(f.ok());
  return f.error();
}

// Built by appending: gcc 12 warns falsely (-Wrestrict) on operator+ of a literal and a string.
std::string coin_symbol(int i) {
  std::string s = "c";
  s += std::to_string(i);
  s += "usd";
  return s;
}

/// `head` (an envelope up to its payload) with a valid payload and the closing brace.
std::string envelope_with(std::string_view head) {
  std::string s(head);
  s += R"("payload":{"symbol":"btcusd","timestamp":1,"full_accuracy_value":"1.5"}})";
  return s;
}

polybolt_subscription pair(polybolt_channel c, const char* node) {
  auto p = polybolt_subscription_for(c, node);
  REQUIRE(p.ok());
  return *p;
}

} // namespace

// ------------------------------------------------------------------ frames we send

TEST_CASE("polybolt frames: auth subscribe unsubscribe and ping are exactly the protocol's") {
  CHECK(polybolt_auth_frame("a1", "key-1", "c2VjcmV0", "pass") ==
        R"({"op":"auth","rid":"a1","auth":{"apiKey":"key-1","secret":"c2VjcmV0","passphrase":"pass"}})");

  // The reference's example frame, byte for byte: the filter is an object, not RTDS's string.
  std::vector<polybolt_subscription> twap{pair(polybolt_channel::crypto_twap, "btc/usd")};
  auto sub = polybolt_subscribe_frame("s1", twap);
  REQUIRE(sub.ok());
  CHECK(*sub ==
        R"({"op":"subscribe","rid":"s1","subscriptions":[{"channel":"price.crypto.twap","filter":{"symbol":"btcusd","window_seconds":60}}]})");

  std::vector<polybolt_subscription> both{pair(polybolt_channel::crypto, "ETH/USD"),
                                          pair(polybolt_channel::crypto_twap, "eth/usd")};
  auto unsub = polybolt_unsubscribe_frame("u7", both);
  REQUIRE(unsub.ok());
  CHECK(*unsub ==
        R"({"op":"unsubscribe","rid":"u7","subscriptions":[{"channel":"price.crypto","filter":{"symbol":"ethusd"}},)"
        R"({"channel":"price.crypto.twap","filter":{"symbol":"ethusd","window_seconds":60}}]})");

  CHECK(polybolt_ping_frame("p1") == R"({"op":"ping","rid":"p1"})");
}

TEST_CASE("polybolt frames: empty - over 64 pairs - bad symbols are refused") {
  std::vector<polybolt_subscription> none;
  auto empty = polybolt_subscribe_frame("s", none);
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.error().find("no subscriptions") != std::string::npos);

  std::vector<polybolt_subscription> many;
  for (int i = 0; i < 65; ++i)
    many.push_back({polybolt_channel::crypto, coin_symbol(i)});
  auto over = polybolt_subscribe_frame("s", many);
  REQUIRE_FALSE(over.ok());
  CHECK(over.error().find("65 pairs") != std::string::npos);
  many.pop_back();
  CHECK(polybolt_subscribe_frame("s", many).ok()); // exactly 64 is one connection's worth

  std::vector<polybolt_subscription> bad{{polybolt_channel::crypto, "BTC usd"}};
  auto b = polybolt_unsubscribe_frame("s", bad);
  REQUIRE_FALSE(b.ok());
  CHECK(b.error().find("not lower-case") != std::string::npos);
}

TEST_CASE("polybolt symbols: btc/usd maps to btcusd and back - others are refused") {
  CHECK(*polybolt_symbol("btc/usd") == "btcusd");
  CHECK(*polybolt_symbol("HYPE/USD") == "hypeusd");
  CHECK(*node_symbol("btcusd") == "btc/usd");
  CHECK(*node_symbol("DOGEUSD") == "doge/usd");
  for (auto bad : {"btcusd", "btc/usdt", "/usd", "btc/", "b c/usd", ""})
    CHECK_FALSE(polybolt_symbol(bad).ok());
  for (auto bad : {"btcusdt", "aapl", "usd", "btc/usd", "", "btc-usd"})
    CHECK_FALSE(node_symbol(bad).ok());
  CHECK(node_symbol("btcusdt").error().find("usd-quoted") != std::string::npos);
}

TEST_CASE("polybolt prices: the exact decimal becomes e8 - rounded half up at the ninth place") {
  CHECK(parse_polybolt_price("78803.76173179")->e8 == 7'880'376'173'179);
  CHECK(parse_polybolt_price("64123.50000000")->e8 == 6'412'350'000'000);
  CHECK(parse_polybolt_price("78808.45")->e8 == 7'880'845'000'000);
  CHECK(parse_polybolt_price("67000")->e8 == 6'700'000'000'000);
  // The TWAP's 18 places: ...52564290|8795... rounds up.
  CHECK(parse_polybolt_price("78788.525642908795142144")->e8 == 7'878'852'564'291);
  CHECK(parse_polybolt_price("1.000000005")->e8 == 100'000'001);
  CHECK(parse_polybolt_price("1.000000004999999999")->e8 == 100'000'000);
  CHECK(parse_polybolt_price("0.999999995")->e8 == 100'000'000);
  for (auto bad : {"", "-1", "+1", "1e5", "1.", ".5", "1.2.3", "0", "0.000000004", "abc", " 1", "1,5"})
    CHECK_FALSE(parse_polybolt_price(bad).ok());
  CHECK(parse_polybolt_price("0.000000004").error().find("not a positive") != std::string::npos);
  CHECK_FALSE(parse_polybolt_price("10000000000").ok()); // 1e10 USD: past the reference bound
}

// ------------------------------------------------------------------ frames we receive

TEST_CASE("polybolt parse: captured acks - authed subscribed unsubscribed pong and errors") {
  auto a = std::get<polybolt_authed>(parsed(R"({"op":"authed","rid":"a1"})"));
  CHECK(a.rid == "a1");
  auto s = std::get<polybolt_subscribed>(parsed(R"({"op":"subscribed","channel":"price.crypto","rid":"capture"})"));
  CHECK(s.rid == "capture");
  CHECK(s.channel == "price.crypto");
  auto u = std::get<polybolt_unsubscribed>(parsed(R"({"op":"unsubscribed","channel":"price.crypto"})"));
  CHECK(u.rid.empty());
  CHECK(std::get<polybolt_pong>(parsed(R"({"op":"pong","rid":"ping"})")).rid == "ping");

  auto e = std::get<polybolt_error>(parsed(R"({"op":"error","code":"bad_op"})"));
  CHECK(e.code == polybolt_error_code::bad_op);
  auto r = std::get<polybolt_error>(
      parsed(R"({"op":"error","code":"auth_required","channel":"price.crypto","rid":"s1"})"));
  CHECK(r.code == polybolt_error_code::auth_required);
  CHECK(r.channel == "price.crypto");
  CHECK(r.rid == "s1");
  auto f = std::get<polybolt_error>(parsed(R"({"op":"error","code":"future_error_code","rid":"x"})"));
  CHECK(f.code == polybolt_error_code::unknown);
  CHECK(f.code_text == "future_error_code");
  for (auto code : {"bad_channel", "bad_filter", "sub_limit", "rate_limited", "auth_unavailable", "auth_expired",
                    "auth_attempts", "auth_invalid"})
    CHECK(to_string(parse_polybolt_error_code(code)) == code);
}

TEST_CASE("polybolt parse: snapshots and updates of both channels give exact e8 ticks") {
  auto snap = std::get<polybolt_envelope>(parsed(
      R"({"v":1,"channel":"price.crypto","seq":1,"ts":1788886176000,"snapshot":true,"payload":{"data":[)"
      R"({"full_accuracy_value":"78803.76173179","timestamp":1788886057000,"value":78803.76173179},)"
      R"({"full_accuracy_value":"78801.86287741","timestamp":1788886058000,"value":78801.86287741}],)"
      R"("symbol":"btcusd","source":"pyth"}})"));
  CHECK(snap.channel == polybolt_channel::crypto);
  CHECK(snap.seq == 1);
  CHECK(snap.ts_ms == 1788886176000);
  CHECK(snap.snapshot);
  CHECK(snap.dropped == 0);
  CHECK(snap.symbol == "btc/usd");
  CHECK(snap.source == "pyth");
  REQUIRE(snap.ticks.size() == 2);
  CHECK(snap.ticks[0].symbol == "btc/usd");
  CHECK(snap.ticks[0].value.e8 == 7'880'376'173'179);
  CHECK(snap.ticks[0].source_ts_ms == 1788886057000);
  CHECK(snap.ticks[1].value.e8 == 7'880'186'287'741);

  auto empty = std::get<polybolt_envelope>(parsed(
      R"({"v":1,"channel":"price.crypto","seq":3,"ts":1,"snapshot":true,"payload":{"data":[],"symbol":"solusd"}})"));
  CHECK(empty.ticks.empty());
  CHECK(empty.source.empty());

  auto twap = std::get<polybolt_envelope>(parsed(
      R"({"v":1,"channel":"price.crypto.twap","seq":3,"ts":1788886177000,"dropped":3,"payload":)"
      R"({"full_accuracy_value":"78803.715261094101516288","symbol":"btcusd","source":"chainlink",)"
      R"("timestamp":1788886177000,"value":78803.7152610941,"window_seconds":60}})"));
  CHECK(twap.channel == polybolt_channel::crypto_twap);
  CHECK_FALSE(twap.snapshot);
  CHECK(twap.dropped == 3);
  REQUIRE(twap.ticks.size() == 1);
  CHECK(twap.ticks[0].value.e8 == 7'880'371'526'109);
  CHECK(twap.ticks[0].source_ts_ms == 1788886177000);

  auto twap_snap = std::get<polybolt_envelope>(parsed(
      R"({"v":1,"channel":"price.crypto.twap","seq":2,"ts":1788886175000,"snapshot":true,"payload":{"data":[)"
      R"({"full_accuracy_value":"78788.525642908795142144","timestamp":1788886057000,"value":78788.52564290879}],)"
      R"("symbol":"btcusd","window_seconds":60,"source":"chainlink"}})"));
  REQUIRE(twap_snap.ticks.size() == 1);
  CHECK(twap_snap.ticks[0].value.e8 == 7'878'852'564'291);
}

TEST_CASE("polybolt parse: malformed frames are refused with a clear error naming the field") {
  CHECK(refusal("not json").find("refused") != std::string::npos);
  CHECK(refusal("[1,2]").find("not a JSON object") != std::string::npos);
  CHECK(refusal(R"({"x":1})").find("neither") != std::string::npos);
  CHECK(refusal(R"({"op":"challenge","rid":"c1"})").find("unknown op") != std::string::npos);
  CHECK(refusal(R"({"op":"error","rid":"c1"})").find("'code'") != std::string::npos);
  CHECK(refusal(R"({"op":"authed","rid":7})").find("'rid'") != std::string::npos);
  CHECK(refusal(envelope_with(R"({"v":2,"channel":"price.crypto","seq":1,"ts":1,)"))
            .find("unsupported envelope version 2") != std::string::npos);
  CHECK(refusal(envelope_with(R"({"v":"1","channel":"price.crypto","seq":1,"ts":1,)")).find("'v'") !=
        std::string::npos);
  CHECK(refusal(envelope_with(R"({"v":1,"channel":"price.crypto","ts":1,)")).find("'seq' missing") !=
        std::string::npos);
  CHECK(refusal(envelope_with(R"({"v":1,"channel":"price.crypto","seq":-1,"ts":1,)")).find("'seq'") !=
        std::string::npos);
  CHECK(refusal(envelope_with(R"({"v":1,"channel":"price.crypto","seq":"1","ts":1,)")).find("'seq'") !=
        std::string::npos);
  CHECK(refusal(envelope_with(R"({"v":1,"channel":"price.crypto","seq":1,)")).find("'ts'") !=
        std::string::npos);
  CHECK(refusal(envelope_with(R"({"v":1,"channel":"price.crypto","seq":1,"ts":1,"dropped":-2,)"))
            .find("'dropped'") != std::string::npos);
  CHECK(refusal(envelope_with(R"({"v":1,"channel":"price.crypto","seq":1,"ts":1,"snapshot":1,)"))
            .find("'snapshot'") != std::string::npos);
  CHECK(refusal(R"({"v":1,"channel":"price.crypto","seq":4,"ts":1,"payload":[1]})")
            .find("seq 4: 'payload' missing or not an object") != std::string::npos);
  CHECK(refusal(envelope_with(R"({"v":1,"channel":"price.equity","seq":1,"ts":1,)"))
            .find("unsupported channel 'price.equity'") != std::string::npos);
  CHECK(refusal(R"({"v":1,"channel":"price.crypto.twap","seq":1,"ts":1,"snapshot":true,)"
                R"("payload":{"symbol":"btcusd","data":[],"window_seconds":30}})")
            .find("'window_seconds'") != std::string::npos);
  CHECK(refusal(R"({"v":1,"channel":"price.crypto","seq":1,"ts":1,"snapshot":true,"payload":{"symbol":"btcusd"}})")
            .find("'data'") != std::string::npos);
  CHECK(refusal(R"({"v":1,"channel":"price.crypto","seq":1,"ts":1,"snapshot":true,)"
                R"("payload":{"symbol":"btcusd","data":[{"timestamp":1,"value":1.5}]}})")
            .find("snapshot: 'full_accuracy_value' missing") != std::string::npos);
  CHECK(refusal(R"({"v":1,"channel":"price.crypto","seq":1,"ts":1,)"
                R"("payload":{"symbol":"btcusd","timestamp":1,"full_accuracy_value":"1e3"}})")
            .find("'full_accuracy_value': malformed decimal") != std::string::npos);
  CHECK(refusal(R"({"v":1,"channel":"price.crypto","seq":1,"ts":1,)"
                R"("payload":{"symbol":"btcusdt","timestamp":1,"full_accuracy_value":"1"}})")
            .find("usd-quoted") != std::string::npos);
  CHECK(refusal(R"({"v":1,"channel":"price.crypto","seq":1,"ts":1,)"
                R"("payload":{"symbol":"btcusd","timestamp":-5,"full_accuracy_value":"1"}})")
            .find("'timestamp'") != std::string::npos);
  CHECK(refusal("{\"op\":\"authed\",\"rid\":\"\xff\xfe\"}").find("refused") != std::string::npos); // not UTF-8
  CHECK(refusal(std::string(100, '[') + std::string(100, ']')).find("refused") != std::string::npos);

  // A refused frame leaves the reused document fit for the next one.
  json::reusable_document doc;
  CHECK_FALSE(parse_polybolt_frame("{bad", doc).ok());
  auto next = parse_polybolt_frame(R"({"op":"authed","rid":"a2"})", doc);
  REQUIRE(next.ok());
  CHECK(std::get<polybolt_authed>(*next).rid == "a2");
}

// ------------------------------------------------------------------ sequencer

TEST_CASE("polybolt sequencer: in order - duplicates dropped without a state change - gaps counted") {
  polybolt_sequencer s;
  CHECK_FALSE(s.last_seq().has_value());
  CHECK(s.observe(1, 0, true).verdict == seq_verdict::accept);
  CHECK(s.observe(2, 0, false).verdict == seq_verdict::accept);
  auto dup = s.observe(2, 0, false);
  CHECK(dup.verdict == seq_verdict::duplicate);
  CHECK_FALSE(dup.resubscribe);
  CHECK(s.observe(1, 0, false).verdict == seq_verdict::duplicate);
  CHECK(*s.last_seq() == 2);

  auto jump = s.observe(5, 0, false); // 3 and 4 never came
  CHECK(jump.verdict == seq_verdict::gap);
  CHECK(jump.resubscribe);
  CHECK(jump.lost == 2);
  CHECK(*s.last_seq() == 5);

  auto drop = s.observe(6, 3, false); // consecutive, but the server dropped 3
  CHECK(drop.verdict == seq_verdict::gap);
  CHECK(drop.lost == 3);
  auto both = s.observe(8, 1, false);
  CHECK(both.lost == 2);

  CHECK(s.counters().accepted == 5);
  CHECK(s.counters().duplicates == 2);
  CHECK(s.counters().gaps == 3);
  CHECK(s.counters().lost == 7);
  CHECK(s.counters().resubscribes == 0);
}

TEST_CASE("polybolt sequencer: a resubscribe's snapshots re-base - a loss before them is covered") {
  polybolt_sequencer s;
  for (std::uint64_t q = 1; q <= 4; ++q)
    s.observe(q, 0, q <= 2);
  REQUIRE(s.observe(7, 0, false).resubscribe);
  s.resubscribed(2); // both pairs of the channel, unsubscribed and subscribed again
  CHECK(s.awaiting_snapshots());
  auto covered = s.observe(9, 0, false); // lost 8: before both snapshots, which backfill it
  CHECK(covered.verdict == seq_verdict::gap);
  CHECK_FALSE(covered.resubscribe);
  // A server that renumbers: the snapshot is accepted below the last seq and re-bases.
  CHECK(s.observe(3, 0, true).verdict == seq_verdict::accept);
  CHECK(*s.last_seq() == 3);
  CHECK(s.awaiting_snapshots());
  CHECK(s.observe(3, 0, false).verdict == seq_verdict::duplicate); // only snapshots re-base
  auto after_first = s.observe(6, 0, false); // one snapshot came before this loss: not covered
  CHECK(after_first.resubscribe);
  CHECK(s.observe(7, 0, true).verdict == seq_verdict::accept);
  CHECK_FALSE(s.awaiting_snapshots());
  CHECK(s.observe(8, 0, false).verdict == seq_verdict::accept);
  CHECK(s.counters().resubscribes == 1);
}

TEST_CASE("polybolt sequencer: a new connection starts over at 1 - a late first seq is a gap") {
  polybolt_sequencer s;
  s.observe(1, 0, true);
  s.observe(2, 0, false);
  s.reset();
  CHECK(s.observe(1, 0, true).verdict == seq_verdict::accept);
  CHECK(s.counters().duplicates == 0);
  polybolt_sequencer late;
  auto g = late.observe(3, 0, false);
  CHECK(g.verdict == seq_verdict::gap);
  CHECK(g.lost == 2);
  polybolt_sequencer fresh;
  fresh.expect_snapshots(1);
  auto first = fresh.observe(2, 0, true); // seq 1 lost before the only snapshot: covered
  CHECK(first.verdict == seq_verdict::gap);
  CHECK_FALSE(first.resubscribe);
}

// ------------------------------------------------------------------ pacer

TEST_CASE("polybolt pacer: one batch frame - nothing twice - removals first - 64 pairs at most") {
  subscribe_pacer p;
  std::vector<polybolt_subscription> wanted{pair(polybolt_channel::crypto, "btc/usd"),
                                            pair(polybolt_channel::crypto_twap, "btc/usd"),
                                            pair(polybolt_channel::crypto, "eth/usd")};
  auto first = p.step(wanted, 1000);
  REQUIRE(first.frames.size() == 1);
  CHECK(first.frames[0].subscribe);
  CHECK(first.frames[0].pairs.size() == 3);
  CHECK(first.wake_at_ms == 0);
  CHECK(p.step(wanted, 1001).frames.empty());

  wanted.erase(wanted.begin() + 2);
  wanted.push_back(pair(polybolt_channel::crypto, "sol/usd"));
  auto change = p.step(wanted, 1002);
  REQUIRE(change.frames.size() == 2);
  CHECK_FALSE(change.frames[0].subscribe);
  CHECK(change.frames[0].pairs == std::vector<polybolt_subscription>{pair(polybolt_channel::crypto, "eth/usd")});
  CHECK(change.frames[1].pairs == std::vector<polybolt_subscription>{pair(polybolt_channel::crypto, "sol/usd")});
  CHECK(p.active().size() == 3);

  subscribe_pacer big;
  std::vector<polybolt_subscription> many;
  for (int i = 0; i < 70; ++i)
    many.push_back({polybolt_channel::crypto, coin_symbol(100 + i)});
  auto s = big.step(many, 0);
  REQUIRE(s.frames.size() == 1);
  CHECK(s.frames[0].pairs.size() == 64);
  CHECK(s.over_limit.size() == 6);
  CHECK(big.active().size() == 64);
  CHECK(polybolt_subscribe_frame("s", s.frames[0].pairs).ok());
}

TEST_CASE("polybolt pacer: 20 frames a second - the 21st waits to the millisecond") {
  subscribe_pacer p;
  std::vector<polybolt_subscription> wanted{pair(polybolt_channel::crypto, "btc/usd"),
                                            pair(polybolt_channel::crypto, "eth/usd")};
  const std::int64_t t0 = 50'000;
  REQUIRE(p.step(wanted, t0).frames.size() == 1); // 1 frame
  for (int i = 0; i < 9; ++i) {                    // 9 resubscribes: 18 frames
    p.resubscribe_channel(polybolt_channel::crypto);
    auto r = p.step(wanted, t0 + 10);
    REQUIRE(r.frames.size() == 2);
    CHECK_FALSE(r.frames[0].subscribe);
    CHECK(r.frames[1].subscribe);
    CHECK(r.frames[1].pairs.size() == 2);
  }
  CHECK(p.frames_in_window(t0 + 10) == 19);
  p.resubscribe_channel(polybolt_channel::crypto);
  auto edge = p.step(wanted, t0 + 20); // one frame left: the unsubscribe goes, the subscribe waits
  REQUIRE(edge.frames.size() == 1);
  CHECK_FALSE(edge.frames[0].subscribe);
  CHECK(edge.wake_at_ms == t0 + 1000);
  CHECK(p.active().empty());
  auto still = p.step(wanted, t0 + 999);
  CHECK(still.frames.empty());
  CHECK(still.wake_at_ms == t0 + 1000);
  auto later = p.step(wanted, t0 + 1000); // the first frame's second is over
  REQUIRE(later.frames.size() == 1);
  CHECK(later.frames[0].subscribe);
  CHECK(later.wake_at_ms == 0);
  CHECK(p.active().size() == 2);
  CHECK(p.deferred() == 2);
  CHECK(p.frames_sent() == 21);

  p.reset();
  CHECK(p.active().empty());
  CHECK(p.frames_in_window(t0 + 1000) == 0);
}

// ------------------------------------------------------------------ close codes

TEST_CASE("polybolt close codes: 4001 4002 4003 4008 and the rest") {
  auto auth = polybolt_close_meaning(4001);
  CHECK(auth.credentials == polybolt_credentials::refresh);
  CHECK(auth.reconnect == polybolt_reconnect::backoff);
  CHECK_FALSE(auth.documented);
  auto slow = polybolt_close_meaning(4002);
  CHECK(slow.credentials == polybolt_credentials::reuse);
  CHECK(slow.reconnect == polybolt_reconnect::backoff);
  auto drain = polybolt_close_meaning(4003);
  CHECK(drain.reconnect == polybolt_reconnect::once_soon);
  CHECK(drain.min_delay_ms == 0);
  CHECK(drain.max_delay_ms == 10'000);
  CHECK(drain.documented);
  auto policy = polybolt_close_meaning(4008);
  CHECK(policy.reconnect == polybolt_reconnect::never);
  CHECK(policy.documented);
  auto other = polybolt_close_meaning(1006);
  CHECK(other.reconnect == polybolt_reconnect::backoff);
  CHECK(std::string(slow.meaning).find("pong") != std::string::npos);
}
