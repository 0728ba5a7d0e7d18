#pragma once
// RAII over one LMDB environment with a named database per record kind, the
// schema-version key and its migrations. Thread-safe as LMDB is: one writer (the
// store actor) and any number of read transactions (MDB_NOTLS) beside it.
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <lmdb.h>

#include "core/result.hpp"
#include "messages/messages.hpp"

namespace tdmaker {

inline constexpr std::uint32_t current_schema_version = 1;
inline constexpr std::size_t record_db_count = 8;

std::string_view db_name(record_db db);

class lmdb_env {
public:
  /// Opens (creating if needed) the environment in `dir`, takes an exclusive
  /// lock file so two nodes never share a data dir, and runs pending migrations.
  static result<std::shared_ptr<lmdb_env>> open(const std::string& dir,
                                                std::int64_t map_size_mb);
  ~lmdb_env();
  lmdb_env(const lmdb_env&) = delete;
  lmdb_env& operator=(const lmdb_env&) = delete;

  /// Applies all writes in one transaction and commits it (durable on return).
  /// Payloads are sealed with a checksum here. Returns an error text on failure.
  std::string write(const std::vector<const write_batch*>& batches);

  /// Reads one record and verifies its checksum.
  result<store_value> get(record_db db, std::string_view key) const;
  /// All records whose key starts with `prefix`, in key order.
  result<store_rows> scan(record_db db, std::string_view prefix) const;

  std::uint32_t schema_version() const { return schema_version_; }
  /// Migrations that ran in this open ("0->1: ...").
  const std::vector<std::string>& migrations_run() const { return migrations_run_; }

private:
  lmdb_env() = default;
  std::string migrate();

  MDB_env* env_ = nullptr;
  std::array<MDB_dbi, record_db_count> dbi_{};
  std::uint32_t schema_version_ = 0;
  std::vector<std::string> migrations_run_;
  int lock_fd_ = -1;
};

} // namespace tdmaker
