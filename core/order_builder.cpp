#include "core/order_builder.hpp"

namespace tdmaker {
namespace {

using i128 = __int128;

i128 pow10(int n) {
  i128 v = 1;
  while (n-- > 0)
    v *= 10;
  return v;
}

enum class rounding { down, half_up };

/// An unsigned decimal string as an integer count of 10^-decimals, rounded.
result<i128> scaled(std::string_view text, int decimals, rounding mode, const char* what) {
  auto bad = [&] { return fail(std::string("invalid ") + what + ": '" + std::string(text) + "'"); };
  if (text.empty() || text.size() > 40)
    return bad();
  i128 whole = 0, frac = 0;
  int frac_digits = 0;
  bool dot = false, any = false;
  int next_digit = -1; // first digit beyond `decimals`
  bool beyond_nonzero = false;
  for (char c : text) {
    if (c == '.') {
      if (dot)
        return bad();
      dot = true;
      continue;
    }
    if (c < '0' || c > '9')
      return bad();
    any = true;
    int d = c - '0';
    if (!dot) {
      whole = whole * 10 + d;
      if (whole > pow10(18))
        return bad();
    } else if (frac_digits < decimals) {
      frac = frac * 10 + d;
      ++frac_digits;
    } else {
      if (next_digit < 0)
        next_digit = d;
      else
        beyond_nonzero |= d != 0;
    }
  }
  if (!any)
    return bad();
  i128 v = whole * pow10(decimals) + frac * pow10(decimals - frac_digits);
  if (mode == rounding::half_up && next_digit >= 5)
    ++v;
  (void)beyond_nonzero;
  return v;
}

bool price_valid(std::string_view price, std::string_view tick) {
  // price >= tick && price <= 1 - tick, compared exactly at 12 decimals.
  auto p = scaled(price, 12, rounding::down, "price");
  auto t = scaled(tick, 12, rounding::down, "tick");
  return p && t && *p >= *t && *p <= pow10(12) - *t;
}

struct scaled_inputs {
  rounding_config rc;
  i128 price;    // in 10^-rc.price
  i128 quantity; // in 10^-rc.size
};

// The checks and roundings both order kinds share; only the price rounding differs.
result<scaled_inputs> prepare(std::string_view price, std::string_view quantity, std::string_view tick,
                              rounding price_mode, const char* quantity_name);

} // namespace

result<rounding_config> rounding_for(std::string_view tick) {
  if (tick == "0.1")
    return rounding_config{1, 2, 3};
  if (tick == "0.01")
    return rounding_config{2, 2, 4};
  if (tick == "0.005")
    return rounding_config{3, 2, 5};
  if (tick == "0.0025")
    return rounding_config{4, 2, 6};
  if (tick == "0.001")
    return rounding_config{3, 2, 5};
  if (tick == "0.0001")
    return rounding_config{4, 2, 6};
  return fail("invalid tick size '" + std::string(tick) + "': expected 0.1, 0.01, 0.005, 0.0025, 0.001 or 0.0001");
}

namespace {
result<scaled_inputs> prepare(std::string_view price, std::string_view quantity, std::string_view tick,
                              rounding price_mode, const char* quantity_name) {
  auto rc = rounding_for(tick);
  if (!rc)
    return fail(rc.error());
  if (!price_valid(price, tick))
    return fail("invalid price (" + std::string(price) + "), min: " + std::string(tick) + " - max: 1 - "
                + std::string(tick));
  auto p = scaled(price, rc->price, price_mode, "price");
  if (!p)
    return fail(p.error());
  auto q = scaled(quantity, rc->size, rounding::down, quantity_name);
  if (!q)
    return fail(q.error());
  return scaled_inputs{*rc, *p, *q};
}
} // namespace

result<order_amounts> limit_order_amounts(order_side side, std::string_view price, std::string_view size,
                                          std::string_view tick) {
  auto in = prepare(price, size, tick, rounding::half_up, "size");
  if (!in)
    return fail(in.error());
  const auto* rc = &in->rc;
  const i128* p = &in->price;
  const i128* s = &in->quantity;
  // s in 10^-2 shares, p in 10^-pd: notional in 10^-(2+pd), shares in 10^-2; both to 10^-6.
  i128 notional = *s * *p * pow10(6 - rc->size - rc->price);
  i128 shares_units = *s * pow10(6 - rc->size);
  if (notional > INT64_MAX || shares_units > INT64_MAX)
    return fail("order too large");
  auto n = static_cast<std::int64_t>(notional), q = static_cast<std::int64_t>(shares_units);
  return side == order_side::buy ? order_amounts{n, q} : order_amounts{q, n};
}

result<order_amounts> market_order_amounts(order_side side, std::string_view price, std::string_view amount,
                                           std::string_view tick) {
  auto in = prepare(price, amount, tick, rounding::down, "amount");
  if (!in)
    return fail(in.error());
  const auto* rc = &in->rc;
  const i128* p = &in->price;
  const i128* m = &in->quantity;
  if (*p <= 0 || *m <= 0)
    return fail("amount and price must be positive");
  i128 maker = *m * pow10(6 - rc->size);
  i128 taker;
  if (side == order_side::buy) {
    // shares = amount / price: ceil at amount+4 decimals, then floor at amount decimals.
    int fine = rc->amount + 4;
    i128 num = *m * pow10(fine + rc->price - rc->size);
    i128 ceil_fine = (num + *p - 1) / *p;
    i128 coarse = ceil_fine / pow10(4);
    taker = coarse * pow10(6 - rc->amount);
  } else {
    taker = *m * *p * pow10(6 - rc->size - rc->price); // exact: size+price decimals <= amount
  }
  if (maker > INT64_MAX || taker > INT64_MAX)
    return fail("order too large");
  return order_amounts{static_cast<std::int64_t>(maker), static_cast<std::int64_t>(taker)};
}

} // namespace tdmaker
