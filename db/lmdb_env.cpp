#include "db/lmdb_env.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/record_codec.hpp"
#include "core/redact.hpp"

namespace tdmaker {
namespace {

constexpr std::array<std::string_view, record_db_count> names{
  "meta", "markets", "orders", "fills", "positions", "settlements", "phase", "audit", "candles"};
constexpr std::string_view schema_key = "schema_version";

std::string lmdb_error(const char* what, int rc) {
  return std::string(what) + ": " + mdb_strerror(rc);
}

MDB_val val(std::string_view s) {
  return MDB_val{s.size(), const_cast<char*>(s.data())};
}

struct txn_guard {
  MDB_txn* txn = nullptr;
  ~txn_guard() {
    if (txn)
      mdb_txn_abort(txn);
  }
};

} // namespace

std::string_view db_name(record_db db) { return names[static_cast<std::size_t>(db)]; }

namespace {

/// The schema version recorded in `meta`, 0 when the store has none yet.
result<std::uint32_t> read_schema_version(MDB_txn* txn, MDB_dbi meta) {
  MDB_val k = val(schema_key), v;
  int rc = mdb_get(txn, meta, &k, &v);
  if (rc == MDB_NOTFOUND)
    return std::uint32_t{0};
  if (rc != 0)
    return fail(lmdb_error("store: read schema version", rc));
  auto payload = open_record({static_cast<const char*>(v.mv_data), v.mv_size});
  if (!payload)
    return fail("store: schema version record: " + payload.error());
  try {
    return static_cast<std::uint32_t>(std::stoul(*payload));
  } catch (...) {
    return fail("store: schema version record is not a number");
  }
}

std::string newer_schema(std::uint32_t version) {
  return "store: data was written by a newer tdmaker (schema " + std::to_string(version) + ", this build knows "
         + std::to_string(current_schema_version) + "); refusing to open it";
}

/// Who holds an flock on the file with inode `ino`: the kernel's own table
/// (/proc/locks), so the answer does not depend on a file someone may delete.
std::string lock_holder(ino_t ino) {
  std::ifstream in("/proc/locks");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string n, kind, adv, mode, pid, dev_ino;
    if (!(f >> n >> kind >> adv >> mode >> pid >> dev_ino) || kind != "FLOCK")
      continue;
    auto colon = dev_ino.rfind(':');
    if (colon != std::string::npos && dev_ino.substr(colon + 1) == std::to_string(ino))
      return pid;
  }
  return {};
}

std::string in_use(const std::string& dir, ino_t ino) {
  auto pid = lock_holder(ino);
  return "store: data dir '" + dir + "' is in use by another tdmaker process"
         + (pid.empty() ? std::string() : " (pid " + pid + ")") + "; one node owns one data dir";
}

/// Two locks, both released by the kernel when the process dies however it dies:
/// an flock on the directory (deleting tdmaker.lock cannot free it, and the
/// directory cannot be deleted while it holds the store), and one on tdmaker.lock,
/// which carries the holder's pid for a person looking and is what older builds took.
std::string lock_data_dir(const std::string& dir, int& dir_fd, int& file_fd) {
  dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  struct stat st {};
  if (dir_fd < 0 || ::fstat(dir_fd, &st) != 0)
    return "store: cannot open data dir '" + dir + "'";
  if (flock(dir_fd, LOCK_EX | LOCK_NB) != 0)
    return in_use(dir, st.st_ino);
  auto lock_path = dir + "/tdmaker.lock";
  file_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
  if (file_fd < 0)
    return "store: cannot open lock file '" + lock_path + "'";
  if (flock(file_fd, LOCK_EX | LOCK_NB) != 0) {
    struct stat fst {};
    ::fstat(file_fd, &fst);
    return in_use(dir, fst.st_ino);
  }
  auto pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(file_fd, 0) != 0 || ::pwrite(file_fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size()))
    return "store: cannot write lock file '" + lock_path + "'";
  return {};
}

} // namespace

result<std::shared_ptr<lmdb_env>> lmdb_env::open(const std::string& dir,
                                                 std::int64_t map_size_mb) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return fail("store: cannot create data dir '" + dir + "': " + ec.message());
  std::shared_ptr<lmdb_env> self(new lmdb_env());
  if (auto err = lock_data_dir(dir, self->dir_lock_fd_, self->lock_fd_); !err.empty())
    return fail(err);
  if (int rc = mdb_env_create(&self->env_); rc != 0)
    return fail(lmdb_error("store: mdb_env_create", rc));
  mdb_env_set_maxdbs(self->env_, 16);
  mdb_env_set_mapsize(self->env_, static_cast<std::size_t>(map_size_mb) * 1024 * 1024);
  // MDB_NOTLS: read transactions are not tied to a thread (CAF may move actors).
  if (int rc = mdb_env_open(self->env_, dir.c_str(), MDB_NOTLS, 0640); rc != 0)
    return fail("store: cannot open LMDB in '" + dir + "': " + mdb_strerror(rc));
  if (auto err = self->migrate(); !err.empty())
    return fail(err);
  return self;
}

result<std::shared_ptr<lmdb_env>> lmdb_env::open_read_only(const std::string& dir) {
  // LMDB would create lock.mdb in any directory it is pointed at: look first, so a
  // mistyped data dir is an error and not a new file.
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    return fail("store: data dir '" + dir + "' does not exist");
  if (!std::filesystem::is_regular_file(dir + "/data.mdb", ec))
    return fail("store: no store in '" + dir + "' (no data.mdb): has a node run with this data dir?");
  std::shared_ptr<lmdb_env> self(new lmdb_env());
  self->read_only_ = true;
  if (auto err = self->attach_read_only(dir); !err.empty())
    return fail(err);
  return self;
}

std::string lmdb_env::attach_read_only(const std::string& dir) {
  if (int rc = mdb_env_create(&env_); rc != 0)
    return lmdb_error("store: mdb_env_create", rc);
  mdb_env_set_maxdbs(env_, 16);
  // No mdb_env_set_mapsize: unset, LMDB maps the size the writer recorded, which
  // covers everything committed so far (a larger writer map later: see snapshot()).
  // MDB_RDONLY keeps LMDB's locking (never MDB_NOLOCK): this reader takes a slot in
  // lock.mdb, which stops the writer from reusing the pages it reads.
  if (int rc = mdb_env_open(env_, dir.c_str(), MDB_RDONLY | MDB_NOTLS, 0640); rc != 0)
    return "store: cannot open LMDB in '" + dir + "' read-only: " + mdb_strerror(rc);
  // Slots of readers that died (a killed export) pin old pages until cleared.
  int dead = 0;
  (void)mdb_reader_check(env_, &dead);
  txn_guard g;
  if (int rc = mdb_txn_begin(env_, nullptr, MDB_RDONLY, &g.txn); rc != 0)
    return lmdb_error("store: begin read", rc);
  for (std::size_t i = 0; i < record_db_count; ++i) {
    std::string n(names[i]);
    int rc = mdb_dbi_open(g.txn, n.c_str(), 0, &dbi_[i]);
    if (rc == MDB_NOTFOUND)
      return "store: '" + dir + "' has no '" + n + "' database: not a tdmaker store, or its first start never finished";
    if (rc != 0)
      return lmdb_error("store: open database", rc);
  }
  auto version = read_schema_version(g.txn, dbi_[0]);
  if (!version)
    return version.error();
  if (*version > current_schema_version)
    return newer_schema(*version);
  if (*version < current_schema_version)
    return "store: '" + dir + "' is at schema " + std::to_string(*version) + ", this build reads "
           + std::to_string(current_schema_version) + "; a read-only open runs no migration: start the node once";
  // Committing a read transaction keeps the database handles it opened.
  int rc = mdb_txn_commit(g.txn);
  g.txn = nullptr;
  if (rc != 0)
    return lmdb_error("store: open databases", rc);
  schema_version_ = *version;
  return {};
}

lmdb_env::~lmdb_env() {
  if (env_)
    mdb_env_close(env_);
  if (lock_fd_ >= 0)
    ::close(lock_fd_);
  if (dir_lock_fd_ >= 0)
    ::close(dir_lock_fd_);
}

std::string lmdb_env::verify_all() const {
  txn_guard g;
  if (int rc = mdb_txn_begin(env_, nullptr, MDB_RDONLY, &g.txn); rc != 0)
    return lmdb_error("store: begin read", rc);
  for (std::size_t i = 0; i < record_db_count; ++i) {
    MDB_cursor* cur = nullptr;
    if (int rc = mdb_cursor_open(g.txn, dbi_[i], &cur); rc != 0)
      return lmdb_error("store: cursor", rc);
    MDB_val k, v;
    std::string err;
    int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
    for (; rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
      auto payload = open_record({static_cast<const char*>(v.mv_data), v.mv_size});
      if (!payload) {
        // Keys are the node's own, but a corrupt page can put any byte in one.
        err = std::string(names[i]) + "/" + log_escape({static_cast<const char*>(k.mv_data), k.mv_size}) + ": "
              + payload.error();
        break;
      }
    }
    mdb_cursor_close(cur);
    if (!err.empty())
      return err;
    if (rc != MDB_NOTFOUND)
      return std::string(names[i]) + ": " + mdb_strerror(rc);
  }
  return {};
}

std::string lmdb_env::migrate() {
  txn_guard g;
  if (int rc = mdb_txn_begin(env_, nullptr, 0, &g.txn); rc != 0)
    return lmdb_error("store: begin migration", rc);
  // Opening with MDB_CREATE is itself migration 0 -> 1 for a fresh store.
  for (std::size_t i = 0; i < record_db_count; ++i) {
    std::string n(names[i]);
    if (int rc = mdb_dbi_open(g.txn, n.c_str(), MDB_CREATE, &dbi_[i]); rc != 0)
      return lmdb_error("store: open database", rc);
  }
  auto read = read_schema_version(g.txn, dbi_[0]);
  if (!read)
    return read.error();
  std::uint32_t version = *read;
  if (version > current_schema_version)
    return newer_schema(version);
  // Each step moves the data from version N to N+1 inside this one transaction.
  using step = std::function<std::string(MDB_txn*)>;
  const std::vector<std::pair<std::string, step>> steps = {
    {"0->1: create named databases", [](MDB_txn*) { return std::string(); }},
    // The database itself is created above (MDB_CREATE); the step marks the store
    // as one older builds must not open, and a read-only open can name the cause.
    {"1->2: candles database", [](MDB_txn*) { return std::string(); }},
  };
  while (version < current_schema_version) {
    const auto& [what, fn] = steps[version];
    if (auto err = fn(g.txn); !err.empty())
      return "store: migration " + what + " failed: " + err;
    migrations_run_.push_back(what);
    ++version;
  }
  auto sealed = seal_record(std::to_string(version));
  MDB_val k = val(schema_key), sv = val(sealed);
  if (int rc = mdb_put(g.txn, dbi_[0], &k, &sv, 0); rc != 0)
    return lmdb_error("store: write schema version", rc);
  int rc = mdb_txn_commit(g.txn);
  g.txn = nullptr;
  if (rc != 0)
    return lmdb_error("store: commit migration", rc);
  schema_version_ = version;
  return {};
}

std::string lmdb_env::write(const std::vector<const write_batch*>& batches) {
  if (read_only_)
    return "store: opened read-only, write refused";
  txn_guard g;
  if (int rc = mdb_txn_begin(env_, nullptr, 0, &g.txn); rc != 0)
    return lmdb_error("begin", rc);
  for (const auto* b : batches) {
    for (const auto& w : b->writes) {
      MDB_dbi dbi = dbi_[static_cast<std::size_t>(w.db)];
      MDB_val k = val(w.key);
      if (w.erase) {
        int rc = mdb_del(g.txn, dbi, &k, nullptr);
        if (rc != 0 && rc != MDB_NOTFOUND)
          return lmdb_error("delete", rc);
        continue;
      }
      auto sealed = seal_record(w.payload);
      MDB_val v = val(sealed);
      if (int rc = mdb_put(g.txn, dbi, &k, &v, 0); rc != 0)
        return lmdb_error("put", rc);
    }
  }
  int rc = mdb_txn_commit(g.txn);
  g.txn = nullptr;
  if (rc != 0)
    return lmdb_error("commit", rc);
  return {};
}

result<lmdb_snapshot> lmdb_env::snapshot() const {
  MDB_txn* txn = nullptr;
  int rc = mdb_txn_begin(env_, nullptr, MDB_RDONLY, &txn);
  if (rc == MDB_MAP_RESIZED && read_only_) {
    // The writer grew the map past ours and used the new room: adopt its size (0 =
    // the size recorded in the file). Allowed because no transaction of ours is open.
    if (int rs = mdb_env_set_mapsize(env_, 0); rs != 0)
      return fail(lmdb_error("store: follow the writer's map size", rs));
    rc = mdb_txn_begin(env_, nullptr, MDB_RDONLY, &txn);
  }
  if (rc != 0)
    return fail(lmdb_error("begin read", rc));
  return lmdb_snapshot(this, txn);
}

std::size_t lmdb_env::map_size() const {
  MDB_envinfo info{};
  mdb_env_info(env_, &info);
  return info.me_mapsize;
}

map_usage lmdb_env::usage() const {
  MDB_envinfo info{};
  MDB_stat stat{};
  if (mdb_env_info(env_, &info) != 0 || mdb_env_stat(env_, &stat) != 0)
    return {};
  return {(static_cast<std::uint64_t>(info.me_last_pgno) + 1) * stat.ms_psize, info.me_mapsize};
}

result<store_value> lmdb_env::get(record_db db, std::string_view key) const {
  auto s = snapshot();
  if (!s)
    return fail(s.error());
  return s->get(db, key);
}

result<store_rows> lmdb_env::scan(record_db db, std::string_view prefix) const {
  auto s = snapshot();
  if (!s)
    return fail(s.error());
  return s->scan(db, prefix);
}

result<store_rows> lmdb_env::range(record_db db, std::string_view from_key, std::string_view to_key,
                                   std::size_t limit) const {
  auto s = snapshot();
  if (!s)
    return fail(s.error());
  return s->range(db, from_key, to_key, limit);
}

lmdb_snapshot::~lmdb_snapshot() {
  if (txn_)
    mdb_txn_abort(txn_);
}

result<store_value> lmdb_snapshot::get(record_db db, std::string_view key) const {
  MDB_val k = val(key), v;
  int rc = mdb_get(txn_, env_->dbi_[static_cast<std::size_t>(db)], &k, &v);
  if (rc == MDB_NOTFOUND)
    return store_value{false, {}};
  if (rc != 0)
    return fail(lmdb_error("get", rc));
  auto payload = open_record({static_cast<const char*>(v.mv_data), v.mv_size});
  if (!payload)
    return fail(std::string(db_name(db)) + "/" + std::string(key) + ": " + payload.error());
  return store_value{true, std::move(payload).value()};
}

result<store_rows> lmdb_snapshot::scan(record_db db, std::string_view prefix) const {
  MDB_cursor* cur = nullptr;
  if (int rc = mdb_cursor_open(txn_, env_->dbi_[static_cast<std::size_t>(db)], &cur); rc != 0)
    return fail(lmdb_error("cursor", rc));
  store_rows out;
  MDB_val k = val(prefix), v;
  int rc = prefix.empty() ? mdb_cursor_get(cur, &k, &v, MDB_FIRST)
                          : mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
  std::string err;
  while (rc == 0) {
    std::string_view key(static_cast<const char*>(k.mv_data), k.mv_size);
    if (key.substr(0, prefix.size()) != prefix)
      break;
    auto payload = open_record({static_cast<const char*>(v.mv_data), v.mv_size});
    if (!payload) {
      err = std::string(db_name(db)) + "/" + std::string(key) + ": " + payload.error();
      break;
    }
    out.rows.push_back({std::string(key), std::move(payload).value()});
    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
  }
  mdb_cursor_close(cur);
  if (!err.empty())
    return fail(err);
  if (rc != 0 && rc != MDB_NOTFOUND)
    return fail(lmdb_error("scan", rc));
  return out;
}

result<store_rows> lmdb_snapshot::range(record_db db, std::string_view from_key, std::string_view to_key,
                                        std::size_t limit) const {
  store_rows out;
  if (limit == 0 || from_key >= to_key)
    return out;
  MDB_cursor* cur = nullptr;
  if (int rc = mdb_cursor_open(txn_, env_->dbi_[static_cast<std::size_t>(db)], &cur); rc != 0)
    return fail(lmdb_error("cursor", rc));
  MDB_val k = val(from_key), v;
  int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
  std::string err;
  for (; rc == 0 && out.rows.size() < limit; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
    std::string_view key(static_cast<const char*>(k.mv_data), k.mv_size);
    if (key >= to_key)
      break;
    auto payload = open_record({static_cast<const char*>(v.mv_data), v.mv_size});
    if (!payload) {
      err = std::string(db_name(db)) + "/" + log_escape(key) + ": " + payload.error();
      break;
    }
    out.rows.push_back({std::string(key), std::move(payload).value()});
  }
  mdb_cursor_close(cur);
  if (!err.empty())
    return fail(err);
  if (rc != 0 && rc != MDB_NOTFOUND)
    return fail(lmdb_error("range", rc));
  return out;
}

} // namespace tdmaker
