// lmdb_env's read-only open (issue 13): a reader beside a writer in another process,
// as `tdmaker export` runs beside the node. LMDB forbids opening one environment
// twice in a process, so the writer is a forked child driven over pipes.
#include <doctest/doctest.h>

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "db/lmdb_env.hpp"

using namespace tdmaker;
namespace fs = std::filesystem;

namespace {

std::string temp_dir(const std::string& tag) {
  auto d = fs::temp_directory_path() / ("tdmaker-lmdb-" + tag + "-" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d.string();
}

std::size_t dir_entries(const std::string& dir) {
  return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

/// Writes `n` order records `<prefix>NNNNNN` of `bytes` bytes each in one transaction.
std::string write_rows(lmdb_env& env, const std::string& prefix, int n, std::size_t bytes) {
  write_batch b;
  for (int i = 0; i < n; ++i) {
    char key[16];
    std::snprintf(key, sizeof key, "%06d", i);
    b.writes.push_back({record_db::orders, prefix + key, std::string(bytes, 'x'), false});
  }
  return env.write({&b});
}

/// Puts an unsealed value, as a torn or foreign write would leave it.
std::string put_raw(const std::string& dir, const std::string& key, const std::string& value) {
  MDB_env* env = nullptr;
  MDB_txn* txn = nullptr;
  MDB_dbi dbi;
  mdb_env_create(&env);
  mdb_env_set_maxdbs(env, 16);
  int rc = mdb_env_open(env, dir.c_str(), 0, 0640);
  if (rc == 0)
    rc = mdb_txn_begin(env, nullptr, 0, &txn);
  if (rc == 0)
    rc = mdb_dbi_open(txn, "orders", 0, &dbi);
  if (rc == 0) {
    MDB_val k{key.size(), const_cast<char*>(key.data())}, v{value.size(), const_cast<char*>(value.data())};
    rc = mdb_put(txn, dbi, &k, &v, 0);
  }
  rc = rc == 0 ? mdb_txn_commit(txn) : (txn ? (mdb_txn_abort(txn), rc) : rc);
  mdb_env_close(env);
  return rc == 0 ? "" : mdb_strerror(rc);
}

/// The node's side: a child process owning the read-write environment. Commands
/// (one line each): "write PREFIX N BYTES", "reopen MB", "corrupt KEY", "quit";
/// each answered "ok" or "err TEXT".
class writer_process {
public:
  writer_process(const std::string& dir, std::int64_t map_mb) {
    int down[2], up[2];
    REQUIRE(::pipe(down) == 0);
    REQUIRE(::pipe(up) == 0);
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      ::close(down[1]);
      ::close(up[0]);
      serve(dir, map_mb, down[0], up[1]);
      ::_exit(0);
    }
    ::close(down[0]);
    ::close(up[1]);
    to_ = down[1];
    from_ = up[0];
    auto opened = read_line(from_, 20000);
    REQUIRE_MESSAGE(opened == "ok", opened);
  }
  ~writer_process() {
    if (pid_ > 0) {
      call("quit");
      int st = 0;
      ::waitpid(pid_, &st, 0);
    }
    ::close(to_);
    ::close(from_);
  }
  /// Sends one command and waits (bounded) for its answer.
  std::string call(const std::string& cmd) {
    auto line = cmd + "\n";
    if (::write(to_, line.data(), line.size()) != static_cast<ssize_t>(line.size()))
      return "err pipe";
    return read_line(from_, 20000);
  }

private:
  static std::string read_line(int fd, int timeout_ms) {
    std::string out;
    auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
      pollfd p{fd, POLLIN, 0};
      if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0)
        return "err timeout";
      char c;
      if (::read(fd, &c, 1) != 1)
        return "err eof";
      if (c == '\n')
        return out;
      out += c;
    }
  }
  static void serve(const std::string& dir, std::int64_t map_mb, int in, int out) {
    auto reply = [out](const std::string& s) {
      auto line = s + "\n";
      (void)!::write(out, line.data(), line.size());
    };
    auto opened = lmdb_env::open(dir, map_mb);
    if (!opened)
      return reply("err " + opened.error());
    auto env = std::move(opened).value(); // the only owner: reset() closes the environment
    reply("ok");
    for (;;) {
      auto cmd = read_line(in, 60000);
      char arg[64] = {};
      int n = 0;
      std::size_t bytes = 0;
      long long mb = 0;
      std::string err;
      if (cmd.rfind("err", 0) == 0 || cmd == "quit")
        return;
      if (std::sscanf(cmd.c_str(), "write %63s %d %zu", arg, &n, &bytes) == 3) {
        err = env ? write_rows(*env, arg, n, bytes) : "no env";
      } else if (std::sscanf(cmd.c_str(), "reopen %lld", &mb) == 1) {
        env.reset();
        auto again = lmdb_env::open(dir, mb);
        err = again ? "" : again.error();
        if (again)
          env = std::move(again).value();
      } else if (std::sscanf(cmd.c_str(), "corrupt %63s", arg) == 1) {
        env.reset(); // one open of the environment per process
        err = put_raw(dir, arg, "not a sealed record");
        if (auto again = lmdb_env::open(dir, 1); again)
          env = std::move(again).value();
      } else {
        err = "unknown command";
      }
      reply(err.empty() ? "ok" : "err " + err);
    }
  }

  pid_t pid_ = -1;
  int to_ = -1, from_ = -1;
};

std::size_t count_rows(const lmdb_snapshot& s, std::string_view prefix = "") {
  auto rows = s.scan(record_db::orders, prefix);
  REQUIRE_MESSAGE(rows, rows.error());
  return rows->rows.size();
}

} // namespace

TEST_CASE("read-only open refuses a missing data dir and one without a store, and creates nothing") {
  auto base = temp_dir("none");
  auto missing = base + "/no-such-dir";
  auto r = lmdb_env::open_read_only(missing);
  REQUIRE(!r);
  CHECK(r.error().find("does not exist") != std::string::npos);
  CHECK(!fs::exists(missing));

  auto empty = base + "/empty";
  fs::create_directories(empty);
  r = lmdb_env::open_read_only(empty);
  REQUIRE(!r);
  CHECK(r.error().find("no store") != std::string::npos);
  CHECK(dir_entries(empty) == 0); // no lock.mdb, no tdmaker.lock, no data.mdb
  fs::remove_all(base);
}

TEST_CASE("read-only open beside a writer process: sees its commits, one snapshot per transaction, writes refused") {
  auto dir = temp_dir("beside");
  writer_process writer(dir, 64);
  REQUIRE(writer.call("write a 10 16") == "ok");

  // The writer holds tdmaker.lock all along: the reader takes none.
  auto second = lmdb_env::open(dir, 64);
  REQUIRE(!second);
  CHECK(second.error().find("in use by another tdmaker") != std::string::npos);
  auto ro = lmdb_env::open_read_only(dir);
  REQUIRE_MESSAGE(ro, ro.error());
  auto& env = **ro;
  CHECK(env.read_only());
  CHECK(env.schema_version() == current_schema_version);
  CHECK(env.migrations_run().empty());

  {
    auto before = env.snapshot();
    REQUIRE(before);
    CHECK(count_rows(*before) == 10);
    REQUIRE(writer.call("write b 5 16") == "ok");
    // The open transaction keeps its state; the writer was not blocked by it.
    CHECK(count_rows(*before) == 10);
    CHECK(count_rows(*before, "b") == 0);
  }
  auto after = env.snapshot();
  REQUIRE(after);
  CHECK(count_rows(*after) == 15);
  auto one = after->get(record_db::orders, "b000004");
  REQUIRE(one);
  CHECK(one->found);
  CHECK(one->payload == std::string(16, 'x'));

  write_batch b;
  b.writes.push_back({record_db::orders, "c", "x", false});
  auto err = env.write({&b});
  CHECK(err.find("read-only") != std::string::npos);
  auto check = env.scan(record_db::orders, "c");
  REQUIRE(check);
  CHECK(check->rows.empty());
  fs::remove_all(dir);
}

TEST_CASE("read-only open verifies every record's checksum") {
  auto dir = temp_dir("crc");
  writer_process writer(dir, 64);
  REQUIRE(writer.call("write a 3 16") == "ok");
  REQUIRE(writer.call("corrupt a000001") == "ok");
  auto ro = lmdb_env::open_read_only(dir);
  REQUIRE_MESSAGE(ro, ro.error());
  auto rows = (*ro)->scan(record_db::orders, "");
  REQUIRE(!rows);
  CHECK(rows.error().find("orders/a000001") != std::string::npos);
  auto one = (*ro)->get(record_db::orders, "a000001");
  CHECK(!one);
  CHECK((*ro)->get(record_db::orders, "a000002"));
  fs::remove_all(dir);
}

TEST_CASE("a reader takes the writer's map size and follows a writer that grows it") {
  auto dir = temp_dir("grow");
  writer_process writer(dir, 1);
  REQUIRE(writer.call("write a 10 100") == "ok");
  auto ro = lmdb_env::open_read_only(dir);
  REQUIRE_MESSAGE(ro, ro.error());
  auto& env = **ro;
  CHECK(env.map_size() == 1024 * 1024);
  {
    auto s = env.snapshot();
    REQUIRE(s);
    CHECK(count_rows(*s) == 10);
  }
  // More than the old map holds: the writer restarts with a larger map (as the node
  // does with a larger store.map_size_mb) and fills past the reader's map.
  CHECK(writer.call("write big 300 10000").rfind("err", 0) == 0); // MDB_MAP_FULL at 1 MB
  REQUIRE(writer.call("reopen 16") == "ok");
  REQUIRE(writer.call("write big 300 10000") == "ok");
  auto s = env.snapshot();
  REQUIRE_MESSAGE(s, s.error());
  CHECK(env.map_size() == 16 * 1024 * 1024);
  CHECK(count_rows(*s) == 310);
  fs::remove_all(dir);
}

TEST_CASE("read-only open refuses a store at another schema version and migrates nothing") {
  auto dir = temp_dir("schema");
  auto set_version = [&](const std::string& v) {
    auto w = lmdb_env::open(dir, 8);
    REQUIRE_MESSAGE(w, w.error());
    write_batch b;
    b.writes.push_back({record_db::meta, "schema_version", v, false});
    REQUIRE((*w)->write({&b}).empty());
    return (*w)->migrations_run().size();
  };
  set_version("0"); // as a store from before the first migration
  auto ro = lmdb_env::open_read_only(dir);
  REQUIRE(!ro);
  CHECK(ro.error().find("runs no migration") != std::string::npos);
  // Still at 0: the next read-write open is the one that migrates.
  CHECK(set_version(std::to_string(current_schema_version + 1)) == current_schema_version);
  ro = lmdb_env::open_read_only(dir);
  REQUIRE(!ro);
  CHECK(ro.error().find("newer tdmaker") != std::string::npos);
  fs::remove_all(dir);
}

namespace {

/// Hex of a counter's hash-like spread: keys land all over the tree, as order ids do.
std::string spread_key(std::size_t len, std::uint64_t n) {
  std::string k = "0x";
  std::uint64_t x = n * 0x9E3779B97F4A7C15ull + 1;
  while (k.size() < len) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(x));
    k += buf;
  }
  return k.substr(0, len);
}

/// Map bytes (high-water) that `count` records of one kind add: each written, then
/// rewritten `rewrites` times, in transactions of 8 as the store groups them.
double bytes_per_record(lmdb_env& env, record_db db, std::size_t key_len, std::size_t value_len,
                        std::size_t count, int rewrites, std::uint64_t salt) {
  auto before = env.usage().used_bytes;
  for (int pass = 0; pass <= rewrites; ++pass)
    for (std::size_t i = 0; i < count; i += 8) {
      write_batch b;
      for (std::size_t j = i; j < std::min(count, i + 8); ++j)
        b.writes.push_back({db, spread_key(key_len, salt + j), std::string(value_len, static_cast<char>('a' + pass)), false});
      REQUIRE(env.write({&b}).empty());
    }
  return static_cast<double>(env.usage().used_bytes - before) / static_cast<double>(count);
}

} // namespace

TEST_CASE("usage is the map's high-water mark, what a trading record costs in it (docs/operations.md)") {
  auto dir = temp_dir("sizing");
  auto opened = lmdb_env::open(dir, 64);
  REQUIRE(opened);
  auto env = std::move(opened).value();
  auto& e = *env;
  auto start = e.usage();
  CHECK(start.size_bytes == 64ull * 1024 * 1024);
  CHECK(start.used_bytes > 0);
  CHECK(start.used_bytes % 4096 == 0);
  // Key and value sizes as measured in a fills e2e store (mdb_dump): orders 66 + 556
  // bytes, fills 147 + 604, markets 66 + 454, settlements 72 + 320.
  auto order = bytes_per_record(e, record_db::orders, 66, 556, 4000, 3, 0);       // placing, live, ..., final
  auto fill = bytes_per_record(e, record_db::fills, 147, 604, 2000, 0, 100'000);
  auto market = bytes_per_record(e, record_db::markets, 66, 454, 1000, 2, 200'000); // discovered .. retired
  auto settlement = bytes_per_record(e, record_db::settlements, 72, 320, 1000, 0, 300'000);
  MESSAGE("map bytes per record: order " << order << ", fill " << fill << ", market " << market << ", settlement "
                                         << settlement);
  // A record costs its key and value plus LMDB's node header, in leaf pages that
  // random keys leave partly empty: more than the bytes, less than three times.
  CHECK(order > 622);
  CHECK(order < 3 * 622);
  CHECK(fill > 751);
  CHECK(fill < 3 * 751);
  CHECK(settlement > 392);
  CHECK(settlement < 3 * 392);
  // Rewriting existing records reuses freed pages: the mark never falls.
  auto high = e.usage().used_bytes;
  CHECK(bytes_per_record(e, record_db::orders, 66, 556, 4000, 0, 0) < 200);
  CHECK(e.usage().used_bytes >= high);
  env.reset();
  fs::remove_all(dir);
}
