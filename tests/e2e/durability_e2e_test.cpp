// SIGKILL during a stream of store writes: every acknowledged write is there after
// restart and no record is torn.
#include <doctest/doctest.h>

#include <signal.h>

#include <chrono>
#include <sstream>
#include <thread>

#include "db/lmdb_env.hpp"
#include "process.hpp"

using namespace tdmaker;

namespace {

long long acked_count(const std::string& out) {
  long long n = 0;
  std::istringstream in(out);
  std::string line;
  long long expect = 0;
  while (std::getline(in, line)) {
    if (line.rfind("ack ", 0) != 0)
      continue;
    if (in.eof())
      break; // a last line without its newline was cut by the kill: not an acknowledgement
    CHECK(std::stoll(line.substr(4)) == expect);
    ++expect;
    ++n;
  }
  return n;
}

} // namespace

TEST_CASE("SIGKILL during writes loses no acknowledged write and tears no record") {
  for (int round = 0; round < 3; ++round) {
    auto dir = test::temp_dir("kill");
    auto out = dir + "/probe.out";
    auto c = test::start({"store-probe", "--data", dir + "/data", "--count", "2000000",
                          "--window", "64"},
                         {}, out);
    // Let it stream until it has acknowledged some writes (more each round), then kill
    // it mid-flight. Bounded; a probe that acknowledged nothing fails below.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (acked_count(test::read_all(out)) <= 300 * (round + 1) && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    kill(c.pid, SIGKILL);
    test::wait_exit(c, 10);
    auto acked = acked_count(test::read_all(out));
    REQUIRE_MESSAGE(acked > 0, test::read_all(out));

    auto env = lmdb_env::open(dir + "/data", 1024);
    REQUIRE_MESSAGE(env, env.error());
    auto rows = (*env)->scan(record_db::audit, "probe/"); // fails on any torn record
    REQUIRE_MESSAGE(rows, rows.error());
    CHECK(static_cast<long long>(rows->rows.size()) >= acked);
    for (long long i = 0; i < acked; ++i) {
      char key[32];
      std::snprintf(key, sizeof key, "probe/%010lld", i);
      auto v = (*env)->get(record_db::audit, key);
      REQUIRE(v);
      REQUIRE_MESSAGE(v->found, key);
      CHECK(v->payload.find("{\"i\":" + std::to_string(i) + ",") == 0);
    }
    MESSAGE("round ", round, ": ", acked, " acked, ", rows->rows.size(), " on disk");
  }
}
