// Scripted reference moves (POST /admin/reference): the jump shifts the path from
// then on, exactly and reproducibly; every later tick and the slot's resolution
// (spot and 60 s TWAP) see it; a bad body or an unknown asset changes nothing.
#include <doctest/doctest.h>

#include <cmath>

#include "core/decimal.hpp"
#include "venue/admin_api.hpp"
#include "venue/price_path.hpp"
#include "venue/reference_move.hpp"
#include "venue/world.hpp"

using namespace tdmaker;
using namespace tdmaker::venue;

namespace {

venue_config quiet_world(bool twap, std::uint64_t seed = 7) {
  venue_config c;
  c.seed = seed;
  c.slot_seconds = 120;
  c.lead_slots = 0;
  c.resolution_delay_s = 2;
  c.sim_traders = false;
  c.assets = {"btc", "eth"};
  c.twap_resolution = twap;
  return c;
}

constexpr std::int64_t t0 = 1'800'000'000; // a multiple of 120

const slot_market& first_btc_slot(const world& w) {
  for (auto& [id, m] : w.ex().markets())
    if (m.start_s == t0 && m.asset == "btc")
      return m;
  FAIL("no btc slot at t0");
  throw 0;
}

} // namespace

TEST_CASE("venue reference: a jump shifts the path exactly and later steps move from there") {
  price_path plain(7, "btc", ref_price{100'000'00000000LL}, 0.6);
  price_path moved(7, "btc", ref_price{100'000'00000000LL}, 0.6);
  for (int i = 0; i < 10; ++i)
    CHECK(plain.step() == moved.step());
  const auto before = moved.current();
  const auto after = moved.jump(-80);
  // round(p * 9920 / 10000), in integers.
  CHECK(after.e8 == (static_cast<__int128>(before.e8) * 9'920 + 5'000) / 10'000);
  CHECK(moved.current() == after);
  for (int i = 0; i < 30; ++i) {
    auto a = plain.step(), b = moved.step();
    // The draws are the same: the moved path stays 0.8 % below the plain one.
    CHECK(std::abs(static_cast<double>(b.e8) / static_cast<double>(a.e8) - 0.992) < 1e-9);
  }
  // Same seed, same jumps: the same path.
  price_path again(7, "btc", ref_price{100'000'00000000LL}, 0.6);
  for (int i = 0; i < 10; ++i)
    again.step();
  again.jump(-80);
  price_path moved2(7, "btc", ref_price{100'000'00000000LL}, 0.6);
  for (int i = 0; i < 10; ++i)
    moved2.step();
  moved2.jump(-80);
  for (int i = 0; i < 30; ++i)
    CHECK(again.step() == moved2.step());
}

TEST_CASE("venue reference: later RTDS ticks carry the jumped price") {
  world plain(quiet_world(false)), moved(quiet_world(false));
  std::vector<ref_price> seen_plain, seen_moved;
  plain.on_reference = [&](const std::string& a, std::int64_t, ref_price p) {
    if (a == "btc")
      seen_plain.push_back(p);
  };
  moved.on_reference = [&](const std::string& a, std::int64_t, ref_price p) {
    if (a == "btc")
      seen_moved.push_back(p);
  };
  for (std::int64_t s = 0; s <= 20; ++s) {
    plain.tick((t0 + s) * 1000);
    moved.tick((t0 + s) * 1000);
  }
  auto j = moved.jump_reference({"btc", 250});
  REQUIRE(j.ok());
  CHECK(j->before == plain.reference("btc"));
  CHECK(j->after == moved.reference("btc"));
  CHECK(moved.reference("eth") == plain.reference("eth")); // only that asset
  for (std::int64_t s = 21; s <= 40; ++s) {
    plain.tick((t0 + s) * 1000);
    moved.tick((t0 + s) * 1000);
  }
  REQUIRE(seen_plain.size() == seen_moved.size());
  REQUIRE(seen_plain.size() == 40);
  for (std::size_t i = 0; i < 20; ++i)
    CHECK(seen_plain[i] == seen_moved[i]);
  for (std::size_t i = 20; i < 40; ++i)
    CHECK(std::abs(static_cast<double>(seen_moved[i].e8) / static_cast<double>(seen_plain[i].e8) - 1.025) < 1e-9);
  CHECK(moved.reference_jumps().at("btc") == 1);
  CHECK(moved.reference_jumps().count("eth") == 0);
}

TEST_CASE("venue reference: the slot resolves on the jumped path, spot and 60 s TWAP") {
  for (bool twap : {false, true})
    for (std::int64_t bps : {-5'000, 5'000}) {
      CAPTURE(twap);
      CAPTURE(bps);
      world w(quiet_world(twap));
      for (std::int64_t s = 0; s <= 90; ++s) // 30 s before the end: half the TWAP window after the jump
        w.tick((t0 + s) * 1000);
      REQUIRE(w.jump_reference({"btc", bps}).ok());
      for (std::int64_t s = 91; s <= 123; ++s)
        w.tick((t0 + s) * 1000);
      const auto& m = first_btc_slot(w);
      REQUIRE(m.closed);
      auto start = *w.start_price(m.condition_id), end = *w.end_price(m.condition_id);
      // A 50 % jump outweighs any 120 s of the seeded path (and half of it, for the TWAP).
      CHECK(m.winner == (bps < 0 ? 1 : 0));
      CHECK((bps < 0 ? end.e8 < start.e8 * 0.85 : end.e8 > start.e8 * 1.15));
      if (twap) {
        CHECK(end == w.twap60("btc", m.end_s));
        // Half the window before the jump, half after: the mean sits between.
        CHECK(std::abs(static_cast<double>(end.e8) / static_cast<double>(start.e8) - (bps < 0 ? 0.75 : 1.25)) < 0.02);
      }
    }
}

TEST_CASE("venue reference: bad bodies and unknown assets are refused and change nothing") {
  auto ok = parse_reference_move(R"({"asset":"btc","move_bps":-80})");
  REQUIRE(ok.ok());
  CHECK(ok->asset == "btc");
  CHECK(ok->move_bps == -80);
  CHECK(parse_reference_move(R"({"move_bps":5000,"asset":"eth"})").ok());
  CHECK(parse_reference_move(R"({"asset":"eth","move_bps":-5000})").ok());
  for (const char* bad : {"", "[]", "not json", R"({"asset":"btc"})", R"({"move_bps":10})",
                          R"({"asset":"btc","move_bps":"10"})", R"({"asset":"btc","move_bps":1.5})",
                          R"({"asset":"btc","move_bps":5001})", R"({"asset":"btc","move_bps":-5001})",
                          R"({"asset":"btc","move_bps":1e30})", R"({"asset":"","move_bps":10})",
                          R"({"asset":7,"move_bps":10})", R"({"asset":"btc","move_bps":10,"extra":1})",
                          R"({"asset":"btc","move_bps":10,"move_bps":20})"}) {
    CAPTURE(bad);
    auto r = parse_reference_move(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().rfind("Invalid payload", 0) == 0);
  }
  CHECK(parse_reference_move(R"({"asset":"btc","move_bps":5001})").error().find("outside +-5000") != std::string::npos);

  world w(quiet_world(false));
  for (std::int64_t s = 0; s <= 5; ++s)
    w.tick((t0 + s) * 1000);
  const auto btc = w.reference("btc");
  auto unknown = w.jump_reference({"doge", 10});
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error() == "unknown asset 'doge'");
  auto far = w.jump_reference({"btc", 9'000}); // the world checks the range too
  REQUIRE_FALSE(far.ok());
  CHECK(w.reference("btc") == btc);
  CHECK(w.reference_jumps().empty());
}

TEST_CASE("venue reference: the admin call needs the token, answers the figures and counts the jump") {
  world w(quiet_world(false));
  w.tick(t0 * 1000);
  fault_injector faults;
  admin_api admin(w, faults, "tok", [] { return venue_counters{}; }, [] { return t0 * 1000; });
  auto post = [&](const std::string& body, const char* auth) {
    http_request req{http::verb::post, "/admin/reference", 11};
    if (auth)
      req.set(http::field::authorization, auth);
    req.body() = body;
    req.prepare_payload();
    return admin.handle(req, split_target{"/admin/reference", {}});
  };
  const auto before = w.reference("btc");
  CHECK(post(R"({"asset":"btc","move_bps":-80})", nullptr).status == 401);
  CHECK(post(R"({"asset":"btc","move_bps":-80})", "Bearer nope").status == 401);
  auto bad = post(R"({"asset":"btc","move_bps":6000})", "Bearer tok");
  CHECK(bad.status == 400);
  CHECK(bad.body.find("outside") != std::string::npos);
  auto unknown = post(R"({"asset":"doge","move_bps":10})", "Bearer tok");
  CHECK(unknown.status == 400);
  CHECK(unknown.body.find("unknown asset") != std::string::npos);
  CHECK(w.reference("btc") == before);
  auto r = post(R"({"asset":"btc","move_bps":-80})", "Bearer tok");
  REQUIRE(r.status == 200);
  CHECK(r.body.find(R"("asset":"btc","move_bps":-80,"value_before":")" + format_fixed(before.e8, 8) + "\"")
        != std::string::npos);
  CHECK(r.body.find(R"("value_after":")" + format_fixed(w.reference("btc").e8, 8) + "\"") != std::string::npos);
  auto m = admin.handle(http_request{http::verb::get, "/metrics", 11}, split_target{"/metrics", {}});
  CHECK(m.body.find("venue_reference_jumps_total{asset=\"btc\"} 1\n") != std::string::npos);
  CHECK(m.body.find("venue_reference_jumps_total{asset=\"eth\"} 0\n") != std::string::npos);
}
