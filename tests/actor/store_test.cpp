#include <doctest/doctest.h>

#include <set>
#include <vector>

#include "actors/store.hpp"
#include "actors/util.hpp"
#include "fixture.hpp"

using namespace tdmaker;
using namespace std::chrono_literals;

namespace {
write_batch one(record_db db, std::string key, std::string payload) {
  write_batch b;
  b.writes.push_back({db, std::move(key), std::move(payload), false});
  return b;
}
} // namespace

TEST_CASE_FIXTURE(test::actor_fixture, "store acknowledges after commit and reads back") {
  auto store = spawn_store(*sys, env, telemetry_actor{}, {});
  caf::scoped_actor self{*sys};
  bool acked = false;
  self->request(store, 5s, one(record_db::orders, "o1", R"({"id":"o1"})"))
    .receive([&](commit_ack& a) { acked = a.commit_seq > 0; },
             [&](caf::error& e) { FAIL(error_text(e)); });
  CHECK(acked);
  // Read through the actor and directly from LMDB: both see the committed record.
  self->request(store, 5s, store_get{record_db::orders, "o1"})
    .receive([&](store_value& v) {
               CHECK(v.found);
               CHECK(v.payload == R"({"id":"o1"})");
             },
             [&](caf::error& e) { FAIL(error_text(e)); });
  auto direct = env->get(record_db::orders, "o1");
  REQUIRE(direct);
  CHECK(direct->found);
  self->request(store, 5s, store_get{record_db::fills, "o1"})
    .receive([&](store_value& v) { CHECK(!v.found); },
             [&](caf::error& e) { FAIL(error_text(e)); });
  self->send_exit(store, caf::exit_reason::user_shutdown);
}

TEST_CASE_FIXTURE(test::actor_fixture, "concurrent writes share transactions (group commit)") {
  auto store = spawn_store(*sys, env, telemetry_actor{}, {});
  caf::scoped_actor self{*sys};
  constexpr int n = 200;
  // Fire every request before waiting on any, so the writer sees a queue to batch.
  using handle = decltype(self->request(store, 10s, one(record_db::audit, "", "")));
  std::vector<handle> pending;
  pending.reserve(n);
  for (int i = 0; i < n; ++i) {
    char key[16];
    std::snprintf(key, sizeof key, "k%d", 1000 + i);
    pending.push_back(self->request(store, 10s, one(record_db::audit, key, "{}")));
  }
  std::set<std::uint64_t> commits;
  int acks = 0;
  for (auto& h : pending)
    h.receive([&](commit_ack& a) {
                commits.insert(a.commit_seq);
                ++acks;
              },
              [&](caf::error& e) { FAIL(error_text(e)); });
  CHECK(acks == n);
  CHECK(commits.size() < static_cast<std::size_t>(n));
  self->request(store, 5s, store_scan{record_db::audit, "k1"})
    .receive([&](store_rows& r) { CHECK(r.rows.size() == n); },
             [&](caf::error& e) { FAIL(error_text(e)); });
  self->send_exit(store, caf::exit_reason::user_shutdown);
}

TEST_CASE_FIXTURE(test::actor_fixture, "an invalid write is refused and changes nothing") {
  auto store = spawn_store(*sys, env, telemetry_actor{}, {});
  caf::scoped_actor self{*sys};
  write_batch b = one(record_db::orders, "good", "{}");
  b.writes.push_back({record_db::orders, std::string(600, 'k'), "{}", false});
  bool refused = false;
  self->request(store, 5s, b).receive([&](commit_ack&) {},
                                      [&](caf::error& e) {
                                        refused = true;
                                        CHECK(error_text(e).find("key must be") != std::string::npos);
                                      });
  CHECK(refused);
  CHECK(!env->get(record_db::orders, "good")->found);
  self->send_exit(store, caf::exit_reason::user_shutdown);
}

TEST_CASE("a second node cannot open the same data dir") {
  auto dir = test::temp_dir("lock");
  auto a = lmdb_env::open(dir, 64);
  REQUIRE(a);
  auto b = lmdb_env::open(dir, 64);
  REQUIRE(!b);
  CHECK(b.error().find("in use by another tdmaker") != std::string::npos);
}
