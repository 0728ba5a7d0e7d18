#pragma once
// CLOB `GET /clob-markets/{condition_id}` (protocol ref §4): the compact market
// record the official client reads its fee info from (`fd` = {r, e, to}: rate,
// exponent, taker only).
#include <string_view>

#include "core/fee_schedule.hpp"
#include "core/result.hpp"

namespace tdmaker {

/// The fee schedule of a `/clob-markets` reply. Numbers are read as text, so
/// "0.07" is exactly 70'000 ppm. Fails on a reply that is not an object, lacks
/// `fd`, or whose `fd` is malformed (`to` may be absent: taker only).
result<fee_schedule> parse_clob_market_fees(std::string_view json);

/// Which schedule a market trades with. The CLOB's `fd` wins when it reads: it is
/// the matching engine's own record, and the official client's only source.
/// Gamma's `feeSchedule` is used when the CLOB's is unavailable (`clob_status`
/// not 200, or unreadable). `note` says what happened when it is worth a log line
/// (a disagreement, a fallback); empty otherwise.
struct fee_choice {
  fee_schedule fee; // not known when neither source has a readable schedule
  std::string note;
};
fee_choice choose_fee_schedule(const fee_schedule& gamma, int clob_status, std::string_view clob_body);

} // namespace tdmaker
