#include "core/replay_report.hpp"

#include <algorithm>

#include "core/json_write.hpp"

namespace tdmaker {

session_report report_of(std::vector<settlement_record> rows) {
  std::sort(rows.begin(), rows.end(), [](const settlement_record& a, const settlement_record& b) {
    if (a.settled_ms != b.settled_ms)
      return a.settled_ms < b.settled_ms;
    return settlement_key(a) < settlement_key(b);
  });
  session_report r;
  std::int64_t peak = 0;
  for (const auto& s : rows) {
    ++r.markets;
    r.fills += s.fills;
    r.pnl.micros += s.pnl.micros;
    r.fees.micros += s.fees.micros;
    peak = std::max(peak, r.pnl.micros);
    r.max_drawdown.micros = std::max(r.max_drawdown.micros, peak - r.pnl.micros);
    r.by_market[settlement_key(s)].micros += s.pnl.micros;
    for (const auto& part : split_of(s))
      r.by_strategy[std::string(to_string(part.strategy))].micros += part.pnl.micros;
  }
  return r;
}

std::string report_json(const session_report& r) {
  json::object_writer w;
  w.num("markets", r.markets).num("fills", r.fills).str("pnl", to_string(r.pnl)).str("fees", to_string(r.fees));
  w.str("max_drawdown", to_string(r.max_drawdown)).open("by_strategy");
  for (const auto& [k, v] : r.by_strategy)
    w.str(k, to_string(v));
  w.close().open("by_market");
  for (const auto& [k, v] : r.by_market)
    w.str(k, to_string(v));
  w.close();
  return w.take();
}

std::string report_text(const session_report& r) {
  std::string out = "markets " + std::to_string(r.markets) + ", fills " + std::to_string(r.fills) + ", PnL "
                    + to_string(r.pnl) + " (fees " + to_string(r.fees) + "), max drawdown "
                    + to_string(r.max_drawdown) + "\n";
  for (const auto& [k, v] : r.by_strategy)
    out += "  strategy " + k + ": " + to_string(v) + "\n";
  for (const auto& [k, v] : r.by_market)
    out += "  market " + k + ": " + to_string(v) + "\n";
  return out;
}

} // namespace tdmaker
