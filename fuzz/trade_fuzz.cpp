// The venue's trades as the node's fills (core/trade_codec): user-channel frames
// (parse_user_frame) and `GET /data/trades` pages (parse_trades_page). The API
// key is the one of the seed corpus (tests/unit/fills_test.cpp). Invariant: every
// leg is a positive size at a price in [0, 1] with a non-negative fee.
#include <vector>

#include "core/trade_codec.hpp"
#include "fuzz/fuzz_check.hpp"

using namespace tdmaker;

namespace {

constexpr std::string_view api_key = "11111111-2222-3333-4444-555555555555";

void check_legs(const std::vector<fill_report>& legs) {
  for (auto& f : legs) {
    fuzz::check(f.size.micros > 0, "a leg has a positive size");
    fuzz::check(f.px.micros >= 0 && f.px.micros <= micros_per_unit, "a leg's price is in [0, 1]");
    fuzz::check(f.fee.micros >= 0, "a leg's fee is not negative");
    fuzz::check(!f.order_id.empty(), "a leg names its order");
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto text = fuzz::text_of(data, size);
  if (auto legs = parse_user_frame(text, api_key))
    check_legs(*legs);
  if (auto page = parse_trades_page(text, api_key))
    check_legs(page->fills);
  return 0;
}
