#include "app/ledger_reader.hpp"

#include "core/fills.hpp"
#include "core/settlement.hpp"

namespace tdmaker {

result<std::string> export_text(const lmdb_snapshot& snap, const export_query& q, std::vector<std::string>& bad) {
  if (q.kind == "trades") {
    auto fills = read_all<fill_record>(snap, record_db::fills, decode_fill_record, &bad);
    if (!fills)
      return fail(fills.error());
    return export_trades(std::move(fills).value(), q);
  }
  if (q.kind == "settlements") {
    auto rows = read_all<settlement_record>(snap, record_db::settlements, decode_settlement_record, &bad);
    if (!rows)
      return fail(rows.error());
    return export_settlements(std::move(rows).value(), q);
  }
  auto read = read_all<order_record>(snap, record_db::orders, decode_order_record, &bad);
  if (!read)
    return fail(read.error());
  return export_orders(std::move(read).value(), q);
}


} // namespace tdmaker
