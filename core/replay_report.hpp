#pragma once
// What a replay (or any finished session) made: PnL in total, by strategy and by
// market, the fills, and the worst fall of the running PnL (max drawdown), from
// the settlement records the run committed. Exact: micro-units throughout. Pure.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/settlement.hpp"

namespace tdmaker {

struct session_report {
  std::uint32_t markets = 0;       // settlement records (a market's live and paper books count apart)
  std::uint32_t fills = 0;
  usdc pnl;
  usdc fees;
  usdc max_drawdown;               // >= 0: the largest peak-to-trough fall of the running PnL
  std::map<std::string, usdc> by_strategy; // strategy name -> PnL
  std::map<std::string, usdc> by_market;   // settlement key ("<condition id>" or ".../paper") -> PnL
};

/// The running PnL is taken in settlement order (settled_ms, then key): the order
/// the session realised it in.
session_report report_of(std::vector<settlement_record> rows);

/// One JSON object (the one writer), stable key order: byte-identical for equal reports.
std::string report_json(const session_report& r);
/// Human text: the totals, then one line per strategy and per market.
std::string report_text(const session_report& r);

} // namespace tdmaker
