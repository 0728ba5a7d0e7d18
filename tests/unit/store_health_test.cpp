// The store-health rule (core/store_health): what trips it, what does not recover
// it, and when the map's headroom is low.
#include <doctest/doctest.h>

#include "core/store_health.hpp"

using namespace tdmaker;

namespace {
constexpr std::uint64_t mb = 1024 * 1024;
map_usage used(std::uint64_t used_mb) { return {used_mb * mb, 100 * mb}; }
} // namespace

TEST_CASE("store health: the first commit failure trips it, later failures do not trip it again") {
  store_health h;
  CHECK(h.state() == store_state::healthy);
  CHECK(h.on_commit(true, "") == store_transition::none);
  CHECK(h.on_commit(false, "put: MDB_MAP_FULL") == store_transition::tripped);
  CHECK(h.failing());
  CHECK(h.reason() == "put: MDB_MAP_FULL");
  CHECK(h.on_commit(false, "commit: No space left on device") == store_transition::none);
  CHECK(h.reason() == "put: MDB_MAP_FULL"); // the episode's first cause
  CHECK(h.trips() == 1);
}

TEST_CASE("store health: an actor's commit that succeeds while failing does not recover it") {
  // A nearly full map lets some small writes through between failures: trusting
  // one would admit orders whose next states cannot be stored.
  store_health h;
  h.on_commit(false, "put: MDB_MAP_FULL");
  for (int i = 0; i < 10; ++i)
    CHECK(h.on_commit(true, "") == store_transition::none);
  CHECK(h.failing());
}

TEST_CASE("store health: a probe recovers it only when it commits and the map has room") {
  store_health h;
  h.on_commit(false, "put: MDB_MAP_FULL");
  CHECK(h.on_probe(false, "put: MDB_MAP_FULL", used(50)) == store_transition::none);
  CHECK(h.failing());
  CHECK(h.on_probe(true, "", used(99)) == store_transition::none); // 1 % free: still full
  CHECK(h.failing());
  CHECK(h.on_probe(true, "", used(98)) == store_transition::recovered); // 2 % free
  CHECK(h.state() == store_state::recovered);
  CHECK(h.reason().empty());
  CHECK(!h.failing());
  // A probe when not failing changes nothing; a new failure trips again.
  CHECK(h.on_probe(true, "", used(10)) == store_transition::none);
  CHECK(h.on_commit(false, "commit: Input/output error") == store_transition::tripped);
  CHECK(h.trips() == 2);
  CHECK(h.on_probe(false, "still", used(10)) == store_transition::none);
}

TEST_CASE("store health: headroom is low under 10 % free, told once per crossing") {
  store_health h;
  CHECK(h.on_usage(used(50)) == headroom_transition::none);
  CHECK(h.on_usage(used(90)) == headroom_transition::none); // exactly 10 % free is not low
  CHECK(h.on_usage(used(91)) == headroom_transition::low);
  CHECK(h.headroom_low());
  CHECK(h.on_usage(used(95)) == headroom_transition::none);
  // After a restart with a larger map the same bytes are a smaller share.
  CHECK(h.on_usage({95 * mb, 200 * mb}) == headroom_transition::ok);
  CHECK(!h.headroom_low());
  CHECK(!h.failing()); // headroom alone never refuses orders
}

TEST_CASE("store health: headroom of a map of unknown size, or over-used") {
  CHECK(map_usage{5, 0}.headroom() == 1.0);
  CHECK(map_usage{120, 100}.headroom() == 0.0);
  CHECK(map_usage{25, 100}.headroom() == doctest::Approx(0.75));
  CHECK(to_string(store_state::failing) == "failing");
}
