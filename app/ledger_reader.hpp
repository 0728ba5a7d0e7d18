#pragma once
// Reading the node's ledger out of LMDB for the commands that print it (export,
// replay): read-only, one consistent snapshot per read.
#include <string>
#include <vector>

#include "core/ledger_export.hpp"
#include "core/records.hpp"
#include "db/lmdb_env.hpp"

namespace tdmaker {

/// Decodes every row of `db` with `decode`. Without `bad` the first unreadable row is
/// an error; with it, each unreadable row is named there (its key and the decoder's
/// reason) and every readable one is still returned: one bad record loses nothing else.
template <class Record, class Decode>
result<std::vector<Record>> read_all(const lmdb_snapshot& snap, record_db db, Decode decode,
                                     std::vector<std::string>* bad = nullptr) {
  auto rows = snap.scan(db, "");
  if (!rows)
    return fail(rows.error());
  std::vector<Record> out;
  for (auto& row : rows->rows) {
    auto r = decode(row.payload);
    if (r) {
      out.push_back(std::move(r).value());
      continue;
    }
    auto why = "record " + std::string(db_name(db)) + "/" + row.key + " unreadable: " + r.error();
    if (!bad)
      return fail(why);
    bad->push_back(std::move(why));
  }
  return out;
}

/// The export text of `q` from one read transaction: a consistent snapshot even while
/// the node commits beside it. Records that do not decode are left out and named in `bad`.
result<std::string> export_text(const lmdb_snapshot& snap, const export_query& q, std::vector<std::string>& bad);

} // namespace tdmaker
