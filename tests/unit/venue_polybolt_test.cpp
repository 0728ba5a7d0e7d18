// The venue's PolyBolt session, driven by the node's own codec: what the client
// sends goes in, what the venue answers is parsed back with parse_polybolt_frame,
// and the node's sequencer and pacer recover from the venue's drops and gaps.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/polybolt_codec.hpp"
#include "core/polybolt_sequencer.hpp"
#include "venue/polybolt_feed.hpp"

using namespace tdmaker;
using namespace tdmaker::venue;

namespace {

constexpr const char* secret = "c2VjcmV0LXRoYXQtbXVzdC1ub3QtbGVhaw==";

bool l2_check(std::string_view key, std::string_view s, std::string_view pass) {
  return key == "key-1" && s == secret && pass == "pass-1";
}

// Built by appending: gcc 12 warns falsely (-Wrestrict) on operator+ of a literal and a string.
std::string coin_symbol(int i) {
  std::string s = "c";
  s += std::to_string(i);
  s += "usd";
  return s;
}

struct bolt_fixture {
  std::int64_t now = 1'800'000'000'000;
  polybolt_limits lim;
  std::unique_ptr<polybolt_feed> feed;
  json::reusable_document doc;

  explicit bolt_fixture(polybolt_limits l = {}) : lim(l) { restart(); }
  void restart() {
    feed = std::make_unique<polybolt_feed>(l2_check, lim);
    feed->open(1, now);
  }
  polybolt_session& session() {
    auto* s = feed->session(1);
    REQUIRE(s != nullptr);
    return *s;
  }
  polybolt_output send(const std::string& text) { return feed->on_text(1, text, now); }
  polybolt_frame frame(const std::string& text) {
    auto f = parse_polybolt_frame(text, doc);
    INFO(text);
    REQUIRE_MESSAGE(f.ok(), (f.ok() ? std::string() : f.error()));
    return std::move(f).value();
  }
  polybolt_envelope envelope(const std::string& text) {
    auto f = frame(text);
    REQUIRE(std::holds_alternative<polybolt_envelope>(f));
    return std::get<polybolt_envelope>(std::move(f));
  }
  polybolt_error error_of(const polybolt_output& out) {
    REQUIRE(out.frames.size() == 1);
    auto f = frame(out.frames[0]);
    REQUIRE(std::holds_alternative<polybolt_error>(f));
    return std::get<polybolt_error>(f);
  }
  void auth() {
    auto out = send(polybolt_auth_frame("a1", "key-1", secret, "pass-1"));
    REQUIRE(out.frames.size() == 1);
    CHECK(std::get<polybolt_authed>(frame(out.frames[0])).rid == "a1");
  }
  polybolt_output subscribe(std::vector<polybolt_subscription> subs, const char* rid = "s1") {
    auto text = polybolt_subscribe_frame(rid, subs);
    REQUIRE(text.ok());
    return send(*text);
  }
  static polybolt_subscription spot(const char* sym) { return {polybolt_channel::crypto, sym}; }
  static polybolt_subscription twap(const char* sym) { return {polybolt_channel::crypto_twap, sym}; }
  /// The one frame session 1 got from a publish fan-out (none: empty).
  static std::vector<std::string> frames_of(const polybolt_feed::fanout& f) {
    for (auto& [id, out] : f)
      if (id == 1)
        return out.frames;
    return {};
  }
};

} // namespace

TEST_CASE_FIXTURE(bolt_fixture, "venue polybolt: auth - subscribe both channels - snapshots then live envelopes") {
  // History from before the subscribe: the snapshot carries the last 2 minutes only.
  feed->publish_spot("btc", now - 130'000, ref_price{6'000'000'000'000});
  feed->publish_spot("btc", now - 60'000, ref_price{6'700'000'000'000});
  feed->publish_spot("btc", now - 1'000, ref_price{6'712'345'678'901});
  feed->publish_twap("btc", now - 1'000, ref_price{6'710'000'000'001});
  auth();
  CHECK(session().authed());

  auto out = subscribe({spot("btcusd"), twap("btcusd")});
  CHECK(out.close_code == 0);
  REQUIRE(out.frames.size() == 4); // ack + snapshot per new pair
  auto ack = std::get<polybolt_subscribed>(frame(out.frames[0]));
  CHECK(ack.rid == "s1");
  CHECK(ack.channel == "price.crypto");
  auto snap = envelope(out.frames[1]);
  CHECK(snap.snapshot);
  CHECK(snap.seq == 1);
  CHECK(snap.symbol == "btc/usd");
  CHECK(snap.source == "pyth");
  REQUIRE(snap.ticks.size() == 2);
  CHECK(snap.ticks[0].value.e8 == 6'700'000'000'000);
  CHECK(snap.ticks[1].value.e8 == 6'712'345'678'901);
  CHECK(std::get<polybolt_subscribed>(frame(out.frames[2])).channel == "price.crypto.twap");
  auto tsnap = envelope(out.frames[3]);
  CHECK(tsnap.channel == polybolt_channel::crypto_twap);
  CHECK(tsnap.seq == 1); // seq is per channel
  REQUIRE(tsnap.ticks.size() == 1);
  CHECK(tsnap.ticks[0].value.e8 == 6'710'000'000'001);
  CHECK(tsnap.source == "chainlink");

  // The two streams diverge: each goes out on its own channel with its own seq.
  auto s1 = frames_of(feed->publish_spot("btc", now, ref_price{6'720'000'000'000}));
  auto t1 = frames_of(feed->publish_twap("btc", now, ref_price{6'715'500'000'000}));
  CHECK(frames_of(feed->publish_spot("eth", now, ref_price{300'000'000'000})).empty()); // not held
  REQUIRE(s1.size() == 1);
  REQUIRE(t1.size() == 1);
  auto live = envelope(s1[0]);
  CHECK_FALSE(live.snapshot);
  CHECK(live.seq == 2);
  CHECK(live.ts_ms == now);
  CHECK(live.ticks[0].value.e8 == 6'720'000'000'000);
  auto tl = envelope(t1[0]);
  CHECK(tl.seq == 2);
  CHECK(tl.ticks[0].value.e8 == 6'715'500'000'000);
  CHECK(t1[0].find(R"("window_seconds":60)") != std::string::npos);

  polybolt_sequencer spot_seq;
  polybolt_sequencer twap_seq;
  CHECK(spot_seq.observe(snap.seq, snap.dropped, snap.snapshot).verdict == seq_verdict::accept);
  CHECK(spot_seq.observe(live.seq, live.dropped, live.snapshot).verdict == seq_verdict::accept);
  CHECK(twap_seq.observe(tsnap.seq, 0, true).verdict == seq_verdict::accept);
  CHECK(twap_seq.observe(tl.seq, 0, false).verdict == seq_verdict::accept);
  CHECK(spot_seq.observe(live.seq, 0, false).verdict == seq_verdict::duplicate); // a replay is suppressed
}

TEST_CASE_FIXTURE(bolt_fixture, "venue polybolt: a subscribe before auth gets auth_required and changes nothing") {
  auto out = subscribe({spot("btcusd")}, "s9");
  CHECK(out.close_code == 0);
  auto e = error_of(out);
  CHECK(e.code == polybolt_error_code::auth_required);
  CHECK(e.channel == "price.crypto");
  CHECK(e.rid == "s9");
  CHECK(session().subscriptions() == 0);
  CHECK(frames_of(feed->publish_spot("btc", now, ref_price{100'000'000})).empty());
  auth(); // still open: auth then works
  CHECK(subscribe({spot("btcusd")}).frames.size() == 2);
}

TEST_CASE_FIXTURE(bolt_fixture, "venue polybolt: bad or missing credentials close 4001 without echoing the secret") {
  auto wrong = send(polybolt_auth_frame("a1", "key-1", "wrong-secret", "pass-1"));
  CHECK(wrong.close_code == polybolt_close_auth_failed);
  CHECK(error_of(wrong).code == polybolt_error_code::auth_invalid);
  CHECK(wrong.frames[0].find("wrong-secret") == std::string::npos);
  CHECK(wrong.close_reason.find("wrong-secret") == std::string::npos);
  CHECK(session().closed());
  CHECK_FALSE(session().authed());
  CHECK(send(polybolt_auth_frame("a2", "key-1", secret, "pass-1")).empty()); // closed: nothing more

  restart();
  std::string no_passphrase = R"({"op":"auth","rid":"a1","auth":{"apiKey":"key-1","secret":")";
  no_passphrase += secret;
  no_passphrase += R"("}})";
  auto missing = send(no_passphrase);
  CHECK(missing.close_code == polybolt_close_auth_failed);
  for (auto& f : missing.frames)
    CHECK(f.find(secret) == std::string::npos);
  CHECK(missing.close_reason.find(secret) == std::string::npos);

  restart();
  CHECK(send(R"({"op":"auth","rid":"a1"})").close_code == polybolt_close_auth_failed);
}

TEST_CASE_FIXTURE(bolt_fixture, "venue polybolt: the 64-pair limit - the 65th is refused and nothing changes") {
  auth();
  std::vector<polybolt_subscription> pairs;
  for (int i = 0; i < 64; ++i)
    pairs.push_back({polybolt_channel::crypto, coin_symbol(100 + i)});
  auto full = subscribe(pairs);
  CHECK(full.frames.size() == 128);
  CHECK(session().subscriptions() == 64);
  CHECK(subscribe({pairs[0]}).frames.size() == 1); // a held pair: its ack, no snapshot, no new slot
  auto over = subscribe({spot("zzzusd")}, "s65");
  auto e = error_of(over);
  CHECK(e.code == polybolt_error_code::sub_limit);
  CHECK(e.rid == "s65");
  CHECK(over.close_code == 0);
  CHECK(session().subscriptions() == 64);
  CHECK_FALSE(session().holds(polybolt_channel::crypto, "zzzusd"));

  // Unsubscribing frees a slot.
  auto unsub = polybolt_unsubscribe_frame("u1", std::vector<polybolt_subscription>{pairs[0]});
  auto u = send(*unsub);
  REQUIRE(u.frames.size() == 1);
  CHECK(std::get<polybolt_unsubscribed>(frame(u.frames[0])).rid == "u1");
  CHECK(subscribe({spot("zzzusd")}).frames.size() == 2);

  polybolt_limits closing;
  closing.breach_closes = true;
  bolt_fixture strict(closing);
  strict.auth();
  strict.subscribe(pairs);
  auto breach = strict.subscribe({spot("zzzusd")});
  CHECK(breach.close_code == polybolt_close_policy);
  CHECK(breach.frames.empty());
}

TEST_CASE_FIXTURE(bolt_fixture, "venue polybolt: 20 subscribe frames a second - the 21st within it is refused") {
  auth();
  for (int i = 0; i < 20; ++i) {
    auto out = subscribe({spot("btcusd")});
    REQUIRE_FALSE(out.frames.empty());
    CHECK(std::holds_alternative<polybolt_subscribed>(frame(out.frames[0])));
  }
  now += 999;
  CHECK(error_of(subscribe({spot("ethusd")})).code == polybolt_error_code::rate_limited);
  CHECK_FALSE(session().holds(polybolt_channel::crypto, "ethusd"));
  now += 1; // the first 20 are a second old
  auto again = subscribe({spot("ethusd")});
  REQUIRE(again.frames.size() == 2);
  CHECK(session().holds(polybolt_channel::crypto, "ethusd"));
  // Pings and auth do not count against it.
  for (int i = 0; i < 30; ++i)
    CHECK(std::holds_alternative<polybolt_pong>(frame(send(polybolt_ping_frame("p")).frames.at(0))));
}

TEST_CASE_FIXTURE(bolt_fixture, "venue polybolt: drops and a seq gap are detected and a resubscribe backfills them") {
  auth();
  subscribe({spot("btcusd"), spot("ethusd")}); // snapshots: seq 1 and 2 on price.crypto
  polybolt_sequencer seq;
  subscribe_pacer pacer;
  std::vector<polybolt_subscription> wanted{spot("btcusd"), spot("ethusd")};
  pacer.step(wanted, now); // the pacer's view: both held (the frames were sent above)
  seq.observe(1, 0, true);
  seq.observe(2, 0, true);

  auto deliver = [&](const std::vector<std::string>& frames) {
    std::vector<seq_step> steps;
    for (auto& f : frames) {
      auto e = envelope(f);
      steps.push_back(seq.observe(e.seq, e.dropped, e.snapshot));
    }
    return steps;
  };
  auto first = deliver(frames_of(feed->publish_spot("btc", now, ref_price{6'700'000'000'000})));
  REQUIRE(first.size() == 1);
  CHECK(first[0].verdict == seq_verdict::accept);

  session().drop_next(polybolt_channel::crypto, 2);
  const std::int64_t lost_ts = now + 1000;
  CHECK(frames_of(feed->publish_spot("btc", lost_ts, ref_price{6'701'000'000'000})).empty());
  CHECK(frames_of(feed->publish_spot("eth", lost_ts, ref_price{301'000'000'000})).empty());
  auto after = frames_of(feed->publish_spot("btc", now + 2000, ref_price{6'702'000'000'000}));
  REQUIRE(after.size() == 1);
  auto e = envelope(after[0]);
  CHECK(e.seq == 4); // a dropped envelope uses no seq number
  CHECK(e.dropped == 2);
  auto gap = seq.observe(e.seq, e.dropped, e.snapshot);
  CHECK(gap.verdict == seq_verdict::gap);
  CHECK(gap.lost == 2);
  REQUIRE(gap.resubscribe);
  CHECK(session().dropped_total() == 2);

  // Resubscribe the channel through the pacer: unsubscribe, then subscribe again.
  now += 3000;
  pacer.resubscribe_channel(polybolt_channel::crypto);
  auto plan = pacer.step(wanted, now);
  REQUIRE(plan.frames.size() == 2);
  seq.resubscribed(pacer.active_on(polybolt_channel::crypto));
  std::vector<std::string> backfill;
  for (auto& f : plan.frames) {
    auto text = f.subscribe ? polybolt_subscribe_frame("r1", f.pairs) : polybolt_unsubscribe_frame("r0", f.pairs);
    REQUIRE(text.ok());
    auto out = send(*text);
    for (auto& fr : out.frames)
      if (std::holds_alternative<polybolt_envelope>(frame(fr)))
        backfill.push_back(fr);
  }
  REQUIRE(backfill.size() == 2);
  bool btc_lost_point_back = false;
  bool eth_lost_point_back = false;
  for (auto& f : backfill) {
    auto env = envelope(f);
    CHECK(env.snapshot);
    CHECK(seq.observe(env.seq, env.dropped, env.snapshot).verdict == seq_verdict::accept);
    for (auto& t : env.ticks) {
      btc_lost_point_back |= t.symbol == "btc/usd" && t.source_ts_ms == lost_ts && t.value.e8 == 6'701'000'000'000;
      eth_lost_point_back |= t.symbol == "eth/usd" && t.source_ts_ms == lost_ts && t.value.e8 == 301'000'000'000;
    }
  }
  CHECK(btc_lost_point_back);
  CHECK(eth_lost_point_back);
  CHECK_FALSE(seq.awaiting_snapshots());

  // A skipped seq is a gap too.
  session().skip_seq(polybolt_channel::crypto, 3);
  CHECK(session().next_seq(polybolt_channel::crypto) == 10);
  auto jumped = deliver(frames_of(feed->publish_spot("eth", now, ref_price{302'000'000'000})));
  REQUIRE(jumped.size() == 1);
  CHECK(jumped[0].verdict == seq_verdict::gap);
  CHECK(jumped[0].lost == 3);
  CHECK(seq.counters().gaps == 2);
  CHECK(seq.counters().lost == 5);
  CHECK(seq.counters().resubscribes == 1);
}

TEST_CASE_FIXTURE(bolt_fixture, "venue polybolt: a ping every 25 s - two missed pongs close 4002") {
  CHECK(feed->tick(now + 24'999).empty());
  auto p1 = feed->tick(now + 25'000);
  REQUIRE(p1.size() == 1);
  CHECK(p1[0].second.ping);
  feed->on_pong(1);
  CHECK(feed->tick(now + 49'999).empty());
  CHECK(feed->tick(now + 50'000).at(0).second.ping); // answered: no miss
  CHECK(feed->tick(now + 75'000).at(0).second.ping); // first miss
  auto closed = feed->tick(now + 100'000);            // second miss
  REQUIRE(closed.size() == 1);
  CHECK_FALSE(closed[0].second.ping);
  CHECK(closed[0].second.close_code == polybolt_close_slow_consumer);
  CHECK(feed->tick(now + 125'000).empty());
}

TEST_CASE_FIXTURE(bolt_fixture, "venue polybolt: bad requests get error acks and change no state") {
  auth();
  subscribe({spot("btcusd")});
  const auto held = session().subscriptions();
  CHECK(error_of(send("not json")).code == polybolt_error_code::bad_op);
  CHECK(error_of(send(R"({"op":"dance","rid":"d1"})")).rid == "d1");
  CHECK(error_of(send(R"({"op":"subscribe","rid":7})")).code == polybolt_error_code::bad_op);
  auto chan = error_of(send(R"({"op":"subscribe","rid":"b1","subscriptions":[{"channel":"price.stocks","filter":{"symbol":"aapl"}}]})"));
  CHECK(chan.code == polybolt_error_code::bad_channel);
  CHECK(chan.channel == "price.stocks");
  // RTDS habits: the filter as a string, an upper-case symbol, a TWAP without its window.
  CHECK(error_of(send(R"({"op":"subscribe","subscriptions":[{"channel":"price.crypto","filter":"{\"symbol\":\"btcusd\"}"}]})"))
            .code == polybolt_error_code::bad_filter);
  CHECK(error_of(send(R"({"op":"subscribe","channel":"price.crypto","filter":{"symbol":"BTCUSD"}})")).code ==
        polybolt_error_code::bad_filter);
  CHECK(error_of(send(R"({"op":"subscribe","channel":"price.crypto.twap","filter":{"symbol":"btcusd"}})")).code ==
        polybolt_error_code::bad_filter);
  // One bad entry refuses the batch.
  CHECK(error_of(send(R"({"op":"subscribe","subscriptions":[{"channel":"price.crypto","filter":{"symbol":"ethusd"}},{"channel":"x"}]})"))
            .code == polybolt_error_code::bad_channel);
  CHECK(session().subscriptions() == held);
  CHECK(session().authed());
  CHECK_FALSE(session().closed());
  CHECK(session().next_seq(polybolt_channel::crypto) == 2);

  auto huge = send(std::string(64 * 1024 + 1, ' '));
  CHECK(huge.close_code == polybolt_close_policy);
}

TEST_CASE_FIXTURE(bolt_fixture, "venue polybolt: unsubscribe - single form - unknown symbols and windows - drain") {
  auth();
  auto single = send(R"({"op":"subscribe","rid":"one","channel":"price.crypto","filter":{"symbol":"btcusd"}})");
  REQUIRE(single.frames.size() == 2);
  CHECK(std::get<polybolt_subscribed>(frame(single.frames[0])).rid == "one");
  auto u = send(R"({"op":"unsubscribe","channel":"price.crypto","filter":{"symbol":"btcusd"}})");
  REQUIRE(u.frames.size() == 1);
  CHECK(std::holds_alternative<polybolt_unsubscribed>(frame(u.frames[0])));
  CHECK(frames_of(feed->publish_spot("btc", now, ref_price{100'000'000})).empty());

  // Acknowledged, an empty snapshot, never data (the service's empty barrier).
  feed->publish_twap("btc", now, ref_price{100'000'000});
  auto w30 = send(R"({"op":"subscribe","channel":"price.crypto.twap","filter":{"symbol":"btcusd","window_seconds":30}})");
  REQUIRE(w30.frames.size() == 2);
  CHECK(w30.frames[1].find(R"("data":[])") != std::string::npos);
  CHECK(w30.frames[1].find(R"("window_seconds":30)") != std::string::npos);
  CHECK(frames_of(feed->publish_twap("btc", now, ref_price{100'000'000})).empty());
  auto unknown = subscribe({spot("btcusdt")});
  REQUIRE(unknown.frames.size() == 2);
  CHECK(unknown.frames[1].find(R"("data":[])") != std::string::npos);

  auto d = feed->drain();
  REQUIRE(d.size() == 1);
  CHECK(d[0].second.close_code == polybolt_close_draining);
  feed->close(1);
  CHECK(feed->session(1) == nullptr);
  CHECK(feed->sessions().empty());
}

TEST_CASE_FIXTURE(bolt_fixture, "venue polybolt: 8 auth frames per connection - the 9th is refused") {
  for (int i = 0; i < 8; ++i)
    auth();
  auto ninth = send(polybolt_auth_frame("a9", "key-1", secret, "pass-1"));
  CHECK(error_of(ninth).code == polybolt_error_code::auth_attempts);
  CHECK(ninth.frames[0].find(secret) == std::string::npos);
  CHECK(session().authed());
}
