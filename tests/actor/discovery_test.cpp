// Issue 14, defects 5 and 6: retiring is idempotent whoever retired first, the
// market cap's refusal reaches the caller (and is alerted once per episode), and
// a restarted discovery retires markets that ended before it started.
//
// The test stands in for Gamma (a canned function), the feed, the notifier and,
// for discovery, the directory: it forwards every directory request to a real
// directory and counts them. Each discovery pass asks Gamma for every series'
// listing, and the last series' notice is the pass's sync point: no sleeps.
#include <doctest/doctest.h>

#include <atomic>

#include <caf/send.hpp>

#include "actors/directory.hpp"
#include "actors/discovery.hpp"
#include "actors/store.hpp"
#include "actors/util.hpp"
#include "core/gamma_codec.hpp"
#include "core/series.hpp"
#include "fixture.hpp"

using namespace tdmaker;
using namespace std::chrono_literals;

namespace {

constexpr std::int64_t slot_s = 900;
constexpr std::int64_t start_s = 1778437800; // the slot the canned Gamma event lists

std::string gamma_event(const std::string& asset, char id) {
  auto slug = slot_slug(asset, slot_s, start_s);
  return R"([{"id":"1","slug":")" + slug + R"(","markets":[{"slug":")" + slug + R"(","conditionId":"0x)"
         + std::string(64, id) + R"(","clobTokenIds":"[\"111\", \"222\"]","outcomes":"[\"Down\", \"Up\"]",
  "outcomePrices":"[\"0.5\", \"0.5\"]","startDate":"2026-05-09T18:30:00Z","eventStartTime":"2026-05-10T18:30:00Z",
  "endDate":"2026-05-10T18:45:00.000Z","orderPriceMinTickSize":0.01,"orderMinSize":5,"closed":false,
  "acceptingOrders":true,"negRisk":false,"feesEnabled":true,
  "feeSchedule":{"exponent":1,"rate":0.07,"takerOnly":true,"rebateRate":0.2}}]}])";
}

market_record record_of(const std::string& asset, char id) {
  market_record m;
  m.fee = fee_schedule{true, 70'000, 1, true}; // a market is traded only with a known schedule
  m.id = *parse_condition_id("0x" + std::string(64, id));
  m.slug = slot_slug(asset, slot_s, start_s);
  m.asset = asset;
  m.slot_start_s = start_s;
  m.slot_end_s = start_s + slot_s;
  m.up_token = *parse_token_id("222");
  m.down_token = *parse_token_id("111");
  m.status = market_status::active;
  return m;
}

/// The test actor's view of what discovery did.
struct harness {
  harness(caf::scoped_actor& s, directory_actor d) : self(s), real(std::move(d)) {}

  caf::scoped_actor& self;
  directory_actor real;
  std::shared_ptr<std::atomic<std::int64_t>> now_ms = std::make_shared<std::atomic<std::int64_t>>(0);
  std::map<std::string, std::string> listed; // slug -> Gamma body; others are "not listed yet"
  int retire_asks = 0;
  int retire_refused = 0;
  int subscribed = 0;
  std::string last_gamma;
  std::vector<alert> alerts;
  markets_changed last_change;

  discovery_actor spawn(caf::actor_system& sys, std::vector<std::string> assets) {
    discovery_options o;
    o.series.clear();
    for (auto& a : assets)
      o.series.push_back(*make_series(a, "15m"));
    o.interval = 1h; // the test runs every pass itself
    o.notifier = caf::actor_cast<notifier_actor>(self);
    o.clock = [t = now_ms] { return t->load(); };
    caf::actor me = caf::actor_cast<caf::actor>(self);
    // Gamma's series listing: every canned event of the asked series, in one array.
    gamma_fetch fetch = [me, canned = listed](http_request req, std::function<void(http_response)> done) {
      auto from = req.target.find("series_slug=") + 12;
      auto series = req.target.substr(from, req.target.find('&', from) - from);
      auto asset = series.substr(0, series.find('-'));
      http_response res;
      res.status = 200;
      res.body = "[";
      for (auto& [slug, body] : canned)
        if (slug.rfind(asset + "-updown-15m-", 0) == 0)
          res.body += (res.body.size() > 1 ? "," : "") + body.substr(1, body.size() - 2);
      res.body += "]";
      res.attempts = 1;
      done(std::move(res));
      caf::anon_send(me, "gamma " + series); // after the reply: the pass's sync point
    };
    return spawn_discovery(sys, fetch, caf::actor_cast<directory_actor>(self),
                           caf::actor_cast<feed_actor>(self), telemetry_actor{}, o);
  }

  /// One message from discovery or the directory; forwards directory requests.
  void step() {
    self->receive(
      [&](list_atom) -> caf::result<std::vector<market_summary>> { return reply(ask(list_atom::value)); },
      [&](market_record& rec) -> caf::result<market_actor> { return reply(ask(rec)); },
      [&](retire_atom, condition_id& id) -> caf::result<bool> {
        ++retire_asks;
        auto r = ask(retire_atom::value, id);
        retire_refused += !r;
        return reply(std::move(r));
      },
      [&](subscribe_market&, market_actor&) { ++subscribed; },
      [&](unsubscribe_market&) {},
      [&](std::string& s) { last_gamma = s; },
      [&](alert& a) { alerts.push_back(a); },
      [&](markets_changed& m) { last_change = m; },
      [&](actor_sample&) {}, [&](actor_lifecycle&) {},
      caf::after(5s) >> [&] { FAIL("discovery went quiet"); });
  }

  template <class T>
  static caf::result<T> reply(caf::expected<T> r) {
    if (!r)
      return r.error();
    return std::move(*r);
  }

  template <class T, class... Ts>
  caf::expected<T> ask_real(Ts... xs) {
    caf::expected<T> out{caf::make_error(caf::sec::request_timeout)};
    self->request(real, 5s, std::move(xs)...)
      .receive([&](T& x) { out = std::move(x); }, [&](caf::error& e) { out = e; });
    return out;
  }
  caf::expected<std::vector<market_summary>> ask(list_atom a) { return ask_real<std::vector<market_summary>>(a); }
  caf::expected<market_actor> ask(market_record r) { return ask_real<market_actor>(std::move(r)); }
  caf::expected<bool> ask(retire_atom a, condition_id id) { return ask_real<bool>(a, std::move(id)); }

  /// Runs one pass at the given time; returns once Gamma was asked for `marker`.
  void pass_at(std::int64_t t_s, const discovery_actor& d, const std::string& marker) {
    now_ms->store(t_s * 1000);
    self->send(d, discover_atom::value);
    until_gamma(marker);
  }
  /// `marker` is a slot's slug: the pass is over once its series was listed.
  void until_gamma(const std::string& marker) {
    last_gamma.clear();
    const auto series = marker.substr(0, marker.find('-')) + "-up-or-down-15m";
    while (last_gamma != "gamma " + series)
      step();
  }
};

bool retire_real(caf::scoped_actor& self, const directory_actor& dir, const condition_id& id, std::string* why = nullptr) {
  bool ok = false;
  self->request(dir, 5s, retire_atom::value, id)
    .receive([&](bool b) { ok = b; },
             [&](caf::error& e) {
               if (why)
                 *why = error_text(e);
             });
  return ok;
}

} // namespace

TEST_CASE_FIXTURE(test::actor_fixture, "directory: the market cap's refusal is the answer, within the ask, and counted") {
  caf::scoped_actor self{*sys};
  auto store = spawn_store(*sys, env, telemetry_actor{}, {});
  directory_options opts;
  opts.max_live = 1;
  auto dir = spawn_directory(*sys, store, caf::actor_cast<telemetry_actor>(self), notifier_actor{}, opts);
  auto a = record_of("btc", 'a');
  auto b = record_of("eth", 'b');
  self->request(dir, 5s, a).receive([](market_actor&) {}, [&](caf::error& e) { FAIL(error_text(e)); });
  // Shorter than the directory's own 10 s timeouts: a lost reply cannot pass.
  std::string why;
  self->request(dir, 2s, b).receive([](market_actor&) { FAIL("spawned over the cap"); },
                                    [&](caf::error& e) { why = error_text(e); });
  CHECK(why == "market limit reached (markets.max_live = 1)");
  std::uint64_t refused = 0;
  while (refused == 0)
    self->receive([&](markets_changed& m) { refused = m.refused_max_live; }, [](actor_sample&) {},
                  [](actor_lifecycle&) {}, caf::after(5s) >> [&] { FAIL("the refusal was not counted"); });
  CHECK(refused == 1);
  // Retiring one frees its seat.
  CHECK(retire_real(self, dir, a.id));
  self->request(dir, 5s, b).receive([](market_actor&) {}, [&](caf::error& e) { FAIL(error_text(e)); });
  self->send_exit(dir, caf::exit_reason::user_shutdown);
  self->send_exit(store, caf::exit_reason::user_shutdown);
}

TEST_CASE_FIXTURE(test::actor_fixture, "directory: retiring is idempotent - already retired, under way or never live") {
  caf::scoped_actor self{*sys};
  auto store = spawn_store(*sys, env, telemetry_actor{}, {});
  auto dir = spawn_directory(*sys, store, caf::actor_cast<telemetry_actor>(self), notifier_actor{}, {});
  auto a = record_of("btc", 'a');
  auto b = record_of("eth", 'b');
  for (auto& r : {a, b})
    self->request(dir, 5s, r).receive([](market_actor&) {}, [&](caf::error& e) { FAIL(error_text(e)); });
  std::string why;
  CHECK(retire_real(self, dir, a.id, &why)); // settlement, after settling
  CHECK(retire_real(self, dir, a.id, &why)); // discovery, after the grace
  CHECK_MESSAGE(why.empty(), why);
  CHECK(retire_real(self, dir, *parse_condition_id("0x" + std::string(64, 'c'))));
  // Two asks while the first is still under way: both get the one answer.
  auto first = self->request(dir, 5s, retire_atom::value, b.id);
  auto second = self->request(dir, 5s, retire_atom::value, b.id);
  for (auto* h : {&first, &second})
    h->receive([](bool ok) { CHECK(ok); }, [&](caf::error& e) { FAIL(error_text(e)); });
  auto stored = env->get(record_db::markets, b.id.hex);
  REQUIRE(stored);
  CHECK(decode_market_record(stored->payload)->status == market_status::retired);
  std::uint64_t retired = 0;
  while (retired < 2)
    self->receive([&](markets_changed& m) { retired = m.retired; }, [](actor_sample&) {},
                  [](actor_lifecycle&) {}, caf::after(5s) >> [&] { FAIL("retirements not counted"); });
  CHECK(retired == 2); // a and b, each once
  self->send_exit(dir, caf::exit_reason::user_shutdown);
  self->send_exit(store, caf::exit_reason::user_shutdown);
}

TEST_CASE_FIXTURE(test::actor_fixture,
                  "discovery: a market settlement already retired is retired once, not asked again every pass") {
  caf::scoped_actor self{*sys};
  auto store = spawn_store(*sys, env, telemetry_actor{}, {});
  auto dir = spawn_directory(*sys, store, telemetry_actor{}, notifier_actor{}, {});
  harness h{self, dir};
  h.listed[slot_slug("btc", slot_s, start_s)] = gamma_event("btc", 'a');
  h.now_ms->store((start_s + 10) * 1000);
  auto d = h.spawn(*sys, {"btc"});
  h.until_gamma(slot_slug("btc", slot_s, start_s + slot_s)); // the first pass
  while (h.subscribed == 0)
    h.step();
  // Settlement settles it and retires it, before discovery's grace is over.
  CHECK(retire_real(self, dir, record_of("btc", 'a').id));
  const auto late = start_s + slot_s + 300 + 60; // past the 300 s grace
  for (int i = 0; i <= 5; ++i)
    h.pass_at(late + i, d, slot_slug("btc", slot_s, start_s + 2 * slot_s));
  CHECK(h.retire_asks == 1);
  CHECK(h.retire_refused == 0);
  self->send_exit(d, caf::exit_reason::user_shutdown);
  self->send_exit(dir, caf::exit_reason::user_shutdown);
  self->send_exit(store, caf::exit_reason::user_shutdown);
}

TEST_CASE_FIXTURE(test::actor_fixture, "discovery: a restarted discovery retires the markets that ended before it started") {
  caf::scoped_actor self{*sys};
  auto store = spawn_store(*sys, env, telemetry_actor{}, {});
  auto dir = spawn_directory(*sys, store, telemetry_actor{}, notifier_actor{}, {});
  auto a = record_of("btc", 'a');
  // The previous incarnation discovered it; the slot has since ended.
  self->request(dir, 5s, a).receive([](market_actor&) {}, [&](caf::error& e) { FAIL(error_text(e)); });
  harness h{self, dir};
  const auto late = start_s + slot_s + 400;
  h.now_ms->store(late * 1000);
  auto d = h.spawn(*sys, {"btc"});
  const auto marker = slot_slug("btc", slot_s, start_s + 2 * slot_s);
  h.until_gamma(marker);
  for (int i = 1; i <= 3; ++i)
    h.pass_at(late + i, d, marker);
  CHECK(h.retire_asks == 1);
  CHECK(h.retire_refused == 0);
  self->request(dir, 5s, list_atom::value)
    .receive([](std::vector<market_summary>& l) { CHECK(l.empty()); },
             [&](caf::error& e) { FAIL(error_text(e)); });
  auto stored = env->get(record_db::markets, a.id.hex);
  REQUIRE(stored);
  CHECK(decode_market_record(stored->payload)->status == market_status::retired);
  self->send_exit(d, caf::exit_reason::user_shutdown);
  self->send_exit(dir, caf::exit_reason::user_shutdown);
  self->send_exit(store, caf::exit_reason::user_shutdown);
}

TEST_CASE_FIXTURE(test::actor_fixture, "discovery: the market cap is alerted once per episode, not once per slot or pass") {
  caf::scoped_actor self{*sys};
  auto store = spawn_store(*sys, env, telemetry_actor{}, {});
  directory_options opts;
  opts.max_live = 1;
  auto dir = spawn_directory(*sys, store, caf::actor_cast<telemetry_actor>(self), notifier_actor{}, opts);
  harness h{self, dir};
  const char ids[] = {'a', 'b', 'c'};
  const std::vector<std::string> assets{"btc", "eth", "sol"};
  for (std::size_t i = 0; i < assets.size(); ++i)
    h.listed[slot_slug(assets[i], slot_s, start_s)] = gamma_event(assets[i], ids[i]);
  const auto t = start_s + 10;
  h.now_ms->store(t * 1000);
  auto d = h.spawn(*sys, assets);
  const auto marker = slot_slug("sol", slot_s, start_s + slot_s); // the last slug a pass asks for
  h.until_gamma(marker);
  // A refused slug is asked again on the pass after its refusal arrived: five
  // passes see eth and sol refused at least twice each.
  for (int i = 1; i <= 5; ++i)
    h.pass_at(t + i, d, marker);
  // btc got the one seat; eth and sol were refused again and again: one alert.
  CHECK(h.subscribed == 1);
  REQUIRE(h.alerts.size() == 1);
  CHECK(h.alerts[0].level == severity::critical);
  CHECK(h.alerts[0].text.find("market limit reached (markets.max_live = 1)") != std::string::npos);
  CHECK(h.last_change.refused_max_live >= 4);
  // btc retires, eth takes its seat, sol still waits: the same episode.
  CHECK(retire_real(self, dir, record_of("btc", 'a').id));
  // A few passes: one asks Gamma, one asks the directory, one sees the answers.
  auto now = t + 5;
  for (int i = 0; i < 6 && h.subscribed < 2; ++i)
    h.pass_at(++now, d, marker);
  CHECK(h.subscribed == 2);
  CHECK(h.alerts.size() == 1);
  // eth retires, sol is served: cleared, said once.
  CHECK(retire_real(self, dir, record_of("eth", 'b').id));
  for (int i = 0; i < 6 && h.alerts.size() < 2; ++i)
    h.pass_at(++now, d, marker);
  CHECK(h.subscribed == 3);
  REQUIRE(h.alerts.size() == 2);
  CHECK(h.alerts[1].level == severity::info);
  CHECK(h.alerts[1].text.find("cleared") != std::string::npos);
  self->send_exit(d, caf::exit_reason::user_shutdown);
  self->send_exit(dir, caf::exit_reason::user_shutdown);
  self->send_exit(store, caf::exit_reason::user_shutdown);
}
