#pragma once
// Every line of logs/audit.jsonl, built from plain values so each can be tested
// without an actor. One JSON object per line, no trailing newline; every text
// field goes through core/json_write.hpp, so a reason with quotes, backslashes,
// control characters or invalid UTF-8 still makes one valid JSON line.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/confidence.hpp"
#include "core/danger_score.hpp"
#include "core/entry_filters.hpp"
#include "core/fills.hpp"
#include "core/money.hpp"
#include "core/records.hpp"
#include "core/settlement.hpp"
#include "core/stop_loss.hpp"

namespace tdmaker {

/// "up" or "down", as every audit line names an outcome.
std::string_view outcome_name(outcome o);

/// Bidding: one entry decision with every input it was made from.
std::string entry_audit_line(std::int64_t now_ms, std::string_view market, std::string_view asset,
                             const entry_inputs& in, const filter_result& r, std::string_view verdict,
                             std::size_t orders);

/// Stop-loss: a non-hold verdict on the position `side`/`qty` of `market`.
std::string stop_loss_audit_line(std::int64_t now_ms, std::string_view market, outcome side, shares qty,
                                 const stop_check& c);

/// Market: what taking the ask would have cost when the maker ladder first filled.
std::string shadow_taker_audit_line(std::int64_t now_ms, std::string_view market, outcome side, price ask,
                                    shares ask_size, price bid);

/// Order: a change of one order's ledger record.
std::string order_audit_line(const order_record& r, std::int64_t now_ms, std::string_view event);

/// Fill: a booked, duplicate or reversed fill, with its record.
std::string fill_audit_line(const fill_record& f, fill_change change, std::int64_t now_ms);

/// Settlement: a settled market, with its record.
std::string settlement_audit_line(const settlement_record& rec);

/// 99c capture: one entry decision (`verdict`: placed, or why not) with the
/// confidence it was made from, every part of it and its reasons.
std::string capture_entry_audit_line(std::int64_t ts_ms, std::string_view market, std::string_view asset,
                                     outcome side, price ask, shares size, const confidence_result& c,
                                     std::string_view verdict);

/// 99c capture: a booked capture fill with the peak confidence recomputed at fill (seed 000).
std::string capture_fill_audit_line(std::int64_t ts_ms, std::string_view market, outcome side, bool paper, price px,
                                    shares size, std::int64_t peak_confidence_ppm);

/// 99c capture: the danger score of a held position, each component, and what was done (`action`).
std::string danger_audit_line(std::int64_t ts_ms, std::string_view market, outcome side, bool paper,
                              std::int64_t peak_ppm, std::int64_t confidence_ppm, const danger_result& d,
                              std::int32_t threshold, std::string_view action);

} // namespace tdmaker
