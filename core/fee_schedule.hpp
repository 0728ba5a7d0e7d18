#pragma once
// A market's taker fee schedule (protocol ref §1, §4; docs.polymarket.com/trading/fees):
// fee in pUSD = shares x rate x (p x (1 - p))^exponent, paid by the taker only.
// It comes from each market (Gamma `feeSchedule`, CLOB `/clob-markets/{cid}` `fd`);
// the node and tdmaker-venue both charge it through `taker_fee` below, so the two
// agree to the micro-unit.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/money.hpp"
#include "core/result.hpp"

namespace tdmaker {

struct fee_schedule {
  bool known = false;         // false: the market published none we could read
  std::int64_t rate_ppm = 0;  // rate in millionths: 0.07 -> 70'000
  std::int32_t exponent = 1;  // of p x (1 - p)
  bool taker_only = true;
  bool operator==(const fee_schedule&) const = default;
};
template <class Inspector>
auto inspect(Inspector& f, fee_schedule& x) { return f(x.known, x.rate_ppm, x.exponent, x.taker_only); }

inline constexpr std::int64_t max_fee_rate_ppm = 1'000'000; // a rate above 1 is not a fee
inline constexpr std::int32_t max_fee_exponent = 4;         // observed: 1 and 2

/// Builds a schedule from the wire's decimal texts ("0.07", "1"; JSON numbers
/// read as text, never as double). Fails, naming the field, on a rate outside
/// [0, 1] or with more than 6 decimals, an exponent outside [1, 4], or a
/// schedule that charges makers (`taker_only` false: not what these markets
/// do, and nothing here would charge it).
result<fee_schedule> make_fee_schedule(std::string_view rate, std::string_view exponent, bool taker_only);

/// The taker fee of one trade of `size` shares at `px`, floored to 5 decimal
/// places (a multiple of 10 micro-units): Polymarket's rule as NautilusTrader's
/// `compute_commission` implements it ("floored to 5 decimal places, matching
/// the venue charge", citing docs.polymarket.com/trading/fees); the official
/// client computes no fee of a fill. Exact for every exponent: integer
/// arithmetic on p in micro-units. 0 for an unknown schedule, a non-positive
/// size or a price outside (0, 1).
usdc taker_fee(shares size, price px, const fee_schedule& s);

/// "rate 0.07, exponent 1, taker only" (for logs), "unknown" when not known.
std::string describe(const fee_schedule& s);

} // namespace tdmaker
