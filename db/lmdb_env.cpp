#include "db/lmdb_env.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>

#include "core/record_codec.hpp"

namespace tdmaker {
namespace {

constexpr std::array<std::string_view, record_db_count> names{
  "meta", "markets", "orders", "fills", "positions", "settlements", "phase", "audit"};
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

result<std::shared_ptr<lmdb_env>> lmdb_env::open(const std::string& dir,
                                                 std::int64_t map_size_mb) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return fail("store: cannot create data dir '" + dir + "': " + ec.message());
  std::shared_ptr<lmdb_env> self(new lmdb_env());
  auto lock_path = dir + "/tdmaker.lock";
  self->lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
  if (self->lock_fd_ < 0)
    return fail("store: cannot open lock file '" + lock_path + "'");
  if (flock(self->lock_fd_, LOCK_EX | LOCK_NB) != 0)
    return fail("store: data dir '" + dir + "' is in use by another tdmaker process");
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

lmdb_env::~lmdb_env() {
  if (env_)
    mdb_env_close(env_);
  if (lock_fd_ >= 0)
    ::close(lock_fd_);
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
  MDB_val k = val(schema_key), v;
  std::uint32_t version = 0;
  int rc = mdb_get(g.txn, dbi_[0], &k, &v);
  if (rc == 0) {
    auto payload = open_record({static_cast<const char*>(v.mv_data), v.mv_size});
    if (!payload)
      return "store: schema version record: " + payload.error();
    try {
      version = static_cast<std::uint32_t>(std::stoul(*payload));
    } catch (...) {
      return "store: schema version record is not a number";
    }
  } else if (rc != MDB_NOTFOUND) {
    return lmdb_error("store: read schema version", rc);
  }
  if (version > current_schema_version)
    return "store: data was written by a newer tdmaker (schema " + std::to_string(version)
           + ", this build knows " + std::to_string(current_schema_version)
           + "); refusing to open it";
  // Each step moves the data from version N to N+1 inside this one transaction.
  using step = std::function<std::string(MDB_txn*)>;
  const std::vector<std::pair<std::string, step>> steps = {
    {"0->1: create named databases", [](MDB_txn*) { return std::string(); }},
  };
  while (version < current_schema_version) {
    const auto& [what, fn] = steps[version];
    if (auto err = fn(g.txn); !err.empty())
      return "store: migration " + what + " failed: " + err;
    migrations_run_.push_back(what);
    ++version;
  }
  auto sealed = seal_record(std::to_string(version));
  MDB_val sv = val(sealed);
  if (int rc2 = mdb_put(g.txn, dbi_[0], &k, &sv, 0); rc2 != 0)
    return lmdb_error("store: write schema version", rc2);
  rc = mdb_txn_commit(g.txn);
  g.txn = nullptr;
  if (rc != 0)
    return lmdb_error("store: commit migration", rc);
  schema_version_ = version;
  return {};
}

std::string lmdb_env::write(const std::vector<const write_batch*>& batches) {
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

result<store_value> lmdb_env::get(record_db db, std::string_view key) const {
  txn_guard g;
  if (int rc = mdb_txn_begin(env_, nullptr, MDB_RDONLY, &g.txn); rc != 0)
    return fail(lmdb_error("begin read", rc));
  MDB_val k = val(key), v;
  int rc = mdb_get(g.txn, dbi_[static_cast<std::size_t>(db)], &k, &v);
  if (rc == MDB_NOTFOUND)
    return store_value{false, {}};
  if (rc != 0)
    return fail(lmdb_error("get", rc));
  auto payload = open_record({static_cast<const char*>(v.mv_data), v.mv_size});
  if (!payload)
    return fail(std::string(db_name(db)) + "/" + std::string(key) + ": " + payload.error());
  return store_value{true, std::move(payload).value()};
}

result<store_rows> lmdb_env::scan(record_db db, std::string_view prefix) const {
  txn_guard g;
  if (int rc = mdb_txn_begin(env_, nullptr, MDB_RDONLY, &g.txn); rc != 0)
    return fail(lmdb_error("begin read", rc));
  MDB_cursor* cur = nullptr;
  if (int rc = mdb_cursor_open(g.txn, dbi_[static_cast<std::size_t>(db)], &cur); rc != 0)
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

} // namespace tdmaker
