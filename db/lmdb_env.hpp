#pragma once
// RAII over one LMDB environment with a named database per record kind, the
// schema-version key and its migrations. Thread-safe as LMDB is: one writer (the
// store actor) and any number of read transactions (MDB_NOTLS) beside it.
//
// Two ways to open it: the node's read-write open (exclusive tdmaker.lock,
// migrations), and a read-only open for tools such as `tdmaker export` that may run
// beside the node in another process. LMDB registers every reader in its own lock
// file (lock.mdb), so such a reader is safe next to the writer: it sees the last
// committed transaction and never blocks it.
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <lmdb.h>

#include "core/result.hpp"
#include "core/store_health.hpp"
#include "messages/messages.hpp"

namespace tdmaker {

inline constexpr std::uint32_t current_schema_version = 2;
inline constexpr std::size_t record_db_count = 9;

std::string_view db_name(record_db db);

class lmdb_env;

/// One read transaction: every read through it sees the same committed state, however
/// much the writer commits meanwhile. Must not outlive its environment; while it is
/// open it pins that state (the writer cannot reuse its pages), so keep it short.
class lmdb_snapshot {
public:
  lmdb_snapshot(lmdb_snapshot&& o) noexcept : env_(o.env_), txn_(o.txn_) { o.txn_ = nullptr; }
  lmdb_snapshot& operator=(lmdb_snapshot&&) = delete;
  lmdb_snapshot(const lmdb_snapshot&) = delete;
  ~lmdb_snapshot();

  /// Reads one record and verifies its checksum.
  result<store_value> get(record_db db, std::string_view key) const;
  /// All records whose key starts with `prefix`, in key order, each checksum verified.
  result<store_rows> scan(record_db db, std::string_view prefix) const;
  /// Records with from_key <= key < to_key, in key order, at most `limit` of them.
  result<store_rows> range(record_db db, std::string_view from_key, std::string_view to_key,
                           std::size_t limit) const;

private:
  friend class lmdb_env;
  lmdb_snapshot(const lmdb_env* env, MDB_txn* txn) : env_(env), txn_(txn) {}
  const lmdb_env* env_;
  MDB_txn* txn_;
};

class lmdb_env {
public:
  /// Opens (creating if needed) the environment in `dir`, takes an exclusive
  /// lock file so two nodes never share a data dir, and runs pending migrations.
  static result<std::shared_ptr<lmdb_env>> open(const std::string& dir,
                                                std::int64_t map_size_mb);
  /// Opens an existing store for reading only, beside a running node or not: no
  /// tdmaker.lock, no migration, no file created when `dir` holds no store. Refuses a
  /// store whose schema version is not this build's. The map size is the writer's
  /// (recorded in the file); a writer that grows it later is followed on the next
  /// snapshot.
  static result<std::shared_ptr<lmdb_env>> open_read_only(const std::string& dir);
  ~lmdb_env();
  lmdb_env(const lmdb_env&) = delete;
  lmdb_env& operator=(const lmdb_env&) = delete;

  /// Applies all writes in one transaction and commits it (durable on return).
  /// Payloads are sealed with a checksum here. Returns an error text on failure
  /// (always on a read-only environment).
  std::string write(const std::vector<const write_batch*>& batches);

  /// A read transaction. On a read-only environment no other snapshot of it may be
  /// open at the same time (following a grown map needs none open).
  result<lmdb_snapshot> snapshot() const;
  /// One-shot reads, each in its own transaction.
  result<store_value> get(record_db db, std::string_view key) const;
  result<store_rows> scan(record_db db, std::string_view prefix) const;
  result<store_rows> range(record_db db, std::string_view from_key, std::string_view to_key,
                           std::size_t limit) const;

  bool read_only() const { return read_only_; }
  /// Bytes of the memory map this process uses (a reader follows the writer's).
  std::size_t map_size() const;
  /// How much of the map is used: its high-water mark (last page number + 1, times
  /// the page size) of the last committed transaction. Pages freed inside it are
  /// reused by later writes, so this never falls; it is what MDB_MAP_FULL measures.
  map_usage usage() const;
  std::uint32_t schema_version() const { return schema_version_; }
  /// Reads every record of every database in one read transaction and verifies its
  /// checksum. Empty when all are sound; otherwise "<db>/<key>: <why>" for the first
  /// that is not. The node runs it at start, before any actor loads a record.
  std::string verify_all() const;
  /// Migrations that ran in this open ("0->1: ...").
  const std::vector<std::string>& migrations_run() const { return migrations_run_; }

private:
  friend class lmdb_snapshot;
  lmdb_env() = default;
  std::string migrate();
  std::string attach_read_only(const std::string& dir);

  MDB_env* env_ = nullptr;
  std::array<MDB_dbi, record_db_count> dbi_{};
  std::uint32_t schema_version_ = 0;
  std::vector<std::string> migrations_run_;
  int lock_fd_ = -1;
  int dir_lock_fd_ = -1; // flock on the data dir itself: survives tdmaker.lock being deleted
  bool read_only_ = false;
};

} // namespace tdmaker
