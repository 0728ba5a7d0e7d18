// The exact-decimal and hex texts inside every wire message (core/money,
// decimal, eth_address): prices, sizes, pUSD, reference prices, token and
// condition ids, addresses. Invariant: what parses prints back to a text that
// parses to the same value.
#include <string>

#include "core/decimal.hpp"
#include "core/eth_address.hpp"
#include "core/money.hpp"
#include "fuzz/fuzz_check.hpp"

using namespace tdmaker;

namespace {

template <class Parse>
void round_trip(std::string_view text, Parse parse, const char* kind) {
  auto v = parse(text);
  if (!v)
    return;
  auto printed = to_string(*v);
  auto back = parse(printed);
  fuzz::check(back.ok() && *back == *v, kind, printed);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto text = fuzz::text_of(data, size);
  round_trip(text, parse_price, "price round-trips");
  round_trip(text, parse_tick_size, "tick size round-trips");
  round_trip(text, parse_usdc, "pUSD round-trips");
  round_trip(text, parse_shares, "shares round-trip");
  round_trip(text, parse_ref_price, "reference price round-trips");
  if (auto t = parse_token_id(text))
    fuzz::check(parse_token_id(t->digits).ok() && *parse_token_id(t->digits) == *t, "token id is canonical");
  if (auto c = parse_condition_id(text))
    fuzz::check(parse_condition_id(c->hex).ok() && *parse_condition_id(c->hex) == *c, "condition id is canonical");
  if (auto a = parse_address(text)) {
    auto back = parse_address(to_checksum(*a));
    fuzz::check(back.ok() && *back == *a, "address round-trips through its checksum form");
  }
  (void)parse_fixed(text, 6, INT64_MIN, INT64_MAX);
  return 0;
}
