#include "core/fee_schedule.hpp"

#include <array>

#include "core/decimal.hpp"

namespace tdmaker {
namespace {

// An unsigned integer of 6 x 64 bits: size x rate x (p(1-p))^4 needs ~235 bits.
class wide {
public:
  explicit wide(std::uint64_t v) { limb_[0] = v; }
  void mul(std::uint64_t m) {
    unsigned __int128 carry = 0;
    for (auto& l : limb_) {
      auto v = static_cast<unsigned __int128>(l) * m + carry;
      l = static_cast<std::uint64_t>(v);
      carry = v >> 64;
    }
  }
  /// Floor division; floor(floor(n / a) / b) == floor(n / (a b)), so dividing
  /// by each factor of the denominator in turn is exact.
  void div(std::uint64_t d) {
    unsigned __int128 rem = 0;
    for (auto i = limb_.size(); i-- > 0;) {
      auto v = (rem << 64) | limb_[i];
      limb_[i] = static_cast<std::uint64_t>(v / d);
      rem = v % d;
    }
  }
  std::uint64_t low() const { return limb_[0]; }

private:
  std::array<std::uint64_t, 6> limb_{};
};

} // namespace

result<fee_schedule> make_fee_schedule(std::string_view rate, std::string_view exponent, bool taker_only) {
  auto r = parse_fixed(rate, micro_decimals, 0, max_fee_rate_ppm);
  if (!r)
    return fail("fee rate '" + std::string(rate.substr(0, 24)) + "': " + r.error());
  auto e = parse_fixed(exponent, 0, 1, max_fee_exponent);
  if (!e)
    return fail("fee exponent '" + std::string(exponent.substr(0, 24)) + "': " + e.error());
  if (!taker_only)
    return fail("fee schedule charges makers (takerOnly false): not supported");
  return fee_schedule{true, *r, static_cast<std::int32_t>(*e), true};
}

usdc taker_fee(shares size, price px, const fee_schedule& s) {
  if (!s.known || size.micros <= 0 || px.micros <= 0 || px.micros >= micros_per_unit || s.rate_ppm <= 0)
    return usdc{0};
  // micro-shares x ppm x (micro^2)^e / (10^6 x (10^12)^e) = micro-pUSD.
  const auto q = static_cast<std::uint64_t>(px.micros) * static_cast<std::uint64_t>(micros_per_unit - px.micros);
  wide n(static_cast<std::uint64_t>(size.micros));
  n.mul(static_cast<std::uint64_t>(s.rate_ppm));
  for (std::int32_t i = 0; i < s.exponent; ++i)
    n.mul(q);
  for (std::int32_t i = 0; i < s.exponent; ++i)
    n.div(1'000'000'000'000ULL);
  n.div(micros_per_unit);
  n.div(10); // floored to 5 decimals
  return usdc{static_cast<std::int64_t>(n.low()) * 10};
}

std::string describe(const fee_schedule& s) {
  if (!s.known)
    return "unknown";
  return "rate " + format_fixed(s.rate_ppm, micro_decimals) + ", exponent " + std::to_string(s.exponent)
         + (s.taker_only ? ", taker only" : ", makers too");
}

} // namespace tdmaker
